"""The second step of signing in, and one's own authenticator.

A proven password (or PIN, or identity) of an account with an authenticator leaves only a
note in the session (``AWAITING_CODE``: whom, which session version, since when); the code
page opens the session. Administrators must have one: until they set it up, every page
leads to the set-up (``require_second_factor``).
"""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from .. import audit, clock
from ..db import begin_writes, get_session
from ..models import User
from ..qr import draw_qr
from ..services import permissions
from ..services import second_factor as factors
from ..services.errors import DomainError
from .forms import RecoveryCodesForm, SecondFactorCodeForm, SecondFactorOffForm
from ..session_guard import fresh_session
from .views import AWAITING_CODE, SECOND_STEP_DONE, _start_session, after_sign_in, bp

CODE_PAGE_LIFETIME = 5 * 60  # seconds between the password and the code


def _secret_key():
    return current_app.config["SECRET_KEY"]


def _awaiting_user():
    """The account whose sign-in waits for a code, if the note is fresh and still valid."""
    note = session.get(AWAITING_CODE)
    if not isinstance(note, dict) or clock.timestamp() - note.get("at", 0) > CODE_PAGE_LIFETIME:
        return None
    user = get_session().get(User, note.get("user"))
    if user is None or user.session_version != note.get("version") or user.suspended_at:
        return None
    return user


@bp.route("/code", methods=["GET", "POST"])
def second_factor_code():
    """Sign-in, second step: a code from the authenticator app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.me"))
    user = _awaiting_user()
    if user is None:
        session.pop(AWAITING_CODE, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for(".login"))
    form = SecondFactorCodeForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            kind = factors.check(session=db, user=user, code=form.code.data,
                                       secret_key=_secret_key())
        except DomainError as error:
            db.commit()  # the wrong code is counted
            audit.event("second_factor", "failure", user_id=user.id)
            form.code.errors.append(error.message)
        else:
            db.commit()
            audit.event("second_factor", kind, user_id=user.id)
            next_url = session[AWAITING_CODE].get("next")
            _start_session(user, second_step=True)
            if kind == factors.RECOVERY:
                flash(_("You used a recovery code: it will not work again. %(left)d are left.",
                        left=factors.recovery_codes_left(session=db, user=user)),
                      "warning")
            return after_sign_in(user, next_url)
    return render_template("auth/code.html", form=form), 422 if form.errors else 200


def _me():
    return current_user._get_current_object()


def _setup_page(form=None, status=200):
    db = get_session()
    if factors.is_on(session=db, user=_me()):
        return render_template(
            "auth/second_factor.html", on=True, status=status,
            codes_left=factors.recovery_codes_left(session=db, user=_me()),
            codes_form=RecoveryCodesForm(formdata=None), off_form=SecondFactorOffForm(
                formdata=None) if permissions.allows(_me(), permissions.SECOND_FACTOR,
                                                     permissions.DELETE) else None), status
    begin_writes()  # a GET that may write (the first time): SQLite's lock asked for up front
    secret, uri = factors.begin(session=db, user=_me(), secret_key=_secret_key())
    db.commit()  # the pending secret stays the same on reload, for the app already scanned
    return render_template("auth/second_factor.html", on=False, qr=draw_qr(uri),
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                           form=form or SecondFactorCodeForm(formdata=None)), status


@bp.route("/second-factor")
def second_factor():
    """One's authenticator: set it up (QR code, then a code), or see and manage it."""
    return _setup_page()


def _show_codes(codes, event):
    """The page that shows new recovery codes, the only time they are shown."""
    audit.event(event, user_id=current_user.id)
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/second-factor/confirm", methods=["POST"])
def second_factor_confirm():
    """Finish the set-up with a code: the recovery codes are shown, this once."""
    form, db = SecondFactorCodeForm(), get_session()
    if not form.validate_on_submit():
        return _setup_page(form, 422)
    try:
        codes = factors.confirm(session=db, user=_me(), code=form.code.data,
                                      secret_key=_secret_key())
    except DomainError as error:
        db.rollback()
        form.code.errors.append(error.message)
        return _setup_page(form, 422)
    db.commit()
    session[SECOND_STEP_DONE] = True
    return _show_codes(codes, "second_factor_on")


def _refused(form):
    """None when the form carries a valid current code; else the set-up page again with the
    message (a wrong code is counted)."""
    db = get_session()
    if form.validate_on_submit():
        try:
            factors.check(session=db, user=_me(), code=form.code.data,
                          secret_key=_secret_key())
            return None
        except DomainError as error:
            db.commit()
            form.code.errors.append(error.message)
    flash(form.code.errors[0] if form.code.errors else _("Enter the code."), "error")
    return redirect(url_for(".second_factor"))


@bp.route("/second-factor/recovery-codes", methods=["POST"])
def second_factor_codes():
    """New recovery codes (the old ones stop working), once a current code is given."""
    refused = _refused(RecoveryCodesForm())
    if refused:
        return refused
    db = get_session()
    codes = factors.new_recovery_codes(session=db, user=_me())
    db.commit()
    return _show_codes(codes, "recovery_codes")


@bp.route("/second-factor/off", methods=["POST"])
def second_factor_off():
    """Turn the second step off (team leaders; administrators must keep it)."""
    refused = _refused(SecondFactorOffForm())
    if refused:
        return refused
    db = get_session()
    factors.reset(session=db, user=_me())
    db.commit()
    audit.event("second_factor_off", user_id=current_user.id)
    flash(_("The second step is off: your password alone signs you in."), "success")
    return redirect(url_for(".second_factor"))


SETUP_EXEMPT = {"auth.second_factor", "auth.second_factor_confirm", "auth.change_password",
                "auth.logout", "static", "api.healthz"}


@bp.before_app_request
def require_second_factor():
    """Administrators sign in with a second factor: a session without one goes to the set-up
    (or, if the account has one already, back to the sign-in)."""
    user = current_user._get_current_object()
    if (not user.is_authenticated or session.get(SECOND_STEP_DONE)
            or request.endpoint in SETUP_EXEMPT
            or not current_app.config["SECOND_FACTOR_REQUIRED"]
            or not permissions.needs_second_factor(user)):
        return None
    if factors.is_on(session=get_session(), user=_me()):
        logout_user()
        fresh_session()
        return redirect(url_for("auth.login"))
    flash(_("Administrators sign in with a second step. Set it up now: it takes a minute."),
          "info")
    return redirect(url_for("auth.second_factor"))
