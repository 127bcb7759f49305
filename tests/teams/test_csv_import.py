"""Bulk enrolment from a CSV file: reading, checking, preview, confirmation, limits, scope."""
import codecs
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from conftest import BA_DINH, CSRF_RE, HANOI, HOAN_KIEM, csrf_token
from digilit.models import Enrolment, ImportBatch, Role, TeamMember, User
from digilit import clock
from digilit.services import accounts, csv_import, passwords, teams
from digilit.services.csv_import import FileProblem

PASSWORD = "mat-khau-to-truong"
COURSES = frozenset({"e-id", "cybersecurity", "online-services"})
INLINE_SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)")
CONFIRM_RE = re.compile(r'action="(/teams/\d+/import/([^/"]+)/confirm)"')


# --- reading and checking: pure functions -----------------------------------------------------

def rows_of(content, **kwargs):
    kwargs.setdefault("known_courses", COURSES)
    kwargs.setdefault("this_year", 2025)
    return csv_import.parse(content, **kwargs)


def errors_by_line(rows):
    return {row.line: row.codes for row in rows if row.errors}


GOOD = ("full_name,phone,birth_year,courses\n"
        "Nguyễn Thị Lan,0912 345 678,1965,e-id|cybersecurity\n"
        "Trần Văn Minh,,1958,\n")


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize("separator", [",", ";"])
def test_reads_utf8_with_or_without_bom_comma_or_semicolon(bom, separator):
    content = bom + GOOD.replace(",", separator).encode("utf-8")
    rows = rows_of(content)
    assert [(r.line, r.full_name, r.phone, r.birth_year, r.courses) for r in rows] == [
        (2, "Nguyễn Thị Lan", "0912345678", 1965, ("e-id", "cybersecurity")),
        (3, "Trần Văn Minh", None, 1958, ()),
    ]
    assert not errors_by_line(rows)


def test_header_is_case_insensitive_trimmed_in_any_order_and_optional_columns_may_go():
    rows = rows_of(" Phone ; FULL_NAME \r\n0987654321;Lê Hoa\r\n".encode())
    assert [(r.full_name, r.phone) for r in rows] == [("Lê Hoa", "0987654321")]
    assert rows_of(b"full_name\nHoa\n")[0].full_name == "Hoa"


def test_empty_lines_are_ignored_and_line_numbers_count_them():
    content = "\nfull_name,birth_year\n\nLan,1960\n,\n\nMinh,abc\n\n".encode()
    rows = rows_of(content)
    assert [r.line for r in rows] == [4, 7]
    assert errors_by_line(rows) == {7: ["bad_year"]}


def test_quoted_values_with_separators_and_line_breaks_keep_line_numbers():
    content = ('full_name,phone\n"Nguyễn, Thị\nLan",\nMinh,0912 000 001\nHoa,xyz\n').encode()
    rows = rows_of(content)
    assert [r.line for r in rows] == [2, 4, 5]
    assert errors_by_line(rows) == {5: ["bad_phone"]}


def test_every_error_kind_is_reported_with_its_line():
    content = "\n".join([
        "full_name,phone,birth_year,courses",
        "Lan,0912345678,1960,e-id",                   # 2 fine
        ",0912345679,1961,",                          # 3 missing name
        "A" * 121 + ",,,",                            # 4 name too long
        "Minh,12345,,",                               # 5 bad phone
        "Hoa,+84 912 345 678,,",                      # 6 same phone as line 2
        "Tuấn,0900000000,,",                          # 7 phone already registered
        "Mai,,1899,",                                 # 8 year too early
        "Nam,,2026,",                                 # 9 year in the future
        "Thảo,,19x5,",                                # 10 not a year
        "Dũng,,,e-id|khoa-hoc-la",                    # 11 unknown course
        "Hùng,,,,extra",                              # 12 more values than columns
        "   ,0912345678,abc,nope",                    # 13 several at once
    ]).encode()
    rows = rows_of(content, registered_phones={"0900000000"})
    assert errors_by_line(rows) == {
        3: ["missing_name"], 4: ["name_too_long"], 5: ["bad_phone"], 6: ["duplicate_phone"],
        7: ["phone_taken"], 8: ["bad_year"], 9: ["bad_year"], 10: ["bad_year"],
        11: ["unknown_course"], 12: ["too_many_values"],
        13: ["missing_name", "duplicate_phone", "bad_year", "unknown_course"],
    }
    messages = {row.line: [str(e.message) for e in row.errors] for row in rows}
    assert "line 2" in messages[6][0]
    assert "khoa-hoc-la" in messages[11][0]
    assert rows[-1].line == 13


