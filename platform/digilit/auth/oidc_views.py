"""Sign-in with an identity provider (OpenID Connect): ``GET /auth/oidc/login`` and
``GET /auth/oidc/callback``, the first sign-in's choice (``/auth/oidc/welcome``: a new account
or linking an existing one) and ``POST /auth/oidc/unlink``. Every route is a 404 unless the
provider is configured (see ``digilit.oidc``)."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit, clock, oidc
from ..db import get_session
from ..services import identity as identities
from ..services import signin
from ..services.errors import DomainError
from ..urls import public_url
from .oidc_forms import IdentityAccountForm, LinkAccountForm, LinkSignedInForm, UnlinkForm
from .views import _fill_area_choices, _limits, bp, open_session

PENDING = "oidc_pending"  # the verified identity between the callback and the first choice
PENDING_LIFETIME = 15 * 60
LOCKED, ALREADY_LINKED = "locked", "already_linked"


def _messages():
    return {
        oidc.DENIED: _("You did not agree to share your identity. You can sign in with your "
                       "password instead."),
        oidc.BAD_STATE: _("This sign-in was not started here or has expired. Please try "
                          "again."),
        oidc.REJECTED: _("The identity provider did not confirm your sign-in. Please try "
                         "again."),
        oidc.UNREACHABLE: _("The identity provider cannot be reached now. Please try again "
                            "later, or sign in with your password."),
        oidc.UNVERIFIED: _("Your identity could not be verified. Please try again."),
        LOCKED: _("Too many wrong passwords were tried on this account. Please wait 15 "
                  "minutes and try again."),
        ALREADY_LINKED: _("This identity is already linked to another account."),
    }


@bp.before_request
def _only_when_configured():
    if request.endpoint and request.endpoint.startswith("auth.oidc_") and not oidc.enabled():
        abort(404)


def _failed(reason, user_id=None):
    session.pop(PENDING, None)  # a failed sign-in leaves no identity waiting
    audit.event("oidc_login", "failure", user_id=user_id, reason=reason)
    flash(_messages().get(reason, _messages()[oidc.UNVERIFIED]), "error")
    return redirect(url_for(".login"))


@bp.route("/oidc/login")
def oidc_login():
    """Off to the provider's sign-in page."""
    try:
        return oidc.start(public_url("auth.oidc_callback"))
    except oidc.SignInFailed as failure:
        return _failed(failure.reason)


@bp.route("/oidc/callback")
def oidc_callback():
    """Back from the provider: sign in the linked account, or ask how to make one. A GET
    never writes (see ``db.start_write_phase``): linking and creating are POSTs."""
    try:
        person = oidc.finish()
    except oidc.SignInFailed as failure:
        return _failed(failure.reason)
    db = get_session()
    user = identities.linked_user(session=db, issuer=person.issuer, subject=person.subject)
    if user is None:
        session[PENDING] = {**person.__dict__, "at": clock.timestamp()}
        return redirect(url_for(".oidc_welcome"))
    return _sign_in(db, user, person.issuer)


def _sign_in(db, user, issuer, event="oidc_login"):
    """Sign ``user`` in through the session machinery; the caller has committed."""
    if not identities.may_sign_in(session=db, user=user):
        return _failed(LOCKED, user_id=user.id)
    audit.event(event, user_id=user.id, issuer=issuer)
    return open_session(user, url_for("learn.me"))


def _link_and_sign_in(db, user, person):
    try:
        identities.link(session=db, user=user, issuer=person.issuer, subject=person.subject)
    except DomainError:
        db.rollback()
        return _failed(ALREADY_LINKED, user_id=user.id)
    db.commit()
    flash(_("Your identity is linked: you can now sign in with it."), "success")
    return _sign_in(db, user, person.issuer, event="oidc_link")


def _pending():
    data = session.get(PENDING)
    if not isinstance(data, dict) or clock.timestamp() - data.get("at", 0) > PENDING_LIFETIME:
        session.pop(PENDING, None)
        return None
    return oidc.Identity(**{k: v for k, v in data.items() if k != "at"})


