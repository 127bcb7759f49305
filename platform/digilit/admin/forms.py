"""Forms of the administrators' pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..services.figures import plausible_day


class StatsFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: no CSRF needed, nothing changes)."""

    class Meta:
        csrf = False

    course = SelectField(_l("Course"), validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def validate_date_from(self, field):
        if not plausible_day(field.data):
            raise ValidationError(_l("Choose a date from 2000 to 2999."))

    def validate_date_to(self, field):
        if not plausible_day(field.data):
            raise ValidationError(_l("Choose a date from 2000 to 2999."))
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class TargetForm(FlaskForm):
    unit = SelectField(_l("Unit"), validate_choice=False)
    citizens = IntegerField(_l("Citizens to train"), validators=[
        InputRequired(_l("Write a number.")),
        NumberRange(min=0, max=200_000_000, message=_l("Write a whole number from 0 to 200,000,000."))])
    submit = SubmitField(_l("Save the target"))


class TokenForm(FlaskForm):
    name = StringField(_l("What is this token for?"), validators=[
        InputRequired(_l("Write a name.")), Length(max=100)])
    days = SelectField(_l("Valid for"), coerce=int, default=90, choices=[
        SelectChoice(30, _l("30 days")), SelectChoice(90, _l("90 days")),
        SelectChoice(180, _l("180 days")), SelectChoice(365, _l("1 year"))])
    submit = SubmitField(_l("Create a token"))


class AccountRoleForm(FlaskForm):
    role = SelectField(_l("Role"))
    province = StringField(_l("Province code"), validators=[Length(max=12)])
    commune = StringField(_l("Commune code"), validators=[Length(max=12)])


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
