"""Benchmark: what one request costs, as a ratio to the stack's limit measured in the same run.

    .venv/bin/python -m bench.pages [--database sqlite|postgresql|both] [--seconds 8]
                                    [--workers CORES] [--no-write]

For each database: the product (``wsgi:app``) and the bare Flask app of ``bench/bare_app.py``
(one read by key; one insert and commit) are both served by gunicorn with the same config
and ``--workers`` sync workers on 127.0.0.1, on databases of their own. ``wrk`` (one thread,
on loopback) then drives each request for ``--seconds``: every learner GET page as a learner
with a long history (60 quiz attempts, a certificate), at 10 connections, against the bare
read; lesson completion and quiz submission at 10 and at 50 connections against the bare
insert at the same concurrency; each group against the mean of the bare app's runs just
before and just after it. Every completion is a new (learner, lesson) pair and every
quiz form carries a new one-time token, so each POST really writes.

Targets (issue "Kick-off day"): a GET page at least 0.5x the bare read's requests/s; a
submission at least 0.35x the bare insert's, and its p99 at 50 connections at most 2x the bare
insert's p99. Any non-2xx/3xx answer is a failure. Signed-in requests carry session cookies
made by the product's own sign-in code (``login_user`` in a request context), so that a
thousand learners need no thousand password hashes before the clock starts.

Writes its table to BENCHMARKS.md (section "Cost per request") unless ``--no-write``; exits
non-zero when a row misses its target. Only loopback is contacted; every run is bounded.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from bench._common import WORKERS, machine, put_block
from bench._load_data import finish_course
from bench._server import (HOST, REPO, Gunicorn, app_environment, database_version, flask_cli,
                           free_port, fresh_pg_database, make_app, pg_port, venv_tool)

BENCHMARKS = REPO / "BENCHMARKS.md"
PG_PORT = "54341"  # as bench.load's: the two never run at the same time
COURSE = "e-id"
HISTORY = 60  # quiz attempts of the learner whose pages are read
# Enough rows that no POST run sends one twice (a second completion or an attempt token
# already used is cheaper than a write): ``verdicts`` flags a run that did.
WRITERS = 3600  # learners per POST run, each with every lesson of the course to complete
QUIZZERS = 60
FORMS_EACH = 300  # quiz forms per quizzer and run, each with its own signed one-time token
GET_TARGET, POST_TARGET, P99_LIMIT = 0.5, 0.35, 2.0
USER_AGENT = "digilit-bench"
LUA = Path(__file__).resolve().parent / "pages.lua"


@dataclass
class Run:
    name: str
    connections: int
    rps: float
    p99_ms: float
    bad: int
    requests: int
    repeated: int = 0  # POSTs sent again because the run outlasted its data file

def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args(argv)


# --- data ---------------------------------------------------------------------------------------

def _answers_body(course, csrf, token):
    """The right answers to the questions ``token`` drew."""
    from digilit.services.quiz_rules import drawn_questions

    fields = [("csrf_token", csrf), ("attempt_token", token)]
    for question in drawn_questions(course, token):
        ids = list(question.correct_ids) if question.type == "order" else sorted(
            question.correct_ids)
        fields += [(f"q-{question.id}", choice) for choice in ids]
    return urlencode(fields, quote_via=quote)


def _signed_in(app, user):
    """``(cookie header, csrf token)`` of a session signed in as ``user``."""
    from flask import g, session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    # The address wrk connects from: the session's identifier (address and browser, checked
    # by session protection) then matches, and the cookie is the one a browser keeps after
    # its first page, not one the site rewrites on every request.
    with app.test_request_context("/", headers={"User-Agent": USER_AGENT},
                                  environ_base={"REMOTE_ADDR": HOST}):
        # Nested in prepare()'s context, this request shares its ``g``: forget the last
        # learner's cached CSRF token and user.
        g.pop("csrf_token", None)
        g.pop("_login_user", None)
        login_user(user)
        csrf = generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", csrf


def prepare(url, folder):
    """Learners and their sessions; returns ``{case: data file}`` for wrk."""
    from sqlmodel import Session, select

    from digilit.content import get_catalog
    from digilit.models import Commune, User
    from digilit.services import accounts, certificates, grading, progress, quiz_rules, rollup

    app = make_app(url)
    engine = app.extensions["digilit.engine"]
    files = {}
    try:
        with app.test_request_context("/", method="POST"), \
                Session(engine, expire_on_commit=False) as db:
            course = get_catalog().get(COURSE)
            commune = db.exec(select(Commune).where(Commune.province_code == 1)
                              .order_by(Commune.code)).first()
            reader = accounts.create_user(
                session=db, username="reader", full_name="Nguyễn Thị Lan",
                password="bench-pages-passphrase-1", province_code=1, commune_code=commune.code)

            def learner(name):
                user = User(username=name, full_name="Trần Văn Minh", role="learner",
                            password_hash=reader.password_hash, province_code=1,
                            commune_code=commune.code)
                db.add(user)
                db.flush()
                rollup.count_for_user(session=db, user=user, learners=1)
                progress.enroll(session=db, user=user, course=course)
                return user

            progress.enroll(session=db, user=reader, course=course)
            finish_course(db, reader, course)
            right = {q.id: list(q.correct_ids) for q in course.questions}
            wrong = {q.id: [] for q in course.questions}
            attempt = None
            for i in range(HISTORY):  # a long history, one pass in three (no pause: no secret)
                attempt = grading.submit_attempt(
                    session=db, user=reader, course=course, token=f"history-{i}",
                    answers=right if i % 3 == 2 else wrong)
            writers = [[learner(f"w{run}x{i:04d}") for i in range(WRITERS)] for run in (0, 1)]
            quizzers = [learner(f"q{i:04d}") for i in range(QUIZZERS)]
            for user in quizzers:
                finish_course(db, user, course)
            db.commit()
            code = certificates.get_for(session=db, user_id=reader.id,
                                        course_slug=COURSE).code
            cookie, csrf = _signed_in(app, reader)
            pages = {
                "catalogue": "/", "course page": f"/courses/{COURSE}",
                "lesson page": f"/courses/{COURSE}/lessons/{course.lessons[0].slug}",
                "quiz form": f"/courses/{COURSE}/quiz",
                "quiz result": f"/courses/{COURSE}/attempts/{attempt.id}",
                "/me": "/me", "certificate": f"/certificates/{code}"}
            for name, path in pages.items():
                files[name] = _write(folder, name, [("GET", path, cookie, "")])
            for run, people in enumerate(writers):
                rows = []
                signed_in = [_signed_in(app, user) for user in people]  # once, as
                for lesson in course.lessons:  # a browser keeps its cookie from page to page
                    for cookie, csrf in signed_in:
                        rows.append(("POST", f"/courses/{COURSE}/lessons/{lesson.slug}/complete",
                                     cookie, urlencode({"csrf_token": csrf})))
                files[f"lesson completion {run}"] = _write(folder, f"complete{run}", rows)
            for run in (0, 1):
                rows = []
                for user in quizzers:  # forms as the quiz page issues them: signed, drawn
                    cookie, csrf = _signed_in(app, user)
                    for _ in range(FORMS_EACH):
                        token = quiz_rules.signed_token(secret=app.config["SECRET_KEY"],
                                                        user_id=user.id, course=course)
                        rows.append(("POST", f"/courses/{COURSE}/quiz", cookie,
                                     _answers_body(course, csrf, token)))
                files[f"quiz submission {run}"] = _write(folder, f"quiz{run}", rows)
    finally:
        engine.dispose()
    return files


def renew_cookies(app, path):
    """The session cookies of a data file, stamped as seen now.

    A session cookie notes when its user was last seen, and the site rewrites it when that is
    a minute old (the idle timeout); a browser then sends the new one. wrk replays the same
    cookies, so cookies made minutes before a run would be rewritten on every request, a cost
    no real visitor causes: each run starts with its cookies stamped just before it (a run
    lasts well under a minute)."""
    from digilit import clock
    from digilit.session_guard import SEEN_AT, SIGNED_IN_AT

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    now, renewed, rows = clock.timestamp(), {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        method, address, cookie, body = line.split("\t")
        if cookie and cookie not in renewed:
            data = serializer.loads(cookie.split("=", 1)[1])
            data[SEEN_AT] = data[SIGNED_IN_AT] = now
            renewed[cookie] = f"{name}={serializer.dumps(data)}"
        rows.append((method, address, renewed.get(cookie, cookie), body))
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")


def _write(folder, name, rows):
    path = Path(folder) / (re.sub(r"\W+", "-", name) + ".tsv")
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


# --- serving and measuring ----------------------------------------------------------------------

class BareGunicorn(Gunicorn):
    """``bench/bare_app.py`` served like the product (same config file, same workers)."""

    def __init__(self, url, workers, log_path):
        env = {**app_environment(url), "BARE_DATABASE_URL": url}
        subprocess.run([sys.executable, "-c", "from bench.bare_app import create_schema; "
                        "create_schema()"], cwd=REPO, env=env, check=True, timeout=300)
        self.port, self.workers, self.log_path = free_port(), workers, log_path
        self.command = [venv_tool("gunicorn"), "--config", "gunicorn.conf.py",
                        "--workers", str(workers), "--bind", f"{HOST}:{self.port}",
                        "bench.bare_app:app"]
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=REPO, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def wait_ready(self, limit=60.0):
        stop = time.monotonic() + limit
        while time.monotonic() < stop:
            if wrk_once(self.port, "/items/1"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"the bare app did not answer; see {self.log_path}")


def check_pages(port, files):
    """Every GET case answers 200 as the signed-in learner (not a redirect to sign in)."""
    import http.client

    for name, path in files.items():
        method, address, cookie, _body = path.read_text().split("\n", 1)[0].split("\t")
        if method != "GET":
            continue
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        connection.request("GET", address, headers={"Cookie": cookie,
                                                    "User-Agent": USER_AGENT})
        status = connection.getresponse().status
        if status != 200:
            raise RuntimeError(f"{name}: {address} answered {status}, not 200")


def wrk_once(port, path):
    import http.client

    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False


def wrk(name, port, data_file, connections, seconds, once=False):
    """One wrk run; ``Run`` with requests/s, p99 and the count of non-2xx/3xx answers; with
    ``once``, also how many requests went past the data file's rows (sent a second time)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency",
               "--timeout", "10s", "-s", str(LUA), f"http://{HOST}:{port}", "--",
               str(data_file)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rows = len(Path(data_file).read_text(encoding="utf-8").splitlines())
    return Run(name, connections, rps, float(p99.group(1)) * scale,
               (int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0),
               requests, max(0, requests - rows) if once else 0)


