"""What a walk through the pages on a 360 px phone found, checked in the browser: the next
step is the most visible thing (filled primary buttons), a compact header with a language
switch, Vietnamese alphabetical order, where staff land after signing in, a chart legend
that is not cut off, team tables whose actions stay on screen, and "select all"."""
import pytest

from .conftest import HANOI, sign_in, wait_until

BRAND = "rgb(10, 75, 156)"
WHITE = "rgb(255, 255, 255)"
pytestmark = pytest.mark.browser


def colours(page, selector):
    return page.eval_on_selector(selector, """el => {
        const style = getComputedStyle(el);
        return [style.backgroundColor, style.color];
    }""")


def test_primary_buttons_are_filled(page, cast):
    page.goto("/auth/register")
    assert colours(page, "main form [name=submit]") == [BRAND, WHITE]  # Tạo tài khoản
    page.goto("/auth/login")
    assert colours(page, "main form [name=submit]") == [BRAND, WHITE]  # Đăng nhập
    sign_in(page, cast.fresh)
    page.goto(f"/courses/{cast.course}")
    assert colours(page, "main form [name=submit]") == [BRAND, WHITE]  # Bắt đầu khóa học này
    with page.expect_navigation():
        page.click("main form [name=submit]")
    assert "/lessons/" in page.url
    assert colours(page, "main form [name=submit]") == [BRAND, WHITE]  # Đánh dấu đã học xong
    # A plain button stays an outline: the filled one stands out.
    page.goto("/auth/register")
    assert colours(page, "[name=refresh_communes]")[0] == WHITE


def test_the_header_is_compact_and_switches_the_language(page, cast):
    sign_in(page, cast.learner)
    page.goto("/")
    height = page.eval_on_selector("header.site", "el => el.getBoundingClientRect().height")
    assert height <= 100, height  # was 170 px of a 740 px screen
    switch = page.locator("header.site .lang-switch")
    assert switch.locator("a").count() == 3  # the other languages (all four in the footer)
    with page.expect_navigation():
        switch.locator('a[hreflang="en"]').click()
    assert page.locator("html").get_attribute("lang") == "en"


def test_lists_follow_vietnamese_order(page, cast):
    page.goto("/auth/register")
    provinces = page.eval_on_selector_all("#province option", "os => os.slice(1).map(o => o.text)")
    assert len(provinces) == 34 and provinces[0] == "An Giang"
    assert provinces.index("Bắc Ninh") < provinces.index("Cà Mau") < \
        provinces.index("Thành phố Cần Thơ") < provinces.index("Thành phố Đà Nẵng") < \
        provinces.index("Điện Biên") < provinces.index("Thành phố Hà Nội") < \
        provinces.index("Hà Tĩnh")
    page.select_option("#province", str(HANOI))
    wait_until(page, "() => document.querySelectorAll('#commune option').length > 100")
    communes = page.eval_on_selector_all("#commune option", "os => os.slice(1).map(o => o.text)")
    proper = [name.split(" ", 1)[1] if name.startswith(("Xã ", "Phường ")) else name
              for name in communes]
    firsts = [name[0] for name in proper]
    assert firsts.index("Đ") > max(i for i, ch in enumerate(firsts) if ch == "D")
    assert firsts.index("Đ") < firsts.index("G")  # Đ right after D, not at the end


@pytest.mark.parametrize("who, landing", [("leader", "/teams/"),
                                          ("commune_admin", "/admin/stats"),
                                          ("learner", "/me")])
def test_where_people_land_after_signing_in(page, cast, who, landing):
    sign_in(page, getattr(cast, who))
    assert page.url.endswith(landing)


def test_the_chart_legend_is_not_cut_off(page, cast):
    sign_in(page, cast.national_admin)
    page.goto("/admin/stats")
    overflow = page.eval_on_selector("#trend-t", """title => {
        const svg = title.closest("svg"), box = svg.viewBox.baseVal;
        return Array.from(svg.querySelectorAll("text")).map(t => {
            const b = t.getBBox();
            return b.x + b.width > box.width + 0.5 || b.y + b.height > box.height + 0.5;
        }).filter(Boolean).length;
    }""")
    assert overflow == 0


def test_team_member_actions_stay_on_a_phone_screen(page, cast):
    sign_in(page, cast.leader)
    page.goto(f"/teams/{cast.team_id}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    rights = page.eval_on_selector_all(
        ".members-table .row-actions > *", "els => els.map(e => e.getBoundingClientRect().right)")
    assert rights and max(rights) <= 360


def test_select_all_attendees(page, new_page, cast):
    sign_in(page, cast.leader)
    page.goto(f"/teams/{cast.team_id}/sessions")
    assert page.is_hidden("[name=everyone]")
    page.check("[data-select-all]")
    ticked = page.eval_on_selector_all("[name=attendees]", "bs => bs.map(b => b.checked)")
    assert ticked and all(ticked)
    page.uncheck("[name=attendees] >> nth=0")
    assert page.eval_on_selector("[data-select-all]", "b => b.indeterminate")
    # Without JavaScript: no "select all" box, an "everyone attended" button instead.
    plain = new_page(java_script_enabled=False)
    sign_in(plain, cast.leader)
    plain.goto(f"/teams/{cast.team_id}/sessions")
    assert plain.is_visible("[name=everyone]") and plain.is_hidden("[data-select-all]")