def _welcome(person, account_form, link_form, status=200):
    needs_area = person.commune_code is None
    if needs_area:
        _fill_area_choices(account_form)
    return render_template("auth/oidc_welcome.html", person=person, needs_area=needs_area,
                           account_form=account_form, link_form=link_form,
                           link_signed_in_form=LinkSignedInForm(formdata=None)), status


@bp.route("/oidc/welcome", methods=["GET", "POST"])
def oidc_welcome():
    """The first sign-in with an identity: create an account from its claims."""
    person = _pending()
    if person is None:
        return _failed(oidc.BAD_STATE)
    form = IdentityAccountForm()
    if request.method == "GET" or form.refresh_communes.data or not form.validate_on_submit():
        status = 422 if request.method == "POST" and form.errors else 200
        return _welcome(person, form, LinkAccountForm(formdata=None), status)
    db = get_session()
    area = ((person.province_code, person.commune_code) if person.commune_code is not None
            else (form.province.data, form.commune.data))
    try:
        user = identities.create_account(
            session=db, identity=person, province_code=area[0], commune_code=area[1],
            username=identities.new_username(session=db, full_name=person.name))
    except DomainError as error:
        db.rollback()
        if person.commune_code is not None:  # the provider's area is unknown here: ask
            person = oidc.Identity(**{**person.__dict__, "commune_code": None})
            session[PENDING] = {**person.__dict__, "at": clock.timestamp()}
        field = getattr(form, error.field or "", None) or form.commune
        field.errors = list(field.errors) + [error.message]
        return _welcome(person, form, LinkAccountForm(formdata=None), 422)
    db.commit()
    flash(_("Welcome, %(name)s! Your account is ready. Your username is %(username)s.",
            name=user.full_name, username=user.username), "success")
    return _sign_in(db, user, person.issuer, event="oidc_register")


@bp.route("/oidc/link", methods=["POST"])
def oidc_link():
    """The first sign-in with an identity: link it to the signed-in account, or to an account
    proved by its password."""
    person = _pending()
    if person is None:
        return _failed(oidc.BAD_STATE)
    if current_user.is_authenticated:
        if not LinkSignedInForm().validate_on_submit():
            abort(400)
        return _link_and_sign_in(get_session(), current_user._get_current_object(), person)
    form = LinkAccountForm()
    if not form.validate_on_submit():
        return _welcome(person, IdentityAccountForm(formdata=None), form, 422)
    db = get_session()
    attempt = signin.sign_in(session=db, username=form.username.data,
                             password=form.password.data, address=request.remote_addr,
                             limits=_limits(), checkpoint=db.commit)
    db.commit()
    if not attempt.ok:
        audit.event("oidc_link", attempt.outcome, user_id=attempt.user_id)
        form.password.errors.append(_("Wrong username or password."))
        return _welcome(person, IdentityAccountForm(formdata=None), form, 422)
    return _link_and_sign_in(db, attempt.user, person)


@bp.route("/oidc/unlink", methods=["POST"])
@login_required
def oidc_unlink():
    """Remove a linked identity from the signed-in account."""
    form = UnlinkForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    try:
        identities.unlink(session=db, user=current_user, identity_id=_int(form.identity.data),
                          password=form.password.data, address=request.remote_addr,
                          limits=_limits())
    except DomainError as error:
        db.commit()  # a wrong password counts like a failed sign-in
        audit.event("oidc_unlink", "failure", user_id=current_user.id)
        flash(str(error.message), "error")
        return redirect(url_for("learn.me"))
    db.commit()
    audit.event("oidc_unlink", user_id=current_user.id)
    flash(_("The identity is unlinked from your account."), "success")
    return redirect(url_for("learn.me"))


def _int(value):
    return int(value) if str(value or "").isdigit() else None


@bp.app_context_processor
def identity_helpers():
    """For the sign-in page and ``/me``: whether the provider is on, and its name."""
    def identity_panel():
        db = get_session()
        return {"identities": identities.identities_of(session=db, user_id=current_user.id),
                "unlink_form": UnlinkForm(formdata=None)}
    return {"oidc_enabled": oidc.enabled, "identity_panel": identity_panel}
