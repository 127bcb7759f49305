"""Benchmark: the administrators' figures at national scale, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.stats [--learners 1000000] [--requests 40] [--db both]

For each database: seeds ``--learners`` synthetic learners with ``flask demo seed`` (timed),
then, signed in as a national administrator (pages) and with a national API token (JSON),
times ``--requests`` requests of each of: the national dashboard and API, the biggest
province's, the busiest commune's, and ``GET /healthz`` as the baseline; the requests take
turns, so that a busy moment of the machine hits them all alike. Prints p50 and p95, and
their ratios to the baseline, and writes them to BENCHMARKS.md (its section for this
benchmark and database; the rest of the file is kept).

PostgreSQL: a throw-away server is started with ``scripts/with-postgres.sh`` on port 54340,
unless ``TEST_DATABASE_URL`` already points at one (a database ``digilit_bench`` is then
created in it, replacing any of that name).

Exits non-zero when a p95 misses its limit: national 200 ms, province 100 ms, commune 50 ms.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench._common import machine, put_sections

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "BENCHMARKS.md"
PG_PORT = "54340"
LIMITS_MS = {"nation": 200, "province": 100, "commune": 50}
WARM_UP = 3
PASSWORD = "bench-password-0"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.stats",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--db", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--output", type=Path, default=BENCHMARKS,
                        help="the Markdown file to update (default BENCHMARKS.md)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--sqlite-path", type=Path, default=None,
                        help="keep the SQLite database here; reused if already seeded")
    parser.add_argument("--json", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--command", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def command_line(argv):
    return " ".join([".venv/bin/python -m bench.stats", *map(shlex.quote, argv)]).strip()


# --- one database ------------------------------------------------------------------------------

def make_app(url, instance):
    from digilit import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    app.instance_path = str(instance)  # demo logins go there, not to the repository
    return app


def prepare(app):
    """Migrate and load the geography; return the learners already there."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from digilit.db import upgrade_database
    from digilit.models import Commune, User
    from digilit.services.geo import import_geography

    engine = app.extensions["digilit.engine"]
    upgrade_database(engine)
    with Session(engine) as session:
        if not session.exec(select(func.count()).select_from(Commune)).one():
            import_geography(session=session)
            session.commit()
        return session.exec(select(func.count()).select_from(User).where(
            User.role == "learner")).one()


def seed(app, learners):
    """``flask demo seed --learners N``, timed; returns seconds."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(
        args=["demo", "seed", "--learners", str(learners), "--random-seed", "2025"])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(f"demo seed failed: {result.output}\n{result.exception!r}")
    return seconds


def rebuild(app):
    """``flask stats rebuild`` on the seeded population, timed; returns seconds."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    if result.exit_code != 0:
        raise RuntimeError(f"stats rebuild failed: {result.output}\n{result.exception!r}")
    return time.perf_counter() - started


def vacuum_if_postgres(app):
    """PostgreSQL: VACUUM ANALYZE, as autovacuum would after a bulk load (the visibility map
    lets the planner use index-only scans); returns seconds."""
    engine = app.extensions["digilit.engine"]
    if engine.dialect.name != "postgresql":
        return 0.0
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def population(app):
    """Rows per table and the units to ask for: the biggest province, the busiest commune."""
    from sqlalchemy import text

    engine = app.extensions["digilit.engine"]
    tables = ("user", "team", "teammember", "venuesession", "enrolment", "lessonprogress",
              "quizattempt", "certificate", "stat_daily")
    with engine.connect() as connection:
        rows = {t: connection.exec_driver_sql(f'SELECT COUNT(*) FROM "{t}"').scalar_one()
                for t in tables}
        rows["learners"] = connection.exec_driver_sql(
            "SELECT COUNT(*) FROM \"user\" WHERE role = 'learner'").scalar_one()
        biggest = text("SELECT unit_code, SUM(learners) AS n FROM stat_daily WHERE level = :l "
                       "GROUP BY unit_code ORDER BY n DESC, unit_code LIMIT 1")
        province = connection.execute(biggest, {"l": 1}).first()
        commune = connection.execute(biggest, {"l": 2}).first()
        teams = connection.exec_driver_sql(
            f"SELECT COUNT(*) FROM team WHERE commune_code = {int(commune[0])}").scalar_one()
    return rows, {"province": province[0], "province_learners": province[1],
                  "commune": commune[0], "commune_learners": commune[1],
                  "commune_teams": teams}


