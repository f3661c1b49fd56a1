"""The published CHANGELOG.md of the data: what changed from one edition to the next.

Written for reusers who follow projects over time: which projects entered and left (by name and
ministry, since an identifier means little to a person), how each headline figure moved, and
which files a partial edition had to leave out. The per-edition moves are `panorama.diff`'s,
rendered by `panorama.diff_text`, so that `panorama diff` and the changelog say the same thing. Newest edition first; no timestamp, so that the
same history always gives the same text.
"""
from __future__ import annotations

import pandas as pd

from panorama.edition import Edition

TITLE = "# Journal des modifications du panorama des grands projets numériques de l'État"


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _fr(value: float, decimals: int) -> str:
    """French decimal comma, ASCII minus (the changelog is plain Markdown)."""
    text = f"{value:.{decimals}f}".replace(".", ",")
    return "0" + text[2:] if text.startswith("-0") and float(value) == 0 else text


def _delta(before: float, after: float, decimals: int, unit: str = "") -> str:
    """"(+0,07)", "(−1)", "(=)" on the displayed (rounded) values, so that the text adds up."""
    gap = round(after, decimals) - round(before, decimals)
    if round(gap, decimals) == 0:
        return "(=)"
    sign = "+" if gap > 0 else "−"
    return f"({sign}{_fr(abs(gap), decimals)}{unit})"


# (label, column, scale, decimals, unit shown after the value, unit shown after the delta)
FIGURES = (
    ("Nombre de projets", "nombre_projets", 1, 0, "", ""),
    ("Projets interministériels", "nombre_projets_interministeriels", 1, 0, "", ""),
    ("Coût total", "cout_total_meur", 1 / 1000, 2, " Md€", ""),
    ("Durée moyenne", "duree_moyenne_annees", 1, 1, " ans", ""),
    ("Taux d'écart budgétaire", "taux_ecart_budgetaire", 100, 1, " %", " pt"),
    ("Taux d'écart calendaire", "taux_ecart_calendaire", 100, 1, " %", " pt"),
)


def _figure_line(label: str, column: str, scale: float, decimals: int, unit: str, delta_unit: str,
                 now: pd.Series, before: pd.Series | None) -> str:
    value = now[column]
    if _missing(value):
        return f"- {label} : non disponible"
    after = float(value) * scale
    shown = f"{_fr(after, decimals)}{unit}"
    if before is None or _missing(before[column]):
        return f"- {label} : {shown}"
    previous = float(before[column]) * scale
    units = unit if unit.strip() != "%" else " %"
    return f"- {label} : {_fr(previous, decimals)} → {_fr(after, decimals)}{units} {_delta(previous, after, decimals, delta_unit)}"


def render_changelog(history: pd.DataFrame, indicators: pd.DataFrame, editions: list[Edition],
                     dropped: dict[str, list[str]] | None = None) -> str:
    """The French Markdown changelog, newest edition first."""
    from panorama.diff import edition_diff
    from panorama.diff_text import diff_markdown, partial_sentence

    ordered = sorted(editions, key=lambda e: e.numero)
    by_edition = indicators.set_index("edition")
    partial = {e for e, files in (dropped or {}).items() if files}
    diffs = {e.id: edition_diff(history, indicators, ordered, e.id, partial=partial) for e in ordered}
    lines = [TITLE, ""]
    latest = partial_sentence(diffs[ordered[-1].id]) if ordered else None
    if latest:
        lines += [f"**Dernière édition ({ordered[-1].id}) — {latest}**", ""]
    for position in range(len(ordered) - 1, -1, -1):
        edition = ordered[position]
        previous = ordered[position - 1] if position else None
        lines += [f"## {edition.libelle} — édition {edition.id}", ""]
        lines.append(f"Date de l'édition : {edition.date_publication.strftime('%d/%m/%Y')}.")
        lines.append("")
        lines += diff_markdown(diffs[edition.id], level=3, figures=False)
        if edition.id in by_edition.index:
            now = by_edition.loc[edition.id]
            before = by_edition.loc[previous.id] if previous is not None and previous.id in by_edition.index else None
            lines += ["### Chiffres clés", ""]
            lines += [_figure_line(*spec, now, before) for spec in FIGURES]
            source = now.get("source_taux")
            if not _missing(source):
                lines.append(f"- Origine des taux d'écart : {source}")
            lines.append("")
        files = sorted((dropped or {}).get(edition.id, []))
        if files:
            lines += [
                "### Édition partielle",
                "",
                "Les fichiers suivants ont été écartés de cette édition (constats bloquants) ; "
                "leurs projets n'y figurent pas :",
                "",
                *[f"- {name}" for name in files],
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"
