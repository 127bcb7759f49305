"""Public certificate pages: ``/certificates/<code>`` (anyone may verify a certificate) and
``/certificates/check`` (type a code, go to its certificate)."""
from flask import abort, redirect, render_template, request, url_for

from ..content import get_catalog
from ..content.competencies import COMPETENCES
from ..db import get_session
from ..models import User
from ..services import certificates, revocation
from ..urls import public_url
from ..qr import qr_svg
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
    found = certificates.find_by_code(session=db, code=code)
    if found is None:
        return _not_found(code[:64])
    course = get_catalog().get(found.course_slug) or abort(404)
    holder = db.get(User, found.user_id) or abort(404)
    address = public_url(".certificate", code=found.code)
    competences = [(code, COMPETENCES[code]) for code in course.competencies]
    return render_template("learn/certificate.html", certificate=found, course=course,
                           holder=holder, address=address, qr=qr_svg(address),
                           competences=competences, print_view=request.args.get("print") == "1",
                           revoked=revocation.revocation_of(session=db, certificate_id=found.id))