def measure(url, bare_url, args, folder):
    """Every case against its baseline, on one database."""
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "geo", "import")
    files = prepare(url, folder)
    bare_read = _write(folder, "bare-read", [("GET", f"/items/{i}", "", "")
                                             for i in range(1, 2001, 7)])
    bare_write = _write(folder, "bare-write", [("POST", "/items", "", "name=bench")])
    raw_read = _write(folder, "raw-read", [("GET", f"/raw/items/{i}", "", "")
                                           for i in range(1, 2001, 7)])
    raw_write = _write(folder, "raw-write", [("POST", "/raw/items", "", "name=bench")])
    logs = Path(folder)
    app = make_app(url)  # signs the renewed cookies
    app.extensions["digilit.engine"].dispose()
    product = Gunicorn(url, args.workers, logs / "product.log")
    bare = BareGunicorn(bare_url, args.workers, logs / "bare.log")
    rows = []
    try:
        product.wait_ready()
        bare.wait_ready()
        seconds = args.seconds
        for port, data in ((bare.port, bare_read), (product.port, files["lesson page"])):
            wrk("warm-up", port, data, 10, 2)  # every worker imported and connected
        check_pages(product.port, files)
        rows.append((wrk("bare Flask + driver only: read by key", bare.port, raw_read, 10,
                         seconds), None, None))
        pages = ("catalogue", "course page", "lesson page", "quiz form", "quiz result", "/me",
                 "certificate")

        def read_pages():
            for name in pages:
                renew_cookies(app, files[name])
                yield wrk(name, product.port, files[name], 10, seconds)

        rows += bracketed("bare Flask + SQLAlchemy: read by key", bare.port, bare_read, 10,
                          seconds, read_pages, GET_TARGET)
        for connections, run in ((10, 0), (50, 1)):
            rows.append((wrk("bare Flask + driver only: insert + commit", bare.port, raw_write,
                             connections, seconds), None, None))

            def submissions(connections=connections, run=run):
                for name in ("lesson completion", "quiz submission"):
                    data = files[f"{name} {run}"]
                    renew_cookies(app, data)
                    yield wrk(name, product.port, data, connections, seconds, once=True)

            rows += bracketed("bare Flask + SQLAlchemy: insert + commit", bare.port, bare_write,
                              connections, seconds, submissions, POST_TARGET)
    finally:
        product.stop()
        bare.stop()
    return rows


