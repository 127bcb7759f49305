"""The learner's pages: catalogue, course, lesson, quiz, result, my learning, certificates."""
import json

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..content import get_catalog
from ..db import begin_writes, get_session, reads_first
from ..fragments import fragment, fragment_each, hole, page
from .. import clock, oidc
from ..i18n import format_date, format_datetime
from ..services import grading, practice, progress, quiz_rules, security_events, standing
from ..services.errors import DomainError

bp = Blueprint("learn", __name__)


def _course_or_404(slug):
    course = get_catalog().get(slug)
    if course is None:
        abort(404)
    return course


@bp.route("/")
def catalogue():
    started = {}
    if current_user.is_authenticated:
        started = standing.catalogue_progress(session=get_session(), user_id=current_user.id)
    catalog = get_catalog()
    return page("learn/catalogue.html", catalog.key, tuple(sorted(started.items())),
                courses=list(catalog), standing=started)


def _retry_at(db, course):
    """When the learner's next attempt opens after two failures in a row, or None."""
    if not current_user.is_authenticated:
        return None
    return quiz_rules.retry_at(session=db, user_id=current_user.id, course_slug=course.slug,
                               pause=current_app.config["QUIZ_RETRY_PAUSE"])


@bp.route("/courses/<slug>")
def course(slug):
    course = _course_or_404(slug)
    db = get_session()
    state = standing.course_progress(session=db, user=current_user, course=course,
                                     with_attempts=True)
    suggestion = standing.next_course(session=db, user_id=current_user.id,
                                      catalog=get_catalog(), completed=state.completed_courses
                                      ) if state.passed else None
    retry_at = quiz_rules.retry_after(state.attempts, current_app.config["QUIZ_RETRY_PAUSE"])
    context = dict(course=course, state=state, next_course=suggestion, retry_at=retry_at)
    # The learner's own: the latest attempts and the certificate's address.
    holes = {"attempts": _attempts(course, state),
             "certificate": url_for(".certificate", code=state.certificate.code)
             if state.certificate else ""}
    if retry_at:  # a time of this learner's own, in two places
        return page("learn/course.html", holes=holes, keep=False, **context)
    return page("learn/course.html", course.slug, course.version, state.done,
                state.practices_done, state.enrolment is not None, state.passed,
                state.certificate is not None, suggestion.slug if suggestion else None,
                holes=holes, **context)


def _attempts(course, state):
    """The learner's latest attempts, kept per their scores and outcomes; the address and the
    time of each filled in."""
    holes = {}
    for number, attempt in enumerate(state.attempts, 1):
        holes[f"url{number}"] = url_for(".result", slug=course.slug, attempt_id=attempt.id)
        holes[f"time{number}"] = format_datetime(attempt.submitted_at, "short")
    outcomes = tuple((attempt.percent, attempt.passed) for attempt in state.attempts)
    return fragment("learn/_attempts.html", course.slug, outcomes, state.more_attempts,
                    holes=holes, course=course, state=state)


@bp.route("/courses/<slug>/enroll", methods=["POST"])
@login_required
def enroll(slug):
    course = _course_or_404(slug)
    db = get_session()  # the CSRF token was checked before the view (``extensions.csrf``)
    progress.enroll(session=db, user=current_user, course=course)
    db.commit()
    state = standing.course_progress(session=db, user=current_user, course=course)
    if state.next_lesson:
        return redirect(url_for(".lesson", slug=slug, lesson=state.next_lesson.slug))
    return redirect(url_for(".course", slug=slug))


@bp.route("/courses/<slug>/lessons/<lesson>")
def lesson(slug, lesson):
    course = _course_or_404(slug)
    item = course.lesson(lesson) or abort(404)
    state = standing.course_progress(session=get_session(), user=current_user, course=course,
                                     with_practices=False)  # not shown on a lesson
    lessons = course.lessons
    previous = lessons[item.position - 2] if item.position > 1 else None
    following = lessons[item.position] if item.position < len(lessons) else None
    answers = {}
    if current_user.is_authenticated and item.checks:
        answers = practice.check_answers(session=get_session(), user_id=current_user.id,
                                         course_slug=course.slug, lesson_slug=item.slug)
    context = dict(course=course, lesson=item, state=state, previous=previous,
                   following=following, check_answers=answers)
    if answers:  # this learner's own answers to the self-checks
        return render_template("learn/lesson.html", **context)
    return page("learn/lesson.html", course.slug, course.version, item.slug,
                item.slug in state.done, state.done_count, state.total, **context)


