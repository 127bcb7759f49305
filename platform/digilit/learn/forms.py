"""Forms of the learner's pages: each is a button, so each carries a CSRF token."""
from flask_wtf import FlaskForm
from wtforms import HiddenField


class PracticeForm(FlaskForm):
    """One answer to a practice step: the step it answers, the course version it was shown
    for, and the chosen answer's id (each answer is its own submit button)."""

    step = HiddenField()
    version = HiddenField()
    choice = HiddenField()


class LessonCheckForm(FlaskForm):
    """An answer to a lesson self-check: the chosen answer's id."""

    choice = HiddenField()
