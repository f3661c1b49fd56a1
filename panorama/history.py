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
    """Cast every column to its canonical dtype (object text with None, float, datetime, boolean)."""
    out = frame.copy()
    for column in out.columns:
        if column in NUMBER_FIELDS:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        elif column in DATE_FIELDS or column == "date_edition":
            out[column] = pd.to_datetime(out[column]).astype("datetime64[ns]")
        elif column in BOOLEAN_FIELDS:
            out[column] = out[column].astype("boolean")
        elif column == "numero_edition":
            out[column] = out[column].astype("int64")
        else:
            values = out[column].astype(object)
            out[column] = values.where(values.notna(), None)
    return out


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
    history = pd.concat(frames, ignore_index=True)[columns]
    history = _canonical_dtypes(history)
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