@bp.route("/courses/<slug>/lessons/<lesson>/complete", methods=["POST"])
@login_required
@reads_first
def complete(slug, lesson):
    course = _course_or_404(slug)
    item = course.lesson(lesson) or abort(404)
    db = get_session()  # the CSRF token was checked before the view (``extensions.csrf``)
    user = current_user._get_current_object()  # the services read it often: not the proxy
    state = standing.course_progress(session=db, user=user, course=course,
                                     with_practices=False, for_lesson_on=clock.today())
    state.done = state.done | {item.slug}  # as it will be: the next page is known now
    if state.next_lesson is None:  # the practices matter only once the lessons are done
        state.practices_done = standing.practices_done(session=db, user_id=user.id,
                                                       course=course)
    progress.complete_lesson(session=db, user=user, course=course, lesson=item,
                             state=state, begin_writes=begin_writes)
    db.commit()  # no read after the writes: they would take the write lock again
    if state.next_lesson is None and state.practices_left:
        flash(_("All lessons done. Now the practice: the quiz opens after it."), "success")
        return redirect(url_for(".practice", slug=slug, practice=state.practices_left[0].slug))
    if state.next_lesson is None:
        flash(_("All lessons done: the quiz is open."), "success")
        return redirect(url_for(".quiz", slug=slug))
    return redirect(url_for(".lesson", slug=slug, lesson=state.next_lesson.slug))


@bp.route("/courses/<slug>/quiz", methods=["GET", "POST"])
@login_required
@reads_first
def quiz(slug):
    course = _course_or_404(slug)
    db = get_session()
    # The latest attempts (read with the rest on a GET): the pause after two failures, and
    # the draw a new one differs from. A submission checks the pause itself, under the lock.
    posted = request.method == "POST"  # the token's owner, the teams: the write's reads
    user = current_user._get_current_object()  # the services read it often: not the proxy
    state = standing.course_progress(
        session=db, user=user, course=course, with_attempts=not posted,
        with_answers=not posted,
        for_token=request.form.get("attempt_token", "")[:64] if posted else None)
    latest = state.attempts
    retry_at = quiz_rules.retry_after(latest, current_app.config["QUIZ_RETRY_PAUSE"])
    if not state.quiz_open or retry_at:
        status = 409 if request.method == "POST" else 200
        return render_template("learn/quiz_locked.html", course=course, state=state,
                               retry_at=retry_at), status
    if request.method == "POST":  # its CSRF token was checked before the view
        token = request.form.get("attempt_token", "")
        try:
            answers, errors = grading.read_answers(course, request.form, token)
            if not errors:
                attempt = grading.submit_attempt(
                    session=db, user=user, course=course, token=token,
                    answers=answers, secret=current_app.config["SECRET_KEY"],
                    pause=current_app.config["QUIZ_RETRY_PAUSE"], state=state,
                    begin_writes=begin_writes)
                db.commit()
                return redirect(url_for(".result", slug=slug, attempt_id=attempt.id))
        except DomainError as error:
            db.rollback()
            flash(_paused_message(error) or str(error.message), "error")
            return redirect(url_for(".quiz", slug=slug))
        # Questions left out: the form again, with the answers given and the messages.
        token = token or _new_token(course, latest)
        return render_template(
            "learn/quiz.html", course=course, token=token, errors=errors, answers=answers,
            questions=grading.shuffled_quiz(course, token), fresh=False), 422
    return _fresh_quiz_form(course, latest)


def _new_token(course, latest):
    return quiz_rules.signed_token(
        secret=current_app.config["SECRET_KEY"], user_id=current_user.id, course=course,
        previous=quiz_rules.draw_of(latest))


def _fresh_quiz_form(course, latest):
    """A new attempt's form: the page kept per course, its questions kept per language with
    their choices put in this attempt's order, its one-time token filled in."""
    token = _new_token(course, latest)
    questions = fragment_each("learn/_question.html", (
        ((course.slug, course.version, question.id), {"number": number},
         [choice.id for choice in choices],
         dict(question=question, choices=question.choices, number=hole("number"), given=[],
              error=None, blocks=True))
        for number, (question, choices) in enumerate(grading.shuffled_quiz(course, token), 1)))
    return page("learn/quiz.html", course.slug, course.version,
                holes={"token": token, "questions": questions}, course=course, fresh=True,
                errors={}, answers={})


