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
        import numpy as np
        import pandas as pd

        from panorama.validation.schema_cells import typed_series

        n = len(self.rows)
        index = pd.RangeIndex(n)
        data: dict[str, object] = {}
        for name, values in self.columns.items():
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
        data["_fichier"] = pd.Series(np.full(n, self.file, dtype=object), dtype=object, copy=False)
        data["_feuille"] = pd.Series(np.full(n, self.sheet, dtype=object), dtype=object, copy=False)
        data["_ligne"] = np.asarray(self.rows, dtype="int64")
        return pd.DataFrame(data, copy=False)
