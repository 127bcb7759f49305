"""Accounts' lifecycle for national and province administrators: find an account of their
area, suspend or re-enable it, change its role and area, delete it. Every change is audited
and ends the account's sessions. And for every administrator: find a self-registered learner
by name and phone, and print them a reset PIN."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..auth.forms import optional_int
from ..db import begin_writes, get_session
from ..models import ROLES
from ..qr import qr_svg
from ..services import account_admin, permissions, second_factor
from ..services.accounts import end_sessions
from ..services.pins import set_new_pin
from ..services import cards as card_sheets
from ..urls import public_url
from ..services.errors import DomainError
from .forms import AccountRoleForm, RevokeForm
from .views import bp


def _account(user_id):
    user = account_admin.account_for(session=get_session(), actor=current_user, user_id=user_id)
    return user or abort(404)


def _page(role_form=None, status=200):
    query = request.args.get("q", "")
    found = account_admin.find_accounts(session=get_session(), actor=current_user, query=query)
    role_form = role_form or AccountRoleForm(formdata=None)
    role_form.role.choices = [(r, r) for r in ROLES
                              if r in permissions.roles_below(current_user)]
    return render_template("admin/accounts.html", accounts=found, query=query,
                           role_form=role_form, action_form=RevokeForm()), status


@bp.route("/accounts")
def accounts():
    return _page()


@bp.route("/accounts/<int:user_id>/suspend", methods=["POST"])
def suspend(user_id):
    user = _account(user_id)
    if not RevokeForm().validate_on_submit():
        abort(400)
    suspended = request.form.get("suspend") == "1"
    db = get_session()
    account_admin.set_suspended(session=db, user=user, suspended=suspended,
                                actor=current_user._get_current_object())
    db.commit()
    audit.event("account_suspend" if suspended else "account_enable", user_id=user.id)
    flash(_("Account %(name)s suspended.", name=user.username) if suspended
          else _("Account %(name)s re-enabled.", name=user.username), "success")
    return redirect(url_for(".accounts", q=user.username))


@bp.route("/accounts/<int:user_id>/role", methods=["POST"])
def change_role(user_id):
    user, form, db = _account(user_id), AccountRoleForm(), get_session()
    form.role.choices = [(r, r) for r in ROLES]
    if not form.validate_on_submit():
        abort(400)
    try:
        account_admin.change_role(session=db, actor=current_user, user=user,
                                  role=form.role.data,
                                  province_code=optional_int(form.province.data),
                                  commune_code=optional_int(form.commune.data))
    except DomainError as error:
        db.rollback()
        flash(str(error.message), "error")
        return _page(status=422)
    db.commit()
    audit.event("role_change", user_id=user.id, role=user.role)
    flash(_("Account %(name)s now has the role %(role)s.", name=user.username, role=user.role),
          "success")
    return redirect(url_for(".accounts", q=user.username))


@bp.route("/accounts/<int:user_id>/second-factor", methods=["POST"])
def reset_second_factor(user_id):
    """Remove an account's authenticator (a lost phone): it is set up again at sign-in."""
    user = _account(user_id)
    if not RevokeForm().validate_on_submit():
        abort(400)
    db = get_session()
    second_factor.reset(session=db, user=user, actor=current_user)
    end_sessions(session=db, user=user)
    db.commit()
    audit.event("second_factor_reset", user_id=user.id)
    flash(_("The second step of %(name)s is reset: they set it up again at their next "
            "sign-in.", name=user.username), "success")
    return redirect(url_for(".accounts", q=user.username))


@bp.route("/accounts/<int:user_id>/delete", methods=["POST"])
def delete_account(user_id):
    user = _account(user_id)
    if not RevokeForm().validate_on_submit() or request.form.get("username") != user.username:
        flash(_("Type the account's username to delete it."), "error")
        return redirect(url_for(".accounts", q=user.username))
    db = get_session()
    user_id, username = user.id, user.username
    account_admin.delete_account(session=db, user=user)
    db.commit()
    audit.event("account_delete", user_id=user_id)
    flash(_("Account %(name)s deleted.", name=username), "success")
    return redirect(url_for(".accounts"))


@bp.route("/people")
def people():
    """A commune office finds a self-registered learner by full name and phone."""
    full_name, phone = request.args.get("full_name", ""), request.args.get("phone", "")
    found = account_admin.find_learner(session=get_session(), actor=current_user,
                                       full_name=full_name, phone=phone) \
        if full_name or phone else None
    return render_template("admin/people.html", found=found, full_name=full_name,
                           phone=phone, form=RevokeForm())


@bp.route("/people/<int:user_id>/pin", methods=["POST"])
def office_pin(user_id):
    """A new PIN for a learner found by name and phone, on a card shown once."""
    db = get_session()
    user = account_admin.account_for(session=db, actor=current_user, user_id=user_id)
    if user is None or not permissions.may_get_office_pin(user):
        abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    pin = set_new_pin(session=db, user=user, actor=current_user._get_current_object())
    token = card_sheets.keep(session=db, team=None, actor=current_user, pairs=[(user, pin)],
                             secret_key=current_app.config["SECRET_KEY"])
    db.commit()
    audit.event("pin_reset", user_id=user.id)
    return redirect(url_for(".office_cards", token=token))


@bp.route("/people/cards/<token>")
def office_cards(token):
    db = get_session()
    begin_writes()  # a GET that writes: the sheet is shown once, then deleted
    pairs = card_sheets.take(session=db, team=None, actor=current_user, token=token,
                             secret_key=current_app.config["SECRET_KEY"])
    db.commit()
    if pairs is None:
        flash(_("These login cards were shown once and are gone. To print cards again, give "
                "new PINs."), "info")
        return redirect(url_for(".people"))
    login_url = public_url("auth.login")
    return render_template("teams/cards.html", team=None, pairs=pairs, login_url=login_url,
                           qr=qr_svg(login_url, scale=3))
