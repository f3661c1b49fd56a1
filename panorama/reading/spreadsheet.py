"""Workbooks (XLSX/XLSM, XLS, ODS) as sheets of text rows numbered as the spreadsheet shows them.

Every cell becomes text the way a person would read it back: 7.0 → "7", dates → ISO
"2014-07-01", booleans → "true"/"false"; text stays as typed ("4,5041095890411" stays text, the
normaliser decides). Rows are streamed; the caller picks the sheet.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from xml.etree.ElementTree import Element, ParseError

import openpyxl
import xlrd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl.utils.exceptions import InvalidFileException
from xlrd.compdoc import CompDocError

from panorama.reading.header import Row
from panorama.reading.safety import MAX_CELL_CHARS, unreadable

# Exceptions a corrupt workbook makes these libraries raise (content, not programming, errors).
CORRUPT_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, IndexError, AttributeError,
    EOFError, ParseError, DefusedXmlException, InvalidFileException, xlrd.XLRDError, OverflowError,
    UnicodeDecodeError, AssertionError, struct.error, CompDocError, NotImplementedError,
    RuntimeError,  # zipfile: "File is encrypted, password required" for a member
)
EXPECTED_WORKBOOK = "le classeur tel qu'enregistré par le tableur (XLSX, XLS ou ODS), ou son export CSV."
MAX_COLUMNS = 16384
MAX_ROWS = 1_048_576


class Sheet(Protocol):
    name: str

    def rows(self) -> Iterator[Row]: ...


def cell_text(value: Any) -> str:
    """A typed cell value as text; "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _trimmed(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end] if end != len(cells) else cells


def _check_cell(path: Path, cells: list[str], row: int) -> None:
    for cell in cells:
        if len(cell) > MAX_CELL_CHARS:
            raise unreadable(path, f"une cellule de la ligne {row} dépasse {MAX_CELL_CHARS // (1024 * 1024)} Mio.",
                             "des cellules de taille raisonnable.")


# --- XLSX / XLSM -------------------------------------------------------------------------------

