"""The administrators' dashboard, targets and API tokens."""
from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..content import get_catalog
from ..db import get_session
from ..services import api_tokens, competency_stats, stats, targets
from ..services.csv_export import csv_rows
from ..services.errors import DomainError
from ..services.stats import Filters
from .charts import rate_bars, weekly_bars
from .formatting import formatters
from .forms import RevokeForm, StatsFilterForm, TargetForm, TokenForm
from .params import parse_code, unit_params
from .tables import TABLES, header_labels, table_rows
from .unit_table import COLUMNS as UNIT_COLUMNS, arrange, options_from

bp = Blueprint("admin", __name__)
PAGE_ARGS = ("province", "commune", "team", "course", "date_from", "date_to")


def filters_from(form):
    course = form.course.data or None
    if course and course not in get_catalog():
        abort(404)
    return Filters(course=course, date_from=form.date_from.data, date_to=form.date_to.data)


def _filter_form():
    """The filter form and its filters; an unknown course is a 404 whatever the dates, and
    bad dates are shown beside their field and left out of the figures."""
    form = StatsFilterForm(request.args)
    form.course.choices = [("", _("All courses"))] + [(c.slug, c.title.get("vi"))
                                                       for c in get_catalog()]
    valid = form.validate()
    filters = filters_from(form)
    return form, filters if valid else Filters(course=filters.course)


@bp.route("/stats")
def dashboard():
    return _render_dashboard(get_session())


def _render_dashboard(db, target_form=None, status=200):
    unit = stats.resolve_unit(session=db, user=current_user, **unit_params(request.args))
    form, filters = _filter_form()
    data = dashboard_data(db, unit, filters)
    target_form = target_form or TargetForm(formdata=None)
    target_form.unit.choices = [(f"{u.level}:{u.code}", u.name)
                                for u in [unit] + [child for child, _f in data["breakdown"]]]
    return render_template("admin/stats.html", unit=unit, form=form, target_form=target_form,
                           **data, **_charts(data), **formatters()), status


def dashboard_data(db, unit, filters):
    breakdown = stats.breakdown(session=db, unit=unit, filters=filters)
    units = [unit] + [child for child, _f in breakdown]
    goals = stats.targets_for(session=db, units=units)
    ranked = sorted(((child, figures, goals.get((child.level, child.code)))
                     for child, figures in breakdown),
                    key=lambda row: -(row[1].trained / row[2]) if row[2] else 1)
    options = options_from(request.args)
    shown, hidden = arrange(ranked, options)
    return {
        "shown": shown, "hidden_units": hidden, "table": options, "unit_columns": UNIT_COLUMNS,
        "headline": stats.headline(session=db, unit=unit, filters=filters),
        "breakdown": breakdown, "ranked": ranked, "goal": goals.get((unit.level, unit.code)),
        "courses": stats.per_course(session=db, unit=unit, filters=filters,
                                    catalog=list(get_catalog())),
        "weeks": stats.weekly(session=db, unit=unit, filters=filters),
        "areas": competency_stats.certified_by_area(session=db, unit=unit, filters=filters,
                                                    catalog=list(get_catalog())),
        "query": {k: v for k, v in request.args.items() if v},
    }


def _charts(data):
    weeks = [(monday.strftime("%d/%m"), e, c) for monday, e, c in data["weeks"]]
    return {
        "trend_chart": weekly_bars("trend", _("Enrolments and completions per week"),
                                   _("Weekly enrolments and completions over the last 26 "
                                     "weeks; the same figures are in the table below."),
                                   weeks, (_("Enrolments"), _("Completions"))),
        "rate_chart": rate_bars("rates", _("Completion rate by unit"),
                                _("Completions divided by enrolments for each unit one level "
                                  "down; the table beside it has the figures."),
                                [(child.name, f.completion_rate)
                                 for child, f, _target in data["shown"]][:60]),
    }


@bp.route("/stats.csv")
def export():
    """One table of the dashboard as CSV, streamed (UTF-8 with BOM, safe cells)."""
    table = request.args.get("table", "breakdown")
    if table not in TABLES:
        abort(404)
    db = get_session()
    unit = stats.resolve_unit(session=db, user=current_user, **unit_params(request.args))
    _form, filters = _filter_form()
    keys, rows = table_rows(table, db, unit, filters)
    header = header_labels(keys, table, filters)
    filename = f"digilit-{table}-{unit.kind}-{unit.code}.csv"
    audit.event("export", kind=f"stats_{table}", unit=f"{unit.kind}:{unit.code}")
    return Response(stream_with_context(csv_rows(header, rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/targets", methods=["POST"])
def set_target():
    """Set the target of the unit chosen (the page's unit or one below it, within the
    caller's area: a 404 otherwise). A bad number is the dashboard again, with the message
    beside the field, and nothing written."""
    db = get_session()
    form = TargetForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    unit = _target_unit(db, form.unit.data or "")
    if not form.errors:
        try:
            targets.set_target(session=db, actor=current_user, unit=unit,
                               citizens=form.citizens.data)
        except DomainError as error:
            db.rollback()
            form.citizens.errors = [error.message]
        else:
            db.commit()
            flash(_("Target saved for %(unit)s.", unit=unit.name), "success")
            return redirect(url_for(".dashboard", **{
                k: v for k, v in request.args.items() if k in PAGE_ARGS}))
    return _render_dashboard(db, target_form=form, status=422)


def _target_unit(db, value):
    """The unit a target is for (``"<level>:<code>"``), checked against the caller's area:
    a 404 outside it, for an unknown unit or a malformed value."""
    level, _sep, code = value.partition(":")
    level, code = parse_code(level), parse_code(code)
    key = {stats.NATION: None, stats.PROVINCE: "province", stats.COMMUNE: "commune",
           stats.TEAM: "team"}.get(level, "invalid")
    if key == "invalid" or code is None:
        abort(404)
    unit = stats.resolve_unit(session=db, user=current_user, **({key: code} if key else {}))
    if (unit.level, unit.code) != (level, code):
        abort(404)  # "0:0" resolves to the caller's own area, which is not the nation
    return unit


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    db = get_session()
    form, secret = TokenForm(), None
    if form.validate_on_submit():
        try:
            _token, secret = api_tokens.create_token(session=db, creator=current_user,
                                                     name=form.name.data, days=form.days.data)
        except DomainError as error:
            db.rollback()
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            db.commit()
            audit.event("api_key_create", days=form.days.data)
    return render_template("admin/tokens.html", form=form, secret=secret,
                           tokens=api_tokens.list_tokens(session=db, viewer=current_user),
                           revoke_form=RevokeForm(), is_live=api_tokens.is_live)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id):
    if not RevokeForm().validate_on_submit():
        abort(400)
    db = get_session()
    if not api_tokens.revoke_token(session=db, viewer=current_user, token_id=token_id):
        abort(404)
    db.commit()
    audit.event("api_key_revoke", key_id=token_id)
    flash(_("The token is revoked."), "success")
    return redirect(url_for(".tokens"))
