"""Forms of the administrators' pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class StatsFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: no CSRF needed, nothing changes)."""

    class Meta:
        csrf = False

    course = SelectField(_l("Course"), validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValueError(_l("The end date is before the start date."))


class TargetForm(FlaskForm):
    unit = SelectField(_l("Unit"), validate_choice=False)
    citizens = IntegerField(_l("Citizens to train"), validators=[
        InputRequired(_l("Write a number.")),
        NumberRange(min=0, max=200_000_000, message=_l("Write a whole number from 0 to 200,000,000."))])
    submit = SubmitField(_l("Save the target"))


class TokenForm(FlaskForm):
    name = StringField(_l("What is this token for?"), validators=[
        InputRequired(_l("Write a name.")), Length(max=100)])
    submit = SubmitField(_l("Create a token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))
