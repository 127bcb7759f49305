"""Training targets: for one's own unit and the units below it, nothing outside the area."""
import pytest
from sqlmodel import select

from conftest import BA_DINH, HANOI, HCMC, HOAN_KIEM, VUNG_TAU, csrf_token
from digilit.models import Target
from digilit.services import stats


def post_target(client, unit, citizens, url="/admin/targets", page="/admin/stats"):
    return client.post(url, data={"csrf_token": csrf_token(client, page), "unit": unit,
                                  "citizens": citizens})


def saved(db):
    db.expire_all()
    return {(t.level, t.unit_code): t.citizens for t in db.exec(select(Target)).all()}


def test_a_province_sets_its_own_target_and_one_below(population, clients, db):
    client = clients("tinhhanoi")
    response = post_target(client, f"{stats.PROVINCE}:{HANOI}", "1000")
    assert response.status_code == 302
    response = post_target(client, f"{stats.COMMUNE}:{HOAN_KIEM}", "120")
    assert response.status_code == 302
    response = post_target(client, f"{stats.TEAM}:{population.team_b.id}", "40")
    assert response.status_code == 302
    assert saved(db) == {(stats.PROVINCE, HANOI): 1000, (stats.COMMUNE, HOAN_KIEM): 120,
                         (stats.TEAM, population.team_b.id): 40}
    target = db.exec(select(Target).where(Target.unit_code == HANOI)).one()
    assert target.set_by == population.staff["tinhhanoi"].id
    # changed, not duplicated
    assert post_target(client, f"{stats.PROVINCE}:{HANOI}", "1500").status_code == 302
    assert saved(db)[(stats.PROVINCE, HANOI)] == 1500 and len(saved(db)) == 3
    # shown on the dashboards: trained against the target
    page = client.get("/admin/stats?lang=en").get_data(as_text=True)
    assert 'max="1500"' in page and 'value="3"' in page
    page = clients("quocgia").get("/admin/stats?lang=en").get_data(as_text=True)
    assert "1,500" in page  # Hà Nội's target in the national ranking


@pytest.mark.parametrize("username, unit", [
    ("tinhhanoi", f"{stats.PROVINCE}:{HCMC}"),
    ("tinhhanoi", f"{stats.COMMUNE}:{VUNG_TAU}"),
    ("tinhhanoi", f"{stats.NATION}:0"),
    ("tinhhanoi", "TEAM_C"),
    ("xahoankiem", f"{stats.PROVINCE}:{HANOI}"),
    ("xahoankiem", f"{stats.COMMUNE}:{BA_DINH}"),
    ("xahoankiem", f"{stats.NATION}:0"),
    ("xahoankiem", "TEAM_B"),
    ("quocgia", f"{stats.PROVINCE}:999"),
    ("quocgia", f"{stats.COMMUNE}:99999999"),
    ("quocgia", "7:1"),
    ("quocgia", "1:abc"),
    ("quocgia", "1:²"),
    ("quocgia", ""),
])
def test_a_unit_outside_the_area_is_404(population, clients, db, username, unit):
    unit = {"TEAM_B": f"{stats.TEAM}:{population.team_b.id}",
            "TEAM_C": f"{stats.TEAM}:{population.team_c.id}"}.get(unit, unit)
    response = post_target(clients(username), unit, "100")
    assert response.status_code == 404
    assert saved(db) == {}


def test_own_commune_and_its_teams(population, clients, db):
    client = clients("xahoankiem")
    assert post_target(client, f"{stats.COMMUNE}:{HOAN_KIEM}", "300").status_code == 302
    assert post_target(client, f"{stats.TEAM}:{population.team_a.id}", "0").status_code == 302
    assert saved(db) == {(stats.COMMUNE, HOAN_KIEM): 300, (stats.TEAM, population.team_a.id): 0}
    national = clients("quocgia")
    assert post_target(national, f"{stats.NATION}:0", "5000000").status_code == 302
    assert saved(db)[(stats.NATION, 0)] == 5_000_000


@pytest.mark.parametrize("citizens", ["", "abc", "-5", "1.5", "1e9", "300000000", "²"])
def test_a_bad_number_is_the_form_again_with_a_message(population, clients, db, citizens):
    client = clients("tinhhanoi")
    response = post_target(client, f"{stats.COMMUNE}:{HOAN_KIEM}", citizens,
                           url="/admin/targets?lang=en")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="citizens-error"' in page
    message = page.split('id="citizens-error" class="error">', 1)[1].split("</p>", 1)[0]
    assert "number" in message
    assert saved(db) == {}


def test_the_form_needs_its_csrf_token(population, clients, db):
    client = clients("tinhhanoi")
    response = client.post("/admin/targets", data={"unit": f"{stats.PROVINCE}:{HANOI}",
                                                   "citizens": "10"})
    assert response.status_code == 400
    assert saved(db) == {}
