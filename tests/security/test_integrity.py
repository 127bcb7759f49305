"""Every "only one" rule of the domain is a database constraint: inserting a duplicate directly
fails with IntegrityError; and ten simultaneous submissions of one quiz form record one
attempt."""
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from conftest import HANOI, HOAN_KIEM, correct_answers, wrong_answers
from digilit.services.quiz_rules import drawn_ids
from digilit import models
from digilit.models import (ApiToken, Certificate, CertificateRevocation, Commune, Enrolment,
                            ExternalIdentity, ImportBatch,
                            LessonProgress, Province, QuizAttempt, StatDaily, Target, Team,
                            TeamLeader, TeamMember, Throttle, User, VenueAttendance,
                            VenueSession)

from .conftest import run_together


# --- simultaneous submissions -----------------------------------------------------------------

def same_session(app, client):
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return other


@pytest.mark.parametrize("answers", [correct_answers, wrong_answers])
def test_ten_simultaneous_posts_of_one_quiz_form_record_one_attempt(app, client, learner,
                                                                    learn, count, db, answers):
    learn.complete_all("e-id")
    _page, csrf, token = learn.quiz_form("e-id")
    data = {"csrf_token": csrf, "attempt_token": token,
            **{f"q-{qid}": value for qid, value in answers(learn.course("e-id")).items()
               if qid in drawn_ids(learn.course("e-id"), token)}}
    clients = [same_session(app, client) for _ in range(10)]
    responses = run_together(10, lambda i: clients[i].post("/courses/e-id/quiz", data=data))
    assert [r.status_code for r in responses] == [302] * 10
    assert len({r.headers["Location"] for r in responses}) == 1
    assert count(QuizAttempt) == 1
    attempts = db.exec(select(func.sum(StatDaily.attempts)).where(StatDaily.level == 0)).one()
    assert attempts[0] == 1
    expected = 1 if answers is correct_answers else 0
    assert count(Certificate) == expected
    assert db.exec(select(func.sum(StatDaily.completions))
                   .where(StatDaily.level == 0)).one()[0] == expected


# --- the rules ---------------------------------------------------------------------------------

@pytest.fixture
def world(db):
    """Two users, a team, a venue session and an attempt to hang duplicates on."""
    users = [User(username=f"user{i}", full_name=f"User {i}", password_hash="x",
                  province_code=HANOI, commune_code=HOAN_KIEM) for i in (1, 2)]
    db.add_all(users)
    db.commit()
    team = Team(name="Tổ một", commune_code=HOAN_KIEM, province_code=HANOI)
    attempt = QuizAttempt(token="t0", user_id=users[0].id, course_slug="e-id",
                          course_version=1, score=1, max_score=1, percent=100, passed=True,
                          answers="{}")
    db.add_all([team, attempt])
    db.commit()
    venue = VenueSession(team_id=team.id, held_on=date(2025, 9, 1), place="Nhà văn hoá",
                         course_slug="e-id", created_by=users[0].id)
    certificate = Certificate(code="WORLD-CERT", user_id=users[1].id, course_slug="payments",
                              attempt_id=attempt.id, percent=100)
    db.add_all([venue, certificate])
    db.commit()
    return {"u1": users[0].id, "u2": users[1].id, "team": team.id, "venue": venue.id,
            "attempt": attempt.id, "certificate": certificate.id}


def _attempt(w, i):
    return QuizAttempt(token="same", user_id=w[f"u{i}"], course_slug="e-id", course_version=1,
                       score=0, max_score=1, percent=0, passed=False, answers="{}")


