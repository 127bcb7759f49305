"""Team pages for leaders and administrators: teams, members, PINs, enrolment."""
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from .. import audit, collation
from ..content import get_catalog
from ..db import begin_writes, get_session
from ..models import Team, TeamMember
from ..services import accounts, permissions, pins, teams
from ..services import cards as card_sheets
from ..services.errors import DomainError
from ..services.scope import may_change_member, member_or_404, scope_for, team_or_404
from ..qr import qr_svg
from ..urls import public_url
from .forms import (ConfirmForm, EnrolForm, ExistingMemberForm, LeaderForm, MemberForm,
                    MemberPickForm, TeamNameForm)

bp = Blueprint("teams", __name__)


def _team(team_id):
    return team_or_404(session=get_session(), user=current_user, team_id=team_id)


@bp.route("/", methods=["GET", "POST"])
def index():
    db = get_session()
    form = TeamNameForm()
    can_create = permissions.allows(current_user, permissions.TEAM, permissions.CREATE)
    if can_create and form.validate_on_submit():
        try:
            team = teams.create_team(session=db, actor=current_user, name=form.name.data)
        except DomainError as error:
            db.rollback()
            form.name.errors.append(error.message)
        else:
            db.commit()
            return redirect(url_for(".team", team_id=team.id))
    sizes = select(TeamMember.team_id, func.count().label("n")).group_by(
        TeamMember.team_id).subquery()
    rows = db.exec(select(Team, func.coalesce(sizes.c.n, 0))
                   .outerjoin(sizes, sizes.c.team_id == Team.id)
                   .where(scope_for(current_user).teams()).order_by(Team.name).limit(500)).all()
    rows = sorted(rows, key=lambda row: collation.sort_key(row[0].name))
    return render_template("teams/index.html", rows=rows, form=form if can_create else None)


def _team_page(team, **forms):
    db = get_session()
    catalog = list(get_catalog())
    members = teams.team_members(session=db, team=team)
    enrol_form = forms.get("enrol_form") or EnrolForm()
    enrol_form.courses.choices = [(c.slug, c.title) for c in catalog]
    return render_template(
        "teams/team.html", team=team, members=members, catalog=catalog,
        summary=teams.member_summary(session=db, team=team),
        leaders=teams.team_leaders(session=db, team=team),
        rename_form=forms.get("rename_form") or TeamNameForm(name=team.name),
        leader_form=forms.get("leader_form") or LeaderForm(),
        member_form=forms.get("member_form") or MemberForm(),
        existing_form=forms.get("existing_form") or ExistingMemberForm(formdata=None),
        enrol_form=enrol_form, pick_form=MemberPickForm(), confirm_form=ConfirmForm(),
        can_appoint=permissions.allows(current_user, permissions.LEADERSHIP, permissions.CREATE),
        changeable={m.id for m in members
                    if may_change_member(scope_for(current_user), team, m)},
    ), 422 if forms else 200


@bp.route("/<int:team_id>")
def team(team_id):
    return _team_page(_team(team_id))


def _attempt(team, form, form_key, action):
    """Validate ``form``, run ``action()``, commit; on a domain error, the page again with the
    message beside the field and nothing written."""
    db = get_session()
    if form.validate_on_submit():
        try:
            result = action()
        except DomainError as error:
            db.rollback()
            getattr(form, error.field or "submit").errors.append(error.message)
        else:
            db.commit()
            return result
    elif request.method == "POST" and "csrf_token" in form.errors:
        abort(400)
    return _team_page(team, **{form_key: form})


@bp.route("/<int:team_id>/rename", methods=["POST"])
def rename(team_id):
    team, form = _team(team_id), TeamNameForm()

    def action():
        teams.rename_team(session=get_session(), team=team, name=form.name.data)
        flash(_("The team is renamed."), "success")
        return redirect(url_for(".team", team_id=team.id))
    return _attempt(team, form, "rename_form", action)


@bp.route("/<int:team_id>/leaders", methods=["POST"])
def appoint(team_id):
    team, form = _team(team_id), LeaderForm()

    def action():
        user = teams.appoint_leader(session=get_session(), team=team,
                                    username=form.username.data)
        audit.event("role_change", user_id=user.id, role=user.role, team_id=team.id)
        flash(_("%(name)s now leads this team.", name=user.full_name), "success")
        return redirect(url_for(".team", team_id=team.id))
    return _attempt(team, form, "leader_form", action)


def render_cards(team, pairs):
    """Login cards, 8 to an A4 page; the PINs appear here once and nowhere else."""
    login_url = public_url("auth.login")
    return render_template("teams/cards.html", team=team, pairs=pairs, login_url=login_url,
                           qr=qr_svg(login_url, scale=3))


