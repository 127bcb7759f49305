"""Bulk enrolment of a group from a CSV file: upload, preview, confirm.

The file is UTF-8 (with or without a byte-order mark), comma- or semicolon-separated, with a
header line naming the columns ``full_name`` (required), ``phone``, ``birth_year`` and
``courses`` (course slugs separated by ``|``). Reading and checking are pure functions that
return every row with its problems and the file's line number; ``preview_import`` stores a
clean upload in an ``ImportBatch`` (so that preview and confirmation may run on different app
nodes), and ``confirm_import`` creates every account of a batch, once, or none at all.
"""
import codecs
import csv
import io
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from flask import has_request_context
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from ..models import ImportBatch, User
from .. import clock
from . import accounts, teams
from .errors import DomainError, NotFound
from .scope import scope_for

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_NAME = 120
MIN_YEAR = 1900
COLUMNS = ("full_name", "phone", "birth_year", "courses")
REQUIRED = ("full_name",)
COURSE_SEPARATOR = "|"
# An unconfirmed upload holds personal data: it lives a day, and a team keeps at most a few
# (a new one pushes out the oldest), so that uploads cannot pile up in the database.
KEEP_UNCONFIRMED = timedelta(hours=24)
PENDING_PER_TEAM = 5
TEMPLATE_EXAMPLES = (
    ("Nguyễn Thị Lan", "0912 345 678", "1965"),
    ("Trần Văn Minh", "", "1958"),
)


class FileProblem(DomainError):
    """The file as a whole cannot be read (too large, not UTF-8, bad header...)."""

    def __init__(self, message):
        super().__init__(message, field="file")


class AlreadyConfirmed(DomainError):
    """The batch was confirmed before: its accounts exist already."""


@dataclass
class RowError:
    code: str  # missing_name, name_too_long, bad_phone, duplicate_phone, phone_taken, phone_refused,
    #            bad_year, unknown_course, too_many_values
    message: object  # a lazy, translatable string


@dataclass
class Row:
    """One person of the file, as written (``cells``) and as understood."""

    line: int
    cells: dict
    full_name: str = ""
    phone: Optional[str] = None
    birth_year: Optional[int] = None
    courses: tuple = ()
    errors: list = field(default_factory=list)
    # Not errors: the row can be imported, but the leader should look (a likely duplicate).
    warnings: list = field(default_factory=list)

    def add_error(self, code, message):
        self.errors.append(RowError(code, message))

    @property
    def codes(self):
        return [error.code for error in self.errors]


@dataclass
class Preview:
    """What an upload would do: its rows (each with its problems) and, when every row is
    right, the stored batch to confirm."""

    rows: list
    batch: Optional[ImportBatch] = None

    @property
    def bad_rows(self):
        return [row for row in self.rows if row.errors]

    @property
    def flagged_rows(self):
        """Rows that can be imported but are likely people already in the team."""
        return [row for row in self.rows if row.warnings]

    @property
    def ok(self):
        return bool(self.rows) and not self.bad_rows


# --- reading: pure functions ----------------------------------------------------------------

def decode(content):
    """The text of an uploaded file: size checked first, BOM stripped, strict UTF-8."""
    if isinstance(content, str):
        text = content
    else:
        if len(content) > MAX_BYTES:
            raise FileProblem(too_large_message())
        if content.startswith(codecs.BOM_UTF8):
            content = content[len(codecs.BOM_UTF8):]
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise FileProblem(_l(
                "The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” "
                "and upload it again.")) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise FileProblem(_l("This is not a CSV text file."))
    return text


def number(n):
    """``n`` written the reader's way when shown (2,000 in English, 2.000 in Vietnamese)."""
    return LazyString(lambda: format_number(n) if has_request_context() else f"{n:,}")