def test_a_name_of_exactly_120_characters_and_the_year_limits_are_accepted():
    content = f"full_name,birth_year\n{'Ă' * 120},1900\nLan,2025\n".encode()
    assert not errors_by_line(rows_of(content))


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"\n\n", "empty"),
    (b"full_name\n", "nobody"),
    (b"name,phone\nLan,\n", "name"),
    (b"full_name,email\nLan,x@y\n", "email"),
    (b"full_name,full_name\nLan,Lan\n", "twice"),
    (b"phone\n0912345678\n", "full_name"),
    ("full_name\nĐông\n".encode("cp1258"), "UTF-8"),
    ("full_name\nLan\n".encode("utf-16"), "UTF-8"),
    (b"full_name\nLan\x00\n", "CSV"),
])
def test_unusable_files_are_refused_with_a_message(content, words):
    with pytest.raises(FileProblem) as caught:
        rows_of(content)
    assert words in str(caught.value.message)
    assert caught.value.field == "file"


def test_limits_of_rows_and_bytes():
    header = "full_name\n"
    assert len(rows_of((header + "Lan\n" * 2000).encode())) == 2000
    with pytest.raises(FileProblem, match="2,000"):
        rows_of((header + "Lan\n" * 2001).encode())
    with pytest.raises(FileProblem, match="2 MB"):
        rows_of(header.encode() + b"x" * (2 * 1024 * 1024))
    size_limit = 2 * 1024 * 1024
    exactly = header.encode() + b"L" * (size_limit - len(header) - 1) + b"\n"
    assert len(exactly) == size_limit
    with pytest.raises(FileProblem) as caught:  # exactly 2 MB is read (not "too large")...
        rows_of(exactly)
    assert "Line 2" in str(caught.value.message)  # ...and its 2 MB name is refused
    near = header.encode() + b"L" * 5000 + b"\n" + b"\n" * (size_limit - len(header) - 5001)
    assert len(near) == size_limit
    assert errors_by_line(rows_of(near)) == {2: ["name_too_long"]}


def test_an_unclosed_quote_is_a_clear_file_error():
    with pytest.raises(FileProblem) as caught:
        rows_of(b'full_name,phone\nLan,0912345678\n"Minh,0912345679\nHoa,\n')
    assert "Line 3" in str(caught.value.message)


def test_template_is_utf8_with_bom_and_reads_back_without_errors():
    body = csv_import.template_csv(["e-id", "cybersecurity"])
    assert body.startswith(codecs.BOM_UTF8)
    rows = rows_of(body)
    assert len(rows) == 2 and not errors_by_line(rows)
    assert rows[0].courses == ("e-id", "cybersecurity")


# --- through the pages --------------------------------------------------------------------

def make_staff(db, username, role="team_leader", commune=HOAN_KIEM, province=HANOI):
    return accounts.create_user(session=db, username=username, full_name=f"Cán bộ {username}",
                                password=PASSWORD, role=role, province_code=province,
                                commune_code=commune)


@pytest.fixture
def world(db):
    leader = make_staff(db, "leader01")
    team = teams.create_team(session=db, actor=leader, name="Tổ công nghệ số 1")
    other = teams.create_team(session=db, actor=leader, name="Tổ công nghệ số 2")
    db.commit()
    return type("World", (), {"leader": leader, "team": team, "other": other})


@pytest.fixture
def leader_client(client, auth, world):
    assert auth.login("leader01", PASSWORD).status_code == 302
    client.get("/?lang=en")  # the messages below are checked in English
    return client


