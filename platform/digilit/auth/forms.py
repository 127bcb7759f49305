"""Sign-up and sign-in forms (field names are part of the public contract)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from ..services import accounts, passwords
from ..services.errors import DomainError


MAX_CODE = 2**31 - 1  # unit codes are small numbers; anything larger is no such unit


def optional_int(value):
    """A unit code from a form or query string, or None (empty, malformed or out of range)."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_CODE else None


def new_password_fields(label, confirm_label, description):
    """A new password and its repetition, checked the same way wherever one is chosen."""
    return (
        PasswordField(label, description=description, validators=[
            InputRequired(_l("Choose a password.")),
            Length(min=8, message=_l("The password needs at least 8 characters."))]),
        PasswordField(confirm_label, validators=[
            InputRequired(_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same."))]),
    )


class RegistrationForm(FlaskForm):
    username = StringField(_l("Username or phone number"), validators=[
        InputRequired(_l("Choose a username.")), Length(max=32)],
        description=_l("Letters and digits, or your phone number."))
    full_name = StringField(_l("Full name"), validators=[
        InputRequired(_l("Write your full name.")), Length(max=120)])
    password, password_confirm = new_password_fields(
        _l("Password"), _l("Repeat the password"), _l("At least 8 characters."))
    province = SelectField(_l("Province or city"), coerce=optional_int, validate_choice=False)
    commune = SelectField(_l("Commune or ward"), coerce=optional_int, validate_choice=False)
    refresh_communes = SubmitField(_l("Show the communes of this province"))
    submit = SubmitField(_l("Create my account"))

    # Every field is checked at once, with the service's own rules: a bad username is
    # reported together with the other fields' problems, not after they are all mended.
    def validate_username(self, field):
        try:
            accounts.normalise_username(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None

    def validate_password(self, field):
        try:
            passwords.check_policy(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None

    def validate_province(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a province from the list."))

    def validate_commune(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a commune from the list."))


class LoginForm(FlaskForm):
    username = StringField(_l("Username or phone number"),
                           validators=[InputRequired(_l("Write your username."))])
    password = PasswordField(_l("Password or PIN"),
                             validators=[InputRequired(_l("Write your password."))])
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    # Not asked after a PIN sign-in (the view leaves it out then).
    current_password = PasswordField(_l("Current password"))
    password, password_confirm = new_password_fields(
        _l("New password"), _l("Repeat the new password"),
        _l("At least 8 characters. Do not use your PIN."))
    submit = SubmitField(_l("Save my password"))


class SecondFactorCodeForm(FlaskForm):
    """A code from the authenticator app, or one of the recovery codes."""

    code = StringField(_l("Code"), description=_l(
        "The 6 digits your authenticator app shows now, or one of your recovery codes."),
        validators=[InputRequired(_l("Enter the code.")), Length(max=32)])
    submit = SubmitField(_l("Continue"))


class SecondFactorOffForm(SecondFactorCodeForm):
    submit = SubmitField(_l("Turn off the second step"))


class RecoveryCodesForm(SecondFactorCodeForm):
    submit = SubmitField(_l("Make new recovery codes"))
