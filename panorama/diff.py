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


def _project(row: pd.Series) -> dict[str, Any]:
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


def _changes(before: pd.DataFrame, now: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    prior = before[[column]].rename(columns={column: f"{column}_avant"})
    both = prior.join(now[[column, "nom_projet", "ministere_code"]], how="inner")
    both = both[both[f"{column}_avant"].notna() & both[column].notna()]
    gap = both[column] - both[f"{column}_avant"]
    both = both.assign(_gap=gap, _abs=gap.abs())[gap != 0]
    both = both.sort_values(["_abs"], ascending=False, kind="mergesort").head(TOP)
    return [{"identifiant": ident, "nom_projet": r["nom_projet"], "ministere_code": _value(r["ministere_code"]),
             "avant": float(r[f"{column}_avant"]), "apres": float(r[column]), "ecart": float(r["_gap"])}
            for ident, r in both.iterrows()]


def _figures(indicators: pd.DataFrame, edition: str, previous: str | None) -> list[dict[str, Any]]:
    rows = indicators.set_index("edition")
    now = rows.loc[edition] if edition in rows.index else None
    before = rows.loc[previous] if previous is not None and previous in rows.index else None
    out = []
    for key, label, scale, decimals, unit in FIGURES:
        if key not in rows.columns:
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
    result.entrants = _by_name([_project(now.loc[i]) for i in set(now.index) - set(before.index)])
    leaving = set(before.index) - set(now.index)
    result.sortants = _by_name([_project(before.loc[i]) for i in leaving - kept_out])
    result.non_recus = _by_name([_project(before.loc[i]) for i in leaving & kept_out])
    common = sorted(set(now.index) & set(before.index))
    for ident in common:
        old, new = before.at[ident, "nom_projet"], now.at[ident, "nom_projet"]
        if old != new:
            result.renommages.append({"identifiant": ident, "ancien_nom": old, "nouveau_nom": new,
                                      "ministere_code": _value(now.at[ident, "ministere_code"]),
                                      **_link(links, current.id, ident)})
        phase_old, phase_new = _value(before.at[ident, "phase"]), _value(now.at[ident, "phase"])
        if phase_old != phase_new:
            result.changements_phase.append({"identifiant": ident, "nom_projet": new, "avant": phase_old,
                                             "apres": phase_new})
    result.renommages = _by_name(result.renommages, "nouveau_nom")
    result.changements_phase = _by_name(result.changements_phase)
    result.ecarts_cout = _changes(before, now, "cout_estime_meur")
    result.ecarts_duree = _changes(before, now, "duree_previsionnelle_annees")
    return result
