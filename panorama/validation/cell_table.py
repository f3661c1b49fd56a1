"""The canonical table of a small file as plain lists, turned into a DataFrame only when asked for.

Validating a 60-row file needs no DataFrame: the checks run on lists. Consumers of
`SubmissionResult.table` (identity, figures, export in `panorama run`) get the same DataFrame the
vectorised path builds (same columns, same dtypes), built on first use, pandas imported then.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, project_fields

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class CellTable:
    """Field → typed values (float, datetime.date, bool, str or None), one per row, plus provenance."""

    columns: dict[str, list[Any]]   # every project field, in schema order
    file: str
    sheet: str | None
    rows: list[int]                 # the spreadsheet row number of each row (the `_ligne` column)

    @classmethod
    def of(cls, typed: dict[str, list[Any]], file: str, sheet: str | None, rows: list[int]) -> CellTable:
        """The table of every project field from the typed values of the fields present."""
        n = len(rows)
        return cls({name: typed.get(name) or [None] * n for name in project_fields()}, file, sheet, list(rows))

    def __len__(self) -> int:
        return len(self.rows)

    def without(self, rows: set[int]) -> CellTable:
        """The table without the given spreadsheet rows."""
        keep = [i for i, r in enumerate(self.rows) if r not in rows]
        return CellTable({k: [v[i] for i in keep] for k, v in self.columns.items()}, self.file, self.sheet,
                         [self.rows[i] for i in keep])

    def frame(self) -> pd.DataFrame:
        """The DataFrame `SubmissionResult.table` promises: project fields then _fichier, _feuille, _ligne."""
        return frame_of([self])


def frame_of(tables: list[CellTable]) -> pd.DataFrame:
    """The rows of several small files as one DataFrame, built once (an edition's table: one
    construction instead of one per file and a concatenation)."""
    import numpy as np
    import pandas as pd

    from panorama.validation.schema_cells import typed_series

    n = sum(len(t) for t in tables)
    index = pd.RangeIndex(n)
    data: dict[str, object] = {}
    for name in project_fields():
        values = [v for t in tables for v in t.columns[name]]
        if name in NUMBER_FIELDS:
            data[name] = typed_series("number", values, index).to_numpy()
        elif name in DATE_FIELDS:
            data[name] = typed_series("date", values, index).to_numpy()
        elif name in BOOLEAN_FIELDS:
            missing = np.array([v is None for v in values], dtype=bool)
            data[name] = pd.arrays.BooleanArray(np.array([bool(v) for v in values], dtype=bool), missing)
        else:
            data[name] = pd.Series(np.array(values, dtype=object) if n else np.empty(0, dtype=object),
                                   dtype=object, copy=False)
    files = [t.file for t in tables for _ in t.rows]
    sheets = [t.sheet for t in tables for _ in t.rows]
    data["_fichier"] = pd.Series(np.array(files, dtype=object) if n else np.empty(0, dtype=object), dtype=object, copy=False)
    data["_feuille"] = pd.Series(np.array(sheets, dtype=object) if n else np.empty(0, dtype=object), dtype=object, copy=False)
    data["_ligne"] = np.asarray([r for t in tables for r in t.rows], dtype="int64")
    return pd.DataFrame(data, copy=False)
