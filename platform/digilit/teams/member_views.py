"""Changing who is in a team: correcting a member, taking them out, adding an existing
account. Who may do it is decided in ``services.scope`` (``may_change_member`` and the
like); here a refusal is a 404, as for anything outside the caller's area."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..db import get_session
from ..services import teams
from ..services.errors import DomainError
from ..services.scope import may_change_member, member_or_404, scope_for
from .forms import EditMemberForm, ExistingMemberForm, RemoveMemberForm
from .views import _attempt, _team, bp


def _member(team, member_id):
    return member_or_404(session=get_session(), user=current_user, team=team,
                         member_id=member_id)


def _member_page(team, member, form=None, status=200):
    if not may_change_member(scope_for(current_user), team, member):
        abort(404)
    form = form or EditMemberForm(formdata=None, full_name=member.full_name,
                                  phone=member.phone, birth_year=member.birth_year)
    return render_template("teams/member.html", team=team, member=member, form=form,
                           remove_form=RemoveMemberForm()), status


@bp.route("/<int:team_id>/members/<int:member_id>", methods=["GET", "POST"])
def member(team_id, member_id):
    """A member's details, corrected by the team's leader or an administrator."""
    team = _team(team_id)
    person = _member(team, member_id)
    if request.method == "GET":
        return _member_page(team, person)
    form = EditMemberForm()
    db = get_session()
    if form.validate_on_submit():
        try:
            teams.update_member(session=db, actor=current_user, team=team, member=person,
                                full_name=form.full_name.data, phone=form.phone.data,
                                birth_year=form.birth_year.data)
        except DomainError as error:
            db.rollback()
            getattr(form, error.field or "full_name").errors.append(error.message)
        else:
            db.commit()
            audit.event("member_change", user_id=person.id, team_id=team.id)
            flash(_("The details of %(name)s are saved.", name=person.full_name), "success")
            return redirect(url_for(".team", team_id=team.id))
    elif "csrf_token" in form.errors:
        abort(400)
    return _member_page(team, person, form, 422)


@bp.route("/<int:team_id>/members/<int:member_id>/remove", methods=["POST"])
def remove_member(team_id, member_id):
    """Take a member out of the team; their account and progress stay."""
    team = _team(team_id)
    person = _member(team, member_id)
    if not RemoveMemberForm().validate_on_submit():
        abort(400)
    db = get_session()
    try:
        teams.remove_member(session=db, actor=current_user, team=team, member=person)
    except DomainError:
        db.rollback()
        abort(404)
    db.commit()
    audit.event("member_remove", user_id=person.id, team_id=team.id)
    flash(_("%(name)s is no longer in this team.", name=person.full_name), "success")
    return redirect(url_for(".team", team_id=team.id))


@bp.route("/<int:team_id>/members/existing", methods=["POST"])
def add_existing(team_id):
    """Add an existing account (by username or phone, within the caller's area)."""
    team, form = _team(team_id), ExistingMemberForm()

    def action():
        user = teams.add_existing_member(session=get_session(), actor=current_user,
                                         team=team, key=form.account.data)
        audit.event("member_add", user_id=user.id, team_id=team.id)
        flash(_("%(name)s is now in this team.", name=user.full_name), "success")
        return redirect(url_for(".team", team_id=team.id))
    return _attempt(team, form, "existing_form", action)
