"""RawTable: what the reading stage hands to normalisation.

Every cell is text as the ministry typed it (or None when empty); every data row keeps the row
number the person sees in their spreadsheet, so that findings point at the right place.

The cells are kept as the reader built them, one sequence per column (`columns`); the pandas
DataFrame `data` is built only when asked for (the vectorised path of big tables, tests), so that
validating a small file never imports pandas.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panorama.findings.core import Finding

if TYPE_CHECKING:
    import pandas as pd

Column = Sequence[Any]  # a numpy object array (reader) or a list: str or None per row


@dataclass(init=False)
class RawTable:
    path: Path
    sha256: str
    header: list[str]            # column labels as written in the file, one per column
    header_row: int              # 1-based row number of the header line/row as seen in a spreadsheet
    row_numbers: Any             # int64 array (or list of int): the spreadsheet row number of each row
    sheet: str | None = None     # sheet name for spreadsheets, None for CSV
    encoding: str | None = None  # CSV: the codec read ("utf-8", "utf-8-sig", "utf-16", "cp1252", "mac_roman"…)
    delimiter: str | None = None # ",", ";" or "\t" for CSV
    findings: list[Finding] = field(default_factory=list)  # what reading noticed (never blocking for a readable file, except ragged rows)

    def __init__(self, path: Path, sha256: str, header: list[str], header_row: int, data: pd.DataFrame | None = None,
                 row_numbers: Any = None, sheet: str | None = None, encoding: str | None = None,
                 delimiter: str | None = None, findings: list[Finding] | None = None, *,
                 columns: list[Column] | None = None) -> None:
        """Either `data` (columns 0..len(header)-1, object dtype, str or None; blank rows dropped) or
        `columns` (the same cells, one sequence per column)."""
        self.path, self.sha256, self.header, self.header_row = path, sha256, header, header_row
        self.row_numbers = row_numbers if row_numbers is not None else []
        self.sheet, self.encoding, self.delimiter = sheet, encoding, delimiter
        self.findings = findings if findings is not None else []
        self._data = data
        self._columns = columns if data is None else None
        if data is None and columns is None:
            self._columns = [[] for _ in header]

    @property
    def columns(self) -> list[Column]:
        """The cells, one sequence per column (the DataFrame's columns when built from one)."""
        if self._columns is None:
            assert self._data is not None
            return [self._data.iloc[:, i].to_numpy(dtype=object) for i in range(self._data.shape[1])]
        return self._columns

    @property
    def data(self) -> pd.DataFrame:
        """The cells as a DataFrame (built on first use from the reader's columns, without copying them)."""
        if self._data is None:
            import numpy as np
            import pandas as pd

            columns = [c if hasattr(c, "dtype") else np.array(c, dtype=object) for c in self._columns or []]
            if not hasattr(self.row_numbers, "dtype"):
                self.row_numbers = np.asarray(self.row_numbers, dtype=np.int64)
            self._data = pd.DataFrame(dict(zip(range(len(columns)), columns)), index=pd.RangeIndex(len(self.row_numbers)),
                                      columns=pd.RangeIndex(len(columns)), dtype=object, copy=False)
            self._columns = None  # one owner of the cells: the frame
        return self._data

    @data.setter
    def data(self, frame: pd.DataFrame) -> None:
        self._data, self._columns = frame, None

    @property
    def width(self) -> int:
        return len(self._columns) if self._columns is not None else int(self.data.shape[1])

    @property
    def rows_read(self) -> int:
        return len(self._data) if self._data is not None else len(self.row_numbers)
