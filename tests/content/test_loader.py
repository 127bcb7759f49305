"""Course files: the real courses load; every broken file is reported as ``path:line: message``
with the line of the fault; a broken course is left out while the others are served."""
import dataclasses
from pathlib import Path

import pytest

from digilit import create_app, paths
from digilit.content import localize
from digilit.content.loader import load_all, load_course
from digilit.db import dispose

SLUG = "test-course"

# Both files start with a comment, so that no fault is on line 1 by accident (line 1 is also
# where a problem lands when its line is unknown).
COURSE_YAML = """\
# A small course for the tests.
slug: test-course
version: 1
topic: e-id
level: beginner
minutes: 20
pass_percent: 70
title:
  vi: "Khoá học thử"
  en: "Test course"
summary:
  vi: "Tóm tắt khoá học"
  en: "Course summary"
lessons:
  - slug: first
    title: {vi: "Bài một", en: "Lesson one"}
  - slug: second
    title: {vi: "Bài hai", en: "Lesson two"}
"""

QUIZ_YAML = """\
# Questions of the test course.
questions:
  - id: pick-one
    type: single
    prompt: {vi: "Chọn một", en: "Pick one"}
    choices:
      - {id: a, text: {vi: "Đúng", en: "Right"}, correct: true}
      - {id: b, text: {vi: "Sai", en: "Wrong"}, correct: false}
    explain: {vi: "Vì vậy", en: "Because"}
  - id: yes-or-no
    type: true_false
    prompt: {vi: "Đúng hay sai?", en: "True or false?"}
    choices:
      - {id: true, text: {vi: "Đúng", en: "True"}, correct: false}
      - {id: false, text: {vi: "Sai", en: "False"}, correct: true}
    explain: {vi: "Vì vậy", en: "Because"}
  - id: steps
    type: order
    prompt: {vi: "Sắp xếp", en: "Put in order"}
    choices:
      - {id: open, text: {vi: "Mở", en: "Open"}}
      - {id: sign-in, text: {vi: "Đăng nhập", en: "Sign in"}}
      - {id: submit, text: {vi: "Gửi", en: "Submit"}}
    explain: {vi: "Vì vậy", en: "Because"}
  - id: many
    type: multiple
    prompt: {vi: "Chọn nhiều", en: "Pick several"}
    choices:
      - {id: x, text: {vi: "X", en: "X"}, correct: true}
      - {id: y, text: {vi: "Y", en: "Y"}, correct: true}
      - {id: z, text: {vi: "Z", en: "Z"}, correct: false}
    explain: {vi: "Vì vậy", en: "Because"}
"""

LESSONS = {
    "01-first.vi.md": "## Mở đầu\n\nNội dung bài một.\n",
    "01-first.en.md": "## Start\n\nLesson one.\n",
    "02-second.vi.md": "Nội dung bài hai.\n",
    "02-second.en.md": "Lesson two.\n",
}


