"""Checks on course.yaml and quiz.yaml; each problem comes back as ``(line, message)``."""
import re

from ..config import LANGUAGES
from .competencies import COMPETENCES
from .schema import LEVELS, QUESTION_TYPES, REQUIRED_LANGUAGES, TOPICS
from .yamlsource import line_of, plain_keys

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RE = re.compile(r"^[a-z0-9_]+(?:-[a-z0-9_]+)*$")
COURSE_KEYS = {"slug", "version", "topic", "level", "minutes", "pass_percent", "title",
               "summary", "lessons"}
OPTIONAL_COURSE_KEYS = {"quiz_size", "competencies", "practice"}
QUESTION_KEYS = {"id", "type", "prompt", "choices", "explain"}
OPTIONAL_QUESTION_KEYS = {"lesson", "section"}


class Problems(list):
    def add(self, line, message):
        self.append((line, message))


def check_unknown_keys(mapping, allowed, problems, where=""):
    for key in plain_keys(mapping):
        if key not in allowed:
            problems.add(line_of(mapping, key), f"unknown key '{key}'{where}")


def check_text(parent, key, problems, what):
    """A text is ``{lang: string}`` with Vietnamese and English present."""
    value = parent.get(key)
    line = line_of(parent, key)
    if not isinstance(value, dict):
        problems.add(line, f"{what}: expected a mapping of language to text")
        return
    for lang in REQUIRED_LANGUAGES:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            problems.add(line, f"{what}: missing '{lang}' text")
    for lang in plain_keys(value):
        if lang not in LANGUAGES:
            problems.add(line_of(value, lang), f"{what}: unknown language '{lang}'")
        elif not isinstance(value[lang], str):
            problems.add(line_of(value, lang), f"{what}: '{lang}' must be text")


def check_int(parent, key, problems, low, high=None):
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
        high is not None and value > high
    ):
        bounds = f"{low}..{high}" if high is not None else f">= {low}"
        problems.add(line_of(parent, key), f"'{key}' must be a whole number {bounds}")


def check_course(data, folder_name):
    """Problems in a course.yaml mapping."""
    problems = Problems()
    if not isinstance(data, dict):
        problems.add(1, "course.yaml must be a mapping")
        return problems
    for key in sorted(COURSE_KEYS - set(plain_keys(data))):
        problems.add(line_of(data), f"missing key '{key}'")
    check_unknown_keys(data, COURSE_KEYS | OPTIONAL_COURSE_KEYS, problems)
    if "slug" in data and data["slug"] != folder_name:
        problems.add(line_of(data, "slug"), f"slug '{data['slug']}' must equal the folder name "
                     f"'{folder_name}'")
    if "version" in data:
        check_int(data, "version", problems, 1)
    if "minutes" in data:
        check_int(data, "minutes", problems, 1, 600)
    if "pass_percent" in data:
        check_int(data, "pass_percent", problems, 1, 100)
    if "topic" in data and data["topic"] not in TOPICS:
        problems.add(line_of(data, "topic"), f"unknown topic '{data['topic']}'; one of "
                     + ", ".join(TOPICS))
    if "level" in data and data["level"] not in LEVELS:
        problems.add(line_of(data, "level"), f"unknown level '{data['level']}'; one of "
                     + ", ".join(LEVELS))
    for key in ("title", "summary"):
        if key in data:
            check_text(data, key, problems, key)
    if "lessons" in data:
        _check_lessons(data, problems)
    if "quiz_size" in data:
        check_int(data, "quiz_size", problems, 1)
    if "competencies" in data:
        _check_competencies(data, problems)
    if "practice" in data:
        _check_practice_list(data, problems)
    return problems


def _check_competencies(data, problems):
    codes, line = data["competencies"], line_of(data, "competencies")
    if not isinstance(codes, list) or not codes:
        problems.add(line, "'competencies' must be a non-empty list of codes such as '4.2'")
        return
    for code in codes:
        if not isinstance(code, str) or code not in COMPETENCES:
            problems.add(line, f"unknown competency code '{code}'; codes run from 1.1 to 5.4 "
                         "(DigComp 2.2), written as text, e.g. '4.2'")
    if len(set(map(str, codes))) != len(codes):
        problems.add(line, "a competency code is listed twice")


def _check_practice_list(data, problems):
    items = data["practice"]
    if not isinstance(items, list) or not items:
        problems.add(line_of(data, "practice"), "'practice' must be a non-empty list")
        return
    seen = set()
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add(line_of(data, "practice"), f"practice {position}: expected a mapping")
            continue
        check_unknown_keys(item, {"slug", "title"}, problems, f" in practice {position}")
        slug = item.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.add(line_of(item, "slug"), f"practice {position}: slug must be lower-case "
                         "letters, digits and hyphens")
        elif slug in seen:
            problems.add(line_of(item, "slug"), f"practice slug '{slug}' is used twice")
        seen.add(slug)
        check_text(item, "title", problems, f"practice {position} title")


