"""The dashboard's table by unit: sorted by any column, filtered by name, empty units hidden;
all through the query string (no JavaScript needed)."""
import re

from conftest import HANOI, HOAN_KIEM

BA_DINH = 4
ROW_RE = re.compile(r'<tr data-code="(\d+)">')


def codes(client, query=""):
    response = client.get(f"/admin/stats?province={HANOI}{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return [int(code) for code in ROW_RE.findall(page)], page


def test_units_with_no_learners_are_hidden_unless_asked(clients):
    client = clients("quocgia")
    shown, page = codes(client)
    assert set(shown) == {HOAN_KIEM, BA_DINH}
    assert 'id="hidden-units"' in page
    everyone, _page = codes(client, "&empty=1")
    assert len(everyone) > 100 and set(shown) < set(everyone)


def test_sorting_by_any_column_both_ways(clients):
    client = clients("quocgia")
    by_learners, page = codes(client, "&sort=learners&dir=desc")
    assert by_learners == [HOAN_KIEM, BA_DINH]  # 5 learners, then 2
    assert 'aria-sort="descending"' in page
    assert codes(client, "&sort=learners&dir=asc")[0] == [BA_DINH, HOAN_KIEM]
    assert codes(client, "&sort=name")[0] == [BA_DINH, HOAN_KIEM]  # Ba Đình before Hoàn Kiếm
    # An unknown column or direction is ignored, not an error.
    assert sorted(codes(client, "&sort=nonsense&dir=up")[0]) == sorted(by_learners)


def test_filtering_by_name_without_accents(clients):
    client = clients("quocgia")
    assert codes(client, "&q=hoan+kiem")[0] == [HOAN_KIEM]
    assert codes(client, "&q=Hoàn Kiếm")[0] == [HOAN_KIEM]
    shown, page = codes(client, "&q=no-such-place")
    assert shown == [] and 'id="no-units"' in page


def test_the_learners_column_says_it_ignores_the_course_filter(clients):
    page = clients("quocgia").get(f"/admin/stats?province={HANOI}&course=e-id&lang=en"
                                  ).get_data(as_text=True)
    assert "Learners (all courses)" in page
