"""Charts as server-rendered inline SVG: lines (with an area under the first series) and
bars, with round-number axis ticks. No script and no style attributes (the CSP allows
neither): colours come from classes in roost.css. Every value is on hover (a <title>) and
on keyboard focus (each point is focusable and names itself), and every chart carries
its figures as a table for screen readers and anyone who prefers one (see chart.html).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# The drawing's own coordinates (the SVG scales to the width of its box).
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 14, 30
X_TICKS = 6
MIN_TICK_GAP = 90  # the least room between two labels on the x axis
Y_TICKS = 5

Formatter = Callable[[float | None], str]


@dataclass(frozen=True)
class Series:
    """One line (or the bars) of a chart: a name and one value per x (None: no value)."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    """A chart ready for the template: the SVG and the same figures as table rows."""

    chart_id: str
    title: str
    svg: SafeString
    columns: list[str]  # the table's header: the x label, then one per series
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    legend: list[tuple[int, str]] = field(default_factory=list)  # (series index, name)

    @property
    def empty(self) -> bool:
        return not self.svg

    def blank(self) -> Chart:
        """The same chart with nothing to show ("no data yet")."""
        return Chart(self.chart_id, self.title, SafeString(""), self.columns, [], self.legend)


def _f(value: float) -> str:
    return f"{value:.1f}"


def nice_number(value: float, round_: bool) -> float:
    """1, 2, 5 or 10 times a power of ten, near `value` (rounded, or the one above)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    fraction = value / 10**exponent
    if round_:
        nice = 1.0 if fraction < 1.5 else 2.0 if fraction < 3 else 5.0 if fraction < 7 else 10.0
    else:
        nice = 1.0 if fraction <= 1 else 2.0 if fraction <= 2 else 5.0 if fraction <= 5 else 10.0
    return nice * 10**exponent


