"""Practice files, lesson checks, question banks and competencies in course files: each
problem reported as ``path:line: message``, a broken course left out, the others served."""
import shutil
from dataclasses import FrozenInstanceError

import pytest

from digilit import create_app
from digilit.content.competencies import AREAS, COMPETENCES, area_of, areas_of
from digilit.content.loader import load_all
from digilit.content.svg import svg_problems
from drill import FIXTURE_COURSES
from digilit.db import dispose

COURSE = "courses/drill"


@pytest.fixture
def courses(tmp_path):
    """A writable copy of the fixture courses: ``courses/drill/...``."""
    target = tmp_path / "courses"
    shutil.copytree(FIXTURE_COURSES, target)
    return target


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, needle, occurrence=1):
    """The line of the ``occurrence``-th line containing ``needle``."""
    lines = [number for number, line in
             enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    assert len(lines) >= occurrence, needle
    return lines[occurrence - 1]


def problems(courses):
    found, problems = load_all(courses)
    assert "drill" not in found, "a course with a problem must be left out"
    return [str(p) for p in problems]


def test_the_fixture_course_loads_into_immutable_objects(courses):
    found, problems = load_all(courses)
    assert problems == []
    drill = found["drill"]
    assert drill.quiz_size == drill.draw_size == 3 and len(drill.questions) == 7
    assert drill.competencies == ("4.2", "2.6", "5.1")
    practice = drill.practice("report-scam")
    assert [s.id for s in practice.steps] == ["incoming-call", "report", "done"]
    assert practice.first.choice("send-money").mistake
    assert practice.step("done").end
    assert practice.images["call.svg"].startswith(b"<svg")
    assert [c.id for c in drill.lesson("spot-a-scam").checks] == ["police-call", "link-tap"]
    assert drill.question("q2").lesson == "spot-a-scam" and drill.question("q2").section == 2
    with pytest.raises(FrozenInstanceError):
        practice.steps[0].id = "x"
    with pytest.raises(TypeError):
        practice.images["other.svg"] = b""


def test_the_registry_has_the_21_digcomp_competences_in_5_areas():
    assert len(COMPETENCES) == 21 and sorted(AREAS) == ["1", "2", "3", "4", "5"]
    assert all(area_of(code) in AREAS for code in COMPETENCES)
    assert all(texts["vi"] and texts["en"] for texts in (*COMPETENCES.values(), *AREAS.values()))
    assert areas_of(["4.2", "2.6", "4.1"]) == ("2", "4")


@pytest.mark.parametrize("old, new, needle, message", [
    ('competencies: ["4.2"', 'competencies: ["4.9"', "competencies:",
     "unknown competency code '4.9'"),
    ("quiz_size: 3", "quiz_size: 8", "quiz_size:", "'quiz_size' is 8 but quiz.yaml has only 7"),
    ("quiz_size: 3", "quiz_size: 0", "quiz_size:", "'quiz_size' must be a whole number >= 1"),
])
def test_course_yaml_problems(courses, old, new, needle, message):
    path = courses / "drill" / "course.yaml"
    edit(path, old, new)
    assert f"{COURSE}/course.yaml:{line_of(path, needle)}: {message}" in "\n".join(
        problems(courses))


def test_a_question_names_a_lesson_that_does_not_exist(courses):
    path = courses / "drill" / "quiz.yaml"
    edit(path, "lesson: keep-your-otp", "lesson: keep-your-pin")
    assert (f"{COURSE}/quiz.yaml:{line_of(path, 'keep-your-pin')}: question 'q4': no lesson "
            "'keep-your-pin' in course.yaml") in problems(courses)


def test_a_question_names_a_section_the_lesson_lacks(courses):
    path = courses / "drill" / "quiz.yaml"
    edit(path, "section: 2", "section: 3")
    assert (f"{COURSE}/quiz.yaml:{line_of(path, 'section: 3')}: question 'q2': lesson "
            "'spot-a-scam' has only 2 '##' sections") in problems(courses)


PRACTICE = "practice/report-scam.yaml"


@pytest.mark.parametrize("old, new, needle, occurrence, message", [
    ("next: report", "next: reprot", "next: reprot", 1,
     "step 'incoming-call' choice 'hang-up': next step 'reprot' does not exist"),
    ("  - id: report\n", "  - id: incoming-call\n", "  - id: incoming-call", 2,
     "step id 'incoming-call' is used twice"),
    ("        mistake: true\n        feedback:", "        mistake: true\n        fb:",
     "mistake: true", 1, "step 'incoming-call' choice 'send-money': a mistake needs 'feedback'"),
    ('      en: "Now report the number."\n', "", "screen:", 2,
     "step 'report' screen: missing 'en' text"),
    ("    image: call.svg", "    image: missing.svg", "image:", 1,
     "step 'incoming-call' image: file 'missing.svg' is missing"),
    ("    image: call.svg", "    image: ../course.yaml", "image:", 1,
     "step 'incoming-call' image: '../course.yaml' must be the name of an .svg file"),
    ("    end: true", "    end: false", "end: false", 1, "step 'done': 'end' must be true"),
])
def test_practice_problems(courses, old, new, needle, occurrence, message):
    path = courses / "drill" / PRACTICE
    edit(path, old, new)
    line = line_of(path, needle, occurrence)
    found = problems(courses)
    assert any(p.startswith(f"{COURSE}/{PRACTICE}:{line}: {message}") for p in found), found


def test_a_step_that_cannot_be_reached(courses):
    path = courses / "drill" / PRACTICE
    edit(path, "next: report", "next: incoming-call")
    found = problems(courses)
    assert (f"{COURSE}/{PRACTICE}:{line_of(path, '- id: report')}: step 'report' cannot be "
            "reached from the first step 'incoming-call'") in found
    assert any("no step with 'end: true' can be reached" in p for p in found)


def test_a_listed_practice_without_its_file(courses):
    (courses / "drill" / PRACTICE).unlink()
    assert f"{COURSE}/{PRACTICE}:1: file is missing" in problems(courses)


def test_a_practice_file_not_listed(courses):
    shutil.copy(courses / "drill" / PRACTICE, courses / "drill" / "practice" / "extra.yaml")
    assert (f"{COURSE}/practice/extra.yaml:1: practice file not listed under 'practice' in "
            "course.yaml") in problems(courses)


@pytest.mark.parametrize("svg, message", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "SVG must not contain <script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "SVG must not carry event handlers (onload=)"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     '<image x:href="https://example.com/a.png"/></svg>',
     'SVG must not refer to anything outside itself (href="https://example.com/a.png")'),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x/y)"/></svg>',
     "SVG must not refer to anything outside itself (style=)"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(x.css);</style></svg>',
     "SVG style must not load anything from elsewhere"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
     "SVG must not contain <foreignobject>"),
    ('<!DOCTYPE svg [<!ENTITY a "b">]><svg/>', "SVG must not declare a DOCTYPE or entities"),
    ("<html/>", "the file's root element is not <svg>"),
    ("<svg", "SVG is not well-formed XML"),
])
def test_unsafe_svg_is_rejected(courses, svg, message):
    assert any(p.startswith(message) for p in svg_problems(svg.encode())), svg_problems(
        svg.encode())
    (courses / "drill" / "practice" / "call.svg").write_text(svg, encoding="utf-8")
    path = courses / "drill" / PRACTICE
    assert any(p.startswith(f"{COURSE}/{PRACTICE}:{line_of(path, 'image:')}: step "
                            f"'incoming-call' image: {message}") for p in problems(courses))


