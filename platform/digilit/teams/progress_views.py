"""Team progress pages: the member × course grid, its CSV export, and venue sessions.

Every route finds the team through ``_team`` (the scoping function): a team outside the
caller's area, or any of these pages for a learner, is a 404.
"""
from flask import (Response, abort, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session
from wtforms import SelectChoice

from .. import audit, clock
from ..content import get_catalog
from ..db import get_engine, get_session
from ..services import team_progress, teams, venue
from ..services.csv_export import attachment, csv_rows
from ..services.errors import DomainError
from ..web import localized
from .progress_forms import ProgressFilterForm, VenueSessionForm
from .views import _team, bp

MAX_PAGE = 10_000


def _course_choices(first_label):
    return [SelectChoice("", first_label)] + [SelectChoice(c.slug, localized(c.title))
                                               for c in get_catalog()]


def _filters():
    """The filter form read from the query string, and the valid filters in it (an unknown
    value is shown as an error beside its field and ignored)."""
    form = ProgressFilterForm(formdata=request.args)
    form.course.choices = _course_choices(_("All courses"))
    form.validate()
    course = form.course.data if form.course.data and not form.course.errors else None
    status = form.status.data if form.status.data and not form.status.errors else None
    return form, course, status


def _filter_args(course, status):
    return {key: value for key, value in (("course", course), ("status", status)) if value}


@bp.route("/<int:team_id>/progress")
def progress(team_id):
    team = _team(team_id)
    db = get_session()
    form, course, status = _filters()
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    size = team_progress.PAGE_SIZE
    grid = team_progress.progress_grid(session=db, team=team, course_slug=course,
                                       status=status, offset=(page - 1) * size, limit=size)
    return render_template(
        "teams/progress.html", team=team, form=form, grid=grid, page=page,
        filter_args=_filter_args(course, status), status_labels=team_progress.STATUS_LABELS,
        stalled=team_progress.stalled_members(session=db, team=team, course_slug=course),
        stalled_days=team_progress.STALLED_DAYS,
        assisted=team_progress.assisted_counts(session=db, team=team, course_slug=course),
    )


@bp.route("/<int:team_id>/progress.csv")
def progress_csv(team_id):
    team = _team(team_id)
    _form, course, status = _filters()
    header = [_("Full name"), _("Username"), _("Course"), _("Course title"), _("Enrolled"),
              _("Status"),
              _("Lessons done"), _("Lessons in the course"), _("Passed on"),
              _("Last activity"), _("Stalled")]

    def rows():
        # The rows are read while the response streams, after the request's teardown has
        # closed its session: the generator opens its own and closes it when done (or when
        # the client goes away), so no connection is left checked out.
        db = Session(get_engine(), expire_on_commit=False)
        try:
            for member, cell in team_progress.iter_grid_cells(session=db, team=team,
                                                              course_slug=course,
                                                              status=status):
                yield [member.full_name, member.username, cell.course.slug,
                       localized(cell.course.title), 1 if cell.enrolled else 0,
                       str(team_progress.STATUS_LABELS[cell.status]), cell.done, cell.total,
                       cell.passed_on, venue.vn_date(cell.last_activity_at),
                       1 if cell.stalled else 0]
        finally:
            db.close()

    parts = [f"team-{team.id}-progress"] + [v for v in (course, status) if v]
    filename = "-".join(parts) + f"-{clock.today().isoformat()}.csv"
    audit.event("export", kind="team_progress", team_id=team.id, course=course, status=status)
    return Response(stream_with_context(csv_rows(header, rows())), mimetype="text/csv",
                    headers={"Content-Disposition": attachment(filename),
                             "Cache-Control": "no-store"})


@bp.route("/<int:team_id>/sessions", methods=["GET", "POST"])
def sessions(team_id):
    team = _team(team_id)
    db = get_session()
    members = teams.team_members(session=db, team=team)
    form = VenueSessionForm()
    form.course.choices = _course_choices(_("Choose a course"))
    form.attendees.choices = [SelectChoice(m.id, m.full_name) for m in members]
    today = clock.today()
    form.held_on.render_kw = {"max": today.isoformat()}
    if form.validate_on_submit():
        try:
            venue.record_session(session=db, team=team, actor=current_user,
                                 held_on=form.held_on.data, place=form.place.data,
                                 course_slug=form.course.data,
                                 attendee_ids=chosen_attendees(form, members))
        except DomainError as error:
            db.rollback()
            getattr(form, error.field or "held_on").errors.append(error.message)
        else:
            db.commit()
            flash(_("The session is recorded."), "success")
            return redirect(url_for(".sessions", team_id=team.id))
    elif request.method == "POST" and "csrf_token" in form.errors:
        abort(400)
    if request.method == "GET" and form.held_on.data is None:
        form.held_on.data = today
    chosen = set(form.attendees.data or []) if request.method == "POST" else set()
    return render_template(
        "teams/sessions.html", team=team, form=form, members=members, chosen=chosen,
        venue_sessions=venue.list_sessions(session=db, team=team),
        courses={c.slug: c for c in get_catalog()}, today=today,
        may_change_on=venue.may_change_on,
    ), 422 if request.method == "POST" else 200


def chosen_attendees(form, members):
    """The ticked members, or every member with the "everyone attended" button."""
    if form.everyone.data:
        return [m.id for m in members]
    return form.attendees.data or []
