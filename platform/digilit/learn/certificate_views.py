"""Public certificate pages: ``/certificates/<code>`` (anyone may verify a certificate) and
``/certificates/check`` (type a code, go to its certificate)."""
from flask import abort, redirect, render_template, request, url_for

from ..content import get_catalog
from ..content.competencies import COMPETENCES
from ..db import get_session
from ..fragments import page
from ..i18n import certificate_date
from ..services import certificates, revocation
from ..urls import public_url
from ..qr import qr_svg
from .credential_views import credential_panel
from .views import bp


def _not_found(code=""):
    return render_template("learn/certificate_check.html", code=code, not_found=True), 404


@bp.route("/certificates/check")
def certificate_check():
    """A form for a certificate's code; a known code leads to its page."""
    code = request.args.get("code", "")
    if not code.strip():
        return render_template("learn/certificate_check.html", code="", not_found=False)
    found = certificates.find_by_code(session=get_session(), code=code)
    if found is None:
        return _not_found(code[:64])
    return redirect(url_for(".certificate", code=found.code))


@bp.route("/certificates/<code>")
def certificate(code):
    """The public page that says whether a certificate is valid, whose, for what and when."""
    db = get_session()
    found = certificates.public_record(session=db, code=code)
    if found is None:
        return _not_found(code[:64])
    course = get_catalog().get(found.course_slug) or abort(404)
    revoked = found.revocation_id and revocation.revocation_of(session=db,
                                                               certificate_id=found.id)
    panel = credential_panel(found, revoked)
    address = public_url(".certificate", code=found.code)
    print_view = request.args.get("print") == "1"
    # Kept per course and score: the rest is this certificate's own.
    holes = {"holder_name": found.holder_name, "code": found.code, "address": address,
             "qr": qr_svg(address), "issued": certificate_date(found.issued_at),
             "print_url": url_for(".certificate", code=found.code, print=1),
             "download": panel["download"], "credential_qr": panel["qr"]}
    return page("learn/certificate.html", course.slug, course.version, found.percent,
                print_view, holes=holes, keep=revoked is None and not panel["revoke_form"],
                certificate=found, course=course, competences=[
                    (code, COMPETENCES[code]) for code in course.competencies],
                print_view=print_view, revoked=revoked, panel=panel)
