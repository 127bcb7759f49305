"""Query-string parameters shared by the dashboard and the JSON API."""
from flask import abort

MAX_CODE_DIGITS = 9


def parse_code(raw):
    """A unit code written in ASCII digits, as an integer; None when malformed.

    ``str.isdigit`` alone also accepts other scripts' digits and superscripts (``"²"``), which
    ``int`` then either reads as another number or refuses with an error."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > MAX_CODE_DIGITS:
        return None
    return int(raw)


def unit_params(args):
    """``province``, ``commune`` and ``team`` as integers; a malformed code is a 404."""
    values = {}
    for key in ("province", "commune", "team"):
        raw = args.get(key, "")
        if raw:
            code = parse_code(raw)
            if code is None:
                abort(404)
            values[key] = code
    return values
