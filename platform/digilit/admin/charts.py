"""Charts drawn on the server as SVG: no JavaScript, readable by screen readers (a title, a
description, and the same figures in a table beside the chart)."""
from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 220, 28
COLOURS = ("#0a4b9c", "#1b6e20")


def _svg(chart_id, title, description, body, height=HEIGHT):
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(description)}</desc>{body}</svg>')


def weekly_bars(chart_id, title, description, weeks, series_names):
    """Grouped bars: one group per week, one bar per series; ``weeks`` is
    ``[(label, value1, value2)]``."""
    peak = max([max(v[1:]) for v in weeks] + [1])
    group = (WIDTH - 2 * PAD) / max(len(weeks), 1)
    bar = max(group / 2 - 1, 1)
    parts = [f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
             'stroke="#6b6b6b"/>',
             f'<text x="{PAD}" y="14" font-size="12" fill="#1a1a1a">{peak}</text>']
    for index, (label, *values) in enumerate(weeks):
        x = PAD + index * group
        for series, value in enumerate(values):
            height = (HEIGHT - 2 * PAD) * value / peak
            parts.append(f'<rect x="{x + series * bar:.1f}" y="{HEIGHT - PAD - height:.1f}" '
                         f'width="{bar:.1f}" height="{height:.1f}" fill="{COLOURS[series]}">'
                         f'<title>{escape(label)}: {escape(series_names[series])} {value}'
                         '</title></rect>')
        if index % 4 == 0:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="11" '
                         f'fill="#1a1a1a">{escape(label)}</text>')
    parts.extend(_legend(series_names, y=HEIGHT + 6))
    return _svg(chart_id, title, description, "".join(parts), height=HEIGHT + LEGEND)


LEGEND = 24  # a row under the chart: long names ("Lượt hoàn thành") are never cut off


def _legend(series_names, y):
    """One swatch and name per series, left to right, each as wide as its name."""
    parts, x = [], PAD
    for series, name in enumerate(series_names):
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[series]}"/>'
                     f'<text x="{x + 16}" y="{y + 11}" font-size="12" fill="#1a1a1a">'
                     f'{escape(name)}</text>')
        x += 16 + 8 * len(str(name)) + 24  # a generous width per character of 12 px text
    return parts


def rate_bars(chart_id, title, description, rows):
    """Horizontal bars of a rate in [0, 1]; ``rows`` is ``[(label, rate)]``."""
    line = 22
    height = max(len(rows), 1) * line + 10
    label_width = 220
    parts = []
    for index, (label, rate) in enumerate(rows):
        y = 5 + index * line
        width = (WIDTH - label_width - 60) * max(0.0, min(rate, 1.0))
        parts.append(f'<text x="0" y="{y + 14}" font-size="12" fill="#1a1a1a">'
                     f'{escape(label[:34])}</text><rect x="{label_width}" y="{y + 3}" '
                     f'width="{width:.1f}" height="14" fill="{COLOURS[1]}"/>'
                     f'<text x="{label_width + width + 6:.1f}" y="{y + 14}" font-size="12" '
                     f'fill="#1a1a1a">{rate:.0%}</text>')
    return _svg(chart_id, title, description, "".join(parts), height=height)
