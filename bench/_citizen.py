"""One simulated citizen of the kick-off (``bench/kickoff.py``), as an asyncio task.

A citizen arrives at a venue (its address goes in ``X-Forwarded-For``), registers or signs in
with the PIN from the team's login card (then chooses a password, as the site requires), reads
every lesson of the course (GET the lesson, POST "done"), goes through its practices (each
step's page, then a good choice), takes the quiz (some fail first, then pass) and opens the
certificate, thinking a few seconds between pages.

A request lost to a connection error or a 5xx is sent again, the same form unchanged (the quiz
form keeps its ``attempt_token``), so that a submission counts once whatever happens; every
acknowledgement is written down for the database check afterwards.
"""
import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from bench._http import Browser
from bench._learners import ATTEMPT_PATH, COURSE, parse_form

MAX_TRIES = 6  # sends of one request before the citizen gives up (a breach)
MAX_BUSY = 10  # "busy" answers (503 with Retry-After) waited out for one request
CERTIFICATE = re.compile(rb'href="/certificates/([A-Za-z0-9_-]+)"')


@dataclass
class Person:
    """Who arrives: a team member with a PIN (``pin`` set) or someone who registers."""

    number: int
    username: str
    address: str
    area: tuple  # (province code, commune code) of the venue, for a registration
    pin: str = None
    fails_first: bool = False

    @property
    def password(self):
        return f"Kickoff-{self.username}-Hanoi-2026"  # not a common password, never logged


@dataclass
class Run:
    """What the citizens of one run share, and what they leave behind."""

    port: int
    recorder: object  # bench._learners.Recorder
    answers: dict  # quiz field name: (right values, a wrong value or None)
    lessons: list  # lesson slugs, in order
    practices: list = field(default_factory=list)  # (practice slug, [(step id, choice id)])
    think: tuple = (1.0, 4.0)  # seconds between pages: uniform in [low, high]
    stop_at: float = None  # monotonic time after which citizens stop between pages
    seed: int = 2026
    active: int = 0
    peak: int = 0
    outcomes: Counter = field(default_factory=Counter)
    quiz_acks: dict = field(default_factory=dict)  # attempt token: (attempt id, score)
    lesson_acks: set = field(default_factory=set)  # (username, lesson slug)
    given_up: list = field(default_factory=list)  # submissions never acknowledged

    def stopping(self):
        return self.stop_at is not None and time.monotonic() >= self.stop_at


class Stop(Exception):
    """The citizen's visit ends here; the message says why (an outcome)."""


