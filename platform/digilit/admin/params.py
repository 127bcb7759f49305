"""Query-string parameters shared by the dashboard and the JSON API."""
from flask import abort


def unit_params(args):
    """``province``, ``commune`` and ``team`` as integers; a malformed code is a 404."""
    values = {}
    for key in ("province", "commune", "team"):
        raw = args.get(key, "")
        if raw:
            if not raw.isdigit() or len(raw) > 9:
                abort(404)
            values[key] = int(raw)
    return values
