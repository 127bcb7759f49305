"""Forms of the first sign-in with an identity provider, and of unlinking an identity."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired

from .forms import optional_int


class IdentityAccountForm(FlaskForm):
    """A new account from the provider's claims; the area only when the claims lack it."""

    province = SelectField(_l("Province or city"), coerce=optional_int, validate_choice=False)
    commune = SelectField(_l("Commune or ward"), coerce=optional_int, validate_choice=False)
    refresh_communes = SubmitField(_l("Show the communes of this province"))
    submit = SubmitField(_l("Create my account"))


class LinkAccountForm(FlaskForm):
    """An existing account, proved by its password, to link the identity to."""

    username = StringField(_l("Username or phone number"),
                           validators=[InputRequired(_l("Write your username."))])
    password = PasswordField(_l("Password"),
                             validators=[InputRequired(_l("Write your password."))])
    submit = SubmitField(_l("Link to my account"))


class LinkSignedInForm(FlaskForm):
    """The signed-in account, to link the identity to."""

    submit = SubmitField(_l("Link to my account"))


class UnlinkForm(FlaskForm):
    identity = HiddenField()
    password = PasswordField(_l("Your password"))
    submit = SubmitField(_l("Unlink"))
