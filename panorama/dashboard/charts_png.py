"""PNG charts for the data.gouv.fr dataset page (which cannot show inline SVG).

Drawn with matplotlib's Agg canvas directly (no pyplot global state), with the bundled DejaVu
font and no "Software" metadata, so the same data always gives the same bytes.
"""
from __future__ import annotations

import io
import textwrap
from collections.abc import Callable

import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from panorama.dashboard import formatting as fr
from panorama.dashboard import sections
from panorama.dashboard.description import edition_title, latest_edition, rate_source

WIDTH_IN, HEIGHT_IN, DPI = 12, 7, 100  # 1200 × 700 pixels
BLUE, LIGHT_BLUE, GREY, TEXT = "#000091", "#4b4bd2", "#666666", "#161616"
SOURCE = "Source : DINUM, Panorama des grands projets numériques de l'État – Licence Ouverte 2.0"
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "axes.edgecolor": GREY,
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "text.color": TEXT,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "panorama",
}
Rows = list[tuple[str, float, float | None, bool]]
# Axis ticks need fewer decimals than the values written on the points.
AXIS_FORMATS: dict[str, Callable[[float], str]] = {
    "cout_total_meur": lambda v: f"{fr.format_number(v / 1000, 1)}{fr.NBSP}Md€",
    "duree_moyenne_annees": lambda v: fr.format_years(v, 0),
    "taux_ecart_budgetaire": lambda v: fr.format_percent(v, 0),
    "taux_ecart_calendaire": lambda v: fr.format_percent(v, 0),
}


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buffer.getvalue()


def _figure(title: str) -> Figure:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    figure.suptitle(title, fontsize=17, fontweight="bold", x=0.01, ha="left")
    figure.supxlabel(SOURCE, fontsize=10, color=GREY, x=0.01, ha="left")
    return figure


def _french_axis(axis, fmt: Callable[[float], str]) -> None:  # noqa: ANN001 - matplotlib Axis
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: fmt(value)))


def _hbars(ax: Axes, rows: Rows, values: list[float | None], fmt: Callable[[float], str], xlabel: str) -> None:
    """Horizontal bars, first row on top, value written at the end of each bar ("non estimé" if None)."""
    crowded = len(rows) > 10  # longer lines, smaller type: three-line labels would overlap
    labels = [textwrap.fill(label, 58 if crowded else 42) for label, _, _, _ in rows]
    positions = list(range(len(rows)))[::-1]
    colours = [BLUE if highlight else LIGHT_BLUE for _, _, _, highlight in rows]
    lengths = [v or 0.0 for v in values]
    ax.barh(positions, lengths, color=colours, height=0.7)
    ax.set_yticks(positions, labels, fontsize=10 if crowded else 11)
    top = max(lengths, default=0.0) or 1.0
    for y, value in zip(positions, values, strict=True):
        text = "non estimé" if value is None else fmt(value)
        ax.text((value or 0.0) + top * 0.01, y, text, va="center", fontsize=11, fontweight="bold")
    ax.set_xlim(0, top * 1.2)
    ax.set_xlabel(xlabel)
    _french_axis(ax.xaxis, fr.format_integer)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if not rows:
        ax.text(0.5, 0.5, "Aucune donnée", transform=ax.transAxes, ha="center", fontsize=14, color=GREY)


def _count_chart(title: str, rows: Rows) -> bytes:
    with rc_context(RC):
        figure = _figure(title)
        ax = figure.add_subplot()
        _hbars(ax, rows, [n for _, n, _, _ in rows], fr.format_integer, "Nombre de projets")
        return _png(figure)


def _bracket_chart(title: str, rows: Rows) -> bytes:
    """Two panels side by side: how many projects, and how much they cost, per bracket."""
    with rc_context(RC):
        figure = _figure(title)
        left, right = figure.subplots(1, 2, sharey=True)
        _hbars(left, rows, [n for _, n, _, _ in rows], fr.format_integer, "Nombre de projets")
        _hbars(right, rows, [c if c else None for _, _, c, _ in rows], lambda v: fr.format_m_eur(v, 0),
               "Coût estimé cumulé (M€)")
        return _png(figure)


