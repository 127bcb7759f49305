"""A synthetic national population for demonstrations and benchmarks (``demo seed --learners``).

Learners over all 3,321 communes, provinces of uneven size; community teams in every commune
that has learners, with leaders, members and venue sessions; enrolments, lesson progress,
quiz attempts (some failing, then passing), completions and certificates over the last 26
weeks, the campaign growing towards today. Lessons done at a venue session that the learner
attended count as assisted, as in the application.

Built for a million learners (about ten million lesson rows) in minutes: rows are plain
tuples written in batches, by ``COPY`` on PostgreSQL and by ``executemany`` of a prepared
insert on SQLite, inside the caller's transaction; no ORM object per row, and memory stays
bounded by the batch. The caller rebuilds the rollups afterwards (``rebuild_rollups``).
Synthetic learners cannot sign in: their usernames (``demo-<id>``) are not valid usernames
and their password is unusable.
"""
import math
import queue
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import text

from . import clock
from .services.certificates import ALPHABET
from .services.passwords import UNUSABLE_PASSWORD

DAY = 86_400.0
UTC_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
NAIVE_EPOCH = datetime(1970, 1, 1)
WEEKS = 26  # the dashboard's weekly trend
BATCH_LEARNERS = 10_000
BIG_PROVINCES = {1: 3.0, 79: 3.5}  # Hà Nội and Hồ Chí Minh city
FAMILY = ("Nguyễn",) * 8 + ("Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan",
                            "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Thị", "Thị", "Văn", "Văn", "Đức", "Ngọc", "Minh", "Thanh", "Hữu", "Quốc", "Thu",
          "Kim", "Xuân", "Hồng")
GIVEN = ("Lan", "Hoa", "Mai", "Hương", "Thảo", "Linh", "Trang", "Hà", "Nga", "Yến", "Minh",
         "Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Sơn", "Long", "Phúc", "Bình", "Cường", "An",
         "Khánh", "Quang", "Tâm", "Thủy", "Vân", "Đức", "Hiếu", "Trung")
PLACES = ("Nhà văn hoá thôn", "Nhà văn hoá tổ dân phố", "Trụ sở UBND xã", "Trường tiểu học",
          "Điểm bưu điện văn hoá xã", "Trạm y tế xã")
# (chance of a learner taking 0, 1, 2, 3 courses)
COURSE_COUNTS = (0.04, 0.28, 0.36, 0.32)

COLUMNS = {  # table -> columns written, in order
    "user": ("id", "username", "full_name", "password_hash", "role", "province_code",
             "commune_code", "created_at", "session_version", "must_change_password",
             "birth_year"),
    "team": ("id", "name", "commune_code", "province_code", "created_at"),
    "teamleader": ("team_id", "user_id"),
    "teammember": ("team_id", "user_id", "added_at"),
    "venuesession": ("id", "team_id", "held_on", "place", "course_slug", "created_by",
                     "created_at"),
    "venueattendance": ("session_id", "user_id"),
    "enrolment": ("user_id", "course_slug", "province_code", "commune_code", "enrolled_at",
                  "last_activity_at", "completed_at"),
    "lessonprogress": ("user_id", "course_slug", "lesson_slug", "completed_at"),
    "quizattempt": ("id", "token", "user_id", "course_slug", "course_version", "submitted_at",
                    "score", "max_score", "percent", "passed", "answers"),
    "certificate": ("code", "user_id", "course_slug", "attempt_id", "percent", "issued_at"),
}
EXPLICIT_IDS = ("user", "team", "venuesession", "quizattempt")


# --- writing -------------------------------------------------------------------------------

