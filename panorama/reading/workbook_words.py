"""What the reading stage says about workbooks, without importing any workbook reader.

`read.py` needs these words for every file, while openpyxl, xlrd and the ODS parser are imported
only when a workbook of their format is opened (a CSV imports none of them).
"""
from __future__ import annotations

EXPECTED_WORKBOOK = "le classeur tel qu'enregistré par le tableur (XLSX, XLS ou ODS), ou son export CSV."
VISIBLE, HIDDEN, VERY_HIDDEN = "visible", "hidden", "veryHidden"
STATE_WORDS = {HIDDEN: "masquée", VERY_HIDDEN: "très masquée (invisible dans le tableur)"}
