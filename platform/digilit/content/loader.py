"""Read course folders into ``Course`` objects, collecting every problem on the way."""
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import LANGUAGES
from .extras import cross_check, read_checks, read_practices
from .render import render_markdown
from .schema import Choice, Course, Lesson, Question, REQUIRED_LANGUAGES, frozen_texts
from .validate import check_course, check_quiz
from .yamlsource import YamlError, load_located, plain_keys

LESSON_FILE_RE = re.compile(r"^(\d{2})-([a-z0-9-]+)\.([a-z]{2})\.md$")
CHECKS_SUFFIX = ".checks.yaml"


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


def _read_yaml(path, problems, root):
    """Parse one YAML file; a missing or unreadable file is a problem, not an exception."""
    shown = _shown(path, root)
    if not path.is_file():
        problems.append(Problem(shown, 1, "file is missing"))
        return None
    try:
        return load_located(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        problems.append(Problem(shown, 1, "file is not UTF-8"))
    except YamlError as error:
        problems.append(Problem(shown, error.line, error.message))
    return None


def _shown(path, root):
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load_course(folder, root=None):
    """Return ``(course or None, [Problem])`` for one course folder."""
    folder = Path(folder)
    root = Path(root) if root else folder.parent.parent
    problems = []
    course_path, quiz_path = folder / "course.yaml", folder / "quiz.yaml"
    data = _read_yaml(course_path, problems, root)
    if data is not None:
        problems += [Problem(_shown(course_path, root), line, message)
                     for line, message in check_course(data, folder.name)]
    quiz = _read_yaml(quiz_path, problems, root)
    if quiz is not None:
        problems += [Problem(_shown(quiz_path, root), line, message)
                     for line, message in check_quiz(quiz)]
    bodies = {}
    if data is not None and not problems:
        bodies = _read_lessons(folder, data["lessons"], problems, root)
    if problems:
        return None, problems
    rendered = {key: render_markdown(text) for key, text in bodies.items()}
    reader = _Reader(problems, root)
    practices = read_practices(folder, data, reader)
    checks = read_checks(folder, data["lessons"], rendered, reader)
    problems += [Problem(_shown(folder / name, root), line, message)
                 for name, line, message in cross_check(data, quiz, rendered)]
    if problems:
        return None, problems
    return _build(data, quiz, bodies, rendered, practices, checks), []


class _Reader:
    """Reads the extra YAML files of a course, collecting their problems as ``Problem``s."""

    def __init__(self, problems, root):
        self.problems, self.root = problems, root

    def __call__(self, path):
        return _read_yaml(path, self.problems, self.root)

    def report(self, path, found):
        self.problems += [Problem(_shown(path, self.root), line, message)
                          for line, message in found]


def _read_lessons(folder, lessons, problems, root):
    """Map ``(slug, lang)`` to Markdown; every listed lesson needs vi and en, nothing extra."""
    lesson_dir = folder / "lessons"
    expected = {f"{pos:02d}-{lesson['slug']}": lesson["slug"]
                for pos, lesson in enumerate(lessons, start=1)}
    bodies = {}
    files = sorted(lesson_dir.glob("*")) if lesson_dir.is_dir() else []
    for path in files:
        match = LESSON_FILE_RE.match(path.name)
        shown = _shown(path, root)
        if path.name.endswith(CHECKS_SUFFIX) and path.name[:-len(CHECKS_SUFFIX)] in expected:
            continue  # a lesson's checks: read with the practices
        if not match or f"{match[1]}-{match[2]}" not in expected:
            problems.append(Problem(shown, 1, "lesson file not listed in course.yaml (expected "
                                    "NN-<lesson-slug>.<lang>.md in the order of course.yaml)"))
            continue
        if match[3] not in LANGUAGES:
            problems.append(Problem(shown, 1, f"unknown language '{match[3]}'"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(shown, 1, "file is not UTF-8"))
            continue
        if not text.strip():
            problems.append(Problem(shown, 1, "lesson file is empty"))
        bodies[(expected[f"{match[1]}-{match[2]}"], match[3])] = text
    for stem, slug in expected.items():
        for lang in REQUIRED_LANGUAGES:
            if (slug, lang) not in bodies:
                path = lesson_dir / f"{stem}.{lang}.md"
                problems.append(Problem(_shown(path, root), 1, "lesson file is missing"))
    return bodies


def _texts(mapping):
    return frozen_texts({k: mapping[k].strip() for k in plain_keys(mapping)})


def _build(data, quiz, bodies, rendered, practices, checks):
    lessons = []
    for position, item in enumerate(data["lessons"], start=1):
        html = {lang: text for (slug, lang), text in rendered.items() if slug == item["slug"]}
        words = len(bodies[(item["slug"], "vi")].split())
        lessons.append(Lesson(item["slug"], position, _texts(item["title"]),
                              frozen_texts(html), words, checks.get(item["slug"], ())))
    questions = tuple(
        Question(
            id=q["id"], type=q["type"], prompt=_texts(q["prompt"]), explain=_texts(q["explain"]),
            choices=tuple(Choice(_choice_id(c["id"]), _texts(c["text"]),
                                 c.get("correct") is True) for c in q["choices"]),
            lesson=q.get("lesson"), section=q.get("section"),
        )
        for q in quiz["questions"]
    )
    return Course(
        slug=data["slug"], version=data["version"], topic=data["topic"], level=data["level"],
        minutes=data["minutes"], pass_percent=data["pass_percent"], title=_texts(data["title"]),
        summary=_texts(data["summary"]), lessons=tuple(lessons), questions=questions,
        quiz_size=data.get("quiz_size"), competencies=tuple(data.get("competencies", ())),
        practices=tuple(practices[item["slug"]] for item in data.get("practice", [])),
    )


def _choice_id(value):
    return str(value).lower() if isinstance(value, bool) else value


def load_all(courses_dir):
    """Return ``({slug: Course}, [Problem])`` for every folder in ``courses_dir``."""
    courses_dir = Path(courses_dir)
    courses, problems = {}, []
    if not courses_dir.is_dir():
        return courses, [Problem(str(courses_dir), 1, "courses folder is missing")]
    for folder in sorted(p for p in courses_dir.iterdir() if p.is_dir()):
        course, found = load_course(folder, root=courses_dir.parent)
        problems += found
        if course is not None:
            courses[course.slug] = course
    return courses, problems
