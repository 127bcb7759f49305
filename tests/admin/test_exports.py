"""The dashboard's tables as CSV: UTF-8 with a BOM, a header, one row per unit, safe cells."""
import csv
import io

from sqlalchemy import func
from sqlmodel import select

from conftest import HANOI, HOAN_KIEM
import pytest

from digilit.admin.tables import (ALL_COURSES_LEARNERS, COLUMN_LABELS, COURSE_LEARNERS,
                                  FIGURE_COLUMNS)
from digilit.models import Commune

from .conftest import EXPECTED, FIELDS, FORMULA_TEAM

BOM = b"\xef\xbb\xbf"


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = response.get_data()
    assert data.startswith(BOM)
    assert data.count(BOM) == 1
    text = data[len(BOM):].decode("utf-8")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text, newline="")))


KEYS = {}  # the Vietnamese column names (the default language) -> the columns' keys


@pytest.fixture(autouse=True)
def column_keys(app):
    with app.test_request_context("/"):
        KEYS.update({str(label): key for key, label in COLUMN_LABELS.items()})
        KEYS[str(COURSE_LEARNERS)] = KEYS[str(ALL_COURSES_LEARNERS)] = "learners"


def as_dicts(rows):
    header, *body = rows
    return [dict(zip([KEYS[name] for name in header], row)) for row in body]


def figures_of(row):
    return {name: int(row[name]) for name in FIELDS}


def test_headline_csv(population, clients):
    rows = download(clients("quocgia"), "/admin/stats.csv?table=headline")
    assert [KEYS[name] for name in rows[0]] == ["code", "name", *FIGURE_COLUMNS]
    assert rows[0][:2] == ["Mã", "Đơn vị"]  # in the page's language
    english = download(clients("quocgia"), "/admin/stats.csv?table=headline&lang=en")
    assert english[0][:4] == ["Code", "Unit", "Learners", "Citizens trained"]
    clients("quocgia").get("/?lang=vi")
    (row,) = as_dicts(rows)
    assert figures_of(row) == EXPECTED["nation"]
    assert (row["completion_rate"], row["pass_rate"], row["assisted_share"]) == (
        "0.5", "0.5556", "0.2667")
    (row,) = as_dicts(download(clients("xahoankiem"), "/admin/stats.csv?table=headline"))
    assert (int(row["code"]), row["name"]) == (HOAN_KIEM, population.units["hoan_kiem"].name)
    assert figures_of(row) == EXPECTED["hoan_kiem"]


def test_breakdown_csv_has_one_row_per_unit_and_sums_to_the_total(population, clients, db):
    client = clients("quocgia")
    provinces = as_dicts(download(client, "/admin/stats.csv?table=breakdown"))
    assert len(provinces) == 34 and len({r["code"] for r in provinces}) == 34
    for name in FIELDS:
        assert sum(int(r[name]) for r in provinces) == EXPECTED["nation"][name]
    communes = as_dicts(download(client, f"/admin/stats.csv?table=breakdown&province={HANOI}"))
    assert len(communes) == db.exec(select(func.count()).select_from(Commune).where(
        Commune.province_code == HANOI)).one()
    by_code = {int(r["code"]): r for r in communes}
    assert figures_of(by_code[HOAN_KIEM]) == EXPECTED["hoan_kiem"]
    for name in FIELDS:
        assert sum(int(r[name]) for r in communes) == EXPECTED["hanoi"][name]
    # the same rows for the province's own administrator
    assert as_dicts(download(clients("tinhhanoi"), "/admin/stats.csv?table=breakdown")) == \
        communes


def test_team_names_are_neutralised(population, clients):
    teams = as_dicts(download(clients("xahoankiem"), "/admin/stats.csv?table=breakdown"))
    names = {int(r["code"]): r["name"] for r in teams}
    assert names == {population.team_a.id: "Tổ số 1 Hoàn Kiếm",
                     population.team_formula.id: "'" + FORMULA_TEAM}
    assert figures_of(next(r for r in teams if int(r["code"]) == population.team_a.id)) == \
        EXPECTED["team_a"]


def test_courses_and_weekly_csv(population, clients, catalog):
    client = clients("tinhhanoi")
    courses = download(client, "/admin/stats.csv?table=courses")
    assert [KEYS[name] for name in courses[0][:2]] == ["course", "title"]
    assert [r["course"] for r in as_dicts(courses)] == [c.slug for c in catalog]
    assert sum(int(r["enrolments"]) for r in as_dicts(courses)) == EXPECTED["hanoi"]["enrolments"]
    # A course's learners are those enrolled in it (the column says so), not 0.
    assert all(r["learners"] == r["enrolments"] for r in as_dicts(courses))
    assert sum(int(r["learners"]) for r in as_dicts(courses)) > 0
    weekly = download(client, "/admin/stats.csv?table=weekly")
    assert [KEYS[name] for name in weekly[0]] == ["week_starting", "enrolments", "completions"]
    assert len(weekly) == 1 + 26
    assert weekly[-1][1:] == [str(EXPECTED["hanoi"]["enrolments"]),
                              str(EXPECTED["hanoi"]["completions"])]


def test_csv_follows_the_filters(population, clients):
    client = clients("quocgia")
    rows = download(client, "/admin/stats.csv?table=headline&course=e-id&lang=en")
    assert rows[0][2] == "Learners (all courses)"  # says that it does not follow the filter
    client.get("/?lang=vi")
    (row,) = as_dicts(download(client, "/admin/stats.csv?table=headline&course=e-id"))
    assert (row["enrolments"], row["completions"]) == ("6", "3")
    (row,) = as_dicts(download(client, "/admin/stats.csv?table=headline&date_from=2999-01-01"))
    assert row["enrolments"] == "0"