# (what the rule says, table, columns, a row for i = 1 and i = 2 that break it together)
RULES = [
    ("a username is one account", "user", ("username",),
     lambda w, i: User(username="same", full_name=f"U{i}", password_hash="x")),
    ("a phone number is one account", "user", ("phone",),
     lambda w, i: User(username=f"phone{i}", full_name="P", password_hash="x",
                       phone="0912345678")),
    ("one enrolment per learner and course", "enrolment", ("user_id", "course_slug"),
     lambda w, i: Enrolment(user_id=w["u1"], course_slug="e-id")),
    ("one progress row per learner and lesson", "lessonprogress",
     ("user_id", "course_slug", "lesson_slug"),
     lambda w, i: LessonProgress(user_id=w["u1"], course_slug="e-id", lesson_slug="a")),
    ("one attempt per quiz form token", "quizattempt", ("token",), _attempt),
    ("certificate codes are unique", "certificate", ("code",),
     lambda w, i: Certificate(code="AAAA-BBBB-CCCC-DDDD", user_id=w[f"u{i}"],
                              course_slug="e-id", attempt_id=w["attempt"], percent=100)),
    ("one certificate per learner and course", "certificate", ("user_id", "course_slug"),
     lambda w, i: Certificate(code=f"CODE-{i}", user_id=w["u1"], course_slug="e-id",
                              attempt_id=w["attempt"], percent=100)),
    ("one rollup row per unit, course and day", "stat_daily",
     ("level", "unit_code", "course_slug", "day"),
     lambda w, i: StatDaily(level=1, unit_code=HANOI, parent_code=0, course_slug="",
                            day=date(2025, 9, 1), learners=i)),
    ("one target per unit", "target", ("level", "unit_code"),
     lambda w, i: Target(level=1, unit_code=HANOI, citizens=i)),
    ("API token hashes are unique", "apitoken", ("token_hash",),
     lambda w, i: ApiToken(name=f"t{i}", prefix="p", token_hash="h" * 64,
                           created_by=w["u1"], role="national_admin")),
    ("a team name once per commune", "team", ("commune_code", "name"),
     lambda w, i: Team(name="Tổ hai", commune_code=HOAN_KIEM, province_code=HANOI)),
    ("a team name once per commune, whatever the letter case", "team",
     ("commune_code", "lower(name)"),
     lambda w, i: Team(name="To Ba" if i == 1 else "TO BA", commune_code=HOAN_KIEM,
                       province_code=HANOI)),
    ("a leader once per team", "teamleader", ("team_id", "user_id"),
     lambda w, i: TeamLeader(team_id=w["team"], user_id=w["u1"])),
    ("a member once per team", "teammember", ("team_id", "user_id"),
     lambda w, i: TeamMember(team_id=w["team"], user_id=w["u1"])),
    ("an upload is confirmed through one token", "importbatch", ("token",),
     lambda w, i: ImportBatch(token="same", team_id=w["team"], uploaded_by=w["u1"],
                              content="x")),
    ("a form that creates something is claimed once", "submittedform", ("token",),
     lambda w, i: models.SubmittedForm(token="same", user_id=w[f"u{i}"])),
    ("a card sheet is shown through one token", "cardsheet", ("token",),
     lambda w, i: models.CardSheet(token="same", team_id=w["team"], created_by=w["u1"],
                                   payload="x")),
    ("one authenticator per account", "second_factor", ("user_id",),
     lambda w, i: models.SecondFactor(user_id=w["u1"], secret=f"s{i}")),
    ("an attendee once per venue session", "venueattendance", ("session_id", "user_id"),
     lambda w, i: VenueAttendance(session_id=w["venue"], user_id=w["u1"])),
    ("one current step per learner and practice", "practiceprogress",
     ("user_id", "course_slug", "practice_slug"),
     lambda w, i: models.PracticeProgress(user_id=w["u1"], course_slug="e-id",
                                          practice_slug="p", course_version=1,
                                          step_id=f"s{i}")),
    ("one answer per learner and lesson check", "lessoncheckanswer",
     ("user_id", "course_slug", "lesson_slug", "check_id"),
     lambda w, i: models.LessonCheckAnswer(user_id=w["u1"], course_slug="e-id", lesson_slug="a",
                                           check_id="c", choice_id=f"x{i}", correct=False)),
    ("one sign-in counter per account or address", "throttle", ("scope", "key"),
     lambda w, i: Throttle(scope="account", key="k" * 64, hits=i, window_start=0)),
    ("an identity at a provider is one account", "external_identity", ("issuer", "subject"),
     lambda w, i: ExternalIdentity(user_id=w[f"u{i}"], issuer="https://id.example",
                                   subject="same")),
    ("one identity per account and provider", "external_identity", ("user_id", "issuer"),
     lambda w, i: ExternalIdentity(user_id=w["u1"], issuer="https://id.example",
                                   subject=f"person{i}")),
    ("a certificate is revoked once", "certificate_revocation", ("certificate_id",),
     lambda w, i: CertificateRevocation(certificate_id=w["certificate"], reason=f"r{i}")),
    ("a province code is one province", "province", ("code",),
     lambda w, i: Province(code=9999, name=f"P{i}", codename=f"p{i}")),
    ("a commune code is one commune", "commune", ("code",),
     lambda w, i: Commune(code=999999, name=f"C{i}", codename=f"c{i}", province_code=HANOI)),
]

if hasattr(models, "StatTotal"):  # all-time sums beside the daily rollups
    RULES.append(("one total row per unit and course", "stat_total",
                  ("level", "unit_code", "course_slug"),
                  lambda w, i: models.StatTotal(level=1, unit_code=HANOI, parent_code=0,
                                                course_slug="", learners=i)))


@pytest.mark.parametrize("rule, table, columns, make", RULES, ids=[r[0] for r in RULES])
def test_a_duplicate_inserted_directly_is_refused_by_the_database(db, world, rule, table,
                                                                  columns, make):
    db.add(make(world, 1))
    db.commit()
    db.add(make(world, 2))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def _declared_rules():
    """Every uniqueness the models declare: unique constraints and indexes, composite and
    natural primary keys (a surrogate ``id`` says nothing about the domain)."""
    found = set()
    for table in SQLModel.metadata.tables.values():
        for constraint in table.constraints:
            columns = tuple(c.name for c in constraint.columns)
            if constraint.__class__.__name__ == "UniqueConstraint":
                found.add((table.name, columns))
            elif constraint.__class__.__name__ == "PrimaryKeyConstraint" and columns != ("id",):
                found.add((table.name, columns))
        for index in table.indexes:
            if index.unique:
                found.add((table.name, tuple(getattr(e, "name", None) or str(e)
                                             for e in index.expressions)))
        for column in table.columns:
            if column.unique:
                found.add((table.name, (column.name,)))
    return found


def test_the_list_of_rules_covers_every_uniqueness_the_models_declare():
    listed = {(table, columns) for _rule, table, columns, _make in RULES}
    assert _declared_rules() == listed
