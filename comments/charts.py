"""Line charts drawn on the server as inline SVG, for the moderation report.

No script and no style attribute (the admin's Content-Security-Policy allows neither
inline scripts nor, here, any need for inline style): colours and dashes come from classes
in `static/css/report.css`. Each chart is an image with a title (`role="img"`,
`aria-labelledby`); the page puts a table of the same numbers beside it, its text
alternative. Every value that came from data is escaped (`format_html`).
"""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 64
MAX_X_LABELS = 8


def nice_top(value):
    """A round number at or above `value` for the y axis (1, 2 or 5 times a power of 10),
    and its step for about 4 gridlines."""
    if value <= 0:
        return 4, 1
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw:
            break
    if step < 1 and value >= 4:
        step = 1
    return step * math.ceil(value / step - 1e-9), step


def _f(value):
    return f"{value:.1f}"


def _number(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def line_chart(chart_id, title, labels, series, *, unit=""):
    """An SVG line chart: `labels` along x, `series` a list of (name, values, css class)
    (a value may be None: a gap). `unit` follows each value in the points' tooltips."""
    values = [v for _name, vals, _cls in series for v in vals if v is not None]
    top, step = nice_top(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(labels)

    def x(i):
        return LEFT + (plot_w * (i + 0.5) / n if n else 0)

    def y(v):
        return TOP + plot_h - plot_h * (v / top if top else 0)

    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" '
            'xmlns="http://www.w3.org/2000/svg" focusable="false">'
            '<title id="{}-title">{}</title>',
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
            title,
        )
    ]
    ticks = int(round(top / step)) if step else 0
    for k in range(ticks + 1):
        v = k * step
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-ylabel" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _f(y(v)),
                _f(y(v)),
                LEFT - 6,
                _f(y(v) + 4),
                _number(round(v, 6)),
            )
        )
    every = max(1, math.ceil(n / MAX_X_LABELS))
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(
                format_html(
                    '<text class="chart-xlabel" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _f(x(i)),
                    TOP + plot_h + 16,
                    label,
                )
            )
    parts.append(
        format_html(
            '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            LEFT,
            WIDTH - RIGHT,
            TOP + plot_h,
            TOP + plot_h,
        )
    )
    for name, vals, css in series:
        segment = []
        segments = [segment]
        for i, v in enumerate(vals):
            if v is None:
                segment = []
                segments.append(segment)
            else:
                segment.append((x(i), y(v)))
        for points in segments:
            if len(points) > 1:
                parts.append(
                    format_html(
                        '<polyline class="chart-line {}" points="{}"/>',
                        css,
                        " ".join(f"{px:.1f},{py:.1f}" for px, py in points),
                    )
                )
        parts.append(
            format_html_join(
                "",
                '<circle class="chart-point {}" cx="{}" cy="{}" r="3">'
                "<title>{}: {} {}{}</title></circle>",
                (
                    (css, _f(x(i)), _f(y(v)), labels[i], name, _number(v), unit)
                    for i, v in enumerate(vals)
                    if v is not None
                ),
            )
        )
    legend_y = HEIGHT - 18
    for k, (name, _vals, css) in enumerate(series):
        lx = LEFT + k * 150
        parts.append(
            format_html(
                '<line class="chart-line {}" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-legend" x="{}" y="{}">{}</text>',
                css,
                lx,
                lx + 24,
                legend_y - 4,
                legend_y - 4,
                lx + 30,
                legend_y,
                name,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))
