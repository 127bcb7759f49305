"""Forms of the team pages."""
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TeamNameForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[
        InputRequired(_l("Write a team name.")), Length(max=100)])
    submit = SubmitField(_l("Save"))


class LeaderForm(FlaskForm):
    username = StringField(_l("Username of the new leader"), validators=[
        InputRequired(_l("Write a username.")), Length(max=32)])
    submit = SubmitField(_l("Appoint as leader"))


class MemberForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[
        InputRequired(_l("Write the person's full name.")), Length(max=120)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])
    birth_year = IntegerField(_l("Year of birth (optional)"), validators=[
        Optional(), NumberRange(min=1900, max=2025, message=_l("Write a year like 1965."))])
    # One per form shown: the same form sent twice adds the person once.
    once = HiddenField(default=lambda: secrets.token_urlsafe(24))
    submit = SubmitField(_l("Add and print a login card"))


class EnrolForm(FlaskForm):
    courses = MultiCheckboxField(_l("Courses"), validators=[
        InputRequired(_l("Choose at least one course."))])
    members = MultiCheckboxField(_l("Members (none ticked: the whole team)"), coerce=int,
                                 validate_choice=False)
    submit = SubmitField(_l("Enrol"))


class MemberPickForm(FlaskForm):
    """Members chosen for new login cards (their PINs are replaced)."""

    members = MultiCheckboxField(_l("Members"), coerce=int, validate_choice=False)
    # Set by the confirmation page: new PINs end passwords, so they are asked for twice.
    confirmed = HiddenField()
    submit = SubmitField(_l("New PINs and login cards"))


class ConfirmForm(FlaskForm):
    confirmed = HiddenField()
    submit = SubmitField(_l("Confirm"))


class EditMemberForm(FlaskForm):
    """Correcting a member's name, phone and year of birth."""

    full_name = StringField(_l("Full name"), validators=[
        InputRequired(_l("Write the person's full name.")), Length(max=120)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20)])
    birth_year = IntegerField(_l("Year of birth (optional)"), validators=[
        Optional(), NumberRange(min=1900, max=2025, message=_l("Write a year like 1965."))])
    submit = SubmitField(_l("Save the changes"))


class ExistingMemberForm(FlaskForm):
    """Adding someone who already has an account (registered alone, or in another team)."""

    account = StringField(_l("Username or phone number"), validators=[
        InputRequired(_l("Write a username or a phone number.")), Length(max=32)],
        description=_l("A learner of the team's commune who already has an account."))
    submit = SubmitField(_l("Add to the team"))


class RemoveMemberForm(FlaskForm):
    submit = SubmitField(_l("Remove from the team"))