def too_large_message():
    return _l("The file is larger than %(mb)d MB. Split it into several files of at most "
              "%(rows)s people each.", mb=MAX_BYTES // (1024 * 1024), rows=number(MAX_ROWS))


def sniff_delimiter(header_line):
    """``;`` when the header line has more semicolons than commas, else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _blank(cells):
    return all(not cell.strip() for cell in cells)


def read_rows(text):
    """Rows of a CSV text, each with its line number and its cells by column name (no value
    is checked yet). Raises ``FileProblem`` when the file as a whole is unusable."""
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise FileProblem(_l("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(header_line),
                        strict=True)
    rows, header, last_line = [], None, 0
    try:
        for cells in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if _blank(cells):
                continue  # empty lines (and lines of separators only) are ignored
            if header is None:
                header = _read_header(cells)
                continue
            if len(rows) >= MAX_ROWS:
                raise FileProblem(_l(
                    "The file has more than %(rows)s people. Split it into several files of "
                    "at most %(rows)s people each.", rows=number(MAX_ROWS)))
            rows.append(_cells_of(first_line, header, cells))
    except csv.Error:  # an unclosed quote runs on to the end: a value far too long
        raise FileProblem(_l("Line %(line)d cannot be read: a value is far too long, or a "
                             "quote (\") is not closed.", line=last_line + 1)) from None
    if not rows:
        raise FileProblem(_l("The file has a header line but nobody in it."))
    return rows


def _read_header(cells):
    names = [unicodedata.normalize("NFC", cell).strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()  # spreadsheets often add empty columns at the end
    unknown = [name or "?" for name in names if name not in COLUMNS]
    if unknown:
        raise FileProblem(_l(
            "Unknown column(s) in the header line: %(unknown)s. The columns are: %(known)s.",
            unknown=", ".join(unknown), known=", ".join(COLUMNS)))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise FileProblem(_l("The header line names a column twice: %(names)s.",
                             names=", ".join(repeated)))
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise FileProblem(_l(
            "The header line (the first line) must name the column %(column)s. "
            "Download the template to see how.", column=", ".join(missing)))
    return names


def _cells_of(line, header, cells):
    row = Row(line=line, cells={name: (cells[i].strip() if i < len(cells) else "")
                                for i, name in enumerate(header)})
    if any(cell.strip() for cell in cells[len(header):]):
        row.add_error("too_many_values", _l(
            "This line has more values than the header line has columns."))
    return row


def check_rows(rows, *, known_courses, registered_phones=frozenset(),
               unusable_phones=frozenset(), this_year=None):
    """Understand and check every row: fills each row's values and errors in place, and
    returns ``rows``. ``registered_phones`` are the numbers owned by an account in the
    uploader's area; ``unusable_phones`` those owned outside it (refused without a reason:
    an upload must not tell whether a number is registered anywhere in the country)."""
    this_year = this_year or clock.now().year
    seen_phones = {}
    for row in rows:
        _check_name(row)
        _check_phone(row, seen_phones, registered_phones, unusable_phones)
        _check_year(row, this_year)
        _check_courses(row, known_courses)
    return rows


def _check_name(row):
    name = " ".join(unicodedata.normalize("NFC", row.cells.get("full_name", "")).split())
    if not name:
        row.add_error("missing_name", _l("The full name is missing."))
    elif len(name) > MAX_NAME:
        row.add_error("name_too_long", _l(
            "The full name is longer than %(n)d characters.", n=MAX_NAME))
    else:
        row.full_name = name


def _check_phone(row, seen, registered, unusable):
    raw = row.cells.get("phone", "")
    if not raw:
        return
    try:
        phone = accounts.normalise_phone(raw)
    except DomainError:
        row.add_error("bad_phone", _l(
            "The phone number “%(phone)s” is not valid: write it like 0912 345 678.",
            phone=raw[:40]))
        return
    if phone in seen:
        row.add_error("duplicate_phone", _l(
            "The phone number %(phone)s is also on line %(line)d.", phone=phone,
            line=seen[phone]))
    elif phone in registered:
        row.add_error("phone_taken", _l(
            "An account with the phone number %(phone)s already exists.", phone=phone))
    elif phone in unusable:
        row.add_error("phone_refused", _l(
            "The phone number %(phone)s cannot be used here: leave it out, or ask the commune "
            "office.", phone=phone))
    else:
        seen[phone] = row.line
    row.phone = phone


def _check_year(row, this_year):
    raw = row.cells.get("birth_year", "")
    if not raw:
        return
    year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None
    if year is None or not MIN_YEAR <= year <= this_year:
        row.add_error("bad_year", _l(
            "The year of birth “%(value)s” is not a year from %(first)d to %(last)d.",
            value=raw[:40], first=MIN_YEAR, last=this_year))
    else:
        row.birth_year = year


def _check_courses(row, known_courses):
    slugs = []
    for part in row.cells.get("courses", "").split(COURSE_SEPARATOR):
        slug = part.strip().lower()
        if not slug or slug in slugs:
            continue
        if slug not in known_courses:
            row.add_error("unknown_course", _l("Unknown course: “%(slug)s”.",
                                               slug=part.strip()[:64]))
        else:
            slugs.append(slug)
    row.courses = tuple(slugs)


def parse(content, *, known_courses, registered_phones=frozenset(), this_year=None):
    """``read_rows`` then ``check_rows``: every row of ``content`` (bytes or text), checked."""
    return check_rows(read_rows(decode(content)), known_courses=known_courses,
                      registered_phones=registered_phones, this_year=this_year)


def template_csv(course_slugs):
    """The downloadable template: UTF-8 with BOM, a header line and two example rows."""
    slugs = list(course_slugs)[:2]
    courses = [COURSE_SEPARATOR.join(slugs), slugs[0] if slugs else ""]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for (name, phone, year), course_cell in zip(TEMPLATE_EXAMPLES, courses):
        writer.writerow((name, phone, year, course_cell))
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


# --- with the database ----------------------------------------------------------------------

def _catalog_slugs():
    from ..content import get_catalog

    return frozenset(course.slug for course in get_catalog())


def _checked_rows(session, text, uploader, team=None):
    """Every row of ``text``, checked against the catalogue and the registered phones (told
    as such only within ``uploader``'s area); with ``team``, rows likely to be people already
    in it are flagged."""
    rows = read_rows(text)
    phones = sorted({phone for phone in map(_phone_or_none, rows) if phone})
    registered, unusable = teams.phones_in_use(session=session, phones=phones, viewer=uploader)
    check_rows(rows, known_courses=_catalog_slugs(), registered_phones=registered,
               unusable_phones=unusable)
    if team is not None:
        flag_likely_duplicates(rows, teams.team_members(session=session, team=team))
    return rows


def _name_key(name):
    return " ".join(unicodedata.normalize("NFC", name or "").split()).casefold()


def flag_likely_duplicates(rows, members):
    """Flag the rows with no phone whose name is the name of a member of the team already:
    most likely the same person in a file imported again (a phone would have told)."""
    names = {_name_key(member.full_name): member for member in members}
    for row in rows:
        member = names.get(_name_key(row.full_name)) if row.full_name else None
        if member is not None and not row.phone:
            row.warnings.append(_l(
                "Likely a duplicate: %(name)s (%(username)s) is already in the team. Remove "
                "this line unless it is another person with the same name.",
                name=member.full_name, username=member.username))


def _phone_or_none(row):
    try:
        return accounts.normalise_phone(row.cells["phone"]) if row.cells.get("phone") else None
    except DomainError:
        return None


def preview_import(*, session, team, content, uploader):
    """Read and check an upload for ``team``. When every row is right, the upload is stored
    as an ``ImportBatch`` to confirm (``preview.batch``); otherwise nothing is stored and the
    rows carry their errors. Raises ``FileProblem`` when the file as a whole is unusable."""
    text = decode(content)
    rows = _checked_rows(session, text, uploader, team=team)
    preview = Preview(rows=rows)
    # Uploads never confirmed are forgotten after a while (they hold personal data).
    session.execute(delete(ImportBatch).where(
        ImportBatch.team_id == team.id, ImportBatch.confirmed_at.is_(None),
        ImportBatch.created_at < clock.now() - KEEP_UNCONFIRMED))
    if preview.ok:
        _make_room(session, team)
        batch = ImportBatch(token=secrets.token_urlsafe(32), team_id=team.id,
                            uploaded_by=uploader.id, content=text)
        session.add(batch)
        session.flush()
        preview.batch = batch
    return preview


def _make_room(session, team):
    """Forget the team's oldest unconfirmed uploads beyond ``PENDING_PER_TEAM - 1``."""
    pending = session.exec(select(ImportBatch.id).where(
        ImportBatch.team_id == team.id, ImportBatch.confirmed_at.is_(None))
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())).all()
    extra = pending[PENDING_PER_TEAM - 1:]
    if extra:
        session.execute(delete(ImportBatch).where(ImportBatch.id.in_(extra)))


