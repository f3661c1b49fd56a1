"""XLSX/XLSM sheets streamed cell by cell, so that memory follows the cells really present.

Why not openpyxl: importing it costs more than reading a project workbook, and its row iterator
pads every row to its last cell and trusts the declared dimension (A1:XFD1048576 makes a million
rows of 16,384 cells). Here the package is read with the stdlib (xlsx_parts.py), each <c> is
converted as openpyxl's cell parser would with data_only=True (formulas give their cached value;
shared strings, dates by style, booleans, errors, inline strings) and dropped at once; a cell
beyond MAX_READ_COLUMNS is refused before any row is widened to it; missing rows are yielded
empty, as a spreadsheet shows them.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import iterparse

from panorama.reading.assemble import MAX_READ_COLUMNS, too_far_right
from panorama.reading.header import Row
from panorama.reading.safety import MAX_CELL_CHARS, RegularFile, unreadable
from panorama.reading.spreadsheet import (
    CORRUPT_ERRORS,
    EXPECTED_WORKBOOK,
    HIDDEN,
    MAX_ROWS,
    VERY_HIDDEN,
    VISIBLE,
    Sheet,
    _check_cell,
    cell_text,
)
from panorama.reading.xlsx_parts import MAIN_NS as SHEET_MAIN_NS
from panorama.reading.xlsx_parts import Book, SheetPart, from_excel, from_iso8601, load_book, text_content

_ROW, _CELL = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
_VALUE, _INLINE = f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}is"
_ALPHA = {letter: i for i, letter in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1)}


class _XlsxSheet:
    def __init__(self, path: Path, zf: zipfile.ZipFile, book: Book, part: SheetPart) -> None:
        self.path, self._zf, self._book, self._part, self.name = path, zf, book, part, part.name
        self.state = {"hidden": HIDDEN, "veryHidden": VERY_HIDDEN}.get(part.state, VISIBLE)

    def rows(self) -> Iterator[Row]:
        with self._zf.open(self._part.path) as src:
            yield from self._rows(_CellParser(self._book), src)

    def _rows(self, parser: _CellParser, src: Any) -> Iterator[Row]:
        done = 0                      # last row number yielded
        current: dict[int, str] = {}  # column (1-based) → text, for the row being parsed
        row_number = 0
        depth = 0
        stack: list[Any] = []
        for event, element in iterparse(src, events=("start", "end")):
            if event == "start":
                depth += 1
                stack.append(element)
                if element.tag == _ROW:
                    row_number = self._row_number(element, row_number)
                    parser.row_counter, parser.col_counter = row_number, 0
                    current = {}
                continue
            depth -= 1
            stack.pop()
            if element.tag == _CELL and stack and stack[-1].tag == _ROW:
                column, value = parser.parse_cell(element)
                text = cell_text(value)
                if text:
                    if len(text) > MAX_CELL_CHARS:
                        _check_cell(self.path, [text], row_number)
                    if column > MAX_READ_COLUMNS and text.strip():
                        raise too_far_right(self.path, self.name, row_number, column - 1, text)
                    if column <= MAX_READ_COLUMNS:
                        current[column] = text
            elif element.tag == _ROW:
                if row_number <= done or row_number > MAX_ROWS:
                    raise unreadable(self.path, f"classeur XLSX corrompu : ligne {row_number} en double, dans le "
                                     f"désordre ou au-delà de {MAX_ROWS} (feuille « {self.name} »).", EXPECTED_WORKBOOK)
                for gap in range(done + 1, row_number):
                    yield gap, []
                cells = [""] * (max(current) if current else 0)
                for column, text in current.items():
                    cells[column - 1] = text
                done = row_number
                yield row_number, cells
            if stack and depth <= 3:
                stack[-1].remove(element)   # cells, rows and other parts are dropped once read

    @staticmethod
    def _row_number(element: Any, previous: int) -> int:
        r = element.get("r")
        if r is None:
            return previous + 1
        value = float(r)
        if not value.is_integer():
            raise ValueError(f"row number {r}")
        return int(value)


class _CellParser:
    """openpyxl's WorkSheetParser.parse_cell with data_only=True, returning (column, value)."""

    def __init__(self, book: Book) -> None:
        self.shared, self.epoch = book.shared_strings, book.epoch
        self.dates, self.durations = book.date_styles, book.timedelta_styles
        self.row_counter = self.col_counter = 0

    def parse_cell(self, element: Any) -> tuple[int, Any]:
        kind = element.get("t", "n")
        coordinate = element.get("r")
        style: Any = element.get("s", 0)
        if style:
            style = int(style)
        value: Any = None if kind == "inlineStr" else (element.findtext(_VALUE, None) or None)
        if coordinate:
            self.col_counter = _column(coordinate)
        else:
            self.col_counter += 1
        if value is not None:
            if kind == "n":
                value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                if style in self.dates:
                    try:
                        value = from_excel(value, self.epoch, timedelta=style in self.durations)
                    except (OverflowError, ValueError):
                        value = "#VALUE!"   # openpyxl's error value for a date serial out of range
            elif kind == "s":
                value = self.shared[int(value)]
            elif kind == "b":
                value = bool(int(value))
            elif kind == "d":
                value = from_iso8601(value)
        elif kind == "inlineStr":
            child = element.find(_INLINE)
            if child is not None:
                value = text_content(child)
        return self.col_counter, value


def _column(coordinate: str) -> int:
    """Column number of "AB12" (openpyxl's coordinate_to_tuple; the row part is checked, not used)."""
    idx = next((i for i, char in enumerate(coordinate) if char in "0123456789"), len(coordinate) - 1)
    letters, row = coordinate[:idx], coordinate[idx:]
    int(row)
    if len(letters) > 3:
        raise ValueError(f"column {letters}")
    number = 0
    for letter, power in zip(reversed(letters.upper()), (1, 26, 676)):
        number += _ALPHA[letter] * power   # KeyError for a non-letter: corrupt
    if not 0 < number < 18279:
        raise ValueError(f"column {letters}")
    return number


@contextmanager
def open_xlsx(source: RegularFile) -> Iterator[list[Sheet]]:
    path = source.path
    with source.stream() as fh:
        try:
            zf = zipfile.ZipFile(fh)
            book = load_book(zf)
        except CORRUPT_ERRORS as exc:
            raise unreadable(path, "classeur XLSX corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
        except OSError as exc:
            raise unreadable(path, f"classeur illisible ({exc.strerror or exc}).", EXPECTED_WORKBOOK) from exc
        try:
            yield [_XlsxSheet(path, zf, book, part) for part in book.sheets]
        finally:
            zf.close()
