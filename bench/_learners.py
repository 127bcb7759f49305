"""The load benchmark's learners (``bench/load.py``): each a thread with a standard-library
HTTP client that signs in and takes the quiz of ``COURSE`` in a loop, sending a lost form
again unchanged; and the threads that kill gunicorn's workers and probe ``/healthz``."""
import http.client
import os
import random
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from bench._server import HOST

COURSE = "e-id"
PASSWORD = "load-bench-passphrase-2025"
MAX_TRIES = 6  # sends of one quiz form before it is given up (a breach)
HTTP_TIMEOUT = 120.0  # seconds per request (a timeout counts apart from connection errors)
SIGN_IN_LIMIT = 600.0  # seconds for every client to sign in
PROBE_EVERY = 0.5  # seconds between GET /healthz under load
ATTEMPT_PATH = re.compile(rf"^/courses/{re.escape(COURSE)}/attempts/(\d+)$")


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
