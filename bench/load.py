"""Benchmark: learners taking the quiz under load, then while gunicorn workers are killed.

    .venv/bin/python -m bench.load [--database sqlite|postgresql|both] [--seconds 300]
                                   [--clients 200] [--workers CORES] [--kill-every 10]
    make bench-load                 # the same, full size

For each database: a fresh database (SQLite: a file in a temporary folder; PostgreSQL: a new
database ``digilit_load`` on the ``TEST_DATABASE_URL`` server, or, without it, this module runs
itself again under ``scripts/with-postgres.sh`` on port 54341, or on a free port if that one is
taken), migrated with ``flask --app wsgi db upgrade`` and ``geo import``; ``--clients``
learners created through the services (one real password hash, reused) with every lesson of
course ``e-id`` done; gunicorn with ``--workers`` workers on 127.0.0.1 and a free port. Then two phases of ``--seconds``
each, every client a thread that signs in (before the clock starts) and loops: GET the quiz,
POST the right answers (from the course files; every third attempt one answer wrong), GET the
result. An attempt counts as acknowledged only on a 302 to ``/courses/e-id/attempts/<id>``;
on a connection error or a 5xx the *same* form (same ``attempt_token``) is sent again, up to
``MAX_TRIES`` times. Phase 2 also kills one gunicorn worker with SIGKILL every
``--kill-every`` seconds (the master starts a new one).

After each phase: the stored attempts must be exactly the acknowledged ones (same ids, tokens
and scores; no duplicate token), the national ``attempts`` counter must equal them, and on
SQLite ``PRAGMA integrity_check`` must say ``ok``; no 5xx, no "database is locked" (nor any
traceback) in gunicorn's error log, no attempt left unacknowledged, no unexpected response.
Prints a table per database and phase, with the p50 of ``GET /healthz`` measured in the same
run (idle, before the phase, and under load) as the baseline; writes it to BENCHMARKS.md
(section "Load and faults", one block per database; the rest of the file is kept); exits
non-zero on any breach.

Only loopback (127.0.0.1) is ever contacted; every loop is bounded in time.

``python -m bench`` (``make bench``) discovers this module too: run that way (it calls
``main([])`` from ``bench.__main__``), it takes a modest profile, ``QUICK_ARGS`` (30 s per
phase, 50 clients, both databases), checks the same invariants, prints its figures and leaves
BENCHMARKS.md alone, so that ``make bench`` stays short and the full-size figures recorded by
``make bench-load`` are not replaced by a smaller run's.
"""
import argparse
import http.client
import json
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench._common import WORKERS, machine, put_block, report_breaches

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "BENCHMARKS.md"
HOST = "127.0.0.1"  # loopback only, never anything else
PG_PORT = "54341"
COURSE = "e-id"
PASSWORD = "load-bench-passphrase-2025"
SECRET_KEY = "bench-load-secret-key"
MAX_TRIES = 6  # sends of one quiz form before it is given up (a breach)
HTTP_TIMEOUT = 120.0  # seconds per request (a timeout counts apart from connection errors)
SIGN_IN_LIMIT = 600.0  # seconds for every client to sign in
GRACE = 420.0  # seconds past the deadline for the last clients to finish their attempt
IDLE_HEALTHZ = 50  # sequential GET /healthz before each phase (after WARM_UP): the baseline
WARM_UP = 10
PROBE_EVERY = 0.5  # seconds between GET /healthz under load
QUICK_ARGS = ["--seconds", "30", "--clients", "50"]
ATTEMPT_PATH = re.compile(rf"^/courses/{re.escape(COURSE)}/attempts/(\d+)$")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.load",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=200, help="concurrent learners")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    parser.add_argument("--kill-every", type=float, default=10.0,
                        help="seconds between worker kills in phase 2 (0: no phase 2)")
    parser.add_argument("--output", type=Path, default=BENCHMARKS,
                        help="the Markdown file to update (default BENCHMARKS.md)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--json", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--command", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.workers < 1 or args.kill_every < 0:
        parser.error("--clients, --seconds and --workers must be positive, --kill-every >= 0")
    return args


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- HTTP client (standard library only) -------------------------------------------------------

class FormParser(HTMLParser):
    """The hidden inputs of a page (``{name: value}``) and the quiz's fields (``q-...``):
    ``{name: [values]}`` of the options each offers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden, self.options, self._select = {}, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        quiz_field = bool(name) and name.startswith("q-")
        if tag == "input" and name:
            if attrs.get("type") == "hidden":
                self.hidden[name] = attrs.get("value") or ""
            elif attrs.get("type") in ("radio", "checkbox") and quiz_field:
                self.options.setdefault(name, []).append(attrs.get("value"))
        elif tag == "select" and quiz_field:
            self._select = name
            self.options.setdefault(name, [])
        elif tag == "option" and self._select and attrs.get("value"):
            if attrs["value"] not in self.options[self._select]:
                self.options[self._select].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def parse_form(body):
    parser = FormParser()
    parser.feed(body.decode("utf-8", "replace"))
    return parser


class Recorder:
    """Every response of a phase: status counts per kind of request, and latencies."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()  # (kind, HTTP status, or "error" or "timeout")
        self.latencies = {}  # kind: [ms]
        self.notes = Counter()  # things that went wrong, by description

    def add(self, kind, status, ms):
        with self.lock:
            self.counts[(kind, status)] += 1
            if not isinstance(status, str):
                self.latencies.setdefault(kind, []).append(ms)

    def note(self, what):
        with self.lock:
            self.notes[what] += 1

    def total(self, kinds=None, status=None):
        with self.lock:
            return sum(n for (k, s), n in self.counts.items()
                       if (kinds is None or k in kinds) and (status is None or status(s)))


@dataclass
class Response:
    status: int
    location: str
    body: bytes


class Client:
    """One learner's browser: cookies, one connection per request (gunicorn's sync workers
    close it anyway), no redirects followed."""

    def __init__(self, port, recorder):
        self.port, self.recorder, self.cookies = port, recorder, {}

    def request(self, kind, method, path, fields=None):
        headers = {"Connection": "close", "Accept-Language": "vi",
                   "User-Agent": "digilit-bench-load"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
        except TimeoutError:
            self.recorder.add(kind, "timeout", 0.0)
            return None
        except (OSError, http.client.HTTPException):
            self.recorder.add(kind, "error", 0.0)
            return None
        finally:
            connection.close()
        self.recorder.add(kind, reply.status, (time.perf_counter() - started) * 1000)
        for cookie in reply.headers.get_all("Set-Cookie") or ():
            pair, *attributes = cookie.split(";")
            name, _sep, value = pair.strip().partition("=")
            if any(a.strip().lower() == "max-age=0" for a in attributes):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Response(reply.status, urlsplit(reply.getheader("Location") or "").path, data)


# --- one client ---------------------------------------------------------------------------------

@dataclass
class Shared:
    """What the clients of one phase share."""

    port: int
    recorder: Recorder
    answers: dict  # field name: (right values, a wrong value or None)
    go: threading.Event = field(default_factory=threading.Event)
    deadline: float = 0.0
    signed_in: int = 0
    sign_in_failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict = field(default_factory=dict)  # token: (attempt id, expected score)
    abandoned: list = field(default_factory=list)  # tokens never acknowledged
    attempts_sent: int = 0


def sign_in(client, username):
    for attempt in range(MAX_TRIES):
        if attempt:
            time.sleep(0.5 * attempt)
        page = client.request("GET /auth/login", "GET", "/auth/login")
        if page is None or page.status != 200:
            continue
        csrf = parse_form(page.body).hidden.get("csrf_token")
        reply = client.request("POST /auth/login", "POST", "/auth/login", [
            ("csrf_token", csrf), ("username", username), ("password", PASSWORD)])
        if reply is not None and reply.status == 302 and reply.location == "/me":
            return True
        if reply is not None and reply.status < 500:
            client.recorder.note(f"sign-in answered {reply.status} -> {reply.location or '-'}")
            return False
    return False


def build_answers(shared, form, wrong):
    """The fields to send, or None if the form does not offer what the course files say."""
    fields = [("csrf_token", form.hidden.get("csrf_token", "")),
              ("attempt_token", form.hidden.get("attempt_token", ""))]
    drawn = set(form.options)  # the questions this attempt drew from the course's bank
    if not drawn or not drawn <= set(shared.answers) or not all(v for _n, v in fields):
        return None, 0
    score = len(drawn)
    for name in sorted(drawn):
        right, wrong_value = shared.answers[name]
        offered = form.options[name]
        if not set(right) <= set(offered):
            return None, 0
        if wrong and wrong_value is not None:
            values, wrong, score = [wrong_value], False, score - 1
        else:
            values = right
        fields += [(name, value) for value in values]
    return fields, score


def take_quiz(client, shared, wrong):
    """One attempt: GET the form, POST it (again, the same form, on an error or a 5xx)."""
    page = client.request("GET quiz", "GET", f"/courses/{COURSE}/quiz")
    if page is None or page.status >= 500:
        time.sleep(0.2)
        return
    if page.status != 200:
        shared.recorder.note(f"GET quiz answered {page.status} -> {page.location or '-'}")
        time.sleep(1.0)
        return
    form = parse_form(page.body)
    fields, score = build_answers(shared, form, wrong)
    if fields is None:
        shared.recorder.note("the quiz form does not match the course files")
        time.sleep(1.0)
        return
    token = form.hidden["attempt_token"]
    with shared.lock:
        shared.attempts_sent += 1
    for attempt in range(MAX_TRIES):
        if attempt:
            shared.recorder.note("quiz POST sent again (same form)")
            time.sleep(0.3 * attempt)
        reply = client.request("POST quiz", "POST", f"/courses/{COURSE}/quiz", fields)
        if reply is None or reply.status >= 500:
            continue
        match = ATTEMPT_PATH.match(reply.location) if reply.status == 302 else None
        if match is None:
            shared.recorder.note(f"quiz POST answered {reply.status} -> {reply.location or '-'}")
            break
        attempt_id = int(match.group(1))
        with shared.lock:
            before = shared.acknowledged.setdefault(token, (attempt_id, score))
        if before != (attempt_id, score):
            shared.recorder.note("one token acknowledged with two attempt ids")
        client.request("GET result", "GET", reply.location)
        return
    with shared.lock:
        shared.abandoned.append(token)


def run_client(shared, username):
    client = Client(shared.port, shared.recorder)
    ok = sign_in(client, username)
    with shared.lock:
        if ok:
            shared.signed_in += 1
        else:
            shared.sign_in_failed += 1
    if not ok or not shared.go.wait(SIGN_IN_LIMIT + 60):
        return
    n = 0
    while time.monotonic() < shared.deadline:
        n += 1
        take_quiz(client, shared, wrong=(n % 3 == 0))


# --- gunicorn -----------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def venv_tool(name):
    tool = Path(sys.executable).parent / name
    return str(tool) if tool.exists() else name


def app_environment(url):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    env.pop("TEST_DATABASE_URL", None)
    return env


def flask_cli(url, *args):
    command = [venv_tool("flask"), "--app", "wsgi", *args]
    done = subprocess.run(command, cwd=REPO, env=app_environment(url), capture_output=True,
                          text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed:\n{done.stdout}\n{done.stderr}")


class Gunicorn:
    def __init__(self, url, workers, log_path):
        self.port, self.workers, self.log_path = free_port(), workers, log_path
        self.command = [venv_tool("gunicorn"), "--config", "gunicorn.conf.py",
                        "--workers", str(workers), "--bind", f"{HOST}:{self.port}", "wsgi:app"]
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=REPO, env=app_environment(url),
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def worker_pids(self):
        """The master's children: /proc/<pid>/task/*/children, else ``ps --ppid``."""
        pids = set()
        try:
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                pids.update(int(p) for p in (task / "children").read_text().split())
            return sorted(pids)
        except OSError:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                                 capture_output=True, text=True).stdout
            return sorted(int(p) for p in out.split())

    def wait_ready(self, limit=120.0):
        """Until /healthz answers 200 and every worker runs; bounded."""
        stop = time.monotonic() + limit
        while time.monotonic() < stop:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            reply = Client(self.port, Recorder()).request("ready", "GET", "/healthz")
            if reply is not None and reply.status == 200 and \
                    len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn not ready after {limit:.0f} s; see {self.log_path}")

    def log_size(self):
        self.log.flush()
        return self.log_path.stat().st_size

    def log_since(self, offset):
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def stop(self):
        if self.process.poll() is None:
            workers = self.worker_pids()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                for pid in [self.process.pid, *workers]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.process.wait(timeout=10)
        self.log.close()


class Killer(threading.Thread):
    """SIGKILL one worker (chosen at random) every ``every`` seconds until stopped."""

    def __init__(self, server, every):
        super().__init__(daemon=True)
        self.server, self.every, self.stopped = server, every, threading.Event()
        self.kills, self.rng = [], random.Random(2025)

    def run(self):
        while not self.stopped.wait(self.every):
            pids = self.server.worker_pids()
            if not pids:
                continue
            pid = self.rng.choice(pids)
            try:
                os.kill(pid, signal.SIGKILL)
                self.kills.append(pid)
            except ProcessLookupError:
                pass


class Prober(threading.Thread):
    """GET /healthz every ``PROBE_EVERY`` seconds until stopped: latency under load."""

    def __init__(self, port, recorder):
        super().__init__(daemon=True)
        self.client, self.stopped = Client(port, recorder), threading.Event()

    def run(self):
        while not self.stopped.wait(PROBE_EVERY):
            self.client.request("GET /healthz (under load)", "GET", "/healthz")


# --- database -----------------------------------------------------------------------------------

def make_app(url):
    from digilit import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})


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


