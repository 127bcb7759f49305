"""Forms of the team progress pages: the grid's filters and the venue-session form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, ValidationError

from ..services.team_progress import STATUS_LABELS
from ..web import MAX_ID
from .forms import MultiCheckboxField


def _check_choice(message):
    """A validator: the value is empty or one of the field's choices (with our own message,
    in the page's language, rather than WTForms' generic one)."""
    def check(_form, field):
        values = {c.value if isinstance(c, SelectChoice) else c[0] for c in field.choices or ()}
        if field.data and field.data not in values:
            raise ValidationError(message)
    return check


class ProgressFilterForm(FlaskForm):
    """Filters of the progress grid, read from the query string (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    course = SelectField(_l("Course"), validate_choice=False,
                         validators=[_check_choice(_l("Choose a course from the list."))])
    status = SelectField(
        _l("Status"), validate_choice=False,
        choices=[SelectChoice("", _l("Any status"))]
        + [SelectChoice(value, label) for value, label in STATUS_LABELS.items()],
        validators=[_check_choice(_l("Choose a status from the list."))])
    submit = SubmitField(_l("Show"))


class AttendeesField(MultiCheckboxField):
    """Member ids as checkboxes; anything that is not an id gets our own message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Tick members from the list.")) from error
        if any(not 0 < value < MAX_ID for value in self.data or ()):
            self.data = []
            raise ValueError(_l("Tick members from the list."))


class VenueSessionForm(FlaskForm):
    held_on = DateField(
        _l("Date of the session"), format=["%Y-%m-%d", "%d/%m/%Y"],
        invalid_value_message=_l("Write a date like 2025-03-15."),
        validators=[InputRequired(_l("Choose the date of the session."))])
    place = StringField(_l("Place"), description=_l("For example: the commune's cultural house."),
                        validators=[InputRequired(_l("Write where the session took place.")),
                                    Length(max=200, message=_l("Write at most 200 characters."))])
    course = SelectField(_l("Course"), validate_choice=False,
                         validators=[InputRequired(_l("Choose a course from the list."))])
    attendees = AttendeesField(_l("Members who attended"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Record the session"))
    # Without JavaScript there is no "tick all" box: this button records everyone.
    everyone = SubmitField(_l("Everyone attended: record the session"))


class DeleteSessionForm(FlaskForm):
    submit = SubmitField(_l("Delete this session"))
