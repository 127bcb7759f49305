"""Course content: files under ``courses/`` read once into immutable objects."""
from .catalog import get_catalog, init_app
from .schema import Course, Lesson, Question, localize

__all__ = ["Course", "Lesson", "Question", "localize", "get_catalog", "init_app"]
