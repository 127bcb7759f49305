"""Learners certified per competency area: one SQL aggregate over the unit's certificates,
joined to the areas the courses declare; shown on the dashboard within the caller's area."""
from dataclasses import replace

import pytest

from digilit.content.competencies import AREAS
from digilit.services import competency_stats, stats
from digilit.models.stats import COMMUNE, PROVINCE
from digilit.services.figures import Filters, Unit

from .conftest import BA_DINH, HANOI, HCMC, HOAN_KIEM


@pytest.fixture
def declared(catalog):
    """The real courses, given competencies here (the counts must not depend on content;
    other courses get none):
    e-id covers areas 2 and 4, cybersecurity area 4, online-services areas 1 and 2."""
    areas = {"e-id": ("2.6", "4.2"), "cybersecurity": ("4.1", "4.2"),
             "online-services": ("1.1", "2.3")}
    return [replace(course, competencies=areas.get(course.slug, ())) for course in catalog]


def by_area(db, unit, catalog, **filters):
    return dict(competency_stats.certified_by_area(session=db, unit=unit,
                                                   filters=Filters(**filters), catalog=catalog))


def unit(db, **codes):
    if "commune" in codes:
        return Unit(COMMUNE, codes["commune"], "", None, codes["commune"])
    if "province" in codes:
        return Unit(PROVINCE, codes["province"], "", codes["province"])
    return stats.NATION_UNIT


def test_learners_per_area_in_the_nation(db, population, declared):
    # Certified: a1 e-id, a2 e-id, b1 cybersecurity and e-id, c1 online-services.
    # Area 4: a1, a2, b1 (twice, counted once) = 3; area 2: a1, a2, b1, c1 = 4; area 1: c1.
    assert by_area(db, unit(db), declared) == {"1": 1, "2": 4, "3": 0, "4": 3, "5": 0}


def test_learners_per_area_in_a_province_and_a_commune(db, population, declared):
    assert by_area(db, unit(db, province=HANOI), declared) == {"1": 0, "2": 3, "3": 0, "4": 3,
                                                               "5": 0}
    assert by_area(db, unit(db, province=HCMC), declared)["1"] == 1
    assert by_area(db, unit(db, commune=HOAN_KIEM), declared)["4"] == 2
    assert by_area(db, unit(db, commune=BA_DINH), declared)["4"] == 1


def test_the_course_filter_and_courses_without_competencies(db, population, declared, catalog):
    assert by_area(db, unit(db), declared, course="cybersecurity") == {
        "1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    bare = [replace(course, competencies=()) for course in catalog]
    assert by_area(db, unit(db), bare) == dict.fromkeys(AREAS, 0)


def test_the_dashboard_shows_the_table(clients, population):
    page = clients("tinhhanoi").get("/admin/stats").get_data(as_text=True)
    assert '<table class="grid" id="areas">' in page
    for area in AREAS:
        assert f'<tr><th scope="row">{area}. ' in page