def make_course(courses_dir, slug=SLUG, course=COURSE_YAML, quiz=QUIZ_YAML, lessons=None):
    folder = Path(courses_dir) / slug
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.yaml").write_text(course.replace("slug: test-course", f"slug: {slug}"),
                                        encoding="utf-8")
    (folder / "quiz.yaml").write_text(quiz, encoding="utf-8")
    for name, text in (LESSONS if lessons is None else lessons).items():
        (folder / "lessons" / name).write_text(text, encoding="utf-8")
    return folder


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, needle, occurrence=1):
    """1-based line of the ``occurrence``-th line of ``path`` that contains ``needle``."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in {path}"
    return hits[occurrence - 1]


@pytest.fixture
def courses_dir(tmp_path):
    path = tmp_path / "courses"
    path.mkdir()
    return path


@pytest.fixture
def course_dir(courses_dir):
    return make_course(courses_dir)


def problems_of(courses_dir):
    courses, problems = load_all(courses_dir)
    assert SLUG not in courses, "a course with a problem must not load"
    return problems


def single_problem(courses_dir, filename):
    """The one problem reported, which must be in ``filename`` of the test course."""
    problems = problems_of(courses_dir)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.path == f"courses/{SLUG}/{filename}"
    assert str(problem) == f"{problem.path}:{problem.line}: {problem.message}"
    return problem


# --- the real courses ------------------------------------------------------------------------

def test_the_real_courses_load_without_problems():
    courses, problems = load_all(paths.COURSES_DIR)
    assert [str(p) for p in problems] == []
    assert sorted(courses) == ["cybersecurity", "digital-signature", "e-health", "e-id",
                               "online-services", "payments"]
    for slug, course in courses.items():
        assert course.slug == slug
        assert course.lessons and course.questions
        for lesson in course.lessons:
            assert lesson.html["vi"].strip() and lesson.html["en"].strip()
        for question in course.questions:
            assert question.correct_ids, question.id
            assert set(question.correct_ids) <= {c.id for c in question.choices}


def test_the_app_serves_the_real_courses(app):
    catalog = app.extensions["digilit.catalog"]
    assert sorted(course.slug for course in catalog) == ["cybersecurity", "digital-signature",
                                                         "e-health", "e-id", "online-services",
                                                         "payments"]
    assert catalog.problems == ()


def test_a_valid_course_loads_into_immutable_objects(courses_dir, course_dir):
    courses, problems = load_all(courses_dir)
    assert problems == []
    course = courses[SLUG]
    assert (course.version, course.topic, course.level, course.minutes, course.pass_percent) == (
        1, "e-id", "beginner", 20, 70)
    assert course.title["en"] == "Test course"
    assert course.lesson_slugs == ("first", "second")
    assert [lesson.position for lesson in course.lessons] == [1, 2]
    assert "<h2>Start</h2>" in course.lesson("first").html["en"]
    by_id = {q.id: q for q in course.questions}
    assert by_id["pick-one"].correct_ids == frozenset({"a"})
    # A bare YAML true/false is read as the ids "true" and "false".
    assert by_id["yes-or-no"].correct_ids == frozenset({"false"})
    assert by_id["steps"].correct_ids == ("open", "sign-in", "submit")
    assert by_id["many"].correct_ids == frozenset({"x", "y"})
    with pytest.raises(TypeError):  # a read-only mapping
        course.title["en"] = "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        course.slug = "changed"


# --- each fault, at its line -----------------------------------------------------------------

def test_invalid_yaml(courses_dir, course_dir):
    edit(course_dir / "course.yaml", "minutes: 20", "minutes: 20: 30")
    problem = single_problem(courses_dir, "course.yaml")
    assert problem.line == line_of(course_dir / "course.yaml", "minutes:")
    assert problem.message.startswith("invalid YAML")


def test_invalid_yaml_in_the_quiz(courses_dir, course_dir):
    edit(course_dir / "quiz.yaml", '    type: order', '    type: [order')
    problems = problems_of(courses_dir)
    assert [p.path for p in problems] == [f"courses/{SLUG}/quiz.yaml"]
    assert problems[0].message.startswith("invalid YAML")
    # The parser notices the unclosed list at the next line.
    assert problems[0].line in (line_of(course_dir / "quiz.yaml", "type: [order"),
                                line_of(course_dir / "quiz.yaml", "type: [order") + 1)


def test_missing_key(courses_dir, course_dir):
    edit(course_dir / "course.yaml", "minutes: 20\n", "")
    problem = single_problem(courses_dir, "course.yaml")
    assert problem.message == "missing key 'minutes'"
    assert problem.line == 2  # the mapping that lacks it starts on line 2


def test_missing_key_in_a_question(courses_dir, course_dir):
    quiz = course_dir / "quiz.yaml"
    edit(quiz, '    explain: {vi: "Vì vậy", en: "Because"}\n', "")  # the first question's
    problem = single_problem(courses_dir, "quiz.yaml")
    assert "missing key 'explain'" in problem.message
    assert "pick-one" in problem.message
    assert problem.line == line_of(quiz, "- id: pick-one")


def test_unknown_key(courses_dir, course_dir):
    edit(course_dir / "course.yaml", "level: beginner\n", "level: beginner\ncolour: red\n")
    problem = single_problem(courses_dir, "course.yaml")
    assert problem.message == "unknown key 'colour'"
    assert problem.line == line_of(course_dir / "course.yaml", "colour:")


def test_slug_must_equal_the_folder_name(courses_dir, course_dir):
    edit(course_dir / "course.yaml", "slug: test-course", "slug: another-course")
    problem = single_problem(courses_dir, "course.yaml")
    assert "another-course" in problem.message and SLUG in problem.message
    assert problem.line == line_of(course_dir / "course.yaml", "slug: another-course") == 2


def test_single_question_with_two_correct_choices(courses_dir, course_dir):
    quiz = course_dir / "quiz.yaml"
    edit(quiz, 'en: "Wrong"}, correct: false}', 'en: "Wrong"}, correct: true}')
    problem = single_problem(courses_dir, "quiz.yaml")
    assert "pick-one" in problem.message and "single" in problem.message
    assert problem.line == line_of(quiz, "choices:", occurrence=1)


def test_true_false_with_other_ids(courses_dir, course_dir):
    quiz = course_dir / "quiz.yaml"
    edit(quiz, "- {id: true,", "- {id: yes-it-is,")
    problem = single_problem(courses_dir, "quiz.yaml")
    assert "yes-or-no" in problem.message and "true_false" in problem.message
    assert problem.line == line_of(quiz, "choices:", occurrence=2)


def test_true_false_with_two_correct(courses_dir, course_dir):
    quiz = course_dir / "quiz.yaml"
    edit(quiz, 'en: "True"}, correct: false}', 'en: "True"}, correct: true}')
    problem = single_problem(courses_dir, "quiz.yaml")
    assert "true_false" in problem.message
    assert problem.line == line_of(quiz, "choices:", occurrence=2)


def test_order_choice_carrying_correct(courses_dir, course_dir):
    quiz = course_dir / "quiz.yaml"
    edit(quiz, 'en: "Sign in"}}', 'en: "Sign in"}, correct: true}')
    problem = single_problem(courses_dir, "quiz.yaml")
    assert "steps" in problem.message and "correct" in problem.message
    assert problem.line == line_of(quiz, "id: sign-in")


def test_duplicate_question_id(courses_dir, course_dir):
    quiz = course_dir / "quiz.yaml"
    edit(quiz, "- id: many", "- id: pick-one")
    problem = single_problem(courses_dir, "quiz.yaml")
    assert problem.message == "question id 'pick-one' is used twice"
    assert problem.line == line_of(quiz, "- id: pick-one", occurrence=2)


def test_missing_vietnamese_text(courses_dir, course_dir):
    edit(course_dir / "course.yaml", '  vi: "Tóm tắt khoá học"\n', "")
    problem = single_problem(courses_dir, "course.yaml")
    assert problem.message == "summary: missing 'vi' text"
    assert problem.line == line_of(course_dir / "course.yaml", "summary:")


def test_missing_vietnamese_text_of_a_choice(courses_dir, course_dir):
    quiz = course_dir / "quiz.yaml"
    edit(quiz, '{id: z, text: {vi: "Z", en: "Z"}', '{id: z, text: {en: "Z"}')
    problem = single_problem(courses_dir, "quiz.yaml")
    assert "choice 'z'" in problem.message and "missing 'vi' text" in problem.message
    assert problem.line == line_of(quiz, "id: z")


def test_missing_english_lesson_file(courses_dir, course_dir):
    (course_dir / "lessons" / "02-second.en.md").unlink()
    problem = single_problem(courses_dir, "lessons/02-second.en.md")
    assert problem.line == 1
    assert problem.message == "lesson file is missing"


def test_extra_lesson_file(courses_dir, course_dir):
    (course_dir / "lessons" / "03-third.vi.md").write_text("Không có trong course.yaml\n")
    problem = single_problem(courses_dir, "lessons/03-third.vi.md")
    assert problem.line == 1
    assert "not listed in course.yaml" in problem.message


def test_lesson_file_out_of_order(courses_dir, course_dir):
    lessons = course_dir / "lessons"
    (lessons / "01-first.vi.md").rename(lessons / "02-first.vi.md")
    problems = problems_of(courses_dir)
    assert {str(p) for p in problems} == {
        f"courses/{SLUG}/lessons/02-first.vi.md:1: lesson file not listed in course.yaml "
        "(expected NN-<lesson-slug>.<lang>.md in the order of course.yaml)",
        f"courses/{SLUG}/lessons/01-first.vi.md:1: lesson file is missing",
    }


def test_every_problem_of_a_course_is_reported(courses_dir, course_dir):
    edit(course_dir / "course.yaml", "level: beginner\n", "level: expert\ncolour: red\n")
    edit(course_dir / "quiz.yaml", "- id: many", "- id: pick-one")
    problems = problems_of(courses_dir)
    where = sorted((p.path.rsplit("/", 1)[1], p.line) for p in problems)
    assert where == sorted([
        ("course.yaml", line_of(course_dir / "course.yaml", "level: expert")),
        ("course.yaml", line_of(course_dir / "course.yaml", "colour: red")),
        ("quiz.yaml", line_of(course_dir / "quiz.yaml", "- id: pick-one", occurrence=2)),
    ])


def test_a_missing_file_is_a_problem_not_an_exception(courses_dir, course_dir):
    (course_dir / "quiz.yaml").unlink()
    problem = single_problem(courses_dir, "quiz.yaml")
    assert (problem.line, problem.message) == (1, "file is missing")


def test_yaml_is_loaded_safely(courses_dir, course_dir):
    """A Python object tag is refused by the safe loader, never constructed."""
    edit(course_dir / "course.yaml", "minutes: 20",
         "minutes: !!python/object/apply:os.system ['echo unsafe']")
    problem = single_problem(courses_dir, "course.yaml")
    assert problem.message.startswith("invalid YAML")
    assert problem.line == line_of(course_dir / "course.yaml", "minutes:")


def test_load_course_reports_paths_relative_to_the_root(courses_dir, course_dir):
    course, problems = load_course(course_dir, root=courses_dir)
    assert course is not None and problems == []
    (course_dir / "lessons" / "01-first.en.md").unlink()
    course, problems = load_course(course_dir, root=courses_dir)
    assert course is None
    assert [str(p) for p in problems] == [f"{SLUG}/lessons/01-first.en.md:1: lesson file is missing"]


# --- a broken course is left out, the others are served --------------------------------------

@pytest.fixture
def mixed_courses(courses_dir):
    make_course(courses_dir, slug="good-course")
    broken = make_course(courses_dir, slug="broken-course")
    edit(broken / "quiz.yaml", "- id: many", "- id: pick-one")
    return courses_dir


@pytest.fixture
def mixed_app(database_url, mixed_courses):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLALCHEMY_DATABASE_URI": database_url,
                      "COURSES_DIR": str(mixed_courses)})
    yield app
    dispose(app.extensions["digilit.engine"])


def test_a_broken_course_is_left_out_and_the_others_are_served(mixed_app):
    client = mixed_app.test_client()
    assert client.get("/courses/good-course").status_code == 200
    assert client.get("/courses/good-course/lessons/first").status_code == 200
    assert client.get("/courses/broken-course").status_code == 404
    assert client.get("/courses/broken-course/lessons/first").status_code == 404
    catalogue = client.get("/").get_data(as_text=True)
    assert 'href="/courses/good-course"' in catalogue
    assert "broken-course" not in catalogue
    problems = mixed_app.extensions["digilit.catalog"].problems
    assert [p.path for p in problems] == ["courses/broken-course/quiz.yaml"]


def test_courses_validate_reports_path_line_and_fails(mixed_app, mixed_courses):
    result = mixed_app.test_cli_runner().invoke(args=["courses", "validate"])
    assert result.exit_code != 0
    line = line_of(mixed_courses / "broken-course" / "quiz.yaml", "- id: pick-one", occurrence=2)
    assert (f"courses/broken-course/quiz.yaml:{line}: question id 'pick-one' is used twice"
            in result.output.splitlines())
    assert "good-course" not in result.output


def test_courses_validate_passes_on_good_courses(runner):
    result = runner.invoke(args=["courses", "validate"])
    assert result.exit_code == 0, result.output
    assert "6 valid course(s), 0 problem(s)." in result.output


def test_courses_list_names_the_served_courses(mixed_app):
    result = mixed_app.test_cli_runner().invoke(args=["courses", "list"])
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in result.output.splitlines()] == ["good-course"]


# --- language fallback -----------------------------------------------------------------------

def test_localize_falls_back_to_english_then_vietnamese():
    texts = {"vi": "Xin chào", "en": "Hello", "de": "Hallo"}
    assert localize(texts, "de") == ("Hallo", "de")
    assert localize(texts, "vi") == ("Xin chào", "vi")
    assert localize({"vi": "Xin chào", "en": "Hello"}, "ro") == ("Hello", "en")
    assert localize({"vi": "Xin chào", "en": ""}, "ro") == ("Xin chào", "vi")
    assert localize({"vi": "Xin chào"}, "de") == ("Xin chào", "vi")


def test_a_page_in_a_language_without_the_text_shows_english(client, catalog):
    course = catalog.get("e-id")
    assert "de" not in course.title  # the real courses have vi and en only
    page = client.get("/courses/e-id?lang=de").get_data(as_text=True)
    assert f"<h1>{course.title['en']}</h1>" in page
    assert 'class="note" lang="de"' in page  # the note saying the text is shown in English
