"""What changed between an edition and the previous one: a pure function over the pipeline's outputs.

The steward reads it before publishing (`panorama diff`), reusers read it in the CHANGELOG and the
run's artifact: ministries missing or new, projects entering and leaving, renames (with how the
link was made), the largest cost and duration changes, phase changes and the headline figures.
"""
from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from panorama.absences import absent_ministries, is_partial, ministry_names, not_leaving
from panorama.edition import Edition

TOP = 10  # largest cost and duration changes listed
_COLUMNS = ("identifiant", "nom_projet", "ministere_code", "ministere_nom", "phase", "cout_estime_meur",
            "duree_previsionnelle_annees")
SOURCES = {"alias": "table des identifiants (identifiants.csv)", "identifiant fourni": "identifiant porté",
           "rapprochement": "rapprochement"}
# (key, French label, scale, decimals, unit)
FIGURES = (
    ("nombre_projets", "Nombre de projets", 1, 0, ""),
    ("nombre_projets_interministeriels", "Projets interministériels", 1, 0, ""),
    ("cout_total_meur", "Coût total", 1 / 1000, 2, " Md€"),
    ("duree_moyenne_annees", "Durée moyenne", 1, 1, " ans"),
    ("taux_ecart_budgetaire", "Taux d'écart budgétaire", 100, 1, " %"),
    ("taux_ecart_calendaire", "Taux d'écart calendaire", 100, 1, " %"),
    ("projets_entrants", "Projets entrants", 1, 0, ""),
    ("projets_sortants", "Projets sortants", 1, 0, ""),
)


@dataclass
class EditionDiff:
    edition: str
    libelle: str
    precedente: str | None
    libelle_precedente: str | None
    edition_partielle: bool
    ministeres_absents: list[dict[str, Any]] = field(default_factory=list)
    ministeres_nouveaux: list[dict[str, Any]] = field(default_factory=list)
    entrants: list[dict[str, Any]] = field(default_factory=list)
    sortants: list[dict[str, Any]] = field(default_factory=list)
    non_recus: list[dict[str, Any]] = field(default_factory=list)  # projects of absent ministries, partial edition
    renommages: list[dict[str, Any]] = field(default_factory=list)
    ecarts_cout: list[dict[str, Any]] = field(default_factory=list)
    ecarts_duree: list[dict[str, Any]] = field(default_factory=list)
    changements_phase: list[dict[str, Any]] = field(default_factory=list)
    chiffres: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _value(value: object) -> Any:
    """JSON-friendly: None for missing, plain int/float/str otherwise."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return value


def _project(row: dict[str, Any]) -> dict[str, Any]:
    return {"identifiant": row["identifiant"], "nom_projet": _value(row["nom_projet"]),
            "ministere_code": _value(row["ministere_code"]), "ministere_nom": _value(row["ministere_nom"])}


def _by_name(items: list[dict[str, Any]], key: str = "nom_projet") -> list[dict[str, Any]]:
    return sorted(items, key=lambda d: (str(d.get(key) or "").casefold(), str(d.get("identifiant"))))


def _link(links: pd.DataFrame | None, edition: str, ident: str) -> dict[str, Any]:
    if links is None or links.empty:
        return {"source": None, "score": None, "preuves": None}
    found = links[(links["edition"] == edition) & (links["identifiant"] == ident)]
    if found.empty:
        return {"source": None, "score": None, "preuves": None}
    row = found.iloc[0]
    score = _value(row["score"])
    return {"source": SOURCES.get(str(row["source"]), str(row["source"])),
            "score": None if score is None or (isinstance(score, float) and math.isnan(score)) else float(score),
            "preuves": _value(row["preuves"])}


def _records(rows: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """One edition's projects as plain dicts keyed by identifier, in row order: read once, compared in Python.

    Per-project `.at`/`.loc` lookups and `iterrows` on the frame cost more than the comparison itself.
    """
    columns = [c for c in _COLUMNS if c in rows.columns]
    values = [rows[c].tolist() for c in columns]
    return {record["identifiant"]: record for record in (dict(zip(columns, row)) for row in zip(*values))}


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _changes(before: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """The TOP largest non-zero moves of `column`, largest first; ties keep the previous edition's order."""
    moves = []
    for ident, old in before.items():
        new = now.get(ident)
        if new is None or _missing(old[column]) or _missing(new[column]):
            continue
        prior, after = float(old[column]), float(new[column])
        gap = after - prior
        if gap != 0:
            moves.append((abs(gap), ident, new, prior, after, gap))
    moves.sort(key=lambda move: move[0], reverse=True)  # stable: equal moves keep their order
    return [{"identifiant": ident, "nom_projet": new["nom_projet"], "ministere_code": _value(new["ministere_code"]),
             "avant": prior, "apres": after, "ecart": gap} for _, ident, new, prior, after, gap in moves[:TOP]]


