"""Every figure of a known population, at every level, and how the figures agree."""
from datetime import timedelta

import pytest

from digilit import clock
from sqlalchemy import func, text, update
from sqlmodel import select

from digilit.models import (Certificate, Commune, Enrolment, LessonProgress, Province,
                            QuizAttempt, StatDaily, StatTotal, User)
from digilit.services import rollup, stats, teams
from digilit.services.figures import Filters
from digilit.services.rollup_rebuild import rebuild_rollups

from .conftest import EXPECTED, EXPECTED_E_ID, FIELDS, PER_COURSE

ALL = Filters()


def counts(figures):
    return {name: figures.counts[name] for name in FIELDS}


def rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_headline_figure_of_every_unit(db, population, key):
    figures = stats.headline(session=db, unit=population.units[key], filters=ALL)
    expected = EXPECTED[key]
    assert counts(figures) == expected
    assert figures.completion_rate == rate(expected["completions"], expected["enrolments"])
    assert figures.pass_rate == rate(expected["passes"], expected["attempts"])
    assert figures.assisted_share == rate(expected["lessons_assisted"], expected["lessons"])


def test_the_rates_written_out(db, population):
    nation = stats.headline(session=db, unit=population.units["nation"], filters=ALL)
    assert (nation.completion_rate, nation.pass_rate, nation.assisted_share) == (
        0.5, 0.5556, 0.2667)
    team_a = stats.headline(session=db, unit=population.units["team_a"], filters=ALL)
    assert (team_a.completion_rate, team_a.pass_rate, team_a.assisted_share) == (
        0.5, 0.6667, 0.8571)
    assert nation.as_dict() == {"learners": 11, "enrolments": 10, "completions": 5,
                                "completion_rate": 0.5}


def _sum(rows):
    total = dict.fromkeys(rollup.COUNTERS, 0)
    for _unit, figures in rows:
        for name in rollup.COUNTERS:
            total[name] += figures.counts[name]
    return total


@pytest.mark.parametrize("filters", [ALL, Filters(course="e-id"),
                                     Filters(course="cybersecurity")])
def test_each_breakdown_sums_to_its_parents_total(db, population, filters):
    for key in ("nation", "hanoi", "hcmc"):
        unit = population.units[key]
        rows = stats.breakdown(session=db, unit=unit, filters=filters)
        assert _sum(rows) == stats.headline(session=db, unit=unit, filters=filters).counts


def test_every_child_unit_is_listed_even_without_figures(db, population):
    provinces = stats.breakdown(session=db, unit=population.units["nation"], filters=ALL)
    # In Vietnamese order of their proper names: the five cities among the provinces.
    names = [unit.name for unit, _f in provinces]
    assert names.index("An Giang") < names.index("Bắc Ninh") < names.index("Cà Mau") \
        < names.index("Thành phố Cần Thơ") < names.index("Điện Biên") \
        < names.index("Thành phố Hà Nội") < names.index("Hà Tĩnh") < names.index("Lai Châu")
    assert names[-1] == "Vĩnh Long"
    assert len(provinces) == db.exec(select(func.count()).select_from(Province)).one() == 34
    busy = {unit.code: counts(f) for unit, f in provinces if f.learners}
    assert busy == {1: EXPECTED["hanoi"], 79: EXPECTED["hcmc"]}
    communes = stats.breakdown(session=db, unit=population.units["hanoi"], filters=ALL)
    assert len(communes) == db.exec(select(func.count()).select_from(Commune).where(
        Commune.province_code == 1)).one()
    busy = {unit.code: counts(f) for unit, f in communes if f.learners}
    assert busy == {70: EXPECTED["hoan_kiem"], 4: EXPECTED["ba_dinh"]}