def fresh_pg_database(url, name="digilit_load"):
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def database_version(url):
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT sqlite_version()" if engine.dialect.name == "sqlite"
                else "SHOW server_version")).scalar_one()
    finally:
        engine.dispose()


# --- one phase ----------------------------------------------------------------------------------

def percentile(values, share):
    """Nearest-rank percentile; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def idle_healthz(port):
    recorder = Recorder()
    client = Client(port, recorder)
    for _ in range(WARM_UP):
        client.request("warm-up", "GET", "/healthz")
    for _ in range(IDLE_HEALTHZ):
        client.request("GET /healthz (idle)", "GET", "/healthz")
    return percentile(recorder.latencies.get("GET /healthz (idle)", []), 50)


def run_phase(name, server, usernames, answers, seconds, kill_every, total_acked,
              url):
    """One phase; returns its figures (``total_acked``, every acknowledgement of the run on
    this database, is updated)."""
    baseline = idle_healthz(server.port)
    recorder = Recorder()
    shared = Shared(port=server.port, recorder=recorder, answers=answers)
    log_offset = server.log_size()
    threads = [threading.Thread(target=run_client, args=(shared, u), daemon=True)
               for u in usernames]
    say(f"{name}: {len(threads)} clients signing in ...")
    for thread in threads:
        thread.start()
    sign_in_started = time.monotonic()
    stop = sign_in_started + SIGN_IN_LIMIT
    while shared.signed_in + shared.sign_in_failed < len(threads) and time.monotonic() < stop:
        time.sleep(0.2)
    sign_in_seconds = time.monotonic() - sign_in_started
    sign_in_counts = Counter({k: n for k, n in recorder.counts.items()})
    say(f"{name}: {shared.signed_in} signed in, {shared.sign_in_failed} failed; "
        f"load for {seconds:.0f} s" + (f", a worker killed every {kill_every:g} s"
                                       if kill_every else ""))
    started = time.monotonic()
    shared.deadline = started + seconds
    prober, killer = Prober(server.port, recorder), None
    prober.start()
    if kill_every:
        killer = Killer(server, kill_every)
        killer.start()
    shared.go.set()
    next_report = started + 30
    while time.monotonic() < shared.deadline:
        time.sleep(0.5)
        if time.monotonic() >= next_report:
            next_report += 30
            say(f"{name}: {time.monotonic() - started:.0f} s, "
                f"{recorder.total() - sum(sign_in_counts.values())} requests, "
                f"{len(shared.acknowledged)} attempts acknowledged, "
                f"{recorder.total(status=lambda s: s == 'error')} connection errors, "
                f"{recorder.total(status=lambda s: s == 'timeout')} timeouts, "
                f"{recorder.total(status=lambda s: not isinstance(s, str) and s >= 500)} 5xx"
                + (f", {len(killer.kills)} workers killed" if killer else ""))
    if killer:
        killer.stopped.set()
        killer.join()
    finish_by = time.monotonic() + GRACE
    for thread in threads:
        thread.join(max(0.0, finish_by - time.monotonic()))
    elapsed = time.monotonic() - started
    prober.stopped.set()
    prober.join()
    still_running = sum(1 for thread in threads if thread.is_alive())
    try:
        server.wait_ready(60)  # the master has replaced every killed worker
        respawned = True
    except RuntimeError:
        respawned = False
    time.sleep(0.5)
    log = server.log_since(log_offset)

    with shared.lock:
        acknowledged = dict(shared.acknowledged)
        abandoned = list(shared.abandoned)
    for token, value in acknowledged.items():
        total_acked.setdefault(token, value)
    check = check_database(url, total_acked, abandoned)

    loop_counts = recorder.counts - sign_in_counts
    timed_requests = sum(n for (kind, _s), n in loop_counts.items()
                         if not kind.startswith("GET /healthz"))
    errors_5xx = sum(n for (_k, s), n in recorder.counts.items()
                     if not isinstance(s, str) and s >= 500)
    connection_errors = sum(n for (_k, s), n in recorder.counts.items() if s == "error")
    timeouts = sum(n for (_k, s), n in recorder.counts.items() if s == "timeout")
    posts = recorder.latencies.get("POST quiz", [])
    under_load = recorder.latencies.get("GET /healthz (under load)", [])
    result = {
        "phase": name, "seconds": round(elapsed, 1), "clients": len(usernames),
        "kill_every": kill_every, "kills": len(killer.kills) if killer else 0,
        "signed_in": shared.signed_in, "sign_in_failed": shared.sign_in_failed,
        "sign_in_seconds": round(sign_in_seconds, 1),
        "requests": timed_requests, "rps": timed_requests / elapsed if elapsed else 0.0,
        "post_p50": percentile(posts, 50), "post_p95": percentile(posts, 95),
        "posts": len(posts), "attempts_sent": shared.attempts_sent,
        "errors_5xx": errors_5xx, "connection_errors": connection_errors,
        "timeouts": timeouts,
        "locked": log.count("database is locked"), "tracebacks": log.count("Traceback"),
        "worker_timeouts": log.count("WORKER TIMEOUT"),
        "acknowledged_phase": len(acknowledged), "abandoned": len(abandoned),
        "still_running": still_running, "respawned": respawned,
        "healthz_idle_p50": baseline, "healthz_load_p50": percentile(under_load, 50),
        "statuses": {f"{kind} {status}": n for (kind, status), n in
                     sorted(recorder.counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))},
        "notes": dict(recorder.notes),
        **check,
    }
    result["breaches"] = breaches(result)
    return result


def breaches(r):
    found = []
    if r["errors_5xx"]:
        found.append(f"{r['errors_5xx']} responses 5xx")
    if r["locked"]:
        found.append(f'{r["locked"]} "database is locked" in the error log')
    if r["tracebacks"]:
        found.append(f"{r['tracebacks']} tracebacks in the error log")
    if r["stored"] != r["acknowledged"]:
        found.append(f"{r['stored']} attempts stored, {r['acknowledged']} acknowledged")
    for key, what in (("missing", "acknowledged attempts not stored"),
                      ("unacknowledged_stored", "stored attempts never acknowledged"),
                      ("mismatched", "stored attempts whose token or score differ"),
                      ("duplicate_tokens", "duplicate tokens"),
                      ("abandoned", "quiz forms given up unacknowledged"),
                      ("still_running", "clients still running after the grace time"),
                      ("sign_in_failed", "clients that could not sign in")):
        if r[key]:
            found.append(f"{r[key]} {what}")
    if r["acknowledged_ids"] != r["acknowledged"]:
        found.append("two tokens acknowledged with the same attempt id")
    if r["counter"] != r["stored"]:
        found.append(f"national attempts counter {r['counter']} != {r['stored']} stored")
    if r["integrity"] not in ("ok", "n/a"):
        found.append(f"integrity check: {r['integrity']}")
    if not r["acknowledged_phase"]:
        found.append("no attempt acknowledged")
    if not r["kill_every"] and r["connection_errors"]:
        found.append(f"{r['connection_errors']} connection errors without any fault injected")
    if r["kill_every"] and r["seconds"] > r["kill_every"] and not r["kills"]:
        found.append("no worker was killed")
    if not r["respawned"]:
        found.append("gunicorn did not get all its workers back")
    unexpected = {k: n for k, n in r["notes"].items() if "sent again" not in k}
    if unexpected:
        found.append("unexpected: " + ", ".join(f"{k} ({n})" for k, n in unexpected.items()))
    return found


# --- one database -------------------------------------------------------------------------------

def run_database(url, label, args, folder):
    say(f"{label}: migrating and importing the geography ...")
    started = time.perf_counter()
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "geo", "import")
    say(f"{label}: {time.perf_counter() - started:.0f} s; creating {args.clients} learners ...")
    started = time.perf_counter()
    usernames = create_learners(url, args.clients)
    setup_seconds = time.perf_counter() - started
    say(f"{label}: learners ready in {setup_seconds:.0f} s; starting gunicorn ...")
    answers, _questions = right_answers()
    server = Gunicorn(url, args.workers, Path(folder) / f"gunicorn-{label}.log")
    phases, total_acked = [], {}
    try:
        server.wait_ready()
        say(f"{label}: gunicorn on {HOST}:{server.port}, {args.workers} workers "
            f"(error log {server.log_path})")
        plan = [("1 plain", 0.0)]
        if args.kill_every:
            plan.append((f"2 kill -9 every {args.kill_every:g} s", args.kill_every))
        for name, kill_every in plan:
            result = run_phase(name, server, usernames, answers, args.seconds,
                               kill_every, total_acked, url)
            phases.append(result)
            say(f"{label}: phase {name}: " + ("ok" if not result["breaches"] else
                                               "BREACH: " + "; ".join(result["breaches"])))
    finally:
        server.stop()
    return {"database": label, "version": database_version(url), "url_kind": url.split(":")[0],
            "clients": args.clients, "workers": args.workers, "seconds": args.seconds,
            "learners_seconds": setup_seconds, "phases": phases,
            "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load": os.getloadavg()}


def run_sqlite(args):
    with tempfile.TemporaryDirectory(prefix="digilit-load-") as folder:
        url = f"sqlite:///{Path(folder) / 'load.sqlite3'}"
        return run_database(url, "SQLite", args, folder)


def pg_port():
    """``PG_PORT``, or a free port when something already listens there (say so)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, int(PG_PORT)))
            return PG_PORT
        except OSError:
            pass
    port = str(free_port())
    say(f"port {PG_PORT} is taken on {HOST}: the PostgreSQL server goes on port {port}")
    return port


