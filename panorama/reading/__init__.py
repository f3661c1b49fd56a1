"""Reading stage: any submission file (CSV, XLSX/XLSM, XLS, ODS) → RawTable of text cells."""
from panorama.reading.read import read_submission
from panorama.reading.table import RawTable

__all__ = ["RawTable", "read_submission"]
