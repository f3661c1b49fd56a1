"""Headline figures of each edition, computed from the history.

Definitions (they are the published methodology):
- nombre de projets: the rows of the edition, projects "en révision de trajectoire" included;
- projets interministériels: rows whose interministerial flag is true;
- coût total (M€): sum of the numeric estimated costs; blank or "en cadrage" costs are left out,
  and so are projects "en révision de trajectoire" (DINUM withheld their figures: "hors projets en
  cadrage ou en révision de trajectoire"), even when a cost was sent;
- durée moyenne (années): unweighted mean of the numeric planned durations, same exclusions;
- taux d'écart budgétaire: mean, over projects with both an initial and an updated cost (initial
  > 0), of (coût actualisé − coût initial) / coût initial;
- taux d'écart calendaire: Σ(durée actualisée − durée initiale) / Σ durée initiale over projects
  with both durations, i.e. the mean deviation weighted by the initial duration (both rates leave
  projects "en révision de trajectoire" out);
- source_taux: "calculé" when both rates come from project data, "déclaré" when they come from
  the `*_declare` keys of edition.toml (the early editions never published project-level initial
  values), "mixte" when one of each, "absent" when neither exists;
- projets entrants / sortants: identifiers present in the edition and not in the previous one,
  and the reverse (none for the first edition); in a partial edition, the projects of a ministry
  that sent nothing are not counted as leaving (`edition_partielle`, `ministeres_absents`).
Values keep full precision; only display rounds.
"""
from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from panorama.absences import absent_ministries, is_partial, not_leaving
from panorama.edition import Edition

INDICATOR_COLUMNS = [
    "edition", "numero", "date_publication", "nombre_projets", "nombre_projets_interministeriels",
    "cout_total_meur", "duree_moyenne_annees", "taux_ecart_budgetaire", "taux_ecart_calendaire",
    "source_taux", "projets_entrants", "projets_sortants", "edition_partielle", "ministeres_absents",
    "taux_ecart_budgetaire_declare", "taux_ecart_calendaire_declare",
]
REPARTITION_COLUMNS = ["edition", "dimension", "valeur", "nombre_projets", "cout_total_meur"]
# Dimension name → history column, in the order they are published.
DIMENSIONS = {
    "ministere": "ministere_nom",
    "phase": "phase",
    "tranche_cout": "tranche_cout",
    "zone_fonctionnelle": "zone_fonctionnelle",
}
NOT_FILLED = "Non renseigné"
# Projects whose cost and duration DINUM withheld while their trajectory is reviewed: counted as
# projects, left out of every cost, duration and deviation figure.
WITHHELD_PHASE = "Révision de trajectoire"
COMPUTED, DECLARED, MIXED, ABSENT = "calculé", "déclaré", "mixte", "absent"
# Computed and declared rates further apart than this get a note.
RATE_TOLERANCE = 0.005
RATE_LABELS = {"budgetaire": "taux d'écart budgétaire", "calendaire": "taux d'écart calendaire"}


def withheld(rows: pd.DataFrame) -> pd.Series:
    """Rows whose figures are withheld (phase "Révision de trajectoire")."""
    if "phase" not in rows.columns:
        return pd.Series(False, index=rows.index)
    return rows["phase"].eq(WITHHELD_PHASE).fillna(False).astype(bool)


def budget_deviation_rate(rows: pd.DataFrame) -> float | None:
    """Mean relative cost deviation over projects with both costs; None when none has both."""
    initial, updated = rows["cout_initial_meur"], rows["cout_actualise_meur"]
    usable = initial.notna() & updated.notna() & (initial > 0)
    if not usable.any():
        return None
    return float(((updated[usable] - initial[usable]) / initial[usable]).mean())


def schedule_deviation_rate(rows: pd.DataFrame) -> float | None:
    """Σ(updated − initial) / Σ initial durations over projects with both; None when none."""
    initial, updated = rows["duree_initiale_annees"], rows["duree_actualisee_annees"]
    usable = initial.notna() & updated.notna()
    total = float(initial[usable].sum())
    if not usable.any() or total <= 0:
        return None
    return float((updated[usable] - initial[usable]).sum() / total)


def percent(rate: float) -> str:
    """0.1214 → "12,1 %" (notes only; the data keep full precision)."""
    return f"{rate * 100:.1f} %".replace(".", ",")


def _rate(kind: str, computed: float | None, declared: float | None, edition: str,
          notes: list[str]) -> tuple[float | None, str]:
    """The published rate and where it comes from; a note when computed and declared disagree."""
    if computed is not None:
        if declared is not None and abs(computed - declared) > RATE_TOLERANCE:
            notes.append(
                f"Édition {edition} : {RATE_LABELS[kind]} calculé {percent(computed)} ≠ déclaré {percent(declared)}."
            )
        return computed, COMPUTED
    if declared is not None:
        return declared, DECLARED
    notes.append(
        f"Édition {edition} : {RATE_LABELS[kind]} absent (aucun projet ne porte à la fois la valeur initiale "
        "et la valeur actualisée, et edition.toml n'en déclare pas)."
    )
    return None, ABSENT


def _source(budget: str, schedule: str) -> str:
    if budget == schedule:
        return budget
    if ABSENT in (budget, schedule):
        return budget if schedule == ABSENT else schedule
    return MIXED


