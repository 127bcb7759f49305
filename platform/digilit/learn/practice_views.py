"""Practices (``/courses/<slug>/practice/<practice>``), their SVG screens, and answers to the
self-checks of a lesson."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..db import get_session
from ..services import practice as practice_service
from ..services import progress
from ..services.errors import DomainError
from .forms import LessonCheckForm, PracticeForm
from .views import _course_or_404, bp

SVG_HEADERS = {"Content-Type": "image/svg+xml; charset=utf-8",
               "Cache-Control": "public, max-age=86400"}


def _practice_or_404(slug, practice_slug):
    course = _course_or_404(slug)
    return course, course.practice(practice_slug) or abort(404)


def _render(course, practice, step, outcome=None, error=None, status=200):
    db = get_session()
    form = PracticeForm(formdata=None, step=step.id, version=course.version)
    done = practice_service.is_done(session=db, user=current_user, course=course,
                                    practice=practice)
    state = progress.course_progress(session=db, user=current_user, course=course)
    return render_template("learn/practice.html", course=course, practice=practice, step=step,
                           form=form, outcome=outcome, error=error, done=done,
                           state=state), status


@bp.route("/courses/<slug>/practice/<practice>", methods=["GET", "POST"])
@login_required
def practice(slug, practice):
    """The learner's current step; a POST answers it (fields ``step``, ``choice``)."""
    course, item = _practice_or_404(slug, practice)
    db = get_session()
    if request.method == "GET":
        step = practice_service.current_step(session=db, user=current_user, course=course,
                                             practice=item)
        return _render(course, item, step)
    form = PracticeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = practice_service.answer(
            session=db, user=current_user, course=course, practice=item,
            step_id=form.step.data, choice_id=form.choice.data, version=form.version.data)
    except DomainError as error:
        db.rollback()
        step = practice_service.current_step(session=db, user=current_user, course=course,
                                             practice=item)
        return _render(course, item, step, error=error.message, status=409)
    db.commit()
    if outcome.completed:
        flash(_("Practice done: well done!"), "success")
    if outcome.kind in ("mistake", "feedback"):
        return _render(course, item, outcome.step, outcome=outcome)
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