def test_a_communes_breakdown_is_its_teams(db, population):
    rows = stats.breakdown(session=db, unit=population.units["hoan_kiem"], filters=ALL)
    by_id = {unit.code: counts(f) for unit, f in rows}
    assert by_id == {population.team_a.id: EXPECTED["team_a"],
                     population.team_formula.id: EXPECTED["team_formula"]}
    # Team members are a part of the commune: l1 and l2 are in no team.
    assert _sum(rows)["learners"] == 3 < EXPECTED["hoan_kiem"]["learners"]
    assert stats.breakdown(session=db, unit=population.units["team_a"], filters=ALL) == []
    rows = stats.breakdown(session=db, unit=population.units["vung_tau"], filters=ALL)
    assert [(u.code, counts(f)) for u, f in rows] == [(population.team_c.id,
                                                       EXPECTED["team_c"])]


@pytest.mark.parametrize("key", sorted(EXPECTED_E_ID))
def test_the_course_filter(db, population, key):
    figures = stats.headline(session=db, unit=population.units[key],
                             filters=Filters(course="e-id"))
    assert counts(figures) == EXPECTED_E_ID[key]


def test_per_course_figures(db, population, catalog):
    for key in ("nation", "hanoi", "hoan_kiem", "team_a"):
        rows = stats.per_course(session=db, unit=population.units[key], filters=ALL,
                                catalog=list(catalog))
        assert [course.slug for course, _f in rows] == [c.slug for c in catalog]
        total = stats.headline(session=db, unit=population.units[key], filters=ALL)
        for name in ("enrolments", "completions", "attempts", "passes", "certificates",
                     "lessons", "lessons_assisted"):
            assert sum(f.counts[name] for _c, f in rows) == total.counts[name], (key, name)
    rows = stats.per_course(session=db, unit=population.units["nation"], filters=ALL,
                            catalog=list(catalog))
    assert {course.slug: (f.enrolments, f.completions, f.attempts, f.passes, f.certificates)
            for course, f in rows} == PER_COURSE
    # A course's learners are the learners enrolled in it, not 0.
    assert {course.slug: f.learners for course, f in rows} == {
        slug: figures[0] for slug, figures in PER_COURSE.items()}
    only = stats.per_course(session=db, unit=population.units["team_a"],
                            filters=Filters(course="e-id"), catalog=list(catalog))
    assert [(c.slug, f.enrolments, f.completions, f.lessons_assisted) for c, f in only] == [
        ("e-id", 3, 2, 12)]


@pytest.mark.parametrize("key", ["nation", "hanoi", "hoan_kiem", "team_a", "team_b"])
def test_the_date_filter(db, population, key):
    today = clock.local_day()
    unit = population.units[key]
    everything = counts(stats.headline(session=db, unit=unit, filters=ALL))
    zero = dict.fromkeys(FIELDS, 0)
    for filters, expected in [
            (Filters(date_from=today), everything),
            (Filters(date_to=today), everything),
            (Filters(date_from=today, date_to=today), everything),
            (Filters(date_to=today - timedelta(days=1)), zero),
            (Filters(date_from=today + timedelta(days=1)), zero)]:
        assert counts(stats.headline(session=db, unit=unit, filters=filters)) == expected, \
            filters


@pytest.mark.parametrize("key", ["nation", "hanoi", "vung_tau", "team_a"])
def test_the_weekly_trend(db, population, key):
    weeks = stats.weekly(session=db, unit=population.units[key], filters=ALL)
    assert len(weeks) == 26
    mondays = [monday for monday, _e, _c in weeks]
    assert all(m.weekday() == 0 for m in mondays)
    assert all(b - a == timedelta(weeks=1) for a, b in zip(mondays, mondays[1:]))
    assert mondays[-1] == stats.week_start(clock.local_day())
    expected = EXPECTED[key]
    assert weeks[-1][1:] == (expected["enrolments"], expected["completions"])
    assert all((e, c) == (0, 0) for _m, e, c in weeks[:-1])
    e_id = stats.weekly(session=db, unit=population.units["nation"],
                        filters=Filters(course="e-id"))
    assert e_id[-1][1:] == (6, 3)


