"""The cumulative history: one row per project per edition, and the moves between editions.

The history is what reusers follow over time, so its shape is fixed (`history_columns()`), its
order is fixed (edition number, then identifier) and its dtypes are the canonical ones whatever
the editions held, so that rebuilding it gives the same bytes.
"""
from __future__ import annotations

import pandas as pd

from panorama.edition import Edition
from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, history_columns, project_fields

TRANSITION_COLUMNS = ["edition", "identifiant", "nom_projet", "ministere_nom", "mouvement"]
ENTERING = "entrant"
LEAVING = "sortant"


def _canonical_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast every column to its canonical dtype (object text with None, float, datetime, boolean).

    The frame is built once from its columns (assigning them one by one costs more than the casts),
    and a column already in its dtype is kept as it is."""
    columns: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if column in NUMBER_FIELDS:
            if values.dtype != "float64":
                values = pd.to_numeric(values, errors="coerce").astype("float64")
        elif column in DATE_FIELDS or column == "date_edition":
            if values.dtype != "datetime64[ns]":
                values = pd.to_datetime(values).astype("datetime64[ns]")
        elif column in BOOLEAN_FIELDS:
            if str(values.dtype) != "boolean":
                values = values.astype("boolean")
        elif column == "numero_edition":
            if values.dtype != "int64":
                values = values.astype("int64")
        else:
            cells = values.to_numpy(dtype=object, copy=True)
            cells[pd.isna(cells)] = None
            values = pd.Series(cells, index=frame.index, dtype=object, copy=False)
        columns[column] = values
    return pd.DataFrame(columns, index=frame.index, columns=frame.columns)


def stack_editions(parts: list[tuple[Edition, pd.DataFrame]]) -> pd.DataFrame:
    """Stack edition tables (identifiant filled) into the history, in canonical shape and order."""
    columns = history_columns()
    frames = []
    for edition, table in parts:
        frame = table.reindex(columns=project_fields()).copy()
        frame.insert(0, "date_edition", pd.Timestamp(edition.date_publication))
        frame.insert(0, "numero_edition", edition.numero)
        frame.insert(0, "edition", edition.id)
        frames.append(_canonical_dtypes(frame))
    if not frames:
        return _canonical_dtypes(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))
    # Every frame is canonical already, and concatenating frames of the same dtypes keeps them.
    history = pd.concat(frames, ignore_index=True)[columns]
    return history.sort_values(["numero_edition", "identifiant"], kind="mergesort").reset_index(drop=True)


def edition_order(history: pd.DataFrame) -> list[str]:
    """Edition ids in publication order (by edition number)."""
    firsts = history.drop_duplicates("edition")[["edition", "numero_edition"]]
    return list(firsts.sort_values("numero_edition", kind="mergesort")["edition"])


def transitions(history: pd.DataFrame, order: list[str] | None = None) -> pd.DataFrame:
    """Projects entering and leaving each edition compared with the previous one.

    A leaving project is named as it was in the edition it left; the first edition has no move.
    `order` lists the edition ids in publication order when some edition may have no row at all
    (otherwise the editions present in the history are used).
    """
    rows: list[dict[str, object]] = []
    editions = list(order) if order is not None else edition_order(history)
    by_edition = {e: history[history["edition"] == e].set_index("identifiant") for e in editions}
    for previous, current in zip(editions, editions[1:]):
        before, now = by_edition[previous], by_edition[current]
        for ident in sorted(set(now.index) - set(before.index)):
            rows.append({"edition": current, "identifiant": ident, "nom_projet": now.at[ident, "nom_projet"],
                         "ministere_nom": now.at[ident, "ministere_nom"], "mouvement": ENTERING})
        for ident in sorted(set(before.index) - set(now.index)):
            rows.append({"edition": current, "identifiant": ident, "nom_projet": before.at[ident, "nom_projet"],
                         "ministere_nom": before.at[ident, "ministere_nom"], "mouvement": LEAVING})
    return pd.DataFrame(rows, columns=TRANSITION_COLUMNS, dtype=object)


# Per-project drift, added to the published history so that reusers see how each project's cost
# and duration moved without joining the table on itself. Order = published column order.
DRIFT_MEASURES: tuple[tuple[str, str, str], ...] = (
    # (measure, source column, unit suffix of the absolute change)
    ("cout", "cout_estime_meur", "meur"),
    ("duree", "duree_previsionnelle_annees", "annees"),
)
SINCE_FIRST, SINCE_PREVIOUS = "depuis_premiere_edition", "depuis_edition_precedente"


def drift_column(measure: str, since: str, relative: bool) -> str:
    """`ecart_cout_depuis_premiere_edition_meur`, `…_pct` for the relative change in percent."""
    unit = "pct" if relative else {m: u for m, _, u in DRIFT_MEASURES}[measure]
    return f"ecart_{measure}_{since}_{unit}"


def drift_columns() -> list[str]:
    return [drift_column(m, since, rel) for m, _, _ in DRIFT_MEASURES
            for since in (SINCE_FIRST, SINCE_PREVIOUS) for rel in (False, True)]


def _relative(change: pd.Series, base: pd.Series) -> pd.Series:
    """(now − base) / base in percent; empty where the base is missing or zero."""
    safe = base.where(base.abs() > 0)
    return (change / safe * 100.0).astype("float64")


def with_drift(history: pd.DataFrame) -> pd.DataFrame:
    """The history with the eight drift columns appended (recomputed if already there).

    Reference "since the first edition": the project's earliest edition with a known value (a
    project first listed "en cadrage" is measured from its first costed edition). Reference
    "since the previous edition": the project's previous appearance in the history, usually the
    edition just before; empty when either value is missing.
    """
    out = history.drop(columns=[c for c in drift_columns() if c in history.columns]).copy()
    order = out.sort_values(["identifiant", "numero_edition"], kind="mergesort").index
    ordered = out.loc[order]
    for measure, source, _ in DRIFT_MEASURES:
        values = pd.to_numeric(ordered[source], errors="coerce").astype("float64")
        first = values.groupby(ordered["identifiant"], sort=False, dropna=False).transform("first")  # first non-null
        previous = values.groupby(ordered["identifiant"], sort=False, dropna=False).shift(1)
        for since, base in ((SINCE_FIRST, first), (SINCE_PREVIOUS, previous)):
            change = (values - base).astype("float64")
            out.loc[order, drift_column(measure, since, False)] = change
            out.loc[order, drift_column(measure, since, True)] = _relative(change, base)
    for column in drift_columns():
        out[column] = out[column].astype("float64")
    return out