class Citizen:
    def __init__(self, run, person):
        self.run, self.person = run, person
        self.browser = Browser(run.port, run.recorder, person.address)
        self.rng = random.Random(run.seed * 100_003 + person.number)

    async def think(self):
        if self.run.stopping():
            raise Stop("stopped at the end of the run")
        await asyncio.sleep(self.rng.uniform(*self.run.think))

    async def send(self, kind, method, path, fields=None):
        """One request, sent again (unchanged) after a connection error or a 5xx; returns the
        reply and how many sends it took. The site's "busy, try again in a minute" (503 with
        Retry-After) is waited out as a person would, up to ``MAX_BUSY`` times."""
        attempt = busy = 0
        while attempt < MAX_TRIES:
            reply = await self.browser.request(kind, method, path, fields)
            if reply is not None and reply.status < 500:
                return reply, attempt + busy + 1
            if reply is not None and reply.status == 503 and reply.retry_after is not None \
                    and busy < MAX_BUSY:
                busy += 1
                self.run.recorder.note(f"{kind} sent again after the busy page")
                await asyncio.sleep(self.rng.uniform(0.5, 1.0) * reply.retry_after)
                continue
            attempt += 1
            if attempt < MAX_TRIES:
                self.run.recorder.note(f"{kind} sent again")
                # A person waits a little before pressing again, longer each time.
                await asyncio.sleep(self.rng.uniform(1.0, 3.0) * attempt)
        if method == "POST":
            self.run.given_up.append(kind)
        raise Stop(f"gave up: {kind}")

    async def page(self, kind, path, expect=200):
        reply, _tries = await self.send(kind, "GET", path)
        if reply.status != expect:
            self.run.recorder.note(f"{kind} answered {reply.status} -> {reply.location or '-'}")
            raise Stop(f"unexpected answer to {kind}")
        return reply

    async def post(self, kind, path, fields, location=None):
        reply, tries = await self.send(kind, "POST", path, fields)
        if location is not None and (reply.status != 302 or reply.location != location):
            self.run.recorder.note(f"{kind} answered {reply.status} -> {reply.location or '-'}")
            raise Stop(f"unexpected answer to {kind}")
        return reply, tries

    # --- the visit --------------------------------------------------------------------------

    async def visit(self):
        """The whole visit; returns its outcome."""
        try:
            if self.person.pin:
                await self.first_sign_in()
            else:
                await self.register()
            await self.think()
            course = await self.page("GET course", f"/courses/{COURSE}")
            if not self.person.pin:
                await self.think()
                await self.post("POST enroll", f"/courses/{COURSE}/enroll",
                                [("csrf_token", course.csrf())],
                                f"/courses/{COURSE}/lessons/{self.run.lessons[0]}")
            for number, lesson in enumerate(self.run.lessons):
                await self.lesson(lesson, number)
            for number, (practice, path) in enumerate(self.run.practices):
                await self.practice(practice, path, number)
            if self.person.fails_first:
                await self.quiz(fail=True)
            return await self.quiz(fail=False)
        except Stop as stop:
            return str(stop)

    async def register(self):
        form = await self.page("GET register", "/auth/register")
        await self.think()
        person, (province, commune) = self.person, self.person.area
        reply, tries = await self.post("POST register", "/auth/register", [
            ("csrf_token", form.csrf()), ("username", person.username),
            ("full_name", f"Công dân {person.number}"), ("password", person.password),
            ("password_confirm", person.password), ("province", province),
            ("commune", commune)])
        if reply.status == 429:
            raise Stop("registration refused: too many from this venue (429)")
        if reply.status == 422 and tries > 1:  # created by a lost send: sign in instead
            await self.sign_in(person.password, "/me")
        elif reply.status != 302:
            self.run.recorder.note(f"POST register answered {reply.status}")
            raise Stop("unexpected answer to POST register")

    async def sign_in(self, secret, then):
        form = await self.page("GET login", "/auth/login")
        await self.think()
        await self.post("POST login", "/auth/login", [
            ("csrf_token", form.csrf()), ("username", self.person.username),
            ("password", secret)], then)

    async def first_sign_in(self):
        """The PIN from the login card, then a password of one's own."""
        await self.sign_in(self.person.pin, "/auth/password")
        form = await self.page("GET password", "/auth/password")
        await self.think()
        password = self.person.password
        reply, tries = await self.post("POST password", "/auth/password", [
            ("csrf_token", form.csrf()), ("password", password),
            ("password_confirm", password)])
        if reply.status == 302 and reply.location == "/me":
            return
        if tries > 1 and reply.status == 302 and reply.location == "/auth/login":
            await self.sign_in(password, "/me")  # saved by a lost send, which ended this session
            return
        self.run.recorder.note(f"POST password answered {reply.status} -> {reply.location}")
        raise Stop("unexpected answer to POST password")

    def _after_lessons(self):
        practices = self.run.practices
        return (f"/courses/{COURSE}/practice/{practices[0][0]}" if practices
                else f"/courses/{COURSE}/quiz")

    async def lesson(self, slug, number):
        page = await self.page("GET lesson", f"/courses/{COURSE}/lessons/{slug}")
        await self.think()
        lessons = self.run.lessons
        following = (f"/courses/{COURSE}/lessons/{lessons[number + 1]}"
                     if number + 1 < len(lessons) else self._after_lessons())
        await self.post("POST complete", f"/courses/{COURSE}/lessons/{slug}/complete",
                        [("csrf_token", page.csrf())], following)
        self.run.lesson_acks.add((self.person.username, slug))
        await self.think()

    async def practice(self, slug, path, number):
        """Each step of a practice: its page, then the choice on the way without a mistake
        (answered with the next step, or with the choice's explanation on the same page)."""
        address = f"/courses/{COURSE}/practice/{slug}"
        for step, choice in path:
            page = await self.page("GET practice", address)
            form = parse_form(page.body).hidden
            if form.get("step") != step:
                self.run.recorder.note(f"practice {slug} shows step {form.get('step')}")
                raise Stop("unexpected practice step")
            await self.think()
            reply, _tries = await self.post("POST practice", address, [
                ("csrf_token", form["csrf_token"]), ("step", step),
                ("version", form["version"]), ("choice", choice)])
            if reply.status not in (200, 302):
                self.run.recorder.note(f"POST practice answered {reply.status}")
                raise Stop("unexpected answer to POST practice")
        await self.think()

    async def quiz(self, fail):
        page = await self.page("GET quiz", f"/courses/{COURSE}/quiz")
        fields, score = self.answer(parse_form(page.body), fail)
        await self.think()
        reply, _tries = await self.post("POST quiz", f"/courses/{COURSE}/quiz", fields)
        found = ATTEMPT_PATH.match(reply.location) if reply.status == 302 else None
        if found is None:
            self.run.recorder.note(f"POST quiz answered {reply.status} -> {reply.location}")
            raise Stop("unexpected answer to POST quiz")
        token = dict(fields)["attempt_token"]
        if self.run.quiz_acks.setdefault(token, (int(found.group(1)), score)) != \
                (int(found.group(1)), score):
            self.run.recorder.note("one attempt token acknowledged twice, differently")
        result = await self.page("GET result", reply.location)
        await self.think()
        if fail:
            return "failed"
        code = CERTIFICATE.search(result.body)
        if code is None:
            self.run.recorder.note("passed without a certificate link")
            raise Stop("no certificate")
        await self.page("GET certificate", f"/certificates/{code.group(1).decode()}")
        return "certificate"

    def answer(self, form, fail):
        """The quiz fields (wrong where one can be wrong when ``fail``) and the score they
        should get."""
        fields = [("csrf_token", form.hidden.get("csrf_token", "")),
                  ("attempt_token", form.hidden.get("attempt_token", ""))]
        drawn = set(form.options)  # the questions this attempt drew from the course's bank
        if not drawn or not drawn <= set(self.run.answers) or not all(v for _n, v in fields):
            self.run.recorder.note("the quiz form does not match the course files")
            raise Stop("unexpected quiz form")
        score = len(drawn)
        for name in sorted(drawn):
            right, wrong = self.run.answers[name]
            if fail and wrong is not None:
                fields.append((name, wrong))
                score -= 1
            else:
                fields += [(name, value) for value in right]
        return fields, score


async def arrive(run, people, rate):
    """Start one citizen every ``1/rate`` seconds; wait until every visit has ended."""
    async def one(person, delay):
        await asyncio.sleep(delay)
        if run.stopping():
            return
        run.active += 1
        run.peak = max(run.peak, run.active)
        try:
            run.outcomes[await Citizen(run, person).visit()] += 1
        finally:
            run.active -= 1

    await asyncio.gather(*(one(person, i / rate) for i, person in enumerate(people)))