def signed_in(app, username):
    """A new client signed in as ``username``, reading pages in English."""
    client = app.test_client()
    response = client.post("/auth/login", data={
        "username": username, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    client.get("/?lang=en")
    return client


def upload(client, team_id, content, filename="nhom.csv"):
    token = csrf_token(client, f"/teams/{team_id}/import")
    return client.post(f"/teams/{team_id}/import", data={
        "csrf_token": token, "file": (io.BytesIO(content), filename)})


def confirm_target(page):
    match = CONFIRM_RE.search(page)
    assert match, "no confirm button"
    return match.group(1), match.group(2)


def confirm(client, page):
    """Confirm an upload; the cards page it leads to (shown once)."""
    url, _token = confirm_target(page)
    return client.post(url, data={"csrf_token": CSRF_RE.search(page).group(1)},
                       follow_redirects=True)


def people_csv(n, courses=("e-id",), start=0, bad_line=None):
    lines = ["full_name;phone;birth_year;courses"]
    for i in range(start, start + n):
        lines.append(f"Nguyễn Thị Học Viên {i};09{i:08d};{1950 + i % 50};{'|'.join(courses)}")
    if bad_line is not None:
        lines[bad_line - 1] = lines[bad_line - 1].replace(";" + "|".join(courses), ";no-such")
    return codecs.BOM_UTF8 + "\r\n".join(lines).encode("utf-8")


def test_the_form_and_the_template(leader_client, world):
    page = leader_client.get(f"/teams/{world.team.id}/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="file"' in page
    assert 'name="csrf_token"' in page and "style=" not in page
    assert not INLINE_SCRIPT_RE.search(page)
    response = leader_client.get(f"/teams/{world.team.id}/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(codecs.BOM_UTF8)
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "full_name,phone,birth_year,courses" and len(lines) == 3


def test_500_good_rows_create_500_accounts_memberships_pins_and_enrolments(
        leader_client, world, db, count):
    users_before = count(User)
    response = upload(leader_client, world.team.id, people_csv(500, ("e-id", "cybersecurity")))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nguyễn Thị Học Viên 499" in page and '<div class="scroll"' in page
    assert count(User) == users_before  # a preview creates nobody
    assert count(ImportBatch, team_id=world.team.id) == 1

    response = confirm(leader_client, page)
    assert response.status_code == 200
    cards = response.get_data(as_text=True)
    assert cards.count('class="card"') == 500
    assert count(User) == users_before + 500
    assert count(TeamMember, team_id=world.team.id) == 500
    members = db.exec(select(User).join(TeamMember, TeamMember.user_id == User.id)
                      .where(TeamMember.team_id == world.team.id)).all()
    assert all(u.pin_hash and u.pin_hash.startswith("scrypt:") for u in members)
    assert all(u.password_hash == passwords.UNUSABLE_PASSWORD and u.must_change_password
               for u in members)
    assert all(u.commune_code == HOAN_KIEM and u.role == Role.learner.value for u in members)
    assert len({u.username for u in members}) == 500
    assert {u.phone for u in members} == {f"09{i:08d}" for i in range(500)}
    ids = [u.id for u in members]
    assert db.exec(select(func.count()).select_from(Enrolment).where(
        Enrolment.user_id.in_(ids))).one() == 1000
    assert db.exec(select(Enrolment.course_slug, func.count()).where(
        Enrolment.user_id.in_(ids)).group_by(Enrolment.course_slug)).all() == [
        ("cybersecurity", 500), ("e-id", 500)]
    assert db.exec(select(ImportBatch)).one().confirmed_at is not None


def test_a_printed_card_signs_in(client, auth, leader_client, world):
    page = upload(leader_client, world.team.id,
                  "full_name\nPhạm Văn Đồng\n".encode()).get_data(as_text=True)
    cards = confirm(leader_client, page).get_data(as_text=True)
    username = re.search(r'class="username">([^<]+)<', cards).group(1)
    pin = re.search(r'class="pin">(\d{6})<', cards).group(1)
    assert username.startswith("dongpv")
    auth.logout()
    assert auth.login(username, pin).status_code == 302


def test_one_bad_row_among_500_writes_nothing_and_points_at_the_row(
        leader_client, world, count):
    before = (count(User), count(TeamMember), count(Enrolment), count(ImportBatch))
    response = upload(leader_client, world.team.id, people_csv(500, bad_line=321))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#line-321"' in page and 'id="line-321"' in page
    assert "no-such" in page
    assert CONFIRM_RE.search(page) is None
    assert (count(User), count(TeamMember), count(Enrolment), count(ImportBatch)) == before


def test_a_phone_already_registered_and_a_duplicate_phone_are_shown(
        app, leader_client, world, db):
    with app.app_context():
        teams.add_members(session=db, team=world.other,
                          people=[teams.NewMember(full_name="Lan", phone="0911111111")])
    db.commit()
    content = "full_name,phone\nA,0911 111 111\nB,0922222222\nC,0922.222.222\n".encode()
    page = upload(leader_client, world.team.id, content).get_data(as_text=True)
    assert 'id="line-2" class="has-error"' in page and 'id="line-4" class="has-error"' in page
    assert 'id="line-3" class="has-error"' not in page
    assert "0911111111" in page and "line 3" in page
    assert CONFIRM_RE.search(page) is None


@pytest.mark.parametrize("content", [
    "full_name\n".encode() + "Lan\n".encode() * 2001,
    b"full_name\n" + b"x" * (2 * 1024 * 1024),          # just over 2 MB: reaches the check
    b"full_name\n" + b"x" * (3 * 1024 * 1024),          # over the request limit as well
])
def test_too_many_rows_or_bytes_give_the_message_and_write_nothing(
        leader_client, world, count, content):
    before = (count(User), count(ImportBatch))
    response = upload(leader_client, world.team.id, content)
    assert response.status_code in (413, 422)
    page = response.get_data(as_text=True)
    assert ("2,000" in page) if content.count(b"\n") > 2000 else ("2 MB" in page)
    assert 'name="file"' in page and 'class="error"' in page  # the form, with the message
    assert (count(User), count(ImportBatch)) == before


def test_a_file_that_is_not_utf8_gets_a_message_beside_the_field(leader_client, world, count):
    response = upload(leader_client, world.team.id, "full_name\nĐông\n".encode("cp1258"))
    assert response.status_code == 422
    assert "UTF-8" in response.get_data(as_text=True)
    assert count(ImportBatch) == 0


def test_no_file_is_the_form_again(leader_client, world):
    token = csrf_token(leader_client, f"/teams/{world.team.id}/import")
    response = leader_client.post(f"/teams/{world.team.id}/import",
                                  data={"csrf_token": token})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)


def test_confirming_twice_creates_once(leader_client, world, count):
    page = upload(leader_client, world.team.id, people_csv(3)).get_data(as_text=True)
    assert confirm(leader_client, page).status_code == 200
    assert count(TeamMember, team_id=world.team.id) == 3
    again = confirm(leader_client, page)
    assert again.status_code == 409
    assert "already" in again.get_data(as_text=True)
    assert count(TeamMember, team_id=world.team.id) == 3
    assert count(User, role="learner") == 3


def test_a_confirmed_file_is_not_kept_and_old_unconfirmed_uploads_are_forgotten(
        leader_client, world, db):
    old = ImportBatch(token="old-upload", team_id=world.team.id, uploaded_by=world.leader.id,
                      content="full_name\nLan\n", created_at=clock.now() - timedelta(days=8))
    db.add(old)
    db.commit()
    db.expunge_all()  # the new upload may get the deleted one's id
    page = upload(leader_client, world.team.id, people_csv(2)).get_data(as_text=True)
    assert db.exec(select(ImportBatch.token).where(ImportBatch.token == "old-upload")).first() \
        is None
    _url, token = confirm_target(page)
    assert "Viên 1" in db.exec(select(ImportBatch).where(ImportBatch.token == token)).one().content
    assert confirm(leader_client, page).status_code == 200
    db.expire_all()
    batch = db.exec(select(ImportBatch).where(ImportBatch.token == token)).one()
    assert batch.content == "" and batch.confirmed_at is not None


def test_a_row_gone_wrong_since_the_preview_is_refused_at_confirmation(
        app, leader_client, world, db, count):
    page = upload(leader_client, world.team.id,
                  b"full_name,phone\nA,0933333333\nB,\n").get_data(as_text=True)
    with app.app_context():
        teams.add_members(session=db, team=world.other,
                          people=[teams.NewMember(full_name="Z", phone="0933333333")])
    db.commit()
    response = confirm(leader_client, page)
    assert response.status_code == 422
    assert 'id="line-2" class="has-error"' in response.get_data(as_text=True)
    assert count(TeamMember, team_id=world.team.id) == 0
    assert db.exec(select(ImportBatch)).one().confirmed_at is None


def test_another_teams_batch_or_an_unknown_token_is_404(leader_client, world, count):
    page = upload(leader_client, world.team.id, people_csv(2)).get_data(as_text=True)
    _url, token = confirm_target(page)
    csrf = CSRF_RE.search(page).group(1)
    for team_id, tok in ((world.other.id, token), (world.team.id, "nope" + token)):
        response = leader_client.post(f"/teams/{team_id}/import/{tok}/confirm",
                                      data={"csrf_token": csrf})
        assert response.status_code == 404
    assert count(TeamMember) == 0


def test_a_batch_uploaded_by_someone_outside_the_callers_scope_is_404(
        app, db, leader_client, world, count):
    page = upload(leader_client, world.team.id, people_csv(2)).get_data(as_text=True)
    url, _token = confirm_target(page)
    # A second leader of the same team did not upload it and cannot see its uploader.
    second = make_staff(db, "leader02")
    teams.appoint_leader(session=db, team=world.team, username="leader02")
    db.commit()
    client = signed_in(app, second.username)
    csrf = csrf_token(client, f"/teams/{world.team.id}/import")
    assert client.post(url, data={"csrf_token": csrf}).status_code == 404
    assert count(TeamMember) == 0
    # The commune's administrator covers the uploader: they may confirm it.
    make_staff(db, "xa70", role="commune_admin")
    db.commit()
    admin = signed_in(app, "xa70")
    csrf = csrf_token(admin, f"/teams/{world.team.id}/import")
    assert admin.post(url, data={"csrf_token": csrf}).status_code == 302
    assert count(TeamMember, team_id=world.team.id) == 2


@pytest.mark.parametrize("role", ["commune_admin", "team_leader"])
def test_staff_of_another_commune_get_404_on_the_import_pages(app, db, world, role):
    page_owner = signed_in(app, "leader01")
    preview = upload(page_owner, world.team.id, people_csv(2)).get_data(as_text=True)
    url, _token = confirm_target(preview)

    make_staff(db, "khac01", role=role, commune=BA_DINH)
    db.commit()
    client = signed_in(app, "khac01")
    csrf = csrf_token(client, "/")
    tid = world.team.id
    assert client.get(f"/teams/{tid}/import").status_code == 404
    assert client.get(f"/teams/{tid}/import/template.csv").status_code == 404
    response = client.post(f"/teams/{tid}/import", data={
        "csrf_token": csrf, "file": (io.BytesIO(people_csv(2)), "x.csv")})
    assert response.status_code == 404
    assert client.post(url, data={"csrf_token": csrf}).status_code == 404


def test_learners_and_visitors_have_no_import_pages(client, auth, world):
    assert client.get(f"/teams/{world.team.id}/import").status_code in (302, 401)
    auth.register(username="hocvien1")
    assert client.get(f"/teams/{world.team.id}/import").status_code == 404


def test_csrf_is_required(leader_client, world, count):
    tid = world.team.id
    response = leader_client.post(f"/teams/{tid}/import",
                                  data={"file": (io.BytesIO(people_csv(2)), "x.csv")})
    assert response.status_code == 400
    assert count(ImportBatch) == 0
    page = upload(leader_client, tid, people_csv(2)).get_data(as_text=True)
    url, _token = confirm_target(page)
    assert leader_client.post(url, data={}).status_code == 400
    assert leader_client.post(url, data={"csrf_token": "forged"}).status_code == 400
    assert count(TeamMember) == 0


def test_a_team_keeps_a_few_unconfirmed_uploads_and_they_live_a_day(leader_client, world, db):
    pages = [upload(leader_client, world.team.id, people_csv(1)).get_data(as_text=True)
             for _ in range(csv_import.PENDING_PER_TEAM + 2)]
    db.expire_all()
    pending = db.exec(select(ImportBatch.token).where(ImportBatch.team_id == world.team.id,
                                                      ImportBatch.confirmed_at.is_(None))).all()
    assert len(pending) == csv_import.PENDING_PER_TEAM
    assert confirm_target(pages[0])[1] not in pending  # the oldest made room
    assert confirm(leader_client, pages[0]).status_code == 404
    newest = db.exec(select(ImportBatch).where(
        ImportBatch.token == confirm_target(pages[-1])[1])).one()
    newest.created_at = clock.now() - timedelta(hours=24, minutes=1)
    db.commit()
    assert confirm(leader_client, pages[-1]).status_code == 404  # a day later: gone
