"""RawTable: what the reading stage hands to normalisation.

Every cell is text as the ministry typed it (or None when empty); every data row keeps the row
number the person sees in their spreadsheet, so that findings point at the right place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from panorama.findings.core import Finding


@dataclass
class RawTable:
    path: Path
    sha256: str
    header: list[str]            # column labels as written in the file, one per column of `data`
    header_row: int              # 1-based row number of the header line/row as seen in a spreadsheet
    data: pd.DataFrame           # columns 0..len(header)-1, object dtype, str or None; blank rows dropped
    row_numbers: np.ndarray      # int64, the spreadsheet row number of each row of `data`
    sheet: str | None = None     # sheet name for spreadsheets, None for CSV
    encoding: str | None = None  # CSV: the codec read ("utf-8", "utf-8-sig", "utf-16", "cp1252", "mac_roman"…)
    delimiter: str | None = None # ",", ";" or "\t" for CSV
    findings: list[Finding] = field(default_factory=list)  # what reading noticed (never blocking for a readable file, except ragged rows)

    @property
    def rows_read(self) -> int:
        return len(self.data)
