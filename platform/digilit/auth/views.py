"""Registration, sign-in and sign-out."""
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit, clock
from ..session_guard import fresh_session
from ..db import begin_writes, get_session, reads_first
from ..services import accounts, geo, scope, second_factor, signin
from ..services.errors import DomainError
from .forms import ChangePasswordForm, LoginForm, RegistrationForm, optional_int

bp = Blueprint("auth", __name__)
# Session keys: a sign-in waiting for its second step, and a session that passed it.
AWAITING_CODE, SECOND_STEP_DONE = "_awaiting_code", "_second_step"


def _fill_area_choices(form):
    db = get_session()
    placeholder = [("", _("— choose —"))]
    form.province.choices = placeholder + [
        (p.code, p.name) for p in geo.list_provinces(session=db)]
    form.commune.choices = placeholder + [
        (c.code, c.name) for c in geo.list_communes(session=db, province_code=form.province.data)]


@bp.route("/register", methods=["GET", "POST"])
@reads_first
def register():
    form = RegistrationForm()
    if request.method == "GET" and request.args.get("province"):
        form.province.data = optional_int(request.args["province"])
    _fill_area_choices(form)
    if form.refresh_communes.data:  # the no-JavaScript way to narrow the commune list
        # Browsers never send a password back into a page: the note beside the fields says so.
        return render_template("auth/register.html", form=form, refreshed=True)
    if form.validate_on_submit():
        db = get_session()
        if signin.registration_blocked(session=db, address=request.remote_addr):
            audit.event("register", "throttled")
            flash(_too_many(), "error")
            return render_template("auth/register.html", form=form), 429
        user = _create_account(db, form)
        if user is not None:
            _start_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("learn.catalogue"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def _limits():
    return signin.Limits.from_config(current_app.config)


def _too_many():
    # The message names the default window (THROTTLE_WINDOW, 15 minutes).
    return _("Too many attempts from this network. Please wait 15 minutes and try again.")


def _create_account(db, form):
    """The new account, or None with the message beside its field; either way the attempt is
    counted against the client's address and committed."""
    try:
        user = accounts.create_user(
            session=db, username=form.username.data, full_name=form.full_name.data,
            password=form.password.data, province_code=form.province.data,
            commune_code=form.commune.data, begin_writes=begin_writes)
    except DomainError as error:
        db.rollback()
        getattr(form, error.field or "username").errors.append(error.message)
        user = None
    begin_writes()
    signin.count_registration(session=db, address=request.remote_addr, limits=_limits())
    db.commit()
    audit.event("register", "success" if user else "failure", user_id=user.id if user else None)
    return user


@bp.route("/communes")
def communes():
    """The communes of one province, for the registration form's JavaScript."""
    province = optional_int(request.args.get("province"))
    rows = geo.list_communes(session=get_session(), province_code=province)
    return jsonify([{"code": c.code, "name": c.name} for c in rows])


def _start_session(user, second_step=False):
    """A fresh session at sign-in (no fixation), keeping only the language choice;
    ``second_step`` records that a second factor was shown. Every caller has committed its
    work; what signing in writes (the changes told to the person, see ``security_notice``)
    is committed here."""
    fresh_session()
    login_user(user)
    get_session().commit()
    if second_step:
        session[SECOND_STEP_DONE] = True


def open_session(user, next_url=None):
    """The response to a proven password, PIN or identity: the second step for an account
    with an authenticator (``second_factor_views``), else a new session and the page to go
    to: choosing a password after a PIN, ``next_url``, or the role's landing page."""
    if second_factor.is_on(session=get_session(), user=user):
        fresh_session()
        session[AWAITING_CODE] = {"user": user.id, "version": user.session_version,
                                  "at": clock.timestamp(), "next": next_url}
        return redirect(url_for(".second_factor_code"))
    _start_session(user)
    return after_sign_in(user, next_url)


def after_sign_in(user, next_url=None):
    """Where a new session goes first."""
    if user.must_change_password:
        return redirect(url_for(".change_password"))
    return redirect(next_url or url_for(scope.landing_endpoint(user)))


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    # Browsers read "\\" as "/": "/\\host" would leave the site.
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        # The attempt is counted and committed before the password is hashed, so that no
        # database lock is held while hashing (see ``signin.sign_in``).
        attempt = signin.sign_in(session=db, username=form.username.data,
                                 password=form.password.data, address=request.remote_addr,
                                 limits=_limits(), checkpoint=db.commit)
        db.commit()  # the counters are kept whatever the outcome
        audit.event("login", attempt.outcome, user_id=attempt.user_id)
        if attempt.ok:
            return open_session(attempt.user, _safe_next(request.args.get("next")))
        if attempt.outcome == signin.THROTTLED:
            form.password.errors.append(_too_many())
            return render_template("auth/login.html", form=form), 429
        # Wrong password or PIN, unknown user, locked account: one message, one status, and
        # what to do next for people who have no e-mail to reset a password with.
        form.password.errors.append(_(
            "Wrong username, password or PIN. Try again in %(minutes)d minutes, or ask your "
            "team leader or the commune office for a new PIN.",
            minutes=current_app.config["THROTTLE_WINDOW"] // 60))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (the CSRF token was checked before the view, ``extensions.csrf``)."""
    db = get_session()
    # A copy of this session's cookie is worth nothing from now on.
    accounts.end_sessions(session=db, user=current_user._get_current_object())
    db.commit()
    audit.event("logout", user_id=current_user.id)
    logout_user()
    fresh_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("learn.catalogue"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@reads_first
def change_password():
    """Choose a new password; required after signing in with a one-time PIN."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user = accounts.change_password(session=db, user=current_user._get_current_object(),
                                            password=form.password.data,
                                            current=form.current_password.data,
                                            begin_writes=begin_writes)
        except DomainError as error:
            if error.field == "current_password":
                db.commit()  # the wrong guess is counted toward the account's lock
            else:
                db.rollback()
            getattr(form, error.field or "password").errors.append(error.message)
        else:
            db.commit()
            audit.event("password_change", user_id=user.id)
            # the new session version: other sessions are now ended
            _start_session(user, second_step=session.get(SECOND_STEP_DONE, False))
            flash(_("Your password is saved."), "success")
            return redirect(url_for("learn.me"))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.logout", "static", "api.healthz"}


@bp.before_app_request
def require_new_password():
    """Someone who signed in with a PIN chooses a password before anything else."""
    user = current_user._get_current_object()
    if (user.is_authenticated and user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_EXEMPT):
        return redirect(url_for("auth.change_password"))
    return None
