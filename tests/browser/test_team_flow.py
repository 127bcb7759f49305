"""A team leader enrols a group from a CSV file in Chromium, prints the login cards, and a new
learner signs in with the PIN from a card and must choose a password first.

Elements are found by field names, ids and link addresses, never by translated text.
"""
import codecs
import re

import pytest
from sqlmodel import select
from werkzeug.security import check_password_hash

from digilit.models import TeamMember, User
from digilit.services import accounts, teams

from .conftest import sign_in

pytestmark = pytest.mark.browser

HOAN_KIEM = 70
LEADER, LEADER_PASSWORD = "totruong70", "mat-khau-to-truong"
NEW_PASSWORD = "mật khẩu mới của tôi"
PEOPLE = [("Nguyễn Thị Lan", "0912 345 601", "1962"),
          ("Trần Văn Đức", "", "1958"),
          ("Lê Thị Hồng Nhung", "0987 654 302", "")]
A4_PRINTABLE_MM = 297 - 2 * 10  # cards.css: @page { size: A4; margin: 10mm }
PX_PER_MM = 96 / 25.4


def pdf_page_count(pdf):
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def submit(page, selector):
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).click()


def path_of(page):
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


@pytest.fixture
def leader_team(db):
    leader = accounts.create_user(session=db, username=LEADER, full_name="Phạm Văn Tổ",
                                  password=LEADER_PASSWORD, role="team_leader",
                                  commune_code=HOAN_KIEM)
    team = teams.create_team(session=db, actor=leader, name="Tổ công nghệ số phố Hàng Bạc")
    db.commit()
    return team.id


@pytest.fixture
def group_csv(tmp_path):
    """Three people, UTF-8 with a byte-order mark, separated by semicolons, as a spreadsheet
    saves "CSV UTF-8" in a Vietnamese locale."""
    lines = ["full_name;phone;birth_year;courses"]
    lines += [f"{name};{phone};{year};e-id" for name, phone, year in PEOPLE]
    path = tmp_path / "nhom-hang-bac.csv"
    path.write_bytes(codecs.BOM_UTF8 + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def test_leader_imports_a_group_prints_cards_and_a_learner_signs_in_with_a_pin(
        db, new_page, leader_team, group_csv):
    team_id = leader_team
    page = new_page()
    sign_in(page, LEADER, LEADER_PASSWORD)

    # The leader's team, from the team list.
    page.goto("/teams/")
    with page.expect_navigation():
        page.click(f'a[href="/teams/{team_id}"]')
    assert path_of(page) == f"/teams/{team_id}"
    with page.expect_navigation():
        page.click(f'a[href="/teams/{team_id}/import"]')

    # Upload, then the preview lists the three people and offers to confirm.
    page.set_input_files('input[name="file"]', str(group_csv))
    submit(page, f'form[action="/teams/{team_id}/import"] [type="submit"][name="submit"]')
    assert page.locator("#import-errors").count() == 0
    rows = page.locator('tr[id^="line-"]')
    assert rows.count() == 3
    shown = rows.all_inner_texts()
    for (name, _phone, _year), row in zip(PEOPLE, shown):
        assert name in row
    assert "0912345601" in shown[0] and "1958" in shown[1]
    assert db.exec(select(TeamMember).where(TeamMember.team_id == team_id)).first() is None

    # Confirm: the accounts exist and the login cards are shown.
    submit(page, '#confirm-import [type="submit"]')
    assert re.fullmatch(rf"/teams/{team_id}/cards/[^/]+", path_of(page))  # shown once
    cards = page.locator(".card")
    assert cards.count() == 3
    printed = [{"name": card.locator(".name").inner_text().strip(),
                "username": card.locator(".username").inner_text().strip(),
                "pin": card.locator(".pin").inner_text().strip()} for card in cards.all()]
    assert [card["name"] for card in printed] == [name for name, _phone, _year in PEOPLE]
    db.rollback()
    members = {user.username: user for user in db.exec(
        select(User).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team_id)).all()}
    assert sorted(members) == sorted(card["username"] for card in printed)
    for card in printed:
        assert re.fullmatch(r"\d{6}", card["pin"]), card["pin"]
        user = members[card["username"]]
        assert user.full_name == card["name"] and user.must_change_password
        assert check_password_hash(user.pin_hash, card["pin"])
    assert members[printed[0]["username"]].phone == "0912345601"

    # Printed on A4: one page holds the three cards; a card is sized so that 8 fit a page.
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    assert pdf_page_count(pdf) == 1
    page.emulate_media(media="print")
    assert page.locator("header").is_hidden()  # the instructions are not printed
    columns = page.locator(".sheet").evaluate("s => getComputedStyle(s).gridTemplateColumns")
    assert len(columns.split()) == 2
    height_mm = cards.first.bounding_box()["height"] / PX_PER_MM
    assert 4 * height_mm <= A4_PRINTABLE_MM < 5 * height_mm
    page.emulate_media(media="screen")

    # The first new learner, in a browser of their own, signs in with the card's PIN...
    first = printed[0]
    learner = new_page()
    sign_in(learner, first["username"], first["pin"])
    assert path_of(learner) == "/auth/password"
    # ...and can go nowhere before choosing a password.
    for elsewhere in ("/", "/me", "/courses/e-id"):
        learner.goto(elsewhere)
        assert path_of(learner) == "/auth/password", elsewhere
    learner.fill('[name="password"]', NEW_PASSWORD)
    learner.fill('[name="password_confirm"]', NEW_PASSWORD)
    submit(learner, 'main form[action="/auth/password"] [type="submit"][name="submit"]')
    assert path_of(learner) == "/me"
    assert learner.locator('form[action="/auth/logout"]').count() == 1  # signed in
    learner.goto("/")
    assert path_of(learner) == "/"  # free to go anywhere now
    db.rollback()
    user = db.get(User, members[first["username"]].id)
    assert not user.must_change_password and user.pin_hash is None

    # The PIN is spent; the new password works.
    again = new_page()
    again.goto("/auth/login")
    again.fill('[name="username"]', first["username"])
    again.fill('[name="password"]', first["pin"])
    submit(again, 'main form [type="submit"][name="submit"]')
    assert path_of(again) == "/auth/login"
    assert again.locator('form[action="/auth/logout"]').count() == 0
    sign_in(again, first["username"], NEW_PASSWORD)
    assert path_of(again) == "/me"
    assert again.locator('form[action="/auth/logout"]').count() == 1
