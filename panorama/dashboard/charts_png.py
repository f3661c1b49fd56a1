"""PNG charts for the data.gouv.fr dataset page (which cannot show inline SVG).

Drawn with Pillow directly rather than matplotlib: the five charts cost a few hundredths of a
second instead of about two seconds (matplotlib's import alone took longer than the whole
drawing here). Each chart is first described as plain data (title, rows, axis ticks with their
French labels), then drawn; the descriptions are what the tests read. The font is DejaVu Sans,
taken from matplotlib's package data (found without importing matplotlib) or from the system;
Pillow's basic text layout and no metadata keep the bytes the same for the same data.
"""
from __future__ import annotations

import importlib.util
import io
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw, ImageFont

from panorama.dashboard import formatting as fr
from panorama.dashboard import sections
from panorama.dashboard.description import edition_title, latest_edition, rate_source
from panorama.dashboard.ticks import nice_ticks
from panorama.errors import ExportError

WIDTH, HEIGHT = 1200, 700
SCALE = 2  # line charts are drawn at twice the size then reduced: smooth lines without antialiasing
BLUE, LIGHT_BLUE, GREY, TEXT, GRID, WHITE = "#000091", "#4b4bd2", "#666666", "#161616", "#dddddd", "#ffffff"
SOURCE = "Source : DINUM, Panorama des grands projets numériques de l'État – Licence Ouverte 2.0"
Rows = list[tuple[str, float, float | None, bool]]
# Published path → French title of the chart (the data.gouv.fr resource titles use the same).
CHARTS = {
    "graphiques/projets-par-ministere.png": "Projets par ministère",
    "graphiques/projets-par-phase.png": "Projets par phase",
    "graphiques/cout-par-tranche.png": "Projets et coût par tranche de coût",
    "graphiques/projets-par-zone-fonctionnelle.png": f"Projets par zone fonctionnelle ({sections.TOP_ZONES} premières)",
    "graphiques/evolution-indicateurs.png": "Chiffres clés d'une édition à l'autre (point creux : taux déclaré)",
}
_FONT_NAMES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


@lru_cache(maxsize=2)
def _font_path(bold: bool) -> Path:
    spec = importlib.util.find_spec("matplotlib")  # locates the package without importing it
    folders = [Path(p) / "mpl-data" / "fonts" / "ttf" for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in [*folders, _SYSTEM_FONTS]:
        if (folder / _FONT_NAMES[bold]).is_file():
            return folder / _FONT_NAMES[bold]
    raise ExportError("Police DejaVu Sans introuvable (installez matplotlib ou fonts-dejavu) : "
                      "les graphiques PNG ne peuvent pas être dessinés.")


@lru_cache(maxsize=32)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_font_path(bold)), size, layout_engine=ImageFont.Layout.BASIC)


# ----------------------------------------------------------------------------- descriptions
@dataclass(frozen=True)
class Axis:
    """Tick values and their labels as printed ("2 ans", "1,5 Md€")."""

    ticks: tuple[float, ...]
    labels: tuple[str, ...]
    title: str = ""


def axis(low: float, high: float, label: Callable[[float], str], *, integer: bool, title: str = "",
         count: int = 4) -> Axis:
    ticks = tuple(nice_ticks(low, high, count, integer=integer))
    return Axis(ticks, tuple(label(t) for t in ticks), title)


@dataclass(frozen=True)
class Panel:
    """One small line chart of the evolution figure."""

    title: str
    numbers: tuple[int, ...]
    values: tuple[float | None, ...]
    hollow: tuple[bool, ...]
    y: Axis
    last_label: str


def evolution_panels(indicators: pd.DataFrame) -> list[Panel]:
    """The eight indicators over the editions, with the same axes as the dashboard's SVG charts."""
    ordered = indicators.sort_values("numero", kind="stable")
    numbers = tuple(int(n) for n in ordered["numero"])
    panels = []
    for column, label, fmt, is_rate in sections.METRICS:
        if column not in ordered.columns:
            continue
        values = tuple(None if fr.is_missing(v) else float(v) for v in ordered[column])
        hollow = tuple(is_rate and rate_source(row, column) == "déclaré" for _, row in ordered.iterrows())
        known = [v for v in values if v is not None]
        tick_fmt, integer = sections.AXES.get(column, (fmt, False))
        y = axis(min([0.0, *known]), max(known, default=0.0), tick_fmt, integer=integer)
        last = next((v for v in reversed(values) if v is not None), None)
        panels.append(Panel(label, numbers, values, hollow, y, fmt(last) if last is not None else ""))
    return panels


# ---------------------------------------------------------------------------------- drawing
def _text_width(text: str, font: ImageFont.FreeTypeFont) -> float:
    return font.getlength(text)


