"""Forms of the learner's pages: each is a button, so each carries a CSRF token."""
from flask_wtf import FlaskForm
from wtforms import HiddenField


class LessonCheckForm(FlaskForm):
    """An answer to a lesson self-check: the chosen answer's id."""

    choice = HiddenField()