def bracketed(name, port, data, connections, seconds, product_runs, target):
    """Rows of the product's runs, each divided by the mean of the bare app's runs just before
    and just after them: this shared machine's speed drifts within a run, and every product
    run falls between the two."""
    before = wrk(f"{name}, before", port, data, connections, seconds)
    runs = list(product_runs())
    after = wrk(f"{name}, after", port, data, connections, seconds)
    base = Run(name, connections, (before.rps + after.rps) / 2,
               (before.p99_ms + after.p99_ms) / 2, before.bad + after.bad,
               before.requests + after.requests)
    return [(before, None, None), (after, None, None)] + [(run, base, target) for run in runs]


def verdicts(rows):
    """``[(run, ratio, verdict)]``; a submission at 50 connections also checks its p99."""
    out = []
    for run, base, target in rows:
        if base is None:
            kind = "reference" if "driver only" in run.name else "baseline"
            out.append((run, None, kind if not run.bad else "**errors**"))
            continue
        ratio = run.rps / base.rps if base.rps else 0.0
        misses = []
        if ratio < target:
            misses.append(f"ratio < {target}")
        if run.connections == 50 and run.p99_ms > P99_LIMIT * base.p99_ms:
            misses.append(f"p99 > {P99_LIMIT:g}x bare")
        if run.bad:
            misses.append(f"{run.bad} bad answers")
        if run.repeated:
            misses.append(f"{run.repeated} sent twice: more rows needed")
        out.append((run, ratio, "ok" if not misses else "**" + ", ".join(misses) + "**"))
    return out