def test_the_weekly_trend_follows_the_date_filter(db, population):
    nation = population.units["nation"]
    today = clock.local_day()
    a_week_ago = today - timedelta(weeks=1)
    earlier = stats.weekly(session=db, unit=nation, filters=Filters(date_to=a_week_ago))
    assert len(earlier) == 26 and earlier[-1][0] == stats.week_start(a_week_ago)
    assert all((e, c) == (0, 0) for _m, e, c in earlier)  # everything happened today
    recent = stats.weekly(session=db, unit=nation,
                          filters=Filters(date_from=a_week_ago, date_to=today))
    assert [m for m, _e, _c in recent] == [stats.week_start(a_week_ago),
                                          stats.week_start(today)]
    assert recent[-1][1:] == (EXPECTED["nation"]["enrolments"],
                              EXPECTED["nation"]["completions"])
    assert stats.weekly(session=db, unit=nation, filters=Filters(
        date_from=today + timedelta(days=1), date_to=today + timedelta(days=1)))[-1][1:] == (0, 0)


def rollup_rows(db, model=StatDaily):
    """``{(level, unit, parent, course[, day]): counters}`` of every rollup row with a count."""
    keys = [model.level, model.unit_code, model.parent_code, model.course_slug]
    if model is StatDaily:
        keys.append(StatDaily.day)
    rows = db.exec(select(*keys, *[getattr(model, c) for c in rollup.COUNTERS])).all()
    found = {}
    for row in rows:
        values = tuple(row[len(keys):])
        if any(values):
            found[tuple(row[:len(keys)])] = values
    return found


def daily_sums(db):
    """The daily rows added up per unit and course: what the totals must hold."""
    sums = {}
    for (level, unit, parent, course, _day), values in rollup_rows(db).items():
        key = (level, unit, parent, course)
        sums[key] = tuple(a + b for a, b in zip(sums.get(key, (0,) * len(values)), values))
    return sums


def test_rebuilding_the_rollups_gives_exactly_the_incremental_counts(db, population):
    incremental = rollup_rows(db)
    totals = rollup_rows(db, StatTotal)
    assert incremental  # the services counted as things happened
    assert {key[0] for key in incremental} == {stats.NATION, stats.PROVINCE, stats.COMMUNE,
                                               stats.TEAM}
    assert totals == daily_sums(db)
    db.execute(update(StatDaily).values(lessons=999))  # drift, repaired by the rebuild
    db.execute(update(StatTotal).values(passes=999))
    rebuild_rollups(session=db)
    db.commit()
    assert rollup_rows(db) == incremental
    assert rollup_rows(db, StatTotal) == totals
    # and the per-level totals agree with each other
    for level in (stats.PROVINCE, stats.COMMUNE):
        for index, _name in enumerate(rollup.COUNTERS):
            assert sum(v[index] for k, v in incremental.items() if k[0] == level) == sum(
                v[index] for k, v in incremental.items() if k[0] == stats.NATION)


def test_a_learner_made_team_leader_is_no_longer_counted_as_a_learner(app, db, population):
    """As the rebuild counts them (people with the learner role): the counts stay equal."""
    with app.app_context():
        teams.appoint_leader(session=db, team=population.team_a, username="hocvien1")
        db.commit()
    for key, learners in (("nation", 10), ("hanoi", 7), ("hoan_kiem", 4), ("team_a", 3)):
        figures = stats.headline(session=db, unit=population.units[key], filters=ALL)
        assert figures.learners == learners, key
        assert figures.lessons == EXPECTED[key]["lessons"]  # what they did still counts
    incremental, totals = rollup_rows(db), rollup_rows(db, StatTotal)
    rebuild_rollups(session=db)
    assert rollup_rows(db) == incremental and rollup_rows(db, StatTotal) == totals


