"""Who may see which figures: the role x area matrix of /admin/stats, /admin/stats.csv and
/api/v1/stats. Outside one's area, an unknown code or a malformed one: 404."""
import re

import pytest

from conftest import BA_DINH, HANOI, HCMC, HOAN_KIEM, VUNG_TAU

URLS = ("/admin/stats", "/admin/stats.csv", "/api/v1/stats")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


def query(population, **area):
    """A query string from ``province=``, ``commune=`` and ``team=`` (a team's key: a, b, c)."""
    parts = []
    for key, value in area.items():
        if key == "team" and isinstance(value, str) and len(value) == 1:
            value = getattr(population, f"team_{value}").id
        parts.append(f"{key}={value}")
    return "?" + "&".join(parts) if parts else ""


# (username, area asked for, expected status)
MATRIX = [
    # national administrator: everything
    ("quocgia", {}, 200),
    ("quocgia", {"province": HANOI}, 200),
    ("quocgia", {"province": HCMC}, 200),
    ("quocgia", {"commune": VUNG_TAU}, 200),
    ("quocgia", {"team": "c"}, 200),
    ("quocgia", {"province": HANOI, "commune": HOAN_KIEM}, 200),
    ("quocgia", {"commune": HOAN_KIEM, "team": "a"}, 200),
    # province administrator of Hà Nội
    ("tinhhanoi", {}, 200),
    ("tinhhanoi", {"province": HANOI}, 200),
    ("tinhhanoi", {"commune": HOAN_KIEM}, 200),
    ("tinhhanoi", {"commune": BA_DINH}, 200),
    ("tinhhanoi", {"team": "a"}, 200),
    ("tinhhanoi", {"team": "b"}, 200),
    ("tinhhanoi", {"province": HCMC}, 404),
    ("tinhhanoi", {"commune": VUNG_TAU}, 404),
    ("tinhhanoi", {"team": "c"}, 404),
    ("tinhhanoi", {"province": HANOI, "commune": VUNG_TAU}, 404),
    ("tinhhcm", {"province": HANOI}, 404),
    ("tinhhcm", {"commune": HOAN_KIEM}, 404),
    ("tinhhcm", {"province": HCMC}, 200),
    # commune administrator of Hoàn Kiếm
    ("xahoankiem", {}, 200),
    ("xahoankiem", {"commune": HOAN_KIEM}, 200),
    ("xahoankiem", {"team": "a"}, 200),
    ("xahoankiem", {"commune": BA_DINH}, 404),
    ("xahoankiem", {"commune": VUNG_TAU}, 404),
    ("xahoankiem", {"team": "b"}, 404),
    ("xahoankiem", {"team": "c"}, 404),
    ("xahoankiem", {"province": HANOI}, 404),  # their own province: a province view
    ("xahoankiem", {"province": HCMC}, 404),
    ("xahoankiem", {"province": HCMC, "commune": HOAN_KIEM}, 404),  # contradiction
    ("xahoankiem", {"commune": BA_DINH, "team": "a"}, 404),  # contradiction
    ("xavungtau", {"commune": HOAN_KIEM}, 404),
    ("xavungtau", {}, 200),
    # not administrators
    ("totruonghk", {}, 404),
    ("totruonghk", {"team": "a"}, 404),
    ("totruonghk", {"commune": HOAN_KIEM}, 404),
    ("hocvien1", {}, 404),
    ("hocvien1", {"commune": HOAN_KIEM}, 404),
]


@pytest.mark.parametrize("url", URLS)
def test_role_by_area_matrix(population, clients, url):
    failures = []
    for username, area, status in MATRIX:
        response = clients(username).get(url + query(population, **area))
        response.close()  # a CSV download streams: end it
        if response.status_code != status:
            failures.append((username, area, response.status_code, status))
    assert not failures


UNKNOWN_OR_MALFORMED = [
    "province=999", "province=2", "commune=99999999", "commune=1", "team=99999",
    "province=abc", "province=-1", "province=1.0", "province=%C2%B2", "province=%EF%BC%91",
    "commune=%D9%A1", "commune=1e3", "commune=+70", "commune=%2070", "team=0x1",
    "province=9999999999", "province=", "commune=70&province=", "team=%00",
]


@pytest.mark.parametrize("url", URLS)
def test_unknown_and_malformed_codes_are_404(population, clients, url):
    for args in UNKNOWN_OR_MALFORMED:
        response = clients("quocgia").get(f"{url}?{args}")
        body = response.get_data()
        if args in ("province=", "commune=70&province="):  # empty: the same as absent
            assert response.status_code == 200, args
        else:
            assert response.status_code == 404, args
            assert b"Traceback" not in body


def test_unknown_course_and_bad_dates(population, clients):
    client = clients("quocgia")
    assert client.get("/admin/stats?course=no-such-course").status_code == 404
    assert client.get("/admin/stats?course=no-such-course&date_from=bad").status_code == 404
    assert client.get("/admin/stats.csv?course=no-such-course").status_code == 404
    assert client.get("/admin/stats.csv?table=weekly&date_to=x").get_data().startswith(
        b"\xef\xbb\xbf")
    assert client.get("/api/v1/stats?course=no-such-course").status_code == 404
    assert client.get("/api/v1/stats?from=2025-02-30").status_code == 400
    page = client.get("/admin/stats?date_from=31-31-2025&lang=en")
    assert page.status_code == 200
    assert 'id="date_from-error"' in page.get_data(as_text=True)
    assert client.get("/admin/stats.csv?table=secrets").status_code == 404


def test_signed_out(client, population):
    response = client.get("/admin/stats")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/admin/stats.csv").status_code == 302
    assert client.get("/admin/tokens").status_code == 302
    assert client.get("/api/v1/stats").status_code == 401


def test_not_administrators_get_404_on_every_admin_page(population, clients):
    for username in ("hocvien1", "totruonghk"):
        client = clients(username)
        for url in ("/admin/stats", "/admin/stats.csv?table=headline", "/admin/tokens"):
            response = client.get(url)
            response.close()
            assert response.status_code == 404, (username, url)
        assert client.post("/admin/targets", data={}).status_code in (400, 404)


def test_dashboard_pages_show_their_unit(population, clients):
    client = clients("tinhhanoi")
    page = client.get("/admin/stats?lang=en").get_data(as_text=True)
    name = population.units["hanoi"].name
    assert name in page and "Hoàn Kiếm" in page and "Vũng Tàu" not in page
    assert not INLINE_SCRIPT.search(page) and "style=" not in page
    page = client.get(f"/admin/stats?commune={HOAN_KIEM}&lang=en").get_data(as_text=True)
    assert "Tổ số 1 Hoàn Kiếm" in page and "Tổ số 1 Ba Đình" not in page
    page = client.get(f"/admin/stats?team={population.team_a.id}").get_data(as_text=True)
    assert "Tổ số 1 Hoàn Kiếm" in page