def run_postgres(args):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with tempfile.TemporaryDirectory(prefix="digilit-load-") as folder:
            result = run_database(fresh_pg_database(url), "PostgreSQL", args, folder)
        result.setdefault("pg_server", "the `TEST_DATABASE_URL` server")
        return result
    port = pg_port()
    with tempfile.TemporaryDirectory(prefix="digilit-load-pg-") as folder:
        out = Path(folder) / "result.json"
        child = [sys.executable, "-m", "bench.load", "--database", "postgresql", "--no-write",
                 "--seconds", str(args.seconds), "--clients", str(args.clients),
                 "--workers", str(args.workers), "--kill-every", str(args.kill_every),
                 "--json", str(out)]
        env = {**os.environ, "PGTEST_PORT": port}
        env.pop("TEST_DATABASE_URL", None)
        # The child's exit status also reflects breaches: its figures are judged here.
        subprocess.run(["bash", "scripts/with-postgres.sh", *child], cwd=REPO, env=env,
                       timeout=6 * 3600)
        if not out.exists():
            raise RuntimeError("the PostgreSQL run left no figures")
        result = json.loads(out.read_text())
    result["pg_server"] = (f"a throw-away server from `PGTEST_PORT={port} bash "
                           "scripts/with-postgres.sh`, started by this command")
    return result


