"""Builders that write real submission files (CSV, XLSX, XLS, ODS, hostile ones) at test time.

Nothing binary is committed: each test makes the file it reads, with the library a ministry's
tool would have used (openpyxl for XLSX, xlwt for XLS, odfpy for ODS, msoffcrypto for a
password-protected workbook).
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Cell = Any
Rows = Sequence[Sequence[Cell]]

HEADER = ["Ministère porteur", "Nom du projet", "Projet interministériel", "Début", "Durée prévisionnelle en année",
          "Coût estimé", "Phase du projet en cours"]
PROJECTS = [
    ["SPM", "FRANCE CONNECT", "Oui", "01/07/2014", "4,5041095890411", "52,4", "Déploiement"],
    ["MI", "SIV", "Non", "01/01/2012", "6", "40", "Conception / Réalisation"],
    ["MEF", "PAYSAGE", "Non", "01/09/2015", "3,75", "En cadrage", "Cadrage"],
]


def csv_text(rows: Rows, delimiter: str = ",", newline: str = "\r\n") -> str:
    """Rows as CSV text, quoting like a spreadsheet does (only when needed)."""
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            text = "" if cell is None else str(cell)
            if any(ch in text for ch in (delimiter, '"', "\n", "\r")):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    return newline.join(lines) + newline


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_csv(path: Path, rows: Rows, *, delimiter: str = ",", encoding: str = "utf-8",
              newline: str = "\r\n") -> Path:
    return write_text(path, csv_text(rows, delimiter, newline), encoding)


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    """A workbook with one sheet per entry; cells keep their Python type (str, float, datetime...)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    """An Excel 97-2003 workbook written with xlwt (dates get a date format, as Excel stores them)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (dt.date, dt.datetime)):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, Rows], *, trailing_empty_rows: int = 0) -> Path:
    """An OpenDocument spreadsheet written with odfpy, typed cells, optional repeated empty rows."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                tr.addElement(_ods_cell(value, TableCell, P))
            table.addElement(tr)
        if trailing_empty_rows:
            tr = TableRow(numberrowsrepeated=trailing_empty_rows)
            tr.addElement(TableCell(numbercolumnsrepeated=1024))
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def _ods_cell(value: Cell, TableCell: Any, P: Any) -> Any:
    if value is None:
        return TableCell()
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
        cell.addElement(P(text="VRAI" if value else "FAUX"))
        return cell
    if isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=str(value))
        cell.addElement(P(text=str(value)))
        return cell
    if isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat())
        cell.addElement(P(text=value.strftime("%d/%m/%Y")))
        return cell
    cell = TableCell(valuetype="string")
    for line in str(value).split("\n"):
        cell.addElement(P(text=line))
    return cell


def write_xlsm(path: Path, sheets: dict[str, Rows]) -> Path:
    """A macro-enabled workbook: an XLSX whose workbook part declares the XLSM content type."""
    write_xlsx(path, sheets)
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def write_encrypted_xlsx(path: Path, password: str = "secret") -> Path:
    """A real password-protected workbook (ECMA-376 agile encryption by msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = path.with_name(path.stem + "-clair.xlsx")
    write_xlsx(plain, {"Projets": [HEADER, *PROJECTS]})
    with plain.open("rb") as fh:
        out = io.BytesIO()
        OOXMLFile(fh).encrypt(password, out)
    plain.unlink()
    path.write_bytes(out.getvalue())
    return path


def write_zip_bomb_xlsx(path: Path, *, inflated_mb: int = 210, compresslevel: int = 1) -> Path:
    """An XLSX-shaped zip whose sheet inflates to `inflated_mb` MB from ~1 MB on disk."""
    write_xlsx(path, {"Projets": [HEADER, *PROJECTS]})
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    chunk = b"<row><c t=\"inlineStr\"><is><t>x</t></is></c></row>" * 20_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                zf.writestr(name, data)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            written = 0
            while written < inflated_mb * 1_000_000:
                fh.write(chunk)
                written += len(chunk)
    return path


def write_corrupt_sheet_xlsx(path: Path) -> Path:
    """A well-formed zip whose sheet XML is cut in the middle (a half-saved workbook)."""
    write_xlsx(path, {"Projets": [HEADER, *PROJECTS]})
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path
