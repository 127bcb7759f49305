"""What a write reads with the learner's standing (``standing.course_progress``): a lesson
done reads its teams and the day's venue attendance, a quiz sent its token's owner and the
courses completed, each in the one statement the page reads anyway."""
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from conftest import PG_URL
from digilit import clock as digilit_clock
from digilit.models import Enrolment, QuizAttempt
from digilit.services import grading, progress, standing, venue

from teams.test_progress import COURSE, world  # noqa: F401


@pytest.fixture
def statements(db):
    """The statements the test's own session sends."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_a_lesson_reads_teams_and_attendance_in_one_statement(app, db, world, statements):
    hoa, today = world.m["hoa"], digilit_clock.today()
    with app.app_context():
        venue.record_session(session=db, team=world.team, actor=world.leader, held_on=today,
                             place="Nhà văn hoá thôn 3", course_slug=COURSE,
                             attendee_ids=[hoa.id])
        db.commit()
        statements.clear()
        state = standing.course_progress(session=db, user=hoa, course=world.course,
                                         for_lesson_on=today)
        assert len(statements) == 1
        assert state.team_ids == (world.team.id,) and state.attended is True
        assert state.enrolment is not None and len(state.done) == 2
        other_day = standing.course_progress(session=db, user=hoa, course=world.course,
                                             for_lesson_on=today - timedelta(days=1))
        assert other_day.attended is False and other_day.team_ids == (world.team.id,)
        other_course = standing.course_progress(session=db, user=hoa, course=world.other,
                                                for_lesson_on=today)
        assert other_course.attended is False
        page = standing.course_progress(session=db, user=hoa, course=world.course)
        assert page.team_ids is None and page.attended is None  # not read for a page


def test_a_lesson_by_someone_in_no_team_reads_no_team(app, db, world, make_user):
    with app.app_context():
        alone = make_user("hocvienle")
        state = standing.course_progress(session=db, user=alone, course=world.course,
                                         for_lesson_on=digilit_clock.today())
        assert state.team_ids == () and state.attended is False and state.enrolment is None


def test_a_quiz_sent_reads_its_tokens_owner_and_the_courses_completed(app, db, world,
                                                                     statements):
    binh, hoa = world.m["binh"], world.m["hoa"]
    with app.app_context():
        attempt_token = db.exec(select(QuizAttempt.token)
                                .where(QuizAttempt.user_id == binh.id)).one()
        statements.clear()
        state = standing.course_progress(session=db, user=binh, course=world.course,
                                         for_token=attempt_token)
        assert len(statements) == 1
        assert state.token_owner == (binh.id, COURSE) and state.token == attempt_token
        assert state.completed_courses == {COURSE} and state.passed
        assert state.team_ids == (world.team.id,)
        fresh = grading.new_attempt_token()
        state = standing.course_progress(session=db, user=hoa, course=world.course,
                                         for_token=fresh)
        assert state.token_owner is None and state.completed_courses == frozenset()


def test_an_enrolments_last_activity_is_noted_at_most_every_ten_minutes(app, db, world, clock,
                                                                         make_user):
    course, lessons = world.course, world.course.lessons

    def last_activity():
        db.expire_all()
        return db.exec(select(Enrolment.last_activity_at)
                       .where(Enrolment.user_id == learner.id)).one()

    with app.app_context():
        learner = make_user("hocviennam")
        start = digilit_clock.now()
        progress.complete_lesson(session=db, user=learner, course=course, lesson=lessons[0])
        db.commit()
        assert last_activity() == start  # enrolled by the lesson, active now
        clock.advance(minutes=9)
        progress.complete_lesson(session=db, user=learner, course=course, lesson=lessons[1])
        db.commit()
        assert last_activity() == start  # noted nine minutes ago: it stands
        clock.advance(minutes=2)
        progress.complete_lesson(session=db, user=learner, course=course, lesson=lessons[2])
        db.commit()
        assert last_activity() == start + timedelta(minutes=11)


def test_the_pause_is_checked_where_the_attempt_is_inserted(app, db, world, clock):
    """Two failures recorded after the learner's standing was read (another tab, say): the
    third attempt meets the pause all the same, and nothing is recorded."""
    binh, course = world.m["binh"], world.course
    with app.app_context():
        clock.advance(60)  # after the pass the world begins with
        third = grading.new_attempt_token()
        stale = standing.course_progress(session=db, user=binh, course=course, for_token=third)
        for _ in range(2):
            failed = grading.submit_attempt(session=db, user=binh, course=course,
                                            token=grading.new_attempt_token(), answers={},
                                            pause=600)
            assert not failed.passed
            clock.advance(60)
        db.commit()
        with pytest.raises(grading.QuizPaused) as paused:
            grading.submit_attempt(session=db, user=binh, course=course, token=third,
                                   answers={}, pause=600, state=stale)
        db.rollback()
        assert paused.value.until == failed.submitted_at + timedelta(seconds=600)
        assert db.exec(select(QuizAttempt.token).where(QuizAttempt.token == third)).first() \
            is None
        clock.advance(541)  # the pause is over
        assert grading.submit_attempt(session=db, user=binh, course=course, token=third,
                                      answers={}, pause=600, state=stale).token == third


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's query plan")
def test_pages_read_the_latest_attempts_through_the_index_never_the_whole_history(app, db):
    """/me and the course page read a few attempts per course, newest first, straight from
    the index of a learner's attempts in a course: no sort of everything they ever sent."""
    engine = db.get_bind()
    for statement in (standing._standing(False, slugs=("e-id", "cyber")),
                      standing._standing(True, extras=frozenset({standing.ANSWERS}))):
        sql = str(statement.compile(engine))
        plan = " | ".join(row[3] for row in db.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + sql, tuple([1] * sql.count("?"))))
        attempts = [step for step in plan.split(" | ") if "quizattempt" in step]
        assert attempts and all("ix_attempt_user_course_time" in step for step in attempts)
        assert "TEMP B-TREE" not in plan