def table(results):
    lines = ["| database | request | conn. | req/s | p99 ms | ratio to bare | target | |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for database, rows in results:
        for (run, ratio, verdict), (_r, _b, target) in zip(verdicts(rows), rows):
            lines.append(f"| {database} | {run.name} | {run.connections} | {run.rps:,.0f} | "
                         f"{run.p99_ms:,.1f} | {'—' if ratio is None else f'{ratio:.2f}'} | "
                         f"{'—' if target is None else f'≥ {target}'} | {verdict} |")
    return "\n".join(lines)


def run_sqlite(args):
    with tempfile.TemporaryDirectory(prefix="digilit-pages-") as folder:
        url = f"sqlite:///{Path(folder) / 'product.sqlite3'}"
        rows = measure(url, f"sqlite:///{Path(folder) / 'bare.sqlite3'}", args, folder)
        return f"SQLite {database_version(url)}", rows


def run_postgres(args):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:  # run again under a throw-away server
        port = pg_port(PG_PORT)
        env = {**os.environ, "PGTEST_PORT": port}
        child = [sys.executable, "-m", "bench.pages", "--database", "postgresql",
                 "--seconds", str(args.seconds), "--workers", str(args.workers), "--child"]
        done = subprocess.run(["bash", "scripts/with-postgres.sh", *child], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=3600)
        sys.stderr.write(done.stderr[-4000:])
        marker = done.stdout.rsplit("@@ROWS@@", 1)
        if len(marker) != 2:
            raise RuntimeError("the PostgreSQL run left no figures:\n" + done.stdout[-2000:])
        import json

        name, rows = json.loads(marker[1])
        return name, [(Run(**r), Run(**b) if b else None, t) for r, b, t in rows]
    with tempfile.TemporaryDirectory(prefix="digilit-pages-pg-") as folder:
        product = fresh_pg_database(url, "digilit_pages")
        rows = measure(product, fresh_pg_database(url, "digilit_bare"), args, folder)
        return f"PostgreSQL {database_version(product)}", rows


def section(results, command, workers):
    return "\n".join([
        "## Cost per request (`bench/pages.py`)", "",
        "Each request driven by wrk (1 thread, loopback) for a few seconds against gunicorn "
        f"({workers} sync workers), beside a bare Flask app served the same way on a database of its "
        "own (`bench/bare_app.py`: one read by key; one insert and commit), measured in the "
        "same run; each group of the product's runs is divided by the mean of the bare app's "
        "runs just before and just after it. GET pages are read as a learner with 60 quiz "
        "attempts and a certificate; every POST writes something new. Targets: GET ≥ 0.5× the bare read, submissions "
        "≥ 0.35× the bare insert at the same concurrency with p99 at 50 connections ≤ 2× "
        "the bare insert's.", "",
        f"- Command: `{command}`.",
        f"- Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"load average after the run {', '.join(f'{v:.1f}' for v in os.getloadavg())}.",
        "", table(results), ""])


def write_markdown(text):
    current = BENCHMARKS.read_text(encoding="utf-8")
    BENCHMARKS.write_text(put_block(current, "bench.pages", text), encoding="utf-8")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    child = "--child" in argv
    args = parse_args([a for a in argv if a != "--child"])
    if shutil.which("wrk") is None:
        print("wrk is missing: `make bench` installs it (scripts/install-system-deps.sh)",
              file=sys.stderr)
        return 1
    results = []
    for name, run in (("sqlite", run_sqlite), ("postgresql", run_postgres)):
        if args.database in ("both", name):
            results.append(run(args))
    if child:
        import dataclasses
        import json

        name, rows = results[0]
        print("@@ROWS@@" + json.dumps([name, [(dataclasses.asdict(r), dataclasses.asdict(b)
                                                if b else None, t) for r, b, t in rows]]))
        return 0
    command = " ".join([".venv/bin/python -m bench.pages", *map(shlex.quote, argv)]).strip()
    print(table(results))
    if not args.no_write:
        write_markdown(section(results, command, args.workers))
        print(f"written to {BENCHMARKS}")
    missed = [v for _n, rows in results for _r, _x, v in verdicts(rows)
              if v not in ("ok", "baseline", "reference")]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
