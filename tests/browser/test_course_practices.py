"""In Chromium on a phone, without JavaScript: one practice of every real course, walked by
its good choices from the first screen to its end, every drawing loaded, the end recorded."""
import pytest
from sqlmodel import select

from conftest import practice_path
from digilit.content import get_catalog
from digilit.db import get_session
from digilit.models import PracticeProgress
from digilit.services import accounts, progress

from .conftest import setup_session, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-an-toan"
COURSES = ("e-id", "online-services", "cybersecurity", "digital-signature", "payments",
           "e-health")


@pytest.mark.parametrize("slug", COURSES)
def test_a_practice_of_each_course_from_start_to_end(app, live_server, new_page, slug):
    with setup_session(app) as db:
        course = get_catalog().get(slug)
        assert course is not None and course.practices, f"{slug} has no practice"
        user = accounts.create_user(session=db, username="tu2025", full_name="Trần Văn Tư",
                                    password=PASSWORD, province_code=1, commune_code=70)
        progress.enroll(session=db, user=user, course=course)
        db.commit()
    practice = course.practices[0]
    address = f"/courses/{slug}/practice/{practice.slug}"
    page = new_page(java_script_enabled=False)
    sign_in(page, "tu2025", PASSWORD)
    page.goto(address)
    for step_id, choice_id in practice_path(practice):
        assert page.locator('input[name="step"]').input_value() == step_id
        for image in page.locator("main img").all():
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), step_id
        with page.expect_navigation():
            page.locator(f'button[name="choice"][value="{choice_id}"]').click()
        if page.locator(".outcome").count():  # feedback first, then the next screen
            page.goto(address)
    with app.app_context():
        [done] = get_session().exec(select(PracticeProgress)).all()
    assert done.course_slug == slug and done.completed_at is not None
