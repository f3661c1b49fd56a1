"""Reference: the XLSX workbook as openpyxl wrote it before `panorama.export.xlsx` wrote its parts directly.

Kept for tests only: `test_xlsx.py` checks that the direct writer gives the very same bytes.
The text below is the former module's docstring.

`panorama-historique.xlsx`: the published tables as one workbook French Excel opens cleanly.

A CSV with a decimal point and UTF-8 text is garbled by a French Excel double-click (numbers read
as text or dates, accents broken); a workbook has typed cells, so Excel shows "3 161,72" and
"29/11/2017" in the reader's locale. One sheet per table, frozen header row, autofilter, number
formats by unit, and a sheet describing the columns.

Built from the same typed, rounded columns as the CSV and Parquet files (`tables.typed_columns`),
so the three formats hold the same values. Deterministic bytes: openpyxl stamps the document
properties and every zip entry with the current time; both are replaced by fixed values.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from panorama.export.tables import Value
from panorama.export.xlsx import Sheet, number_format  # noqa: F401  (the same formats)

XLSX_FILE = "panorama-historique.xlsx"
XLSX_MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS_SHEET = "colonnes"
# Fixed zip entry time (the zip format cannot go earlier than 1980).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F4")
_MAX_WIDTH = 60




def _cell_value(value: Value) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _width(field: dict[str, Any], values: list[Value]) -> float:
    longest = max([len(str(field.get("title") or field["name"]))] +
                  [min(len(str(v)), _MAX_WIDTH) for v in values[:200] if v is not None])
    return float(min(max(longest + 2, 8), _MAX_WIDTH))


def _fill_sheet(ws: Any, sheet: Sheet) -> None:
    fields = sheet.schema["fields"]
    ws.append([f.get("title") or f["name"] for f in fields])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    names = [f["name"] for f in fields]
    count = len(sheet.columns[names[0]]) if names else 0
    for index in range(count):
        ws.append([_cell_value(sheet.columns[n][index]) for n in names])
    for position, field in enumerate(fields, start=1):
        letter = get_column_letter(position)
        fmt = number_format(field)
        if fmt != "General":
            for (cell,) in ws.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = fmt
        ws.column_dimensions[letter].width = _width(field, sheet.columns[field["name"]])
    ws.freeze_panes = "A2"
    if names:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}{count + 1}"


def _fields_sheet(ws: Any, sheets: list[Sheet]) -> None:
    """Which header stands for which published column name, with its description."""
    ws.append(["Feuille", "Colonne (libellé)", "Nom dans les fichiers CSV et Parquet", "Description"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for sheet in sheets:
        for field in sheet.schema["fields"]:
            ws.append([sheet.name, field.get("title", ""), field["name"], " ".join(str(field.get("description", "")).split())])
    for letter, width in zip("ABCD", (18, 40, 44, 100), strict=True):
        ws.column_dimensions[letter].width = width
    for (cell,) in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:D{ws.max_row}"


def _stable_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same archive with fixed entry times and document dates (no wall clock inside)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)", rf"\g<1>{iso}\g<2>", text)
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content, compresslevel=6)
    return out.getvalue()


def workbook_bytes(sheets: list[Sheet], *, stamp: dt.date | None) -> bytes:
    """The workbook; `stamp` (the latest edition's date) is its creation date, for stable bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        _fill_sheet(wb.create_sheet(sheet.name), sheet)
    _fields_sheet(wb.create_sheet(FIELDS_SHEET), sheets)
    fixed = dt.datetime.combine(stamp or dt.date(2016, 11, 1), dt.time())
    wb.properties.creator = "DINUM – panorama des grands projets numériques"
    wb.properties.title = "Panorama des grands projets numériques de l'État"
    wb.properties.language = "fr-FR"
    wb.properties.created = fixed
    buffer = io.BytesIO()
    wb.save(buffer)
    return _stable_zip(buffer.getvalue(), fixed)
