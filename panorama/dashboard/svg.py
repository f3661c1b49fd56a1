"""Inline SVG charts written as text, so the page needs no script library and no request.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` named by `aria-labelledby`;
the page puts the numbers beside it in a table. Colours keep at least 3:1 contrast on white.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from panorama.dashboard.ticks import nice_ticks

BAR_COLOUR = "#000091"  # "bleu France", 15.7:1 on white
OTHER_COLOUR = "#4b4bd2"  # the "others" bar, 6.6:1 on white
LINE_COLOUR = "#000091"
AXIS_COLOUR = "#666666"  # 5.7:1 on white
GRID_COLOUR = "#dddddd"  # gridlines: decoration only, the tick labels carry the values
TEXT_COLOUR = "#161616"
MUTED_TEXT = "#3a3a3a"
HALO = 'stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'  # labels stay legible over the line

Formatter = Callable[[float], str]


def _num(value: float) -> str:
    """SVG coordinates with at most 2 decimals, stable across platforms."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = True  # False draws the lighter "others" colour


def bar_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, description: str, fmt: Formatter, width: int = 520
) -> str:
    """Horizontal bars, each label on its own line above its bar so long ministry names fit."""
    row, bar_h, value_room = 46, 18, 90
    height = max(row * len(bars) + 8, 40)
    top = max((b.value for b in bars), default=0.0)
    scale = (width - value_room) / top if top > 0 else 0.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bar" role="img" '
        f'aria-labelledby="{chart_id}-titre {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="inherit">',
        f'<title id="{chart_id}-titre">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = index * row
        length = max(bar.value * scale, 0.0)
        colour = BAR_COLOUR if bar.highlight else OTHER_COLOUR
        parts.append(
            f'<text x="0" y="{_num(y + 15)}" font-size="14" fill="{TEXT_COLOUR}">{escape(_clip(bar.label, 64))}</text>'
            f'<rect x="0" y="{_num(y + 21)}" width="{_num(length)}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{_num(length + 6)}" y="{_num(y + 35)}" font-size="14" font-weight="bold" '
            f'fill="{TEXT_COLOUR}">{escape(fmt(bar.value))}</text>'
        )
    if not bars:
        parts.append(f'<text x="0" y="24" font-size="14" fill="{MUTED_TEXT}">Aucune donnée</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Point:
    label: str  # the x-axis label (edition number)
    value: float | None  # None leaves a gap in the line
    hollow: bool = False  # a declared (not computed) figure


def _ticks(points: Sequence[Point]) -> list[int]:
    """Indices whose x label is written: all when few, else first, last and a few between."""
    n = len(points)
    if n <= 10:
        return list(range(n))
    step = math.ceil((n - 1) / 5)
    picked = list(range(0, n - 1, step))
    return [*picked, n - 1] if n - 1 - picked[-1] >= step / 2 else [*picked[:-1], n - 1]


def line_chart(
    points: Sequence[Point], *, chart_id: str, title: str, description: str, fmt: Formatter,
    width: int = 320, height: int = 190, tick_fmt: Formatter | None = None, integer: bool = False,
) -> str:
    """A small line chart from zero, one point per edition, its vertical axis graduated with
    values and unit (`tick_fmt`, e.g. "2 Md€") at readable steps."""
    values = [p.value for p in points if p.value is not None]
    ticks = nice_ticks(min(min(values, default=0.0), 0.0), max(values, default=0.0), 4, integer=integer)
    tick_fmt = tick_fmt or fmt
    labels = [tick_fmt(t) for t in ticks]
    axis_left = int(max((len(t) for t in labels), default=1) * 6.6) + 12
    inner = 10  # first and last points clear of the tick labels
    left = axis_left + inner
    right, top_pad, bottom = 14, 24, 34
    plot_w, plot_h = width - left - right - inner, height - top_pad - bottom
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0
    step = plot_w / (len(points) - 1) if len(points) > 1 else 0.0

    def x_of(i: int) -> float:
        return left + (i * step if len(points) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return top_pad + plot_h - (v - low) / span * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-line" role="img" '
        f'aria-labelledby="{chart_id}-titre {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="inherit">',
        f'<title id="{chart_id}-titre">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick, label in zip(ticks, labels, strict=True):
        y = _num(y_of(tick))
        parts.append(
            (f'<line x1="{axis_left}" x2="{width - right}" y1="{y}" y2="{y}" stroke="{AXIS_COLOUR}" stroke-width="1"/>'
             if tick == 0 else
             f'<line class="grille" x1="{axis_left}" x2="{width - right}" y1="{y}" y2="{y}" stroke="{GRID_COLOUR}" '
             'stroke-width="1"/>')
            + f'<text x="{axis_left - 6}" y="{y}" dy="4" font-size="11" text-anchor="end" fill="{MUTED_TEXT}">{escape(label)}</text>'
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, point in enumerate(points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{_num(x_of(i))},{_num(y_of(point.value))}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.5"/>'
            )
    for i, point in enumerate(points):
        if point.value is None:
            continue
        fill = "#ffffff" if point.hollow else LINE_COLOUR
        parts.append(
            f'<circle cx="{_num(x_of(i))}" cy="{_num(y_of(point.value))}" r="4" fill="{fill}" '
            f'stroke="{LINE_COLOUR}" stroke-width="2"/>'
        )
    known = [i for i, p in enumerate(points) if p.value is not None]
    if known:  # write the latest value, and the highest when it differs
        last = known[-1]
        anchor = "end" if len(points) > 1 else "middle"
        parts.append(
            f'<text x="{_num(x_of(last))}" y="{_num(y_of(points[last].value) - 10)}" font-size="13" '  # type: ignore[arg-type]
            f'font-weight="bold" text-anchor="{anchor}" fill="{TEXT_COLOUR}" {HALO}>{escape(fmt(points[last].value))}</text>'  # type: ignore[arg-type]
        )
        peak = max(known, key=lambda i: (points[i].value, -i))
        last_width = 0.6 * 13 * len(fmt(points[last].value))  # type: ignore[arg-type]
        peak_half = 0.6 * 12 * len(fmt(points[peak].value)) / 2  # type: ignore[arg-type]
        clear = x_of(peak) + peak_half + 6 < x_of(last) - last_width  # the two labels must not touch
        if peak != last and points[peak].value != points[last].value and clear:
            parts.append(
                f'<text x="{_num(x_of(peak))}" y="{_num(y_of(points[peak].value) - 10)}" font-size="12" '  # type: ignore[arg-type]
                f'text-anchor="{"start" if peak == 0 else "middle"}" fill="{MUTED_TEXT}" {HALO}>'
                f"{escape(fmt(points[peak].value))}</text>"  # type: ignore[arg-type]
            )
    for i in _ticks(points):
        anchor = "start" if i == 0 and len(points) > 1 else ("end" if i == len(points) - 1 and len(points) > 1 else "middle")
        parts.append(
            f'<text x="{_num(x_of(i))}" y="{height - 12}" font-size="12" text-anchor="{anchor}" '
            f'fill="{MUTED_TEXT}">{escape(points[i].label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