def nice_ticks(
    low: float, high: float, count: int = Y_TICKS, *, integer: bool = False
) -> list[float]:
    """Round-number ticks covering low..high (about `count` of them); `integer`: whole
    steps only (counts: an axis of 0, 0.2, 0.4 likes says nothing)."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + 1 if low >= 0 else low + abs(low) * 0.1 + 1
    span = nice_number(high - low, False)
    step = nice_number(span / max(count - 1, 1), True)
    if integer:
        step = max(step, 1.0)
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    n = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(n + 1)]


def _label(x: date | datetime, long: bool) -> str:
    if isinstance(x, datetime):
        return dateformat.format(x, "D j M Y, H:i" if long else "j M H:i")
    return dateformat.format(x, "D j M Y" if long else "j M")


def _x_positions(xs: Sequence[date | datetime]) -> list[float]:
    """Positions by time (readings of a post come at uneven intervals)."""
    plot = WIDTH - LEFT - RIGHT
    if len(xs) == 1:
        return [LEFT + plot / 2]
    as_seconds = [
        (x.timestamp() if isinstance(x, datetime) else x.toordinal() * 86400.0) for x in xs
    ]
    first, last = as_seconds[0], as_seconds[-1]
    if last == first:
        return [LEFT + plot * i / (len(xs) - 1) for i in range(len(xs))]
    return [LEFT + plot * (s - first) / (last - first) for s in as_seconds]


def _y_scale(ticks: list[float]) -> Callable[[float], float]:
    low, high = ticks[0], ticks[-1]
    plot = HEIGHT - TOP - BOTTOM
    return lambda v: TOP + plot * (1 - (v - low) / (high - low))


def _axes(
    ticks: list[float],
    y: Callable[[float], float],
    fmt: Formatter,
    xs_pos: list[float],
    xs: list[str],
) -> str:
    parts = []
    for t in ticks:
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                f"{y(t):.1f}",
                f"{y(t):.1f}",
                LEFT - 6,
                f"{y(t) + 4:.1f}",
                fmt(t),
            )
        )
    if xs:
        n = len(xs)
        every = max(1, math.ceil(n / X_TICKS))
        shown = list(range(0, n, every))
        if n - 1 not in shown and n - 1 - shown[-1] >= every / 2:
            shown.append(n - 1)
        last = -1e9
        for i in shown:
            if xs_pos[i] - last < MIN_TICK_GAP:  # readings bunch up early: no overprinting
                continue
            last = xs_pos[i]
            anchor = "start" if i == 0 and n > 1 else ("end" if i == n - 1 and n > 1 else "middle")
            parts.append(
                format_html(
                    '<text class="chart-tick" x="{}" y="{}" text-anchor="{}">{}</text>',
                    f"{xs_pos[i]:.1f}",
                    HEIGHT - 8,
                    anchor,
                    xs[i],
                )
            )
    return "".join(parts)


def _tip(x: float, y: float, text: str) -> SafeString:
    """The value shown beside a point on hover and focus (CSS reveals it)."""
    anchor = "start" if x < WIDTH / 3 else ("end" if x > WIDTH * 2 / 3 else "middle")
    ty = y - 10 if y > TOP + 16 else y + 20
    return format_html(
        '<text class="chart-tip" x="{}" y="{}" text-anchor="{}">{}</text>',
        f"{x:.1f}",
        f"{ty:.1f}",
        anchor,
        text,
    )


def _svg(chart_id: str, title: str, body: str) -> SafeString:
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" role="group" aria-labelledby="{}-t" '
        'focusable="false"><title id="{}-t">{}</title>{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        title,
        mark_safe(body),  # noqa: S308 - built from format_html pieces above
    )


def _table(
    xs_long: list[str], series: Sequence[Series], fmt: Formatter
) -> list[tuple[str, list[str]]]:
    return [(xs_long[i], [fmt(s.values[i]) for s in series]) for i in range(len(xs_long))]


def line_chart(
    *,
    chart_id: str,
    title: str,
    x_label: str,
    xs: Sequence[date | datetime],
    series: Sequence[Series],
    fmt: Formatter,
    zero: bool = True,
    area: bool = True,
    integer: bool = True,
) -> Chart:
    """Lines over time; the first series also gets an area. `zero`: the axis starts at 0
    (counts), else near the lowest value (an audience of 10,000 that grew by 40)."""
    xs = list(xs)
    columns = [x_label, *[s.name for s in series]]
    values = [v for s in series for v in s.values if v is not None]
    xs_long = [_label(x, True) for x in xs]
    rows = _table(xs_long, series, fmt)
    legend = [(i, s.name) for i, s in enumerate(series)]
    if not xs or not values:
        return Chart(chart_id, title, SafeString(""), columns, rows, legend)
    low, high = min(values), max(values)
    ticks = nice_ticks(min(0.0, low) if zero else low, high, integer=integer)
    y = _y_scale(ticks)
    pos = _x_positions(xs)
    parts = [_axes(ticks, y, fmt, pos, [_label(x, False) for x in xs])]
    baseline = y(max(ticks[0], 0.0) if ticks[0] <= 0 <= ticks[-1] else ticks[0])
    for si, s in enumerate(series):
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:  # not available: the line breaks, it never drops to 0
                runs.append([])
                continue
            runs[-1].append((pos[i], y(v)))
        for run in (r for r in runs if r):
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
            if si == 0 and area and len(run) > 1:
                parts.append(
                    format_html(
                        '<polygon class="chart-area s{}" points="{} {},{} {},{}"/>',
                        si,
                        coords,
                        _f(run[-1][0]),
                        _f(baseline),
                        _f(run[0][0]),
                        _f(baseline),
                    )
                )
            parts.append(format_html('<polyline class="chart-line s{}" points="{}"/>', si, coords))
        parts.append(
            format_html_join(
                "",
                '<g class="chart-pt" tabindex="0" role="img" aria-label="{}">'
                '<circle class="s{}" cx="{}" cy="{}" r="3.5"/><title>{}</title>{}</g>',
                (
                    (
                        f"{xs_long[i]} · {s.name}: {fmt(v)}",
                        si,
                        _f(pos[i]),
                        _f(y(v)),
                        f"{xs_long[i]} · {s.name}: {fmt(v)}",
                        _tip(pos[i], y(v), fmt(v)),
                    )
                    for i, v in enumerate(s.values)
                    if v is not None
                ),
            )
        )
    return Chart(chart_id, title, _svg(chart_id, title, "".join(parts)), columns, rows, legend)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    x_label: str,
    labels: Sequence[str],
    series: Series,
    fmt: Formatter,
    integer: bool = True,
    short_labels: Sequence[str] | None = None,
) -> Chart:
    """One bar per label (a category, or a day given as text); `short_labels` on the axis
    (the full ones in the table and on hover)."""
    labels = list(labels)
    columns = [x_label, series.name]
    rows = [(labels[i], [fmt(series.values[i])]) for i in range(len(labels))]
    values = [v for v in series.values if v is not None]
    if not labels or not values:
        return Chart(chart_id, title, SafeString(""), columns, rows, [(0, series.name)])
    ticks = nice_ticks(min(0.0, min(values)), max(0.0, max(values)), integer=integer)
    y = _y_scale(ticks)
    plot = WIDTH - LEFT - RIGHT
    slot = plot / len(labels)
    bar = max(2.0, min(48.0, slot * 0.7))
    pos = [LEFT + slot * (i + 0.5) for i in range(len(labels))]
    room = max(6, int(slot // 8))  # characters that fit under a bar
    short = (
        list(short_labels)
        if short_labels is not None
        else [label if len(label) <= room else label[: room - 1] + "…" for label in labels]
    )
    parts = [_axes(ticks, y, fmt, pos, short)]
    zero_y = y(0.0)
    for i, v in enumerate(series.values):
        if v is None:
            continue
        top, bottom = sorted((y(v), zero_y))
        text = f"{labels[i]} · {series.name}: {fmt(v)}"
        parts.append(
            format_html(
                '<g class="chart-pt" tabindex="0" role="img" aria-label="{}">'
                '<rect class="chart-bar s0" x="{}" y="{}" width="{}" height="{}"/>'
                "<title>{}</title>{}</g>",
                text,
                _f(pos[i] - bar / 2),
                _f(top),
                _f(bar),
                _f(max(bottom - top, 1.0)),
                text,
                _tip(pos[i], top, fmt(v)),
            )
        )
    return Chart(
        chart_id, title, _svg(chart_id, title, "".join(parts)), columns, rows, [(0, series.name)]
    )