def test_the_rebuild_counts_events_on_their_own_day(db, population):
    """v1 (Vũng Tàu) did everything 15 days ago: the rebuild puts it on that day, the date
    filter and the weekly trend follow."""
    v1 = population.people["v1"].id
    shift = timedelta(days=15)
    for model, column in ((User, "created_at"), (Enrolment, "enrolled_at"),
                          (LessonProgress, "completed_at"), (QuizAttempt, "submitted_at")):
        key = model.id if model is User else model.user_id
        for row in db.exec(select(model).where(key == v1)).all():
            setattr(row, column, getattr(row, column) - shift)
            db.add(row)
    db.commit()
    rebuild_rollups(session=db)
    db.commit()
    today = clock.local_day()
    then = clock.local_day(db.get(User, v1).created_at)
    assert (today - then).days in (14, 15, 16)
    nation = population.units["nation"]
    recent = counts(stats.headline(session=db, unit=nation, filters=Filters(date_from=today)))
    old = counts(stats.headline(session=db, unit=nation,
                                filters=Filters(date_to=today - timedelta(days=1))))
    v1_figures = {"learners": 1, "enrolments": 1, "completions": 0, "attempts": 2, "passes": 0,
                  "certificates": 0, "lessons": 6, "lessons_assisted": 0, "trained": 0}
    assert old == v1_figures
    assert recent == {k: EXPECTED["nation"][k] - v1_figures[k] for k in FIELDS}
    exact = counts(stats.headline(session=db, unit=nation, filters=Filters(
        date_from=then, date_to=then)))
    assert exact == v1_figures
    weeks = dict((monday, (e, c)) for monday, e, c in stats.weekly(
        session=db, unit=nation, filters=ALL))
    assert weeks[stats.week_start(then)] == (1, 0)
    assert weeks[stats.week_start(today)] == (9, 5)
    province = population.units["hcmc"]
    assert stats.headline(session=db, unit=province,
                          filters=Filters(date_to=then)).counts["attempts"] == 2


def test_certificates_and_completions_agree_with_the_raw_tables(db, population):
    raw = {
        "certificates": db.exec(select(func.count()).select_from(Certificate)).one(),
        "completions": db.exec(select(func.count()).select_from(Enrolment).where(
            Enrolment.completed_at.is_not(None))).one(),
        "lessons": db.exec(select(func.count()).select_from(LessonProgress)).one(),
        "attempts": db.exec(select(func.count()).select_from(QuizAttempt)).one(),
    }
    nation = stats.headline(session=db, unit=population.units["nation"], filters=ALL)
    assert {k: nation.counts[k] for k in raw} == raw


def test_counters_stay_in_their_rows(db, population):
    """Course counters only in a course's rows, learners and trained only in the '' rows:
    the rule that lets a total be one sum over all rows."""
    for table in ("stat_daily", "stat_total"):
        misplaced = db.execute(text(
            f"SELECT COUNT(*) FROM {table} WHERE (course_slug = '' AND (enrolments + "
            "completions + attempts + passes + certificates + lessons + lessons_assisted) > 0)"
            " OR (course_slug <> '' AND learners + trained > 0)")).scalar_one()
        assert misplaced == 0, table
    with pytest.raises(ValueError):
        rollup.count(session=db, province_code=1, commune_code=70, course_slug="e-id",
                     learners=1)
    with pytest.raises(ValueError):
        rollup.count(session=db, province_code=1, commune_code=70, lessons=1)


def test_migration_0006_computes_the_team_rows_and_totals(db, population, database_url):
    """Down to 0005 (no totals, no team rows) and up again: the same rollups as counted."""
    from alembic import command
    from alembic.config import Config

    from digilit import paths
    from digilit.db import make_engine

    incremental, totals = rollup_rows(db), rollup_rows(db, StatTotal)
    db.close()
    config = Config()
    config.set_main_option("script_location", str(paths.MIGRATIONS_DIR))
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005")
        with engine.connect() as connection:
            assert connection.exec_driver_sql(
                f"SELECT COUNT(*) FROM stat_daily WHERE level = {stats.TEAM}").scalar_one() == 0
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    assert rollup_rows(db) == incremental
    assert rollup_rows(db, StatTotal) == totals


def test_flask_stats_rebuild_repairs_drift(db, population, runner):
    incremental = rollup_rows(db)
    db.execute(update(StatDaily).values(enrolments=0))
    db.execute(update(StatTotal).values(enrolments=0))
    db.commit()
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Statistics rebuilt." in result.output
    assert rollup_rows(db) == incremental
    assert rollup_rows(db, StatTotal) == daily_sums(db)