def get_batch(*, session, user, team, token):
    """The batch ``token`` of ``team``, uploaded by ``user`` or by someone in their scope;
    raises ``NotFound`` otherwise (another team's batch, or an unknown token)."""
    batch = session.exec(
        select(ImportBatch).join(User, User.id == ImportBatch.uploaded_by)
        .where(ImportBatch.token == token, ImportBatch.team_id == team.id,
               or_(User.id == user.id, scope_for(user).people()),
               or_(ImportBatch.confirmed_at.is_not(None),
                   ImportBatch.created_at >= clock.now() - KEEP_UNCONFIRMED))
    ).first()
    if batch is None:
        raise NotFound(_l("This import does not exist."))
    return batch


class RowsChanged(DomainError):
    """Since the preview, a row became wrong (e.g. its phone number was registered)."""

    def __init__(self, preview):
        super().__init__(_l("Some lines are no longer right: nothing was created."))
        self.preview = preview


def confirm_import(*, session, team, batch):
    """Create the accounts, memberships and enrolments of ``batch`` and return ``[(user,
    pin)]`` in the file's order. All or nothing: on any error the caller rolls back. A batch
    is confirmed once: a second call raises ``AlreadyConfirmed``."""
    if batch.team_id != team.id:
        raise NotFound(_l("This import does not exist."))
    text = batch.content
    # Claimed in one statement: of two confirmations at once, one finds it taken. The file's
    # personal data is not kept once the accounts exist.
    claimed = session.execute(
        update(ImportBatch).where(ImportBatch.id == batch.id,
                                  ImportBatch.confirmed_at.is_(None))
        .values(confirmed_at=clock.now(), content="")
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise AlreadyConfirmed(_l("This file was already imported: its accounts exist. "
                                  "Print their cards again from the team page."))
    rows = _checked_rows(session, text, session.get(User, batch.uploaded_by))
    preview = Preview(rows=rows)
    if not preview.ok:
        raise RowsChanged(preview)
    people = [teams.NewMember(full_name=row.full_name, phone=row.phone,
                              birth_year=row.birth_year) for row in rows]
    try:
        pairs = teams.add_members(session=session, team=team, people=people)
        by_course = {}
        for row, (user, _pin) in zip(rows, pairs):
            for slug in row.courses:
                by_course.setdefault(slug, []).append(user)
        for slug, members in by_course.items():
            teams.enrol_members(session=session, team=team, members=members,
                                course_slugs=[slug])
    except IntegrityError:
        raise DomainError(_l("Another account took one of these phone numbers or usernames "
                             "just now: nothing was created. Upload the file again.")) from None
    session.expire(batch, ["confirmed_at", "content"])
    return pairs
