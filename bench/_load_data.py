"""The load benchmark's database (``bench/load.py``): learners made through the services with
the course done, the right answers from the course files, and what is stored checked against
what was acknowledged."""
from bench._learners import COURSE, PASSWORD
from bench._server import REPO, make_app


def finish_course(session, user, course):
    """Every lesson and practice of ``course`` done by ``user``, through the services: the
    quiz is open."""
    from digilit.services import practice, progress

    for lesson in course.lessons:
        progress.complete_lesson(session=session, user=user, course=course, lesson=lesson)
    for item in course.practices:
        for step_id, choice_id in item.good_path():
            practice.answer(session=session, user=user, course=course, practice=item,
                            step_id=step_id, choice_id=choice_id, version=course.version)


def create_learners(url, count):
    """``count`` learners in one commune, every lesson and practice of the course done: the
    first through ``accounts.create_user`` (a real password hash), the others with that hash
    reused, then ``finish_course``. Returns their usernames."""
    from sqlmodel import Session, select

    from digilit.content import get_catalog
    from digilit.models import Commune, User
    from digilit.services import accounts, rollup

    app = make_app(url)
    engine = app.extensions["digilit.engine"]
    names = [f"load{i:05d}" for i in range(count)]
    try:
        # A POST request context: services build translatable messages, and SQLite's write
        # lock is taken up front (BEGIN IMMEDIATE), as in a real request.
        with app.test_request_context("/", method="POST"):
            course = get_catalog().get(COURSE)
            if course is None:
                raise RuntimeError(f"course {COURSE!r} is not served")
            with Session(engine, expire_on_commit=False) as session:
                commune = session.exec(select(Commune).where(Commune.province_code == 1)
                                       .order_by(Commune.code)).first()
                first = accounts.create_user(
                    session=session, username=names[0], full_name="Học viên 0",
                    password=PASSWORD, province_code=commune.province_code,
                    commune_code=commune.code)
                users = [first]
                for i, name in enumerate(names[1:], start=1):
                    user = User(username=name, full_name=f"Học viên {i}",
                                password_hash=first.password_hash, role="learner",
                                province_code=commune.province_code, commune_code=commune.code)
                    session.add(user)
                    session.flush()
                    rollup.count_for_user(session=session, user=user, learners=1)
                    users.append(user)
                for user in users:
                    finish_course(session, user, course)
                session.commit()
    finally:
        engine.dispose()
    return names


def right_answers():
    """``{field name: (right values in order, one wrong value or None)}`` from the course files
    (the content loader reading ``courses/e-id``), and the number of questions."""
    from digilit.content.loader import load_course

    course, problems = load_course(REPO / "courses" / COURSE)
    if course is None:
        raise RuntimeError(f"courses/{COURSE} does not load: {problems}")
    answers = {}
    for question in course.questions:
        ids = [choice.id for choice in question.choices]
        if question.type == "order":
            right = list(question.correct_ids)
        else:
            right = [i for i in ids if i in question.correct_ids]
        wrong = None
        if question.type in ("single", "true_false"):
            wrong = next(i for i in ids if i not in question.correct_ids)
        answers[f"q-{question.id}"] = (right, wrong)
    return answers, len(course.questions)


def check_database(url, acknowledged, abandoned):
    """What is stored against what was acknowledged; the integrity check on SQLite."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT id, token, score FROM quizattempt")).all()
            distinct = connection.execute(text(
                "SELECT COUNT(DISTINCT token) FROM quizattempt")).scalar_one()
            counter = connection.execute(text(
                "SELECT attempts FROM stat_total WHERE level = 0 AND course_slug = :c"),
                {"c": COURSE}).scalar_one_or_none() or 0
            integrity = "n/a"
            if engine.dialect.name == "sqlite":
                integrity = "; ".join(r[0] for r in connection.execute(
                    text("PRAGMA integrity_check")).all())
                fk = connection.execute(text("PRAGMA foreign_key_check")).all()
                if fk:
                    integrity += f"; {len(fk)} foreign key violations"
    finally:
        engine.dispose()
    stored = {row.id: (row.token, row.score) for row in rows}
    expected = {attempt_id: (token, score)
                for token, (attempt_id, score) in acknowledged.items()}
    missing = [i for i in expected if i not in stored]
    unexpected = [i for i in stored if i not in expected]
    mismatched = [i for i in expected if i in stored and stored[i] != expected[i]]
    stored_tokens = {token for token, _score in stored.values()}
    return {
        "stored": len(rows), "acknowledged": len(acknowledged),
        "acknowledged_ids": len(expected), "missing": len(missing),
        "unacknowledged_stored": len(unexpected), "mismatched": len(mismatched),
        "duplicate_tokens": len(rows) - distinct, "counter": counter,
        "abandoned_stored": sum(1 for token in abandoned if token in stored_tokens),
        "integrity": integrity,
    }
