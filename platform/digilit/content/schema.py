"""Immutable course objects built from validated files."""
from dataclasses import dataclass, field
from types import MappingProxyType

FALLBACK_LANGUAGES = ("en", "vi")
TOPICS = ("e-id", "online-services", "cybersecurity", "digital-signature", "payments", "e-health")
LEVELS = ("beginner", "intermediate", "advanced")
QUESTION_TYPES = ("single", "multiple", "true_false", "order")
REQUIRED_LANGUAGES = ("vi", "en")


def localize(texts, lang):
    """Return ``(text, language used)``: the language asked for, else English, else Vietnamese."""
    for candidate in (lang, *FALLBACK_LANGUAGES):
        if texts.get(candidate):
            return texts[candidate], candidate
    return "", lang


def frozen_texts(mapping):
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Choice:
    id: str
    text: MappingProxyType
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: MappingProxyType
    choices: tuple
    explain: MappingProxyType

    @property
    def correct_ids(self):
        """The right answer: a set of ids, or for ``order`` the ids in order."""
        if self.type == "order":
            return tuple(choice.id for choice in self.choices)
        return frozenset(choice.id for choice in self.choices if choice.correct)

    def choice(self, choice_id):
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Lesson:
    slug: str
    position: int
    title: MappingProxyType
    html: MappingProxyType  # language -> sanitised HTML
    plain_words: int = 0


@dataclass(frozen=True)
class Course:
    slug: str
    version: int
    topic: str
    level: str
    minutes: int
    pass_percent: int
    title: MappingProxyType
    summary: MappingProxyType
    lessons: tuple
    questions: tuple = field(default=())

    def lesson(self, slug):
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    @property
    def lesson_slugs(self):
        return tuple(lesson.slug for lesson in self.lessons)