def test_a_safe_svg_with_internal_references_passes():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           '<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/>'
           '<use xlink:href="#g"/></svg>')
    assert svg_problems(svg.encode()) == []


CHECKS = "lessons/01-spot-a-scam.checks.yaml"


@pytest.mark.parametrize("old, new, needle, message", [
    ("correct: false}\n      - {id: refuse", "correct: true}\n      - {id: refuse", "id: pay",
     "check 'police-call': exactly one choice is correct"),
    ("after: 2", "after: 3", "after: 3", "'after' must be a whole number 1..2"),
    ("after: 1", "afterwards: 1", "afterwards", "unknown key 'afterwards' in check"),
    ('en: "Should you tap a strange link?"', 'de: "?"', "Nên bấm",
     "check 'link-tap' prompt: missing 'en' text"),
])
def test_lesson_check_problems(courses, old, new, needle, message):
    path = courses / "drill" / CHECKS
    edit(path, old, new)
    found = problems(courses)
    line = line_of(path, needle)
    if needle == "id: pay":
        line = line_of(path, "choices:")
    assert any(p.startswith(f"{COURSE}/{CHECKS}:{line}: {message}") for p in found), found


def test_at_most_two_checks_per_lesson(courses):
    path = courses / "drill" / CHECKS
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text.split("checks:\n", 1)[1].replace("police-call", "third"),
                    encoding="utf-8")
    assert f"{COURSE}/{CHECKS}:1: at most 2 checks per lesson" in problems(courses)


def test_a_broken_practice_leaves_its_course_out_and_the_others_served(courses, tmp_path,
                                                                        database_url):
    other = courses / "drill-two"
    shutil.copytree(courses / "drill", other)
    edit(other / "course.yaml", "slug: drill", "slug: drill-two")
    edit(courses / "drill" / PRACTICE, "next: report", "next: nowhere")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url,
                      "COURSES_DIR": str(courses)})
    try:
        catalog = app.extensions["digilit.catalog"]
        assert "drill" not in catalog and "drill-two" in catalog
        assert any("next step 'nowhere' does not exist" in str(p) for p in catalog.problems)
        result = app.test_cli_runner().invoke(args=["courses", "validate"])
        assert result.exit_code == 1
        assert f"{COURSE}/{PRACTICE}:" in result.output
    finally:
        dispose(app.extensions["digilit.engine"])