def _check_lessons(data, problems):
    lessons = data["lessons"]
    if not isinstance(lessons, list) or not lessons:
        problems.add(line_of(data, "lessons"), "'lessons' must be a non-empty list")
        return
    seen = set()
    for position, lesson in enumerate(lessons, start=1):
        if not isinstance(lesson, dict):
            problems.add(line_of(data, "lessons"), f"lesson {position}: expected a mapping")
            continue
        check_unknown_keys(lesson, {"slug", "title"}, problems, f" in lesson {position}")
        slug = lesson.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.add(line_of(lesson, "slug"), f"lesson {position}: slug must be lower-case "
                         "letters, digits and hyphens")
        elif slug in seen:
            problems.add(line_of(lesson, "slug"), f"lesson slug '{slug}' is used twice")
        seen.add(slug)
        check_text(lesson, "title", problems, f"lesson {position} title")


def check_quiz(data):
    """Problems in a quiz.yaml mapping."""
    problems = Problems()
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) \
            or not data["questions"]:
        problems.add(line_of(data) if isinstance(data, dict) else 1,
                     "quiz.yaml must have a non-empty list 'questions'")
        return problems
    check_unknown_keys(data, {"questions"}, problems)
    seen = set()
    for number, question in enumerate(data["questions"], start=1):
        if not isinstance(question, dict):
            problems.add(line_of(data, "questions"), f"question {number}: expected a mapping")
            continue
        qid = question.get("id")
        if not isinstance(qid, str) or not ID_RE.match(qid):
            problems.add(line_of(question, "id"), f"question {number}: id must be lower-case "
                         "letters, digits, '_' and '-'")
        elif qid in seen:
            problems.add(line_of(question, "id"), f"question id '{qid}' is used twice")
        seen.add(qid)
        _check_question(question, f"question '{qid}'", problems)
    return problems


def _check_question(question, label, problems):
    for key in sorted(QUESTION_KEYS - set(plain_keys(question))):
        problems.add(line_of(question), f"{label}: missing key '{key}'")
    check_unknown_keys(question, QUESTION_KEYS | OPTIONAL_QUESTION_KEYS, problems,
                       f" in {label}")
    if "lesson" in question and not (isinstance(question["lesson"], str)
                                     and SLUG_RE.match(question["lesson"])):
        problems.add(line_of(question, "lesson"), f"{label}: 'lesson' must be a lesson slug")
    if "section" in question:
        check_int(question, "section", problems, 1)
        if "lesson" not in question:
            problems.add(line_of(question, "section"), f"{label}: 'section' needs 'lesson'")
    qtype = question.get("type")
    if "type" in question and qtype not in QUESTION_TYPES:
        problems.add(line_of(question, "type"), f"{label}: type must be one of "
                     + ", ".join(QUESTION_TYPES))
    for key in ("prompt", "explain"):
        if key in question:
            check_text(question, key, problems, f"{label} {key}")
    choices = question.get("choices")
    if "choices" not in question:
        return
    if not isinstance(choices, list) or len(choices) < 2:
        problems.add(line_of(question, "choices"), f"{label}: needs at least two choices")
        return
    _check_choices(question, choices, qtype, label, problems)


def _check_choices(question, choices, qtype, label, problems):
    ids, correct = [], 0
    for choice in choices:
        if not isinstance(choice, dict):
            problems.add(line_of(question, "choices"), f"{label}: each choice must be a mapping")
            return
        check_unknown_keys(choice, {"id", "text", "correct"}, problems, f" in {label}")
        cid = choice.get("id")
        if isinstance(cid, bool):  # YAML reads a bare true/false as a boolean
            cid = str(cid).lower()
        if not isinstance(cid, str) or not ID_RE.match(cid):
            problems.add(line_of(choice, "id"), f"{label}: choice id must be lower-case "
                         "letters, digits, '_' and '-'")
        elif cid in ids:
            problems.add(line_of(choice, "id"), f"{label}: choice id '{cid}' is used twice")
        ids.append(cid)
        check_text(choice, "text", problems, f"{label} choice '{cid}'")
        if qtype == "order" and "correct" in choice:
            problems.add(line_of(choice, "correct"), f"{label}: 'order' choices are listed in "
                         "the right order and carry no 'correct'")
        elif qtype != "order" and not isinstance(choice.get("correct", False), bool):
            problems.add(line_of(choice, "correct"), f"{label}: 'correct' must be true or false")
        correct += choice.get("correct") is True
    line = line_of(question, "choices")
    if qtype == "single" and correct != 1:
        problems.add(line, f"{label}: a 'single' question needs exactly one correct choice")
    if qtype == "multiple" and correct < 1:
        problems.add(line, f"{label}: a 'multiple' question needs at least one correct choice")
    if qtype == "true_false":
        if sorted(map(str, ids)) != ["false", "true"] or correct != 1:
            problems.add(line, f"{label}: a 'true_false' question has the choices 'true' and "
                         "'false', exactly one correct")
