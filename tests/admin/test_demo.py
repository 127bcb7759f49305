"""`demo seed --learners N`: a synthetic population whose figures agree with each other."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from digilit.demo_population import WEEKS, learners_per_commune
from digilit.models import (Certificate, Commune, Enrolment, LessonProgress, Province,
                            QuizAttempt, StatDaily, StatTotal, Team, TeamLeader, TeamMember,
                            User, VenueAttendance, VenueSession)
from digilit import clock
from digilit.services import rollup, stats
from digilit.services.figures import Filters
from digilit.services.rollup_rebuild import rebuild_rollups

from .test_figures import daily_sums, rollup_rows

LEARNERS = 300
TABLES = (User, Team, TeamLeader, TeamMember, VenueSession, VenueAttendance, Enrolment,
          LessonProgress, QuizAttempt, Certificate, StatDaily, StatTotal)


@pytest.fixture
def seeded(app, tmp_path, db):
    app.instance_path = str(tmp_path)  # the demo logins file goes there, not to instance/
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--learners", str(LEARNERS), "--random-seed", "7"])
    assert result.exit_code == 0, result.output
    assert f"Added {LEARNERS} synthetic learners." in result.output
    return db


def scalar(db, sql):
    return db.execute(text(sql)).scalar_one()


def test_rows_in_every_table(seeded):
    db = seeded
    for model in TABLES:
        assert db.exec(select(func.count()).select_from(model)).one() > 0, model.__name__
    learners = db.exec(select(func.count()).select_from(User).where(
        User.role == "learner")).one()
    assert learners == LEARNERS + 1  # and the demo learner
    assert db.exec(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.passed.is_(False))).one() > 0  # some fail...
    retried = scalar(db, "SELECT COUNT(*) FROM certificate k WHERE EXISTS (SELECT 1 FROM "
                         "quizattempt a WHERE a.user_id = k.user_id AND a.course_slug = "
                         "k.course_slug AND NOT a.passed)")
    assert retried > 0  # ...then pass


def test_figures_agree_at_every_level(seeded):
    db = seeded
    nation = stats.headline(session=db, unit=stats.NATION_UNIT, filters=Filters())
    provinces = stats.breakdown(session=db, unit=stats.NATION_UNIT, filters=Filters())
    assert len(provinces) == 34
    communes = [row for province, _f in provinces
                for row in stats.breakdown(session=db, unit=province, filters=Filters())]
    assert len(communes) == 3321
    for counter in rollup.COUNTERS:
        total = nation.counts[counter]
        assert total == sum(f.counts[counter] for _u, f in provinces), counter
        assert total == sum(f.counts[counter] for _u, f in communes), counter
    raw = {
        "learners": "SELECT COUNT(*) FROM \"user\" WHERE role = 'learner'",
        "enrolments": "SELECT COUNT(*) FROM enrolment",
        "completions": "SELECT COUNT(*) FROM enrolment WHERE completed_at IS NOT NULL",
        "attempts": "SELECT COUNT(*) FROM quizattempt",
        "passes": "SELECT COUNT(*) FROM quizattempt WHERE passed",
        "certificates": "SELECT COUNT(*) FROM certificate",
        "lessons": "SELECT COUNT(*) FROM lessonprogress",
        "trained": "SELECT COUNT(DISTINCT user_id) FROM enrolment "
                   "WHERE completed_at IS NOT NULL",
    }
    assert {k: nation.counts[k] for k in raw} == {k: scalar(db, sql) for k, sql in raw.items()}
    assert 0 < nation.lessons_assisted < nation.lessons
    assert nation.completions == nation.certificates == nation.passes
    assert 0 < nation.completion_rate < 1 and 0 < nation.pass_rate < 1
    weeks = stats.weekly(session=db, unit=stats.NATION_UNIT, filters=Filters())
    assert sum(e for _m, e, _c in weeks) == nation.enrolments
    assert sum(1 for _m, e, _c in weeks if e) >= WEEKS // 2  # spread over the weeks
    # the totals are the daily rows added up, and a rebuild from the raw tables changes nothing
    before, totals = rollup_rows(db), rollup_rows(db, StatTotal)
    assert totals == daily_sums(db)
    rebuild_rollups(session=db)
    assert rollup_rows(db) == before and rollup_rows(db, StatTotal) == totals
    # with dates (the daily rows) the same figures as without (the totals)
    first = min(day for (_l, _u, _p, _c, day) in before)
    dated = stats.headline(session=db, unit=stats.NATION_UNIT, filters=Filters(
        date_from=first, date_to=clock.local_day()))
    assert dated.counts == nation.counts


def test_the_population_is_coherent(seeded):
    db = seeded
    checks = {
        "lessons without an enrolment": """SELECT COUNT(*) FROM lessonprogress l WHERE NOT
            EXISTS (SELECT 1 FROM enrolment e WHERE e.user_id = l.user_id
                    AND e.course_slug = l.course_slug)""",
        "enrolments not in the learner's commune": """SELECT COUNT(*) FROM enrolment e
            JOIN "user" u ON u.id = e.user_id WHERE e.commune_code <> u.commune_code
            OR e.province_code <> u.province_code OR u.role <> 'learner'""",
        "certificates without their passing attempt": """SELECT COUNT(*) FROM certificate k
            LEFT JOIN quizattempt a ON a.id = k.attempt_id AND a.user_id = k.user_id
            AND a.course_slug = k.course_slug AND a.passed WHERE a.id IS NULL""",
        "completions without a certificate": """SELECT COUNT(*) FROM enrolment e WHERE
            e.completed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM certificate k
            WHERE k.user_id = e.user_id AND k.course_slug = e.course_slug)""",
        "attempts before the last lesson": """SELECT COUNT(*) FROM quizattempt a WHERE
            a.submitted_at < (SELECT MAX(l.completed_at) FROM lessonprogress l
            WHERE l.user_id = a.user_id AND l.course_slug = a.course_slug)""",
        "lessons before the enrolment": """SELECT COUNT(*) FROM lessonprogress l JOIN
            enrolment e ON e.user_id = l.user_id AND e.course_slug = l.course_slug
            WHERE l.completed_at < e.enrolled_at""",
        "enrolments before the account": """SELECT COUNT(*) FROM enrolment e JOIN "user" u
            ON u.id = e.user_id WHERE e.enrolled_at < u.created_at""",
        "members outside their team's commune": """SELECT COUNT(*) FROM teammember m
            JOIN team t ON t.id = m.team_id JOIN "user" u ON u.id = m.user_id
            WHERE u.commune_code <> t.commune_code OR u.role <> 'learner'""",
        "leaders who are not team leaders of the commune": """SELECT COUNT(*) FROM teamleader
            x JOIN team t ON t.id = x.team_id JOIN "user" u ON u.id = x.user_id
            WHERE u.commune_code <> t.commune_code OR u.role <> 'team_leader'""",
        "attendees who are not members of the team": """SELECT COUNT(*) FROM venueattendance
            va JOIN venuesession vs ON vs.id = va.session_id WHERE NOT EXISTS (SELECT 1
            FROM teammember m WHERE m.team_id = vs.team_id AND m.user_id = va.user_id)""",
        "teams in a commune of another province": """SELECT COUNT(*) FROM team t JOIN
            commune c ON c.code = t.commune_code WHERE c.province_code <> t.province_code""",
    }
    problems = {name: n for name, sql in checks.items() if (n := scalar(db, sql))}
    assert not problems
    oldest = clock.now() - timedelta(weeks=WEEKS, days=31)
    for model, column in ((Enrolment, Enrolment.enrolled_at),
                          (LessonProgress, LessonProgress.completed_at),
                          (QuizAttempt, QuizAttempt.submitted_at)):
        low, high = db.exec(select(func.min(column), func.max(column))).one()
        assert oldest <= low and high <= clock.now(), model.__name__


def test_synthetic_learners_cannot_sign_in(seeded, app):
    db = seeded
    user = db.exec(select(User).where(User.username.like("demo-%"),
                                      User.role == "learner")).first()
    from conftest import AuthActions
    response = AuthActions(app.test_client()).login(user.username, "!")
    assert response.status_code != 302


def test_learners_live_in_every_province_and_nearly_every_commune(db):
    """At scale the population covers the map, unevenly."""
    communes = db.exec(select(Commune.code, Commune.province_code)).all()
    per_commune = learners_per_commune(communes, 200_000, random.Random(3))
    assert sum(per_commune.values()) == 200_000
    per_province = {}
    for (_commune, province), n in per_commune.items():
        per_province[province] = per_province.get(province, 0) + n
    assert len(per_province) == db.exec(select(func.count()).select_from(Province)).one()
    assert len(per_commune) > 3200
    assert max(per_province.values()) > 4 * min(per_province.values())
    assert max(per_province, key=per_province.get) in (1, 79)


def test_the_demo_area_gives_the_demo_accounts_figures_once(app, tmp_path, db):
    from digilit.models import Role

    app.instance_path = str(tmp_path)
    run = lambda: app.test_cli_runner().invoke(  # noqa: E731
        args=["demo", "seed", "--demo-area", "120", "--random-seed", "3"])
    result = run()
    assert result.exit_code == 0, result.output
    assert "Added 120 synthetic learners around the demo accounts." in result.output
    leader = db.exec(select(User).where(User.username == "demoleader")).one()
    learners = db.exec(select(func.count()).select_from(User).where(
        User.role == Role.learner.value, User.username.like("demo-%"))).one()
    assert learners == 120
    outside = db.exec(select(func.count()).select_from(User).where(
        User.username.like("demo-%"), User.province_code != leader.province_code)).one()
    assert outside == 0
    commune = stats.resolve_unit(session=db, user=db.exec(select(User).where(
        User.username == "democommune")).one())
    assert stats.headline(session=db, unit=commune, filters=Filters()).learners >= 72
    led = db.exec(select(func.count()).select_from(TeamLeader).where(
        TeamLeader.user_id == leader.id)).one()
    assert led >= 1  # the demo leader has a team with members
    again = run()  # make run, a second time: nothing more
    assert again.exit_code == 0 and "around the demo accounts" not in again.output
    assert db.exec(select(func.count()).select_from(User).where(
        User.username.like("demo-%"), User.role == Role.learner.value)).one() == 120