def _frame(title: str, scale: int = 1) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH * scale, HEIGHT * scale), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((12 * scale, 14 * scale), title, fill=TEXT, font=_font(24 * scale, True))
    draw.text((12 * scale, (HEIGHT - 26) * scale), SOURCE, fill=GREY, font=_font(13 * scale))
    return image, draw


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """White, the grid and the four ink colours exactly, plus ten-step blends of each ink into white.

    Everything drawn is one of these inks on white (antialiased edges are blends of the two), so
    mapping onto this fixed palette keeps the flat colours exact and the edges within a few levels,
    at a fifth of the cost of computing an adaptive palette for each image.
    """
    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    inks = [rgb(c) for c in (BLUE, LIGHT_BLUE, GREY, TEXT)]
    white = rgb(WHITE)
    colours: list[tuple[int, ...]] = [white, rgb(GRID), *inks]
    colours += [tuple(round(w + (c - w) * step / 10) for w, c in zip(white, ink, strict=True))
                for ink in inks for step in range(1, 10)]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for colour in colours for v in colour])
    return palette


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # A small fixed palette keeps the text's antialiasing and makes encoding fast and files small;
    # zlib level 3 instead of 6: a third of the encoding time, files about a fifth larger.
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=False,
                                                                       compress_level=3)
    return buffer.getvalue()


def _hbars(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rows: Rows, values: Sequence[float | None],
           value_label: Callable[[float], str], x: Axis, *, labels: bool = True) -> None:
    """Horizontal bars in `box` (left, top, right, bottom), first row on top, value at the bar's end."""
    left, top, right, bottom = box
    crowded = len(rows) > 10
    font, bold = _font(12 if crowded else 14), _font(13 if crowded else 14, True)
    label_room = 0
    wrapped = [textwrap.wrap(label, 48 if crowded else 36) or [""] for label, _, _, _ in rows]
    if labels:
        label_room = int(max((_text_width(line, font) for lines in wrapped for line in lines), default=0)) + 14
    plot_left, plot_right, plot_bottom = left + label_room, right - 10, bottom - 44
    high = x.ticks[-1] or 1.0
    scale = (plot_right - plot_left - 70) / high
    for tick, text in zip(x.ticks, x.labels, strict=True):
        px = plot_left + tick * scale
        draw.line([(px, top), (px, plot_bottom)], fill=GRID if tick else GREY, width=1)
        draw.text((px, plot_bottom + 6), text, fill=TEXT, font=_font(12), anchor="ma")
    draw.text(((plot_left + plot_right - 70) / 2, plot_bottom + 24), x.title, fill=TEXT, font=_font(13), anchor="ma")
    if not rows:
        draw.text(((left + right) / 2, (top + bottom) / 2), "Aucune donnée", fill=GREY, font=_font(16), anchor="mm")
        return
    band = (plot_bottom - top) / len(rows)
    bar = min(band * 0.7, 38)
    for index, ((_, _, _, highlight), value, lines) in enumerate(zip(rows, values, wrapped, strict=True)):
        centre = top + band * (index + 0.5)
        length = (value or 0.0) * scale
        draw.rectangle([plot_left, centre - bar / 2, plot_left + max(length, 0), centre + bar / 2],
                       fill=BLUE if highlight else LIGHT_BLUE)
        text = "non estimé" if value is None else value_label(value)
        draw.text((plot_left + length + 6, centre), text, fill=TEXT, font=bold, anchor="lm")
        if labels:
            line_h = font.size + 2
            first = centre - line_h * (len(lines) - 1) / 2
            for n, line in enumerate(lines):
                draw.text((plot_left - 10, first + n * line_h), line, fill=TEXT, font=font, anchor="rm")


def _count_chart(title: str, rows: Rows) -> bytes:
    image, draw = _frame(title)
    counts = [n for _, n, _, _ in rows]
    x = axis(0.0, max(counts, default=0.0), fr.tick_integer, integer=True, title="Nombre de projets")
    _hbars(draw, (12, 60, WIDTH - 12, HEIGHT - 34), rows, counts, fr.format_integer, x)
    return _png(image)


def _bracket_chart(title: str, rows: Rows) -> bytes:
    """Two panels side by side: how many projects, and how much they cost, per bracket."""
    image, draw = _frame(title)
    counts = [n for _, n, _, _ in rows]
    costs = [c if c else None for _, _, c, _ in rows]
    left_x = axis(0.0, max(counts, default=0.0), fr.tick_integer, integer=True, title="Nombre de projets")
    right_x = axis(0.0, max([c for c in costs if c is not None], default=0.0), lambda v: fr.format_short(v, "M€", 0),
                   integer=True, title="Coût estimé cumulé (M€)")
    font = _font(14)
    label_room = int(max((_text_width(label, font) for label, _, _, _ in rows), default=0)) + 14
    middle = 12 + label_room + (WIDTH - 24 - label_room) // 2
    _hbars(draw, (12, 60, middle, HEIGHT - 34), rows, counts, fr.format_integer, left_x)
    _hbars(draw, (middle + 10, 60, WIDTH - 12, HEIGHT - 34), rows, costs, lambda v: fr.format_m_eur(v, 0),
           right_x, labels=False)
    return _png(image)


