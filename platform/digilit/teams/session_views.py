"""Correcting or deleting a venue session on its day (``venue.may_change_on``)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from .. import audit, clock
from ..db import get_session
from ..services import teams, venue
from ..services.errors import DomainError
from .progress_forms import DeleteSessionForm, VenueSessionForm
from .progress_views import _course_choices, chosen_attendees
from .views import _team, bp


def _venue_session(team, session_id):
    found = venue.session_or_none(session=get_session(), team=team, session_id=session_id)
    if found is None:
        abort(404)
    return found


@bp.route("/<int:team_id>/sessions/<int:session_id>", methods=["GET", "POST"])
def venue_session(team_id, session_id):
    """The session's form, filled in, to correct it (on its day only)."""
    team = _team(team_id)
    found = _venue_session(team, session_id)
    db = get_session()
    members = teams.team_members(session=db, team=team)
    form = VenueSessionForm() if request.method == "POST" else VenueSessionForm(
        formdata=None, held_on=found.held_on, place=found.place, course=found.course_slug,
        attendees=venue.attendees_of(session=db, venue=found))
    form.course.choices = _course_choices(_("Choose a course"))
    form.attendees.choices = [SelectChoice(m.id, m.full_name) for m in members]
    form.held_on.render_kw = {"max": clock.today().isoformat()}
    if form.validate_on_submit():
        try:
            venue.update_session(session=db, team=team, venue=found, held_on=form.held_on.data,
                                 place=form.place.data, course_slug=form.course.data,
                                 attendee_ids=chosen_attendees(form, members))
        except DomainError as error:
            db.rollback()
            getattr(form, error.field or "held_on").errors.append(error.message)
        else:
            db.commit()
            audit.event("venue_session_change", team_id=team.id, venue_id=found.id)
            flash(_("The session is corrected."), "success")
            return redirect(url_for(".sessions", team_id=team.id))
    elif request.method == "POST" and "csrf_token" in form.errors:
        abort(400)
    return render_template(
        "teams/session.html", team=team, venue_session=found, form=form, members=members,
        chosen=set(form.attendees.data or []), delete_form=DeleteSessionForm(),
        changeable=venue.may_change_on(found, clock.today()),
    ), 422 if request.method == "POST" else 200


@bp.route("/<int:team_id>/sessions/<int:session_id>/delete", methods=["POST"])
def delete_venue_session(team_id, session_id):
    """Delete a session recorded by mistake (on its day only)."""
    team = _team(team_id)
    found = _venue_session(team, session_id)
    if not DeleteSessionForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        venue.delete_session(session=db, venue=found)
    except DomainError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for(".venue_session", team_id=team.id, session_id=session_id))
    db.commit()
    audit.event("venue_session_delete", team_id=team.id, venue_id=session_id)
    flash(_("The session is deleted."), "success")
    return redirect(url_for(".sessions", team_id=team.id))
