"""After a course is passed, the next course of the catalogue is offered."""
import re

NEXT_RE = re.compile(r'<p class="next-course">.*?href="/courses/([^"]+)"', re.S)


def next_offered(client, url):
    response = client.get(url)
    assert response.status_code == 200
    found = NEXT_RE.search(response.get_data(as_text=True))
    return found.group(1) if found else None


def test_the_result_and_course_pages_offer_the_first_course_not_completed(client, learner,
                                                                          learn, catalog):
    slugs = [c.slug for c in catalog]
    first, second = slugs[0], slugs[1]
    assert next_offered(client, f"/courses/{first}") is None  # nothing passed yet
    result = learn.pass_course(first)
    assert next_offered(client, result) == second
    assert next_offered(client, f"/courses/{first}") == second
    result = learn.pass_course(second)
    assert next_offered(client, result) == (slugs[2] if len(slugs) > 2 else None)


def test_a_failed_attempt_offers_no_other_course(client, learner, learn):
    from conftest import wrong_answers

    learn.complete_all("e-id")
    response = learn.submit("e-id", wrong_answers(learn.course("e-id")))
    assert response.status_code == 302
    assert next_offered(client, response.headers["Location"]) is None