def _evolution_chart(title: str, indicators: pd.DataFrame) -> bytes:
    ordered = indicators.sort_values("numero", kind="stable")
    numbers = [int(n) for n in ordered["numero"]]
    metrics = [m for m in sections.METRICS if m[0] in ordered.columns]
    with rc_context(RC):
        figure = _figure(title)
        axes = figure.subplots(2, (len(metrics) + 1) // 2, squeeze=False).ravel()
        for ax, (column, label, fmt, is_rate) in zip(axes, metrics, strict=False):
            values = [None if fr.is_missing(v) else float(v) for v in ordered[column]]
            declared = [rate_source(row, column) == "déclaré" for _, row in ordered.iterrows()]
            ys = [float("nan") if v is None else v for v in values]
            ax.plot(numbers, ys, color=BLUE, linewidth=2.2)
            for hollow in (False, True):  # one marker artist per style: fewer artists, faster
                xs = [x for x, y, dec in zip(numbers, values, declared, strict=True)
                      if y is not None and (is_rate and dec) == hollow]
                ys_style = [y for y, dec in zip(values, declared, strict=True) if y is not None and (is_rate and dec) == hollow]
                if xs:
                    ax.plot(xs, ys_style, linestyle="none", marker="o", markersize=6, color=BLUE,
                            markerfacecolor="white" if hollow else BLUE)
            known = [v for v in values if v is not None]
            ax.set_ylim(min(0.0, *known) if known else 0.0, (max(known) if known else 1.0) * 1.2 or 1.0)
            ax.set_title(label, fontsize=12, fontweight="bold")
            _french_axis(ax.yaxis, AXIS_FORMATS.get(column, fr.format_integer))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=column not in AXIS_FORMATS))
            ax.set_xlim(numbers[0] - 0.5, numbers[-1] + 0.5)
            if len(numbers) <= 8:
                ax.set_xticks(numbers, [str(n) for n in numbers])
            else:
                ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
            ax.set_xlabel("n° d'édition", fontsize=10)
            ax.tick_params(labelsize=10)
            if known:
                last = max(i for i, v in enumerate(values) if v is not None)
                ax.annotate(fmt(values[last]), (numbers[last], values[last]), textcoords="offset points",  # type: ignore[arg-type]
                            xytext=(0, 8), ha="center", fontsize=10, fontweight="bold")
        for ax in axes[len(metrics):]:
            ax.set_visible(False)
        return _png(figure)


def render_charts_png(indicators: pd.DataFrame, repartitions: pd.DataFrame) -> dict[str, bytes]:
    """The five PNG files, keyed by their published path; breakdowns are for the latest edition."""
    latest = latest_edition(indicators)
    suffix = edition_title(latest).replace("Édition", "édition", 1)
    mine = repartitions[repartitions["edition"] == latest["edition"]]

    def part(dimension: str) -> pd.DataFrame:
        return mine[mine["dimension"] == dimension]

    return {
        "graphiques/projets-par-ministere.png": _count_chart(
            f"Projets par ministère – {suffix}", sections.breakdown_rows(sections.by_count(part("ministere")))),
        "graphiques/projets-par-phase.png": _count_chart(
            f"Projets par phase – {suffix}", sections.breakdown_rows(sections.ordered(part("phase"), sections.enum("phase")))),
        "graphiques/cout-par-tranche.png": _bracket_chart(
            f"Projets et coût par tranche de coût – {suffix}",
            sections.breakdown_rows(sections.ordered(part("tranche_cout"), sections.enum("tranche_cout")))),
        "graphiques/projets-par-zone-fonctionnelle.png": _count_chart(
            f"Projets par zone fonctionnelle ({sections.TOP_ZONES} premières) – {suffix}",
            sections.breakdown_rows(sections.by_count(part("zone_fonctionnelle")), sections.TOP_ZONES, "Autres zones")),
        "graphiques/evolution-indicateurs.png": _evolution_chart(
            "Chiffres clés d'une édition à l'autre (point creux : taux déclaré)", indicators),
    }
