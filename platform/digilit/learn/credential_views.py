"""Certificates as signed Open Badges 3.0 credentials (see ``services.credentials``):
``GET /certificates/<code>.json``, the issuer's key at ``GET /.well-known/jwks.json``, the
status lists at ``GET /credentials/status/<n>``, and ``POST /certificates/<code>/revoke``."""
from flask import abort, current_app, flash, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit, clock
from ..content import get_catalog
from ..db import get_session
from ..models import User
from ..services import certificates, credentials, revocation, scope, signing_key
from ..services.csv_export import attachment
from ..services.errors import DomainError
from ..urls import public_base, public_url
from .credential_forms import RevokeForm
from ..qr import qr_svg
from ..web import localized
from .views import bp

def _texts(course):
    return {"name": _("Digital Education for All"),
            "criteria": _("Completed every lesson and passed the final quiz with at least "
                          "%(pct)d%% of the points.", pct=course.pass_percent)}


def _urls(certificate, course):
    return {"base": public_base(),
            "certificate": public_url("learn.certificate", code=certificate.code),
            "course": public_url("learn.course", slug=course.slug),
            "status_list": lambda number: public_url("learn.status_list", number=number)}


def _signed(payload, valid_from):
    return credentials.sign(payload, signing_key.for_app(current_app), valid_from)


@bp.route("/certificates/<code>.json")
def credential(code):
    """The certificate as a signed ``OpenBadgeCredential``, enveloped in JSON, to download."""
    db = get_session()
    found = certificates.find_by_code(session=db, code=code) or abort(404)
    course = get_catalog().get(found.course_slug) or abort(404)
    holder = db.get(User, found.user_id) or abort(404)
    payload = credentials.build_credential(
        certificate=found, holder_name=holder.full_name, course=course,
        urls=_urls(found, course), texts=_texts(course), lang_text=localized)
    response = jsonify(credentials.envelope(_signed(payload, found.issued_at)))
    response.headers["Content-Disposition"] = attachment(f"certificate-{found.code}.json")
    return response


@bp.route("/.well-known/jwks.json")
def jwks():
    """The public key that signs every credential."""
    response = jsonify(signing_key.public_jwks(signing_key.for_app(current_app)))
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers run anywhere
    return response


@bp.route("/credentials/status/<int:number>")
def status_list(number):
    """Status list ``number`` as a signed ``BitstringStatusListCredential`` (VC-JWT)."""
    if number < 1:
        abort(404)
    url = public_url("learn.status_list", number=number)
    payload = credentials.status_list_credential(
        session=get_session(), list_number=number, url=url,
        issuer=credentials.issuer_profile(public_base(), _("Digital Education for All")),
        valid_from=clock.now())
    response = current_app.response_class(_signed(payload, clock.now()),
                                          mimetype=credentials.MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@login_required
def revoke(code):
    """An administrator withdraws a certificate of a learner in their area."""
    db = get_session()
    found = scope.certificate_to_revoke_or_404(session=db, user=current_user, code=code)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.reason.errors) or _("Please try again."), "error")
        return redirect(url_for(".certificate", code=found.code))
    try:
        revocation.revoke(session=db, certificate=found, reason=form.reason.data,
                          actor=current_user)
    except DomainError as error:
        db.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".certificate", code=found.code))
    db.commit()
    audit.event("certificate_revoke", user_id=found.user_id, certificate=found.code)
    flash(_("The certificate is revoked."), "success")
    return redirect(url_for(".certificate", code=found.code))


def credential_panel(certificate, revoked):
    """What the certificate page shows about the credential: its download, a QR code of it,
    whether it is revoked (``revoked``, read by the page), and the revoke form for an
    administrator of the holder's area."""
    db = get_session()
    download = public_url("learn.credential", code=certificate.code)
    may_revoke = revoked is None and scope.may_revoke_certificate(
        session=db, user=current_user, certificate=certificate)
    return {"download": url_for("learn.credential", code=certificate.code),
            "qr": qr_svg(download, scale=3), "revoked": revoked,
            "revoke_form": RevokeForm(formdata=None) if may_revoke else None}