def compute_indicators(history: pd.DataFrame, editions: list[Edition],
                       partial: Collection[str] = ()) -> tuple[pd.DataFrame, list[str]]:
    """One row of headline figures per edition (ordered by number), and French notes.

    `partial` names the editions a run allowed partial (edition.toml may declare it too).
    """
    notes: list[str] = []
    rows: list[dict[str, object]] = []
    previous_ids: set[str] | None = None
    previous_part: pd.DataFrame | None = None
    for edition in sorted(editions, key=lambda e: e.numero):
        part = history[history["edition"] == edition.id]
        ids = set(part["identifiant"])
        absent = absent_ministries(previous_part, part) if previous_part is not None else []
        partial_edition = is_partial(edition, partial)
        kept_out = not_leaving(previous_part, absent) if partial_edition and previous_part is not None else set()
        if absent:
            notes.append(
                f"Édition {edition.id} : ministère(s) présent(s) dans l'édition précédente sans aucun projet "
                f"dans celle-ci : {', '.join(absent)}"
                + (" (édition partielle : leurs projets ne sont pas comptés comme sortants)." if partial_edition
                   else " (leurs projets sont comptés comme sortants).")
            )
        measured = part[~withheld(part)]  # the rows whose cost and duration count
        budget, budget_source = _rate(
            "budgetaire", budget_deviation_rate(measured), edition.taux_ecart_budgetaire_declare, edition.id, notes
        )
        schedule, schedule_source = _rate(
            "calendaire", schedule_deviation_rate(measured), edition.taux_ecart_calendaire_declare, edition.id, notes
        )
        if budget_source != schedule_source and MIXED == _source(budget_source, schedule_source):
            notes.append(
                f"Édition {edition.id} : taux d'écart budgétaire {budget_source}, taux d'écart calendaire {schedule_source}."
            )
        durations = measured["duree_previsionnelle_annees"].dropna()
        rows.append({
            "edition": edition.id,
            "numero": edition.numero,
            "date_publication": pd.Timestamp(edition.date_publication),
            "nombre_projets": len(part),
            "nombre_projets_interministeriels": int(part["projet_interministeriel"].fillna(False).astype(bool).sum()),
            "cout_total_meur": float(measured["cout_estime_meur"].sum(min_count=0)),
            "duree_moyenne_annees": float(durations.mean()) if len(durations) else None,
            "taux_ecart_budgetaire": budget,
            "taux_ecart_calendaire": schedule,
            "source_taux": _source(budget_source, schedule_source),
            "projets_entrants": None if previous_ids is None else len(ids - previous_ids),
            "projets_sortants": None if previous_ids is None else len(previous_ids - ids - kept_out),
            "edition_partielle": partial_edition,
            "ministeres_absents": ", ".join(absent) or None,
            "taux_ecart_budgetaire_declare": edition.taux_ecart_budgetaire_declare,
            "taux_ecart_calendaire_declare": edition.taux_ecart_calendaire_declare,
        })
        previous_ids, previous_part = ids, part
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["edition_partielle"] = frame["edition_partielle"].astype(bool)
    for column in ("numero", "nombre_projets", "nombre_projets_interministeriels", "projets_entrants", "projets_sortants"):
        frame[column] = pd.array(list(frame[column]), dtype="Int64")
    for column in ("cout_total_meur", "duree_moyenne_annees", "taux_ecart_budgetaire", "taux_ecart_calendaire",
                   "taux_ecart_budgetaire_declare", "taux_ecart_calendaire_declare"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["date_publication"] = pd.to_datetime(frame["date_publication"]).astype("datetime64[ns]")
    for column in ("edition", "source_taux", "ministeres_absents"):
        frame[column] = frame[column].astype(object)
    frame["ministeres_absents"] = frame["ministeres_absents"].where(frame["ministeres_absents"].notna(), None)
    return frame, notes


def compute_repartitions(history: pd.DataFrame) -> pd.DataFrame:
    """Projects and cost per edition along each dimension; a blank value is "Non renseigné".

    Projects "en révision de trajectoire" count as projects; their cost is left out, as in the total.

    Order: edition number, dimension (as in `DIMENSIONS`), most projects first, then value.
    """
    if history.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REPARTITION_COLUMNS})
    numbers = history.drop_duplicates("edition").set_index("edition")["numero_edition"]
    # One long table (each row once per dimension) and one grouping: a grouping per dimension cost
    # four times pandas' fixed overhead, which is most of this function's time on a few hundred rows.
    n, dimensions = len(history), list(DIMENSIONS)
    filled = [history[column].astype(object) for column in DIMENSIONS.values()]
    values = [v.where(v.notna() & (v.astype(str).str.strip() != ""), NOT_FILLED).to_numpy(dtype=object) for v in filled]
    long = pd.DataFrame({
        "edition": np.tile(history["edition"].to_numpy(dtype=object), len(dimensions)),
        "_rang": np.repeat(np.arange(len(dimensions)), n),
        "valeur": np.concatenate(values),
        "cout": np.tile(history["cout_estime_meur"].mask(withheld(history)).to_numpy(dtype="float64", na_value=np.nan),
                        len(dimensions)),
    })
    result = (
        long.groupby(["edition", "_rang", "valeur"], sort=True, dropna=False)
        .agg(nombre_projets=("cout", "size"), cout_total_meur=("cout", "sum"))  # NaN skipped, 0.0 when none: as sum(min_count=0)
        .reset_index()
    )
    result["dimension"] = np.array(dimensions, dtype=object)[result["_rang"].to_numpy()]
    result["_numero"] = result["edition"].map(numbers)
    result = result.sort_values(
        ["_numero", "_rang", "nombre_projets", "valeur"], ascending=[True, True, False, True], kind="mergesort"
    )
    result = result[REPARTITION_COLUMNS].reset_index(drop=True)
    result["nombre_projets"] = result["nombre_projets"].astype("Int64")
    result["cout_total_meur"] = result["cout_total_meur"].astype("float64")
    for column in ("edition", "dimension", "valeur"):
        result[column] = result[column].astype(object)
    return result
