"""Machine-readable endpoints."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from ..db import get_session

bp = Blueprint("api", __name__)


@bp.route("/healthz")
def healthz():
    """200 when the database answers; 503 otherwise."""
    try:
        get_session().exec(text("SELECT 1")).one()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})
