"""QR codes as inline SVG: no image request, nothing from another host."""
from functools import lru_cache

import segno
from markupsafe import Markup


@lru_cache(maxsize=2048)  # a certificate's address never changes: draw its code once
def qr_svg(data, scale=4):
    """An SVG ``<svg>`` element encoding ``data``; safe to insert in a page."""
    code = segno.make(data, error="m")
    return Markup(code.svg_inline(scale=scale, dark="#000", light="#fff", border=2,
                                  title=None, svgclass="qr", lineclass=None))
