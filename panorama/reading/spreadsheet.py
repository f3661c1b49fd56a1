"""Workbooks as sheets of text rows numbered as the spreadsheet shows them; XLS here (XLSX, ODS beside).

Every cell becomes text the way a person would read it back: 7.0 → "7", dates → ISO
"2014-07-01", booleans → "true"/"false"; text stays as typed ("4,5041095890411" stays text, the
normaliser decides). Rows are streamed; the caller picks the sheet, knowing which are hidden.
"""
from __future__ import annotations

import datetime as dt
import io
import mmap
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from xml.etree.ElementTree import ParseError

import xlrd
from defusedxml import DefusedXmlException
from xlrd.compdoc import CompDocError

from panorama.reading.header import Row
from panorama.reading.safety import MAX_CELL_CHARS, RegularFile, unreadable
from panorama.reading.workbook_words import EXPECTED_WORKBOOK, HIDDEN, VERY_HIDDEN, VISIBLE  # noqa: F401  (re-exported)

# Exceptions a corrupt workbook makes these libraries raise (content, not programming, errors). openpyxl's
# InvalidFileException is not needed: it is raised for a file name, and XLSX is read without openpyxl.
CORRUPT_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, IndexError, AttributeError,
    EOFError, ParseError, DefusedXmlException, xlrd.XLRDError, OverflowError,
    UnicodeDecodeError, AssertionError, struct.error, CompDocError, NotImplementedError,
    RuntimeError,  # zipfile: "File is encrypted, password required" for a member
)
MAX_COLUMNS = 16384
MAX_ROWS = 1_048_576



class Sheet(Protocol):
    name: str
    state: str   # VISIBLE, HIDDEN or VERY_HIDDEN, as the workbook declares it

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


# --- XLS ---------------------------------------------------------------------------------------

class _XlsSheet:
    """One sheet of an XLS, loaded only while its rows are read (xlrd holds a loaded sheet whole)."""

    def __init__(self, path: Path, book: Any, index: int) -> None:
        self.path, self._book, self._index = path, book, index
        self.name = str(book.sheet_names()[index])
        states = getattr(book, "_sheet_visibility", [])  # from the BOUNDSHEET records, before any sheet loads
        self.state = {1: HIDDEN, 2: VERY_HIDDEN}.get(states[index] if index < len(states) else 0, VISIBLE)

    def rows(self) -> Iterator[Row]:
        sheet = self._book.sheet_by_index(self._index)
        try:
            for rowx in range(sheet.nrows):
                cells = _trimmed([self._text(cell) for cell in sheet.row(rowx)])
                yield rowx + 1, cells
        finally:
            self._book.unload_sheet(self._index)

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
def open_xls(source: RegularFile) -> Iterator[list[Sheet]]:
    path = source.path
    try:
        # The file as mapped through our descriptor; ragged rows: a cell far right does not widen every row.
        contents = mmap.mmap(source.fd, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise unreadable(path, "classeur Excel 97-2003 (XLS) illisible.", EXPECTED_WORKBOOK) from exc
    try:
        book = xlrd.open_workbook(file_contents=contents, on_demand=True, ragged_rows=True,
                                  logfile=io.StringIO())  # no warnings on stdout
    except xlrd.XLRDError as exc:
        contents.close()
        if "encrypted" in str(exc).lower():
            raise unreadable(path, "fichier protégé par mot de passe : il ne peut pas être lu.",
                             "un classeur sans mot de passe, ou son export CSV.") from exc
        raise unreadable(path, "classeur Excel 97-2003 (XLS) corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
    except CORRUPT_ERRORS as exc:
        contents.close()
        raise unreadable(path, "classeur Excel 97-2003 (XLS) corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
    except OSError as exc:
        contents.close()
        raise unreadable(path, f"classeur illisible ({exc.strerror or exc}).", EXPECTED_WORKBOOK) from exc
    try:
        yield [_XlsSheet(path, book, i) for i in range(book.nsheets)]
    finally:
        book.release_resources()
        try:
            contents.close()
        except BufferError:  # a view xlrd still holds: the mapping goes with it
            pass


