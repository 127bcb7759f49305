"""QR codes as inline SVG: no image request, nothing from another host."""
from functools import lru_cache

import segno
from markupsafe import Markup


def draw_qr(data, scale=4):
    """An SVG ``<svg>`` element encoding ``data``; safe to insert in a page. Not kept: for
    data that is secret (an authenticator's key)."""
    code = segno.make(data, error="m")
    return Markup(code.svg_inline(scale=scale, dark="#000", light="#fff", border=2,
                                  title=None, svgclass="qr", lineclass=None))


# A certificate's or login card's address never changes: its code is drawn once.
qr_svg = lru_cache(maxsize=2048)(draw_qr)
