"""The form of the "delete my account" section of /me."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import InputRequired


class DeleteAccountForm(FlaskForm):
    """Deleting one's account: the password confirms it."""

    password = PasswordField(_l("Your password"), validators=[
        InputRequired(_l("Write your password."))],
        description=_l("Your account, your progress and your certificates are deleted for "
                       "good. This cannot be undone."))
    submit = SubmitField(_l("Delete my account"))