def _panel(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], panel: Panel, s: int) -> None:
    left, top, right, bottom = box
    draw.text((left, top), panel.title, fill=TEXT, font=_font(15 * s, True))
    tick_font = _font(12 * s)
    axis_left = left + max((_text_width(t, tick_font) for t in panel.y.labels), default=0) + 8 * s
    plot_top, plot_bottom = top + 34 * s, bottom - 28 * s
    plot_left, plot_right = axis_left + 14 * s, right - 14 * s
    low, high = panel.y.ticks[0], panel.y.ticks[-1]
    span = (high - low) or 1.0
    count = len(panel.numbers)

    def x_of(i: int) -> float:
        return plot_left + (i * (plot_right - plot_left) / (count - 1) if count > 1 else (plot_right - plot_left) / 2)

    def y_of(v: float) -> float:
        return plot_bottom - (v - low) / span * (plot_bottom - plot_top)

    for tick, label in zip(panel.y.ticks, panel.y.labels, strict=True):
        y = y_of(tick)
        draw.line([(axis_left, y), (right, y)], fill=GREY if tick == 0 else GRID, width=s)
        draw.text((axis_left - 6 * s, y), label, fill=TEXT, font=tick_font, anchor="rm")
    step = max(1, math.ceil(count / 6))
    shown = sorted({*range(0, count, step), count - 1})
    for i in shown:
        draw.text((x_of(i), plot_bottom + 6 * s), str(panel.numbers[i]), fill=TEXT, font=tick_font, anchor="ma")
    points = [(x_of(i), y_of(v)) if v is not None else None for i, v in enumerate(panel.values)]
    segment: list[tuple[float, float]] = []
    for point in [*points, None]:
        if point is None:
            if len(segment) > 1:
                draw.line(segment, fill=BLUE, width=3 * s, joint="curve")
            segment = []
        else:
            segment.append(point)
    radius = 5 * s
    for point, hollow in zip(points, panel.hollow, strict=True):
        if point is not None:
            x, y = point
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=WHITE if hollow else BLUE,
                         outline=BLUE, width=2 * s)
    last = next((p for p in reversed(points) if p is not None), None)
    if last is not None:
        draw.text((last[0], last[1] - 10 * s), panel.last_label, fill=TEXT, font=_font(13 * s, True), anchor="rd")


def _evolution_chart(title: str, indicators: pd.DataFrame) -> bytes:
    s = SCALE
    image, draw = _frame(title, s)
    panels = evolution_panels(indicators)
    columns = max(1, (len(panels) + 1) // 2)
    cell_w, cell_h = (WIDTH - 24) / columns, (HEIGHT - 60 - 40) / 2
    for index, panel in enumerate(panels):
        row, col = divmod(index, columns)
        left, top = 12 + col * cell_w, 60 + row * cell_h
        _panel(draw, (left * s, top * s, (left + cell_w - 18) * s, (top + cell_h - 8) * s), panel, s)
    draw.text((WIDTH / 2 * s, (HEIGHT - 48) * s), "En abscisse : numéro de l'édition", fill=GREY,
              font=_font(12 * s), anchor="ma")
    return _png(image.reduce(SCALE))  # box filter: fast, and enough for lines


def render_charts_png(indicators: pd.DataFrame, repartitions: pd.DataFrame) -> dict[str, bytes]:
    """The five PNG files, keyed by their published path; breakdowns are for the latest edition."""
    latest = latest_edition(indicators)
    suffix = edition_title(latest).replace("Édition", "édition", 1)
    mine = repartitions[repartitions["edition"] == latest["edition"]]

    def part(dimension: str) -> pd.DataFrame:
        return mine[mine["dimension"] == dimension]

    names = list(CHARTS)
    return {
        names[0]: _count_chart(f"{CHARTS[names[0]]} – {suffix}", sections.breakdown_rows(sections.by_count(part("ministere")))),
        names[1]: _count_chart(f"{CHARTS[names[1]]} – {suffix}",
                               sections.breakdown_rows(sections.ordered(part("phase"), sections.enum("phase")))),
        names[2]: _bracket_chart(f"{CHARTS[names[2]]} – {suffix}",
                                 sections.breakdown_rows(sections.ordered(part("tranche_cout"), sections.enum("tranche_cout")))),
        names[3]: _count_chart(f"{CHARTS[names[3]]} – {suffix}",
                               sections.breakdown_rows(sections.by_count(part("zone_fonctionnelle")), sections.TOP_ZONES,
                                                       "Autres zones")),
        names[4]: _evolution_chart(CHARTS[names[4]], indicators),
    }
