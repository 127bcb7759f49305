"""Enrolling a group from a CSV file: upload, preview with every row's problems, confirm.

The upload is kept in an ``ImportBatch`` between preview and confirmation, so the two steps
may be served by different app nodes; confirming creates everything in one transaction and
shows the printable login cards.
"""
from flask import Response, abort, render_template, request
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..content import get_catalog
from ..db import get_session
from ..errors import handle_http_error
from ..services import csv_import, permissions
from ..services.errors import DomainError, NotFound
from .import_forms import ConfirmImportForm, ImportForm
from .views import _team, bp, cards_redirect


def _courses():
    return {course.slug: course for course in get_catalog()}


def _form_page(team, form, status=200, notice=None):
    return render_template("teams/import.html", team=team, form=form, notice=notice,
                           max_rows=csv_import.number(csv_import.MAX_ROWS),
                           courses=list(get_catalog())), status


def _preview_page(team, preview, status=200, notice=None):
    return render_template("teams/import_preview.html", team=team, preview=preview,
                           courses=_courses(), notice=notice, form=ImportForm(formdata=None),
                           confirm_form=ConfirmImportForm() if preview.batch else None), status


@bp.route("/<int:team_id>/import", methods=["GET", "POST"], endpoint="import_csv")
def import_csv(team_id):
    team, form = _team(team_id), ImportForm()
    if not form.validate_on_submit():
        if request.method == "POST" and "csrf_token" in form.errors:
            abort(400)
        return _form_page(team, form, 422 if request.method == "POST" else 200)
    db = get_session()
    # Read one byte past the limit: the size is checked before anything is parsed.
    content = form.file.data.stream.read(csv_import.MAX_BYTES + 1)
    try:
        preview = csv_import.preview_import(session=db, team=team, content=content,
                                            uploader=current_user)
    except DomainError as error:
        db.rollback()
        form.file.errors.append(error.message)
        return _form_page(team, form, 422)
    if not preview.ok:
        db.rollback()  # nothing is stored for a file with errors
        return _preview_page(team, preview, 422)
    db.commit()
    return _preview_page(team, preview)


@bp.route("/<int:team_id>/import/<token>/confirm", methods=["POST"], endpoint="import_confirm")
def import_confirm(team_id, token):
    team, db = _team(team_id), get_session()
    try:
        batch = csv_import.get_batch(session=db, user=current_user, team=team, token=token)
    except NotFound:
        abort(404)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    try:
        pairs = csv_import.confirm_import(session=db, team=team, batch=batch)
    except csv_import.AlreadyConfirmed as error:
        db.rollback()
        return _form_page(team, ImportForm(formdata=None), 409, notice=error.message)
    except csv_import.RowsChanged as error:
        db.rollback()
        return _preview_page(team, error.preview, 422, notice=error.message)
    except DomainError as error:
        db.rollback()
        return _form_page(team, ImportForm(formdata=None), 409, notice=error.message)
    db.commit()
    return cards_redirect(team, pairs)


@bp.route("/<int:team_id>/import/template.csv", endpoint="import_template")
def import_template(team_id):
    _team(team_id)
    body = csv_import.template_csv(course.slug for course in get_catalog())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="digilit-import-template.csv"',
        "Cache-Control": "no-store"})


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A file above the request limit: the upload form again with a clear message, not a bare
    413 (a file a little over the import limit reaches the check in ``import_csv``)."""
    # The body was refused unread: forms built while rendering (the sign-out button's too)
    # must see no data rather than try to read it again.
    request.form, request.files = ImmutableMultiDict(), ImmutableMultiDict()
    allowed = (request.endpoint == "teams.import_csv"
               and permissions.allows(current_user, permissions.IMPORT, permissions.CREATE))
    if not allowed:
        return handle_http_error(error)
    try:
        team = _team(request.view_args["team_id"])
    except HTTPException as not_found:
        return handle_http_error(not_found)
    form = ImportForm(formdata=None)
    form.file.errors = [csv_import.too_large_message()]
    return _form_page(team, form, 413)

