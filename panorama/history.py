"""The cumulative history: one row per project per edition, and the moves between editions.

The history is what reusers follow over time, so its shape is fixed (`history_columns()`), its
order is fixed (edition number, then identifier) and its dtypes are the canonical ones whatever
the editions held, so that rebuilding it gives the same bytes.
"""
from __future__ import annotations

import pandas as pd

from panorama.edition import Edition
from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, history_columns

TRANSITION_COLUMNS = ["edition", "identifiant", "nom_projet", "ministere_nom", "mouvement"]
ENTERING = "entrant"
LEAVING = "sortant"


def _canonical_column(column: str, values: pd.Series) -> pd.Series:
    """One column in its canonical dtype (object text with None, float, datetime, boolean, int);
    a column already in its dtype is kept as it is."""
    if column in NUMBER_FIELDS:
        return values if values.dtype == "float64" else pd.to_numeric(values, errors="coerce").astype("float64")
    if column in DATE_FIELDS or column == "date_edition":
        return values if values.dtype == "datetime64[ns]" else pd.to_datetime(values).astype("datetime64[ns]")
    if column in BOOLEAN_FIELDS:
        return values if str(values.dtype) == "boolean" else values.astype("boolean")
    if column == "numero_edition":
        return values if values.dtype == "int64" else values.astype("int64")
    cells = values.to_numpy(dtype=object, copy=True)
    cells[pd.isna(cells)] = None
    return pd.Series(cells, index=values.index, dtype=object, copy=False)


def _canonical_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast every column to its canonical dtype."""
    columns = {column: _canonical_column(column, frame[column]) for column in frame.columns}
    return pd.DataFrame(columns, index=frame.index, columns=frame.columns)


def stack_editions(parts: list[tuple[Edition, pd.DataFrame]]) -> pd.DataFrame:
    """Stack edition tables (identifiant filled) into the history, in canonical shape and order.

    Built column by column (each edition's column made canonical, then the editions' pieces joined
    once): a frame per edition assembled and concatenated costs several times more."""
    columns = history_columns()
    if not parts:
        return _canonical_dtypes(pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))
    pieces: dict[str, list[pd.Series]] = {c: [] for c in columns}
    for edition, table in parts:
        index = table.index
        given = {
            "edition": pd.Series([edition.id] * len(index), index=index, dtype=object),
            "numero_edition": pd.Series(edition.numero, index=index, dtype="int64"),
            "date_edition": pd.Series(pd.Timestamp(edition.date_publication), index=index, dtype="datetime64[ns]"),
        }
        for column in columns:
            if column in given:
                values = given[column]
            elif column in table.columns:
                values = table[column]
            else:  # as `reindex` fills a column the table lacks
                values = pd.Series(float("nan"), index=index, dtype="float64")
            pieces[column].append(_canonical_column(column, values))
    history = pd.DataFrame({c: pd.concat(pieces[c], ignore_index=True) for c in columns}, columns=columns)
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
    out = history.drop(columns=[c for c in drift_columns() if c in history.columns])
    ordered = out.sort_values(["identifiant", "numero_edition"], kind="mergesort")
    columns: dict[str, pd.Series] = {}
    for measure, source, _ in DRIFT_MEASURES:
        values = pd.to_numeric(ordered[source], errors="coerce").astype("float64")
        grouped = values.groupby(ordered["identifiant"], sort=False, dropna=False)
        first, previous = grouped.transform("first"), grouped.shift(1)  # first non-null; previous appearance
        for since, base in ((SINCE_FIRST, first), (SINCE_PREVIOUS, previous)):
            change = (values - base).astype("float64")
            columns[drift_column(measure, since, False)] = change
            columns[drift_column(measure, since, True)] = _relative(change, base)
    # Built apart and aligned once on the history's order: eight `.loc` assignments cost twice the rest.
    return pd.concat([out, pd.DataFrame(columns).reindex(out.index)], axis=1)