def cards_redirect(team, pairs):
    """Keep new PINs sealed and send the browser to the page that shows them once: a reload
    there shows nothing and issues nothing."""
    db = get_session()
    token = card_sheets.keep(session=db, team=team, actor=current_user, pairs=pairs,
                       secret_key=current_app.config["SECRET_KEY"])
    db.commit()
    return redirect(url_for("teams.show_cards", team_id=team.id, token=token))


@bp.route("/<int:team_id>/cards/<token>")
def show_cards(team_id, token):
    team, db = _team(team_id), get_session()
    begin_writes()  # a GET that writes: the sheet is shown once, then deleted
    pairs = card_sheets.take(session=db, team=team, token=token,
                       secret_key=current_app.config["SECRET_KEY"])
    db.commit()
    if pairs is None:
        flash(_("These login cards were shown once and are gone. To print cards again, give "
                "new PINs."), "info")
        return redirect(url_for(".team", team_id=team.id))
    return render_cards(team, pairs)


def confirm_new_pins(team, members, action):
    """Ask before new PINs: how many people get one, and how many lose their password."""
    return render_template(
        "teams/cards_confirm.html", team=team, members=members, action=action,
        with_password=sum(1 for m in members if accounts.chose_password(m)),
        form=ConfirmForm(formdata=None))


@bp.route("/<int:team_id>/members", methods=["POST"])
def add_member(team_id):
    team, form = _team(team_id), MemberForm()

    def action():
        try:
            pairs = teams.add_one_member(
                session=get_session(), team=team, actor=current_user, once=form.once.data,
                full_name=form.full_name.data, phone=form.phone.data,
                birth_year=form.birth_year.data)
        except teams.AlreadySubmitted as done:
            flash(done.message, "info")
            return redirect(url_for(".team", team_id=team.id))
        return cards_redirect(team, pairs)
    return _attempt(team, form, "member_form", action)


@bp.route("/<int:team_id>/cards", methods=["POST"])
def cards(team_id):
    """New PINs for the ticked members (all when none is ticked), and their cards; members
    whose PIN the caller may not reset are left as they are."""
    team, form = _team(team_id), MemberPickForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_session()
    members = teams.team_members(session=db, team=team)
    chosen = set(form.members.data or [])
    members = [m for m in members if not chosen or m.id in chosen]
    allowed = teams.pin_resettable(session=db, actor=current_user, people=members)
    if len(allowed) < len(members):
        flash(_("%(n)d members keep their PIN: only the commune office can reset it.",
                n=len(members) - len(allowed)), "info")
    if not form.confirmed.data:
        return confirm_new_pins(team, allowed, url_for(".cards", team_id=team.id))
    actor = current_user._get_current_object()
    pairs = [(m, pins.set_new_pin(session=db, user=m, actor=actor)) for m in allowed]
    db.commit()
    audit.users("pin_reset", pairs, team_id=team.id)
    return cards_redirect(team, pairs)


@bp.route("/<int:team_id>/members/<int:member_id>/reset-pin", methods=["POST"])
def reset_pin(team_id, member_id):
    team = _team(team_id)
    db = get_session()
    member = member_or_404(session=db, user=current_user, team=team, member_id=member_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not teams.pin_resettable(session=db, actor=current_user, people=[member]):
        flash(_("You cannot reset this person's PIN: ask the commune office."), "error")
        return redirect(url_for(".team", team_id=team.id))
    if accounts.chose_password(member) and not form.confirmed.data:
        return confirm_new_pins(team, [member], request.path)
    pin = pins.set_new_pin(session=db, user=member, actor=current_user._get_current_object())
    db.commit()
    audit.event("pin_reset", user_id=member.id, team_id=team.id)
    return cards_redirect(team, [(member, pin)])


@bp.route("/<int:team_id>/enrol", methods=["POST"])
def enrol(team_id):
    team, form = _team(team_id), EnrolForm()
    form.courses.choices = [(c.slug, c.title) for c in get_catalog()]

    def action():
        db = get_session()
        members = teams.team_members(session=db, team=team)
        chosen = set(form.members.data or [])
        members = [m for m in members if not chosen or m.id in chosen]
        teams.enrol_members(session=db, team=team, members=members,
                            course_slugs=form.courses.data)
        flash(_("%(n)d members enrolled.", n=len(members)), "success")
        return redirect(url_for(".team", team_id=team.id))
    return _attempt(team, form, "enrol_form", action)