def national_caller(app):
    """A national administrator signed in as in production, password then a code from an
    authenticator (its second factor set up through the services): a test client, and the
    headers of an API token of theirs."""
    import pyotp
    from sqlmodel import Session, select

    from digilit.models import User
    from digilit.services import accounts, api_tokens

    engine = app.extensions["digilit.engine"]
    with Session(engine, expire_on_commit=False) as session, app.test_request_context():
        user = session.exec(select(User).where(User.username == "benchnational")).first()
        if user is None:
            user = accounts.create_user(session=session, username="benchnational",
                                        full_name="Bench National", password=PASSWORD,
                                        role="national_admin")
        secret = _authenticator(session, user, app.config["SECRET_KEY"])
        _token, token = api_tokens.create_token(session=session, creator=user, name="bench")
        session.commit()
    client = app.test_client()
    _post_form(client, "/auth/login", {"username": "benchnational", "password": PASSWORD})
    # The code of the next 30-second step: the current one was spent setting the factor up.
    _post_form(client, "/auth/code", {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    if client.get("/admin/stats").status_code != 200:
        raise RuntimeError("the benchmark's administrator could not sign in")
    return client, {"Authorization": f"Bearer {token}"}


def _authenticator(session, user, secret_key):
    """The secret of ``user``'s authenticator, set up now (again, on a second run)."""
    import pyotp

    from digilit.services import second_factor

    secret, _address = second_factor.begin(session=session, user=user, secret_key=secret_key)
    second_factor.confirm(session=session, user=user, code=pyotp.TOTP(secret).now(),
                          secret_key=secret_key)
    return secret


def _post_form(client, url, fields):
    """GET the form at ``url`` and POST ``fields`` with its CSRF token; the response."""
    page = client.get(url).get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(url, data={**fields, "csrf_token": csrf})
    if response.status_code != 302:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return response


def endpoints(units):
    """``[(label, level, url, uses token)]``; the baseline first."""
    province, commune = units["province"], units["commune"]
    return [
        ("GET /healthz (baseline)", None, "/healthz", False),
        ("national dashboard", "nation", "/admin/stats", False),
        ("national API", "nation", "/api/v1/stats", True),
        (f"province dashboard ({province})", "province", f"/admin/stats?province={province}",
         False),
        (f"province API ({province})", "province", f"/api/v1/stats?province={province}", True),
        (f"commune dashboard ({commune})", "commune", f"/admin/stats?commune={commune}", False),
        (f"commune API ({commune})", "commune", f"/api/v1/stats?commune={commune}", True),
    ]


def measure(client, headers, targets, requests):
    """``{label: [milliseconds]}``, the targets taking turns."""
    timings = {label: [] for label, *_rest in targets}
    for round_ in range(WARM_UP + requests):
        for label, _level, url, token in targets:
            started = time.perf_counter()
            response = client.get(url, headers=headers if token else None)
            response.get_data()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            if round_ >= WARM_UP:
                timings[label].append(elapsed)
    return timings


def percentile(values, share):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def summarise(timings, targets):
    baseline_label = targets[0][0]
    base50 = percentile(timings[baseline_label], 50)
    base95 = percentile(timings[baseline_label], 95)
    rows = []
    for label, level, _url, _token in targets:
        p50, p95 = percentile(timings[label], 50), percentile(timings[label], 95)
        limit = LIMITS_MS.get(level)
        rows.append({"label": label, "p50": p50, "p95": p95, "r50": p50 / base50,
                     "r95": p95 / base95, "limit": limit,
                     "ok": None if limit is None else p95 < limit})
    return rows


def run_database(url, args, name):
    from sqlalchemy import text

    with tempfile.TemporaryDirectory(prefix="digilit-bench-") as instance:
        app = make_app(url, instance)
        try:
            existing = prepare(app)
            seconds = rebuilt = None
            if existing < args.learners:
                print(f"[{name}] seeding {args.learners - existing:,} learners ...", flush=True)
                seconds = seed(app, args.learners - existing)
                print(f"[{name}] seeded in {seconds:.0f} s", flush=True)
                rebuilt = rebuild(app)
                print(f"[{name}] rebuilt the rollups again in {rebuilt:.0f} s", flush=True)
            vacuum = vacuum_if_postgres(app)
            rows, units = population(app)
            client, headers = national_caller(app)
            targets = endpoints(units)
            print(f"[{name}] measuring {args.requests} requests x {len(targets)} ...",
                  flush=True)
            timings = measure(client, headers, targets, args.requests)
            with app.extensions["digilit.engine"].connect() as connection:
                version = connection.execute(text(
                    "SELECT sqlite_version()" if name == "SQLite" else "SHOW server_version"
                )).scalar_one()
        finally:
            app.extensions["digilit.engine"].dispose()
    return {"database": name, "version": version, "learners": args.learners,
            "seed_seconds": seconds, "rebuild_seconds": rebuilt, "vacuum_seconds": vacuum, "rows": rows, "units": units,
            "requests": args.requests, "results": summarise(timings, targets),
            "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load": os.getloadavg()}


def run_sqlite(args):
    if args.sqlite_path:
        return run_database(f"sqlite:///{args.sqlite_path.resolve()}", args, "SQLite")
    with tempfile.TemporaryDirectory(prefix="digilit-bench-db-") as folder:
        return run_database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args, "SQLite")


def run_postgres(args):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return run_database(_fresh_pg_database(url), args, "PostgreSQL")
    with tempfile.TemporaryDirectory(prefix="digilit-bench-pg-") as folder:
        out = Path(folder) / "result.json"
        child = [sys.executable, "-m", "bench.stats", "--db", "postgresql", "--no-write",
                 "--learners", str(args.learners), "--requests", str(args.requests),
                 "--json", str(out)]
        # The child's exit status also reflects the limits: its figures are judged here.
        subprocess.run(["bash", "scripts/with-postgres.sh", *child], cwd=REPO,
                       env={**os.environ, "PGTEST_PORT": PG_PORT})
        if not out.exists():
            raise RuntimeError("the PostgreSQL run left no figures")
        return json.loads(out.read_text())


def _fresh_pg_database(url):
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql('DROP DATABASE IF EXISTS "digilit_bench" WITH (FORCE)')
        connection.exec_driver_sql('CREATE DATABASE "digilit_bench"')
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/digilit_bench"


# --- reporting ---------------------------------------------------------------------------------

def table(result):
    lines = ["| request | p50 ms | p95 ms | p50 ÷ baseline | p95 ÷ baseline | p95 limit | |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for row in result["results"]:
        verdict = "" if row["ok"] is None else ("ok" if row["ok"] else "**missed**")
        limit = f"{row['limit']} ms" if row["limit"] else "—"
        lines.append(f"| {row['label']} | {row['p50']:.1f} | {row['p95']:.1f} | "
                     f"{row['r50']:.1f} | {row['r95']:.1f} | {limit} | {verdict} |")
    return "\n".join(lines)


def section(result, command):
    rows, units = result["rows"], result["units"]
    seeded = (f"seeded in **{result['seed_seconds']:.0f} s** "
              f"(`flask --app wsgi demo seed --learners {result['learners']}`: bulk inserts, "
              "then `rebuild_rollups`)" if result["seed_seconds"] is not None
              else "database reused, seeding not timed in this run")
    if result.get("rebuild_seconds"):
        seeded += (f"; `flask --app wsgi stats rebuild` alone, afterwards: "
                   f"{result['rebuild_seconds']:.0f} s")
    if result.get("vacuum_seconds"):
        seeded += f"; then `VACUUM ANALYZE` in {result['vacuum_seconds']:.0f} s"
    load = ", ".join(f"{value:.1f}" for value in result["load"])
    return "\n".join([
        f"### {result['database']} {result['version']}",
        "",
        f"- Command: `{command}`" + (" (PostgreSQL through `scripts/with-postgres.sh`, "
                                     f"port {PG_PORT})" if result["database"] == "PostgreSQL"
                                     else ""),
        f"- Measured {result['measured_at']} on {machine()}; load average after the run "
        f"{load}.",
        f"- Population: {rows['learners']:,} learners, {rows['enrolment']:,} enrolments, "
        f"{rows['lessonprogress']:,} lesson-progress rows, {rows['quizattempt']:,} quiz "
        f"attempts, {rows['certificate']:,} certificates, {rows['team']:,} teams, "
        f"{rows['stat_daily']:,} rollup rows; {seeded}.",
        f"- Units asked for: province {units['province']} ({units['province_learners']:,} "
        f"learners), commune {units['commune']} ({units['commune_learners']:,} learners, "
        f"{units['commune_teams']} team{'' if units['commune_teams'] == 1 else 's'}). "
        f"{result['requests']} requests each, after "
        f"{WARM_UP} warm-up requests, through the Flask test client.",
        "",
        table(result),
        "",
    ])


def update_markdown(path, results, command):
    """Replace this benchmark's section of each database measured; keep everything else."""
    put_sections(path, "bench.stats", "## Administrators' statistics (`bench/stats.py`)",
                 "p95 limits: national dashboard and API under 200 ms, a province under "
                 "100 ms, a commune under 50 ms.",
                 {result["database"]: section(result, command) for result in results})


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    command = args.command or command_line(argv)
    results, failed = [], False
    for name, run in (("sqlite", run_sqlite), ("postgresql", run_postgres)):
        if args.db in ("both", name):
            try:
                results.append(run(args))
            except Exception as error:  # noqa: BLE001 - keep the other database's figures
                print(f"FAIL: {name}: {error!r}", file=sys.stderr)
                failed = True
                continue
            print(section(results[-1], command), flush=True)
    if args.json and results:
        args.json.write_text(json.dumps(results[-1]))
    if not args.no_write and results:
        update_markdown(args.output, results, command)
        print(f"written to {args.output}")
    missed = [row["label"] for result in results for row in result["results"]
              if row["ok"] is False]
    if missed:
        print(f"FAIL: over the limit: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