class _XlsxSheet:
    def __init__(self, path: Path, ws: Any) -> None:
        self.path, self._ws, self.name = path, ws, str(ws.title)

    def rows(self) -> Iterator[Row]:
        self._ws.reset_dimensions()  # some writers record a wrong <dimension>; read what is there
        for number, values in enumerate(self._ws.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
            cells = _trimmed([cell_text(v) for v in values])
            _check_cell(self.path, cells, number)
            yield number, cells


@contextmanager
def open_xlsx(path: Path) -> Iterator[list[Sheet]]:
    # A file object, not the path: openpyxl would refuse a workbook whose name does not end in .xlsx.
    with path.open("rb") as fh:
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
        except CORRUPT_ERRORS as exc:
            raise unreadable(path, "classeur XLSX corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
        except OSError as exc:
            raise unreadable(path, f"classeur illisible ({exc.strerror or exc}).", EXPECTED_WORKBOOK) from exc
        try:
            yield [_XlsxSheet(path, ws) for ws in wb.worksheets]
        finally:
            wb.close()


# --- XLS ---------------------------------------------------------------------------------------

class _XlsSheet:
    def __init__(self, path: Path, book: Any, index: int) -> None:
        self.path, self._book, self._index = path, book, index
        self.name = str(book.sheet_names()[index])

    def rows(self) -> Iterator[Row]:
        sheet = self._book.sheet_by_index(self._index)
        for rowx in range(sheet.nrows):
            cells = _trimmed([self._text(cell) for cell in sheet.row(rowx)])
            yield rowx + 1, cells

    def _text(self, cell: Any) -> str:
        kind, value = cell.ctype, cell.value
        if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        if kind == xlrd.XL_CELL_NUMBER:
            return _float_text(float(value))
        if kind == xlrd.XL_CELL_DATE:
            return cell_text(xlrd.xldate_as_datetime(value, self._book.datemode))
        if kind == xlrd.XL_CELL_BOOLEAN:
            return "true" if value else "false"
        if kind == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(value, "#ERREUR")
        return str(value)


@contextmanager
def open_xls(path: Path) -> Iterator[list[Sheet]]:
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())  # no warnings on stdout
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise unreadable(path, "fichier protégé par mot de passe : il ne peut pas être lu.",
                             "un classeur sans mot de passe, ou son export CSV.") from exc
        raise unreadable(path, "classeur Excel 97-2003 (XLS) corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
    except CORRUPT_ERRORS as exc:
        raise unreadable(path, "classeur Excel 97-2003 (XLS) corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
    except OSError as exc:
        raise unreadable(path, f"classeur illisible ({exc.strerror or exc}).", EXPECTED_WORKBOOK) from exc
    try:
        yield [_XlsSheet(path, book, i) for i in range(book.nsheets)]
    finally:
        book.release_resources()


# --- ODS ---------------------------------------------------------------------------------------

_NS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_NS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_NS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE, _ROW = _NS_TABLE + "table", _NS_TABLE + "table-row"
_CELLS = (_NS_TABLE + "table-cell", _NS_TABLE + "covered-table-cell")
_DURATION = re.compile(r"^-?P(?:\d+D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


class _OdsSheet:
    def __init__(self, path: Path, index: int, name: str) -> None:
        self.path, self._index, self.name = path, index, name

    def rows(self) -> Iterator[Row]:
        for index, _name, number, cells in _ods_rows(self.path):
            if index == self._index:
                yield number, cells
            elif index > self._index:
                return


def _ods_sheet_names(path: Path) -> list[str]:
    """Every sheet's name, in order; rows are dropped as they are parsed so memory stays flat."""
    names: list[str] = []
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
        stack: list[Element] = []
        for event, elem in iterparse(fh, events=("start", "end")):
            if event == "start":
                stack.append(elem)
                if elem.tag == _TABLE:
                    names.append(elem.get(_NS_TABLE + "name", f"Feuille{len(names) + 1}"))
                continue
            stack.pop()
            if elem.tag == _ROW and stack:
                stack[-1].remove(elem)
    return names


def _ods_rows(path: Path) -> Iterator[tuple[int, str, int, list[str]]]:
    """(sheet index, sheet name, row number, cells) for every row up to the last non-blank one.

    Repeated rows/columns (how ODS stores runs of identical cells) are expanded only when they
    hold something, so a sheet "repeating" an empty row a million times at its end costs nothing.
    """
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
        stack: list[Element] = []
        sheet, name, number, blank_from = -1, "", 0, 0
        for event, elem in iterparse(fh, events=("start", "end")):
            if event == "start":
                stack.append(elem)
                if elem.tag == _TABLE:
                    sheet, number, blank_from = sheet + 1, 0, 0
                    name = elem.get(_NS_TABLE + "name", f"Feuille{sheet + 1}")
                continue
            stack.pop()
            if elem.tag != _ROW:
                continue
            repeat = int(elem.get(_NS_TABLE + "number-rows-repeated", "1"))
            cells = _ods_row_cells(elem)
            if stack:
                stack[-1].remove(elem)
            if cells:
                _check_cell(path, cells, number + 1)
                for blank in range(number - blank_from):  # blank rows inside the table, not after it
                    yield sheet, name, blank_from + blank + 1, []
                for _ in range(min(repeat, MAX_ROWS - number)):
                    number += 1
                    yield sheet, name, number, cells
                blank_from = number
            else:
                number += repeat


def _ods_row_cells(row: Element) -> list[str]:
    cells: list[str] = []
    pending_empty = 0
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        repeat = int(cell.get(_NS_TABLE + "number-columns-repeated", "1"))
        text = _ods_cell_text(cell)
        if not text:
            pending_empty += repeat
            continue
        if len(cells) + pending_empty >= MAX_COLUMNS:
            break
        cells.extend([""] * pending_empty)
        pending_empty = 0
        cells.extend([text] * min(repeat, MAX_COLUMNS - len(cells)))
    return cells


def _ods_cell_text(cell: Element) -> str:
    kind = cell.get(_NS_OFFICE + "value-type")
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(_NS_OFFICE + "value")
        if raw is not None:
            return _float_text(float(raw))
    elif kind == "date":
        raw = cell.get(_NS_OFFICE + "date-value", "")
        return raw[:10] if raw.endswith("T00:00:00") else raw
    elif kind == "time":
        raw = cell.get(_NS_OFFICE + "time-value", "")
        match = _DURATION.match(raw)
        if match:
            h, m, s = (float(g) if g else 0.0 for g in match.groups())
            return f"{int(h):02d}:{int(m):02d}:{int(s):02d}"
        return raw
    elif kind == "boolean":
        return cell.get(_NS_OFFICE + "boolean-value", "")
    return "\n".join(_ods_inline(p) for p in cell if p.tag in (_NS_TEXT + "p", _NS_TEXT + "h"))


def _ods_inline(elem: Element) -> str:
    parts = [elem.text or ""]
    for child in elem:
        tag = child.tag
        if tag == _NS_TEXT + "s":
            parts.append(" " * int(child.get(_NS_TEXT + "c", "1")))
        elif tag == _NS_TEXT + "tab":
            parts.append("\t")
        elif tag == _NS_TEXT + "line-break":
            parts.append("\n")
        elif tag != _NS_OFFICE + "annotation":
            parts.append(_ods_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


@contextmanager
def open_ods(path: Path) -> Iterator[list[Sheet]]:
    try:
        names = _ods_sheet_names(path)
    except CORRUPT_ERRORS as exc:
        raise unreadable(path, "classeur ODS corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
    except OSError as exc:
        raise unreadable(path, f"classeur illisible ({exc.strerror or exc}).", EXPECTED_WORKBOOK) from exc
    yield [_OdsSheet(path, i, name) for i, name in enumerate(names)]
