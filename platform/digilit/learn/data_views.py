"""A learner's own data: ``GET /me/data.json`` (a copy of everything held about them) and
``GET, POST /me/delete`` (deleting the account, confirmed by the password)."""
from flask import (abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .. import audit
from ..db import get_session
from ..session_guard import fresh_session
from ..services import personal_data, signin
from ..services.csv_export import attachment
from ..services.errors import DomainError
from .data_forms import DeleteAccountForm
from .views import bp


@bp.route("/me/data.json")
@login_required
def my_data():
    """Everything held about the signed-in user, as a JSON download."""
    data = personal_data.export_data(session=get_session(), user=current_user)
    audit.event("export", user_id=current_user.id, kind="personal_data")
    response = jsonify(data)
    response.headers["Content-Disposition"] = attachment("digilit-my-data.json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _delete_page(form, status=200):
    return render_template("learn/delete.html", form=form), status


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
def delete_me():
    """Delete the signed-in learner's account once their password confirms it (a page of its
    own, away from the everyday links of /me)."""
    form = DeleteAccountForm()
    if request.method == "GET":
        return _delete_page(form)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _delete_page(form, 422)
    db, user_id = get_session(), current_user.id
    try:
        personal_data.delete_account(
            session=db, user=current_user, password=form.password.data,
            address=request.remote_addr, limits=signin.Limits.from_config(current_app.config))
    except DomainError as error:
        db.commit()  # a wrong password counts like a failed sign-in
        audit.event("account_delete", "failure", user_id=user_id)
        form.password.errors.append(error.message)
        return _delete_page(form, 422)
    db.commit()
    audit.event("account_delete", user_id=user_id)
    _sign_out()
    flash(_("Your account and everything about you are deleted."), "success")
    return redirect(url_for(".catalogue"))


def _sign_out():
    logout_user()
    fresh_session()
