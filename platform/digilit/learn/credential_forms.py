"""The form that revokes a certificate."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason for revoking"), validators=[
        InputRequired(_l("Write why the certificate is revoked.")), Length(max=500)])
    submit = SubmitField(_l("Revoke this certificate"))
