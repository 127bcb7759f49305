"""Immutable course objects built from validated files."""
from dataclasses import dataclass, field
from typing import Optional
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
    lesson: Optional[str] = None  # where to re-read: a lesson slug ...
    section: Optional[int] = None  # ... and its 1-based ``##`` section

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
    checks: tuple = ()  # ``Check`` objects, in the order of their sections


@dataclass(frozen=True)
class Check:
    """A self-check question shown after the lesson's ``after``-th ``##`` section."""

    id: str
    after: int
    prompt: MappingProxyType
    choices: tuple  # ``Choice`` objects, exactly one correct
    explain: MappingProxyType

    def choice(self, choice_id):
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class PracticeChoice:
    id: str
    text: MappingProxyType
    next: str
    feedback: Optional[MappingProxyType] = None  # language -> sanitised HTML
    mistake: bool = False


@dataclass(frozen=True)
class Step:
    id: str
    screen: MappingProxyType  # language -> sanitised HTML
    image: Optional[str] = None
    choices: tuple = ()
    end: bool = False

    def choice(self, choice_id):
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class Practice:
    """A safe simulation of a real task, as screens; it starts at its first step."""

    slug: str
    title: MappingProxyType
    steps: tuple
    images: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def first(self):
        return self.steps[0]

    def step(self, step_id):
        return next((s for s in self.steps if s.id == step_id), None)

    def good_path(self):
        """``[(step id, choice id)]``: the shortest way from the first step to an end without
        a mistake, or None when there is none."""
        paths, todo = {self.first.id: []}, [self.first]
        while todo:
            step = todo.pop(0)
            if step.end:
                return paths[step.id]
            for choice in step.choices:
                if not choice.mistake and choice.next not in paths:
                    paths[choice.next] = paths[step.id] + [(step.id, choice.id)]
                    todo.append(self.step(choice.next))
        return None


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
    quiz_size: Optional[int] = None  # questions drawn per attempt; None: all of them
    competencies: tuple = ()  # codes of ``competencies.COMPETENCES``
    practices: tuple = ()

    @property
    def draw_size(self):
        """How many questions an attempt draws."""
        return min(self.quiz_size or len(self.questions), len(self.questions))

    def practice(self, slug):
        return next((p for p in self.practices if p.slug == slug), None)

    def question(self, question_id):
        return next((q for q in self.questions if q.id == question_id), None)

    def lesson(self, slug):
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    @property
    def lesson_slugs(self):
        return tuple(lesson.slug for lesson in self.lessons)