class BulkWriter:
    """Writes batches of tuples into tables, in the session's transaction, as fast as the
    database takes them: ``COPY`` on PostgreSQL, a prepared ``executemany`` on SQLite."""

    def __init__(self, session):
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.raw = session.connection().connection.driver_connection
        self.rows_written = Counter()

    def timestamp(self, seconds):
        """A UTC moment (seconds since the epoch) as the column stores it (SQLite: the text
        that SQLAlchemy writes, always with microseconds)."""
        if self.postgres:
            return UTC_EPOCH + timedelta(seconds=seconds)
        return (NAIVE_EPOCH + timedelta(seconds=seconds)).isoformat(" ", "microseconds")

    def day(self, value):
        return value if self.postgres else value.isoformat()

    def boolean(self, value):
        return bool(value) if self.postgres else int(bool(value))

    def write(self, table, rows):
        if not rows:
            return
        columns = ", ".join(COLUMNS[table])
        if self.postgres:
            with self.raw.cursor() as cursor:
                with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" * len(COLUMNS[table]))
            self.raw.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', rows)
        self.rows_written[table] += len(rows)

    def prepare(self):
        """SQLite: a page cache big enough for the indexes being filled."""
        if not self.postgres:
            self.raw.execute("PRAGMA cache_size = -400000")  # 400 MB

    def finish(self):
        """PostgreSQL: move the id sequences past the ids written here."""
        if self.postgres:
            for table in EXPLICIT_IDS:
                self.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table}\"), false)"))
        else:
            self.raw.execute("PRAGMA cache_size = -2000")


