"""Where a checked cell sits as the person sees it: file, sheet, spreadsheet row, column label."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class CellContext:
    """What a finding needs to point at a cell as the person sees it."""

    file: str
    sheet: str | None
    row_numbers: Any  # numpy array (big tables) or list of int (small ones)
    labels: dict[str, str]
    shown: pd.DataFrame | None = None  # cells as written (defaults to the checked text)

    def row(self, pos: int) -> int:
        """The spreadsheet row number of the table row at position `pos`."""
        return int(self.row_numbers[pos])