def _paused_message(error):
    if isinstance(error, grading.QuizPaused):
        return _("Two attempts in a row did not pass: take a short break and read the lessons "
                 "again. The quiz opens again at %(time)s (Vietnam time). Nothing was recorded.",
                 time=format_datetime(error.until, "short"))
    return None


@bp.route("/courses/<slug>/attempts/<int:attempt_id>")
@login_required
def result(slug, attempt_id):
    course = _course_or_404(slug)
    db = get_session()
    attempt = grading.own_attempt(session=db, attempt_id=attempt_id, user_id=current_user.id,
                                  course_slug=slug) or abort(404)
    code = suggestion = retry_at = None
    if attempt.passed:
        code = attempt.certificate_code
        suggestion = standing.next_course(
            session=db, user_id=current_user.id, catalog=get_catalog(),
            completed=set((attempt.completed_courses or "").split()))
    if code is None:  # the page shows the pause only then
        retry_at = _retry_at(db, course)
    # Kept per course, outcome and score; the answers reviewed and the certificate's address
    # are this attempt's own.
    holes = {"review": _review(course, attempt),
             "certificate_url": url_for(".certificate", code=code) if code else ""}
    return page("learn/result.html", course.slug, course.version, attempt.passed,
                attempt.score, attempt.max_score, attempt.percent, code is not None,
                suggestion.slug if suggestion else None, holes=holes, keep=retry_at is None,
                course=course, attempt=attempt, has_certificate=code is not None,
                next_course=suggestion, retry_at=retry_at)


def _review(course, attempt):
    """The attempt's questions with the answers given, each kept per answer."""
    answers = json.loads(attempt.answers)
    items = []
    for question in course.questions:
        if question.id in answers:
            given = answers[question.id]
            correct = grading.is_correct(question, given)
            items.append(fragment("learn/_review_item.html", course.slug, course.version,
                                  question.id, " ".join(given), correct, attempt.passed,
                                  course=course, question=question, given=given,
                                  correct=correct, passed=attempt.passed))
    return Markup("").join(items)


@bp.route("/courses/<slug>/attempts")
@login_required
def attempts(slug):
    course = _course_or_404(slug)
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= 100_000:
        abort(404)
    rows, has_next = standing.attempts_page(session=get_session(), user_id=current_user.id,
                                            course_slug=slug, page=page)
    if not rows and page > 1:
        abort(404)
    return render_template("learn/attempts.html", course=course, attempts=rows, page=page,
                           has_next=has_next)


@bp.route("/me")
@login_required
def me():
    return render_me()


def render_me():
    """The learner's page: progress per course, certificates, the latest changes to the
    account (one small query), account links. Kept per kind of learner, each course kept
    per standing, each change per kind: what is the learner's own is filled in."""
    db, user = get_session(), current_user._get_current_object()
    rows = standing.learner_overview(session=db, user=user, catalog=get_catalog())
    changes = security_events.recent(session=db, user=user)
    holes = {"name": user.full_name, "username": user.username,
             "courses": Markup("").join(_me_course(state) for state in rows),
             "changes": Markup("").join(
                 fragment("auth/_security_event.html", event.kind, event.detail,
                          event.actor_role, holes={"when": format_datetime(event.created_at,
                                                                           "short")},
                          event=event) for event in changes),
             "identity": Markup(render_template("auth/_identity.html")) if oidc.enabled()
             else Markup("")}
    return page("learn/me.html", bool(rows), bool(changes), user.role == "learner",
                holes=holes, started=bool(rows), changed=bool(changes),
                learner=user.role == "learner")


def _me_course(state):
    """One course of /me: kept per standing, its certificate and attempts filled in."""
    holes = {f"attempt:{index}": url_for(".result", slug=state.course.slug, attempt_id=a.id)
             for index, a in enumerate(state.attempts)}
    certificate = state.certificate
    if certificate:
        holes.update(issued=format_date(certificate.issued_at), code=certificate.code,
                     certificate_url=url_for(".certificate", code=certificate.code))
    next_lesson, left = state.next_lesson, state.practices_left
    return fragment("learn/_me_course.html", state.course.slug, state.course.version,
                    state.done_count, bool(certificate), next_lesson and next_lesson.slug,
                    left[0].slug if left else None, tuple(a.percent for a in state.attempts),
                    state.more_attempts, holes=holes, state=state)