def next_ids(session):
    """The first free id of each table whose ids are written here."""
    return {table: session.execute(text(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"'))
            .scalar_one() for table in EXPLICIT_IDS}


# --- where people live -----------------------------------------------------------------------

def learners_per_commune(communes, total, rng):
    """``{(commune, province): learners}``: provinces of uneven size (the two big cities
    most), communes uneven within them; exactly ``total`` learners."""
    province_factor = {}
    weights = []
    for _commune, province in communes:
        if province not in province_factor:
            province_factor[province] = rng.lognormvariate(0, 0.6) * BIG_PROVINCES.get(
                province, 1.0)
        weights.append(province_factor[province] * rng.lognormvariate(0, 0.5))
    cumulative, running = [], 0.0
    for weight in weights:
        running += weight
        cumulative.append(running)
    drawn = Counter(rng.choices(range(len(communes)), cum_weights=cumulative, k=total))
    return {communes[index]: n for index, n in sorted(drawn.items())}


def batches(per_commune, size=BATCH_LEARNERS):
    """Communes grouped so that each group has about ``size`` learners."""
    group, count = [], 0
    for (commune, province), learners in per_commune.items():
        group.append((commune, province, learners))
        count += learners
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


# --- one batch -------------------------------------------------------------------------------

@dataclass
class Batch:
    """The rows of one batch, per table, and the ids handed out so far."""

    ids: dict
    rows: dict = field(default_factory=lambda: {table: [] for table in COLUMNS})

    def take(self, table):
        value = self.ids[table]
        self.ids[table] += 1
        return value

    def add(self, table, row):
        self.rows[table].append(row)


@dataclass
class World:
    """What every batch needs: the writer, the courses, the clock and the randomness."""

    writer: BulkWriter
    courses: list
    rng: object
    now: float
    extra_leaders: dict

    @property
    def start(self):
        """Monday 00:00 of the oldest week the dashboard's trend shows (Vietnam time), so
        that every event falls inside the trend of the day the population is made."""
        today = local_day(self.now)
        monday = today - timedelta(days=today.weekday(), weeks=WEEKS - 1)
        return epoch(monday, 0)


class BackgroundWriter:
    """Writes batches on a thread of its own while the next batch is generated: the database
    work (SQLite's b-trees, or the PostgreSQL server) runs beside the Python that makes rows.
    At most ``depth`` batches wait, so memory stays bounded."""

    def __init__(self, writer, depth=2):
        self.writer = writer
        self.queue = queue.Queue(maxsize=depth)
        self.error = None
        self.thread = threading.Thread(target=self._run, name="demo-writer", daemon=True)
        self.thread.start()

    def _run(self):
        while (batch := self.queue.get()) is not None:
            if self.error is None:
                try:
                    for table in COLUMNS:
                        self.writer.write(table, batch.rows[table])
                except BaseException as error:  # noqa: BLE001 - re-raised by the caller
                    self.error = error

    def put(self, batch):
        self._check()
        self.queue.put(batch)

    def close(self):
        self.queue.put(None)
        self.thread.join()
        self._check()

    def _check(self):
        if self.error is not None:
            raise self.error


def add_commune(world, batch, commune, province, learners):
    """Teams (with leaders and venue sessions) and ``learners`` learners of one commune."""
    teams = [add_team(world, batch, commune, province, index)
             for index in range(min(6, learners // 120 + 1))]
    for leader_id in world.extra_leaders.get(commune, ()):
        batch.add("teamleader", (teams[0].id, leader_id))
    for _ in range(learners):
        team = world.rng.choice(teams) if world.rng.random() < 0.75 else None
        add_learner(world, batch, commune, province, team)


@dataclass
class TeamPlan:
    id: int
    sessions: dict  # course slug -> [(session id, held_on, local 08:00 as epoch seconds)]


def add_team(world, batch, commune, province, index):
    rng, writer = world.rng, world.writer
    team_id = batch.take("team")
    created = world.start - rng.uniform(1, 30) * DAY
    batch.add("team", (team_id, f"Tổ công nghệ số cộng đồng số {team_id}", commune, province,
                       writer.timestamp(created)))
    leaders = [add_person(world, batch, commune, province, "team_leader", created)
               for _ in range(1 if rng.random() < 0.6 else 2)]
    for leader in leaders:
        batch.add("teamleader", (team_id, leader))
    sessions = {}
    for course in world.courses:
        for _ in range(rng.randint(0, 3)):
            held_on = local_day(rng.uniform(world.start + DAY, world.now - DAY))
            session_id = batch.take("venuesession")
            morning = epoch(held_on, 8)
            batch.add("venuesession", (session_id, team_id, writer.day(held_on),
                                       rng.choice(PLACES), course.slug, rng.choice(leaders),
                                       writer.timestamp(morning + 4 * 3600)))
            sessions.setdefault(course.slug, []).append((session_id, held_on, morning))
    return TeamPlan(team_id, sessions)


def add_person(world, batch, commune, province, role, created):
    rng = world.rng
    user_id = batch.take("user")
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    batch.add("user", (user_id, f"demo-{user_id}", name, UNUSABLE_PASSWORD, role, province,
                       commune, world.writer.timestamp(created), 1,
                       world.writer.boolean(False), int(rng.triangular(1945, 2008, 1965))))
    return user_id


def add_learner(world, batch, commune, province, team):
    """One learner: registration, then courses, the campaign growing towards today."""
    rng = world.rng
    created = world.start + rng.triangular(0, 1, 0.85) * (world.now - world.start - 3600)
    wanted = rng.choices(range(len(COURSE_COUNTS)), weights=COURSE_COUNTS)[0]
    plans = []
    for course in rng.sample(world.courses, min(wanted, len(world.courses))):
        venue = attended_session(world, team, course)
        if venue:  # enrolled by the team up to two days before the session
            enrolled = max(world.start, venue[2] - rng.uniform(0, 2) * DAY)
        else:
            enrolled = created + rng.expovariate(1 / (2 * DAY))
        if enrolled < world.now:
            plans.append((course, venue, enrolled))
    created = min([created] + [enrolled - rng.uniform(60, DAY) for _c, _v, enrolled in plans])
    user_id = add_person(world, batch, commune, province, "learner", created)
    if team is not None:
        batch.add("teammember", (team.id, user_id, world.writer.timestamp(created + 30)))
    for course, venue, enrolled in plans:
        add_enrolment(world, batch, user_id, commune, province, course, enrolled, venue)


def attended_session(world, team, course):
    """One of the team's sessions of ``course`` that the learner attends, or None."""
    if team is None or world.rng.random() >= 0.45:
        return None
    sessions = team.sessions.get(course.slug)
    return world.rng.choice(sessions) if sessions else None


def add_enrolment(world, batch, user_id, commune, province, course, enrolled, venue):
    """An enrolment with its lessons, attempts and, on a pass, completion and certificate.
    At a venue session, the first lessons are done there, on the day of the session."""
    rng, writer = world.rng, world.writer
    moment = enrolled
    if venue:
        batch.add("venueattendance", (venue[0], user_id))
        moment = venue[2]
    lessons = course.lessons
    if rng.random() >= 0.8:
        lessons = lessons[:rng.randrange(len(lessons))]
    last, done = enrolled, 0
    for index, lesson in enumerate(lessons):
        at_venue = venue and index < 3
        moment += rng.uniform(900, 1800) if at_venue else rng.expovariate(1 / (1.2 * DAY))
        if moment >= world.now:
            break
        batch.add("lessonprogress", (user_id, course.slug, lesson.slug,
                                     writer.timestamp(moment)))
        last, done = moment, done + 1
    completed = None
    if done == len(course.lessons):
        last, completed = add_attempts(world, batch, user_id, course, last)
    add_enrolment_row(world, batch, user_id, commune, province, course, enrolled, last,
                      completed)


def add_enrolment_row(world, batch, user_id, commune, province, course, enrolled, last,
                      completed):
    writer = world.writer
    batch.add("enrolment", (user_id, course.slug, province, commune, writer.timestamp(enrolled),
                            writer.timestamp(last),
                            writer.timestamp(completed) if completed else None))


PASS_CHANCES = (0.72, 0.85, 0.9)  # first attempt, second, third
RETRY_CHANCES = (0.9, 0.8, 0.5)  # of trying at all, again after a fail, a third time


def add_attempts(world, batch, user_id, course, last):
    """Quiz attempts after the last lesson: ``(last activity, completion moment or None)``."""
    rng, writer = world.rng, world.writer
    moment = last
    for pass_chance, try_chance in zip(PASS_CHANCES, RETRY_CHANCES):
        if rng.random() >= try_chance:
            break
        moment += rng.uniform(600, 3 * DAY)
        if moment >= world.now:
            break
        passed = rng.random() < pass_chance
        attempt_id = batch.take("quizattempt")
        top = len(course.questions)
        needed = math.ceil(course.pass_percent * top / 100)
        score = rng.randint(needed, top) if passed else rng.randint(top // 3, needed - 1)
        percent = 100 * score // top
        batch.add("quizattempt", (attempt_id, f"demo-{attempt_id}", user_id, course.slug,
                                  course.version, writer.timestamp(moment), score, top, percent,
                                  writer.boolean(passed), "{}"))
        last = moment
        if passed:
            code = "".join(rng.choices(ALPHABET, k=16))
            batch.add("certificate", ("-".join(code[i:i + 4] for i in range(0, 16, 4)),
                                      user_id, course.slug, attempt_id, percent,
                                      writer.timestamp(moment)))
            return last, moment
    return last, None


# --- time ------------------------------------------------------------------------------------

def local_day(seconds):
    return datetime.fromtimestamp(seconds, clock.VIETNAM).date()


def epoch(day, hour):
    """``hour`` o'clock, Vietnam time, on ``day``, as seconds since the epoch."""
    return datetime.combine(day, time(hour), clock.VIETNAM).timestamp()


# --- the whole population ----------------------------------------------------------------

def seed_population(*, session, learners, rng, courses, communes, extra_leaders=None,
                    now=None, progress=None):
    """Write ``learners`` synthetic learners (and their teams) over ``communes``
    (``[(commune code, province code)]``); return the rows written per table."""
    writer = BulkWriter(session)
    writer.prepare()
    now = (now or clock.now()).timestamp()
    world = World(writer, list(courses), rng, now, extra_leaders or {})
    ids = next_ids(session)
    background = BackgroundWriter(writer)
    done = 0
    try:
        for group in batches(learners_per_commune(communes, learners, rng)):
            batch = Batch(ids)
            for commune, province, count in group:
                add_commune(world, batch, commune, province, count)
            background.put(batch)
            done += sum(count for _c, _p, count in group)
            if progress:
                progress(done, learners)
    finally:
        background.close()
    writer.finish()
    return dict(writer.rows_written)
