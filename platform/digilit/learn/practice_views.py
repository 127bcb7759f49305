"""Practices (``/courses/<slug>/practice/<practice>``), their SVG screens, and answers to the
self-checks of a lesson."""
from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..db import begin_writes, get_session, reads_first
from ..fragments import page
from ..services import practice as practice_service
from ..services.errors import DomainError
from .forms import LessonCheckForm
from .views import _course_or_404, bp

SVG_HEADERS = {"Content-Type": "image/svg+xml; charset=utf-8",
               "Cache-Control": "public, max-age=86400"}


def _practice_or_404(slug, practice_slug):
    course = _course_or_404(slug)
    return course, course.practice(practice_slug) or abort(404)


def _render(course, practice, here, outcome=None, error=None, status=200):
    """The practice page at ``here`` (a ``Place``), with an answer's ``outcome`` if any; kept
    per step and outcome (``fragments.page``) unless it shows an ``error``."""
    step = here.step
    context = dict(course=course, practice=practice, step=step, outcome=outcome, error=error,
                   done=here.done)
    key = (course.slug, course.version, practice.slug, step.id, here.done,
           outcome.kind if outcome else None, outcome.choice.id if outcome else None)
    return page("learn/practice.html", *key, keep=error is None, **context), status


def _place(course, practice):
    return practice_service.place(session=get_session(), user_id=current_user.id,
                                  course=course, practice=practice)


@bp.route("/courses/<slug>/practice/<practice>", methods=["GET", "POST"])
@login_required
@reads_first
def practice(slug, practice):
    """The learner's current step; a POST answers it (fields ``step``, ``choice``)."""
    course, item = _practice_or_404(slug, practice)
    if request.method == "GET":
        return _render(course, item, _place(course, item))
    db = get_session()  # the CSRF token was checked before the view (``extensions.csrf``)
    try:
        outcome = practice_service.answer(
            session=db, user=current_user, course=course, practice=item,
            step_id=request.form.get("step"), choice_id=request.form.get("choice"),
            version=request.form.get("version"), begin_writes=begin_writes)
    except DomainError as error:
        db.rollback()
        return _render(course, item, _place(course, item), error=error.message, status=409)
    db.commit()
    if outcome.completed:
        flash(_("Practice done: well done!"), "success")
    if outcome.kind in ("mistake", "feedback"):
        # The step answered and the standing after it, as the answer read and wrote them.
        here = practice_service.Place(outcome.step, outcome.done)
        return _render(course, item, here, outcome=outcome)
    return redirect(url_for(".practice", slug=slug, practice=practice))


@bp.route("/courses/<slug>/practice/<practice>/images/<name>")
def practice_image(slug, practice, name):
    """A practice screen's drawing: an SVG checked when the course was loaded (no script,
    handler or outside reference), sent as ``image/svg+xml`` under the site's strict policy."""
    _course, item = _practice_or_404(slug, practice)
    data = item.images.get(name) or abort(404)
    return Response(data, headers=SVG_HEADERS)


@bp.route("/courses/<slug>/lessons/<lesson>/checks/<check>", methods=["POST"])
@login_required
def lesson_check(slug, lesson, check):
    """Record an answer to a lesson self-check and show its feedback at the check."""
    course = _course_or_404(slug)
    item = course.lesson(lesson) or abort(404)
    if not any(c.id == check for c in item.checks):
        abort(404)
    form = LessonCheckForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    try:
        practice_service.answer_check(session=db, user=current_user, course=course,
                                      lesson=item, check_id=check, choice_id=form.choice.data)
    except DomainError as error:
        db.rollback()
        flash(str(error.message), "error")
    else:
        db.commit()
    return redirect(url_for(".lesson", slug=slug, lesson=lesson, _anchor=f"check-{check}"))
