"""Machine-readable endpoints: health and statistics."""
from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import text

from ..admin.params import unit_params
from ..content import get_catalog
from ..db import begin_writes, get_session
from ..services import api_tokens, stats
from ..services.figures import plausible_day
from ..services.stats import Filters

bp = Blueprint("api", __name__)


@bp.route("/healthz")
def healthz():
    """200 when the database answers; 503 otherwise."""
    try:
        get_session().execute(text("SELECT 1")).scalar_one()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


def _caller():
    """The token's principal (``Authorization: Bearer ...``) or the signed-in user."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, secret = header.partition(" ")
        db = get_session()
        principal = api_tokens.principal_for(session=db, secret=secret.strip(),
                                             begin_writes=begin_writes) \
            if scheme.lower() == "bearer" else None
        if principal is None:
            abort(401)
        db.commit()  # when it was last used
        return principal
    if current_user.is_authenticated:
        return current_user
    abort(401)


def _filters(args):
    from datetime import date

    course = args.get("course") or None
    if course and course not in get_catalog():
        abort(404)
    try:
        dates = [date.fromisoformat(args[k]) if args.get(k) else None for k in ("from", "to")]
    except ValueError:
        abort(400)
    if not all(map(plausible_day, dates)) or (all(dates) and dates[0] > dates[1]):
        abort(400)
    return Filters(course=course, date_from=dates[0], date_to=dates[1])


def _json(figures):
    return figures.as_dict()


@bp.route("/api/v1/stats")
def stats_api():
    """Figures for the caller's area (or a unit inside it) and one row per unit one level
    down. Outside the caller's area, or an unknown code: 404."""
    db = get_session()
    caller = _caller()
    unit = stats.resolve_unit(session=db, user=caller, **unit_params(request.args))
    filters = _filters(request.args)
    body = {"unit": {"level": unit.kind, "code": unit.code, "name": unit.name},
            **_json(stats.headline(session=db, unit=unit, filters=filters)),
            "breakdown": [{"code": child.code, "name": child.name, **_json(f)}
                          for child, f in stats.breakdown(session=db, unit=unit,
                                                           filters=filters)]}
    return jsonify(body)
