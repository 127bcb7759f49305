"""Benchmark: enrol 1,000 people from one CSV file (preview + confirm), accounts, PIN hashes,
memberships and one course each included, against hashing 1,000 real passwords.

    .venv/bin/python -m bench.bulk_enrol [--rows 1000] [--passwords 1000]

Exits non-zero when the import takes ``LIMIT_SECONDS`` or more.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

LIMIT_SECONDS = 16.0
GIVEN = ("Lan", "Minh", "Hoa", "Tuấn", "Hương", "Dũng", "Mai", "Hùng", "Thảo", "Nam")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
MIDDLE = ("Thị", "Văn", "Đức", "Ngọc", "Minh")


def make_csv(rows, course_slugs):
    """A BOM-less, comma-separated file of ``rows`` people, each with a phone and one course."""
    lines = ["full_name,phone,birth_year,courses"]
    for i in range(rows):
        name = f"{FAMILY[i % len(FAMILY)]} {MIDDLE[i % len(MIDDLE)]} {GIVEN[i % len(GIVEN)]}"
        lines.append(f"{name},09{i:08d},{1940 + i % 60},{course_slugs[i % len(course_slugs)]}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--passwords", type=int, default=1000)
    args = parser.parse_args(argv)

    from sqlalchemy import func
    from sqlmodel import Session, select

    from digilit import create_app
    from digilit.content import get_catalog
    from digilit.db import get_engine, upgrade_database
    from digilit.models import Enrolment, Role, TeamMember, User
    from digilit.services import accounts, csv_import, teams
    from digilit.services.geo import import_geography

    with tempfile.TemporaryDirectory(prefix="digilit-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        # A request context, as in production: services build translatable messages, and
        # a POST takes SQLite's write lock up front (BEGIN IMMEDIATE) as the import page does.
        with app.test_request_context("/", method="POST"):
            engine = get_engine()
            upgrade_database(engine)
            with Session(engine, expire_on_commit=False) as session:
                import_geography(session=session)
                leader = accounts.create_user(
                    session=session, username="benchleader", full_name="Bench Leader",
                    password="bench-password", role=Role.team_leader, province_code=1,
                    commune_code=70)
                team = teams.create_team(session=session, actor=leader, name="Bench team")
                session.commit()
            content = make_csv(args.rows, [course.slug for course in get_catalog()])

            started, cpu_started = time.perf_counter(), time.process_time()
            with Session(engine, expire_on_commit=False) as session:
                preview = csv_import.preview_import(session=session, team=team,
                                                    content=content, uploader=leader)
                if not preview.ok:
                    first = preview.bad_rows[0]
                    print(f"preview failed: line {first.line}: {first.codes}", flush=True)
                    return 2
                session.commit()
                token = preview.batch.token
            with Session(engine, expire_on_commit=False) as session:
                batch = csv_import.get_batch(session=session, user=leader, team=team,
                                             token=token)
                pairs = csv_import.confirm_import(session=session, team=team, batch=batch)
                session.commit()
            import_seconds = time.perf_counter() - started
            import_cpu = time.process_time() - cpu_started

            with Session(engine) as session:
                counts = {
                    "accounts": session.exec(select(func.count()).select_from(User).where(
                        User.pin_hash.is_not(None))).one(),
                    "members": session.exec(select(func.count()).select_from(TeamMember)).one(),
                    "enrolments": session.exec(
                        select(func.count()).select_from(Enrolment)).one(),
                }
            engine.dispose()

    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(args.passwords):
        accounts.hash_password(f"password-{i:06d}")
    hash_seconds = time.perf_counter() - started
    hash_cpu = time.process_time() - cpu_started

    print(f"CSV import of {args.rows} people (preview + confirm): {import_seconds:.2f} s "
          f"({len(pairs)} login cards; {counts['accounts']} accounts with PIN, "
          f"{counts['members']} memberships, {counts['enrolments']} enrolments); "
          f"CPU {import_cpu:.2f} s on {os.cpu_count()} cores")
    print(f"hash_password x {args.passwords} (real password hash): {hash_seconds:.2f} s; "
          f"CPU {hash_cpu:.2f} s")
    if import_seconds > 0:
        print(f"ratio password hashing / import: {hash_seconds / import_seconds:.1f}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None and load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f} on {os.cpu_count()} cores: other work shares "
              "the CPU and the times above are inflated")
    expected = (args.rows, args.rows, args.rows, args.rows)
    if (len(pairs), counts["accounts"], counts["members"], counts["enrolments"]) != expected:
        print("FAIL: the import did not create what the file asks for", flush=True)
        return 1
    if import_seconds >= LIMIT_SECONDS:
        print(f"FAIL: the import took {import_seconds:.2f} s, the limit is {LIMIT_SECONDS:.0f} s")
        return 1
    print(f"OK: under {LIMIT_SECONDS:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