# --- reporting ----------------------------------------------------------------------------------

def _ms(value):
    return "—" if value is None else f"{value:.0f}"


def table(results):
    lines = ["| database | phase | requests | req/s | quiz POST p50 ms | quiz POST p95 ms | "
             "5xx | conn. errors / timeouts | workers killed | \"database is locked\" | "
             "acknowledged so far | stored | attempts counter | integrity | "
             "/healthz p50 ms idle | /healthz p50 ms under load | |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    for result in results:
        for p in result["phases"]:
            verdict = "ok" if not p["breaches"] else "**breach**"
            lines.append(
                f"| {result['database']} | {p['phase']} | {p['requests']:,} | {p['rps']:.1f} | "
                f"{_ms(p['post_p50'])} | {_ms(p['post_p95'])} | {p['errors_5xx']} | "
                f"{p['connection_errors']} / {p['timeouts']} | {p['kills']} | {p['locked']} | "
                f"{p['acknowledged']:,} | {p['stored']:,} | {p['counter']:,} | "
                f"{p['integrity']} | {_ms(p['healthz_idle_p50'])} | "
                f"{_ms(p['healthz_load_p50'])} | {verdict} |")
    return "\n".join(lines)


def details(result):
    lines = []
    for p in result["phases"]:
        resent = p["notes"].get("quiz POST sent again (same form)", 0)
        lines.append(
            f"- {result['database']}, phase {p['phase']}: {p['signed_in']} clients signed in "
            f"at once in {p.get('sign_in_seconds', 0):.0f} s (before the clock), then "
            f"{p['seconds']:.0f} s, "
            f"{p['attempts_sent']:,} quiz forms sent ({resent} sent again after a lost "
            f"connection or a 5xx), {p['acknowledged_phase']:,} acknowledged, "
            f"{p['abandoned']} given up; {p['tracebacks']} tracebacks and "
            f"{p['worker_timeouts']} worker timeouts in the error log"
            + (f"; breaches: {'; '.join(p['breaches'])}" if p["breaches"] else "") + ".")
    return lines


def section(result, command):
    load = ", ".join(f"{value:.1f}" for value in result["load"])
    pg = (f" (PostgreSQL: {result.get('pg_server', 'the TEST_DATABASE_URL server')}, "
          "database `digilit_load`)" if result["database"] == "PostgreSQL" else "")
    return "\n".join([
        f"### {result['database']} {result['version']}",
        "",
        f"- Command: `{command}`{pg}.",
        f"- Measured {result['measured_at']} on {machine()}; load average after the run "
        f"{load} (client threads, gunicorn and the database share the machine).",
        f"- {result['clients']} clients (threads, standard library HTTP), gunicorn "
        f"`--workers {result['workers']}` (sync) on 127.0.0.1; {result['seconds']:g} s per "
        f"phase; learners created in {result['learners_seconds']:.0f} s.",
        *details(result),
        "",
        table([result]),
        "",
    ])


HEADER = """# Benchmarks

Figures from the scripts in `bench/` (`make bench` runs them all). Ratios divide by the
baseline measured in the same run (`GET /healthz`: one `SELECT 1`), so that they can be
compared across machines and busy moments.
"""
BEGIN, END = "<!-- bench.load: begin -->", "<!-- bench.load: end -->"
INTRO = ("Learners sign in and take the quiz of `e-id` in a loop (GET the form, POST it, GET "
         "the result) against gunicorn on loopback; phase 1 plain, phase 2 while one worker is "
         "killed with SIGKILL every few seconds. A quiz form whose POST is lost (connection "
         "error or 5xx) is sent again unchanged (same one-time attempt token). Required after "
         "each phase: every acknowledged attempt (302 to its result page) stored exactly once "
         "and nothing else stored, the national attempts counter equal to them, no 5xx, no "
         "\"database is locked\", SQLite's `PRAGMA integrity_check` ok. Latencies are per HTTP "
         "request and include the wait in gunicorn's queue (200 clients, 4 workers); "
         "requests/s counts the timed loop only (not the sign-ins, not the /healthz probe).")


def update_markdown(path, results, command):
    """Replace this benchmark's block of each database measured; keep everything else."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if BEGIN not in text:
        text = text.rstrip("\n") + "\n\n" + "\n".join([
            BEGIN, "## Load and faults (`bench/load.py`)", "", textwrap.fill(INTRO, 96), "",
            END]) + "\n"
    for result in results:
        text = put_block(text, f"bench.load {result['database']}", section(result, command),
                         before=END)
    path.write_text(text, encoding="utf-8")


def _run_by_bench_runner():
    main_module = sys.modules.get("__main__")
    spec = getattr(main_module, "__spec__", None)
    return spec is not None and spec.name in ("bench.__main__", "bench")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    quick = not argv and _run_by_bench_runner()
    if quick:
        argv = [*QUICK_ARGS, "--no-write"]
        print(f"(run by `python -m bench`: modest profile {' '.join(QUICK_ARGS)}; "
              "`make bench-load` runs the full size)", flush=True)
    args = parse_args(argv)
    command = args.command or " ".join(
        [".venv/bin/python -m bench.load", *map(shlex.quote, argv)]).strip()
    results, failed = [], False
    for name, run in (("sqlite", run_sqlite), ("postgresql", run_postgres)):
        if args.database not in ("both", name):
            continue
        try:
            results.append(run(args))
        except Exception as error:  # noqa: BLE001 - keep the other database's figures
            import traceback

            traceback.print_exc()
            print(f"FAIL: {name}: {error!r}", file=sys.stderr, flush=True)
            failed = True
    if args.json and results:
        args.json.write_text(json.dumps(results[-1]))
    if results and not args.json:  # a child run's figures are printed by its parent
        print()
        print(table(results))
        for result in results:
            for line in details(result):
                print(line)
        print(flush=True)
    if not args.no_write and results:
        update_markdown(args.output, results, command)
        print(f"written to {args.output}")
    breached = [f"{r['database']} phase {p['phase']}: {b}" for r in results
                for p in r["phases"] for b in p["breaches"]]
    return report_breaches(breached, failed)


if __name__ == "__main__":
    sys.exit(main())
