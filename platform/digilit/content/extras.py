"""Reading a course's practices and lesson checks, and the checks that span several files
(quiz size, where a question sends the learner to re-read)."""
from functools import partial
from types import MappingProxyType

from .render import render_markdown
from .schema import REQUIRED_LANGUAGES, Check, Choice, Practice, PracticeChoice, Step, \
    frozen_texts
from .svg import svg_problems
from .validate_extras import check_checks, check_practice
from .yamlsource import line_of, plain_keys


def section_count(html_by_lang):
    """The ``##`` sections a lesson has in every required language (the fewest of them)."""
    return min(html_by_lang[lang].count("<h2>") for lang in REQUIRED_LANGUAGES)


def _texts(mapping):
    return frozen_texts({k: mapping[k].strip() for k in plain_keys(mapping)})


def _markdown(mapping):
    return frozen_texts({k: render_markdown(mapping[k]) for k in plain_keys(mapping)})


def read_practices(folder, data, reader):
    """``{practice slug: Practice}`` for the practices course.yaml lists.

    ``reader(path)`` parses a YAML file (None on failure); ``report(path, problems)`` is done
    by ``reader.report``. Files under practice/ that are not listed are problems too."""
    practice_dir = folder / "practice"
    listed = {item["slug"]: item for item in data.get("practice", [])}
    for path in sorted(practice_dir.glob("*.yaml")) if practice_dir.is_dir() else []:
        if path.stem not in listed:
            reader.report(path, [(1, "practice file not listed under 'practice' in course.yaml")])
    practices = {}
    for slug, item in listed.items():
        path = practice_dir / f"{slug}.yaml"
        steps_data = reader(path)
        if steps_data is None:
            continue
        images = {}
        found = check_practice(steps_data, partial(_image, practice_dir, images=images))
        reader.report(path, found)
        if not found:
            practices[slug] = _build_practice(slug, item, steps_data, images)
    return practices


def _image(practice_dir, name, images):
    """A problem with the SVG ``name`` (or None, keeping its bytes in ``images``)."""
    if "/" in name or "\\" in name or not name.endswith(".svg") or name.startswith("."):
        return f"'{name}' must be the name of an .svg file in the practice folder"
    path = practice_dir / name
    if not path.is_file():
        return f"file '{name}' is missing"
    data = path.read_bytes()
    problems = svg_problems(data)
    if problems:
        return "; ".join(problems)
    images[name] = data
    return None


def _build_practice(slug, item, data, images):
    steps = tuple(
        Step(id=step["id"], screen=_markdown(step["screen"]), image=step.get("image"),
             end=step.get("end") is True,
             choices=tuple(PracticeChoice(
                 id=c["id"], text=_texts(c["text"]), next=c["next"],
                 feedback=_markdown(c["feedback"]) if "feedback" in c else None,
                 mistake=c.get("mistake") is True) for c in step.get("choices", [])))
        for step in data["steps"])
    return Practice(slug=slug, title=_texts(item["title"]), steps=steps,
                    images=MappingProxyType(dict(images)))


def read_checks(folder, lessons, rendered, reader):
    """``{lesson slug: (Check, ...)}`` from the optional ``NN-<slug>.checks.yaml`` files."""
    checks = {}
    for position, item in enumerate(lessons, start=1):
        path = folder / "lessons" / f"{position:02d}-{item['slug']}.checks.yaml"
        if not path.is_file():
            continue
        data = reader(path)
        if data is None:
            continue
        sections = section_count({lang: rendered[(item["slug"], lang)]
                                  for lang in REQUIRED_LANGUAGES})
        found = check_checks(data, sections)
        reader.report(path, found)
        if not found:
            checks[item["slug"]] = tuple(sorted((_build_check(c) for c in data["checks"]),
                                                key=lambda check: check.after))
    return checks


def _build_check(data):
    return Check(id=data["id"], after=data["after"], prompt=_texts(data["prompt"]),
                 explain=_texts(data["explain"]),
                 choices=tuple(Choice(c["id"], _texts(c["text"]), c.get("correct") is True)
                               for c in data["choices"]))


def cross_check(data, quiz, rendered):
    """Problems of course.yaml and quiz.yaml read together, as ``(file, line, message)``."""
    found = []
    questions = quiz["questions"]
    if data.get("quiz_size", 0) > len(questions):
        found.append(("course.yaml", line_of(data, "quiz_size"),
                      f"'quiz_size' is {data['quiz_size']} but quiz.yaml has only "
                      f"{len(questions)} questions"))
    lessons = {item["slug"] for item in data["lessons"]}
    for question in questions:
        lesson = question.get("lesson")
        if lesson is None:
            continue
        if lesson not in lessons:
            found.append(("quiz.yaml", line_of(question, "lesson"),
                          f"question '{question['id']}': no lesson '{lesson}' in course.yaml"))
            continue
        sections = section_count({lang: rendered[(lesson, lang)]
                                  for lang in REQUIRED_LANGUAGES})
        if question.get("section", 1) > sections:
            found.append(("quiz.yaml", line_of(question, "section"),
                          f"question '{question['id']}': lesson '{lesson}' has only "
                          f"{sections} '##' sections"))
    return found