def _indicator_row(indicators: pd.DataFrame, edition: str | None) -> dict[str, Any] | None:
    """The indicators of one edition as a plain dict (None when absent)."""
    editions = indicators["edition"].tolist()
    if edition is None or edition not in editions:
        return None
    position = editions.index(edition)
    return {key: indicators[key].iloc[position] for key, *_ in FIGURES if key in indicators.columns}


def _figures(indicators: pd.DataFrame, edition: str, previous: str | None) -> list[dict[str, Any]]:
    now, before = _indicator_row(indicators, edition), _indicator_row(indicators, previous)
    out = []
    for key, label, scale, decimals, unit in FIGURES:
        if key not in indicators.columns:
            continue
        after = _value(now[key]) if now is not None else None
        prior = _value(before[key]) if before is not None else None
        delta = None if after is None or prior is None else round(after * scale, decimals) - round(prior * scale, decimals)
        out.append({"indicateur": key, "libelle": label, "unite": unit.strip(), "decimales": decimals,
                    "avant": None if prior is None else prior * scale, "apres": None if after is None else after * scale,
                    "ecart": None if delta is None else round(delta, decimals)})
    return out


def edition_diff(history: pd.DataFrame, indicators: pd.DataFrame, editions: list[Edition], edition: str,
                 links: pd.DataFrame | None = None, partial: Collection[str] = ()) -> EditionDiff:
    """Compare `edition` with the edition before it (by number); `links` adds how renames were linked."""
    ordered = sorted(editions, key=lambda e: e.numero)
    ids = [e.id for e in ordered]
    position = ids.index(edition)
    current = ordered[position]
    previous = ordered[position - 1] if position else None
    result = EditionDiff(current.id, current.libelle, previous.id if previous else None,
                         previous.libelle if previous else None, is_partial(current, partial))
    result.chiffres = _figures(indicators, current.id, result.precedente)
    if previous is None:
        return result
    now = history[history["edition"] == current.id].set_index("identifiant", drop=False)
    before = history[history["edition"] == previous.id].set_index("identifiant", drop=False)
    names_before, names_now = ministry_names(before), ministry_names(now)
    absent = absent_ministries(before, now)
    counts_before = before["ministere_code"].value_counts()
    result.ministeres_absents = [{"ministere_code": c, "ministere_nom": names_before.get(c, c),
                                  "projets_precedents": int(counts_before.get(c, 0))} for c in absent]
    counts_now = now["ministere_code"].value_counts()
    result.ministeres_nouveaux = [{"ministere_code": c, "ministere_nom": names_now.get(c, c),
                                   "projets": int(counts_now.get(c, 0))}
                                  for c in sorted(set(names_now) - set(names_before))]
    kept_out = not_leaving(before, absent) if result.edition_partielle else set()
    rows_now, rows_before = _records(now), _records(before)
    result.entrants = _by_name([_project(rows_now[i]) for i in rows_now.keys() - rows_before.keys()])
    leaving = rows_before.keys() - rows_now.keys()
    result.sortants = _by_name([_project(rows_before[i]) for i in leaving - kept_out])
    result.non_recus = _by_name([_project(rows_before[i]) for i in leaving & kept_out])
    for ident in sorted(rows_now.keys() & rows_before.keys()):
        old_row, new_row = rows_before[ident], rows_now[ident]
        old, new = old_row["nom_projet"], new_row["nom_projet"]
        if old != new:
            result.renommages.append({"identifiant": ident, "ancien_nom": old, "nouveau_nom": new,
                                      "ministere_code": _value(new_row["ministere_code"]),
                                      **_link(links, current.id, ident)})
        phase_old, phase_new = _value(old_row["phase"]), _value(new_row["phase"])
        if phase_old != phase_new:
            result.changements_phase.append({"identifiant": ident, "nom_projet": new, "avant": phase_old,
                                             "apres": phase_new})
    result.renommages = _by_name(result.renommages, "nouveau_nom")
    result.changements_phase = _by_name(result.changements_phase)
    result.ecarts_cout = _changes(rows_before, rows_now, "cout_estime_meur")
    result.ecarts_duree = _changes(rows_before, rows_now, "duree_previsionnelle_annees")
    return result
