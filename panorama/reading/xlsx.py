"""XLSX/XLSM sheets streamed cell by cell, so that memory follows the cells really present.

Why not openpyxl's row iterator: it pads every row to its last cell and trusts the declared
dimension (A1:XFD1048576 makes a million rows of 16,384 cells), and it holds a whole <row>
element until it ends. Here each <c> is converted by openpyxl's own cell parser (shared strings,
dates by style, booleans, inline strings) and dropped at once; a cell beyond MAX_READ_COLUMNS is
refused before any row is widened to it; missing rows are yielded empty, as a spreadsheet shows
them.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

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

_ROW, _CELL = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"


class _XlsxSheet:
    def __init__(self, path: Path, wb: Any, ws: Any) -> None:
        self.path, self._wb, self._ws, self.name = path, wb, ws, str(ws.title)
        self.state = {"hidden": HIDDEN, "veryHidden": VERY_HIDDEN}.get(str(ws.sheet_state), VISIBLE)

    def rows(self) -> Iterator[Row]:
        wb = self._wb
        with self._ws._get_source() as src:
            # The read-only sheet holds the workbook's shared strings (`wb.shared_strings` is the
            # writer's table, always empty on a loaded workbook: Excel and LibreOffice store text there).
            parser = WorkSheetParser(src, self._ws._shared_strings, data_only=True, epoch=wb.epoch,
                                     date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            yield from self._rows(parser, src)

    def _rows(self, parser: WorkSheetParser, src: Any) -> Iterator[Row]:
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
                cell = self._parse(parser, element)
                text = cell_text(cell["value"])
                column = int(cell["column"])
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
    def _parse(parser: WorkSheetParser, element: Any) -> dict[str, Any]:
        style = element.get("s")
        if style and style.isdigit() and int(style) in parser.date_formats:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl prints a warning for an out-of-range date (kept as error)
                return parser.parse_cell(element)
        return parser.parse_cell(element)

    @staticmethod
    def _row_number(element: Any, previous: int) -> int:
        r = element.get("r")
        if r is None:
            return previous + 1
        value = float(r)
        if not value.is_integer():
            raise ValueError(f"row number {r}")
        return int(value)


@contextmanager
def open_xlsx(source: RegularFile) -> Iterator[list[Sheet]]:
    path = source.path
    with source.stream() as fh:
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
        except CORRUPT_ERRORS as exc:
            raise unreadable(path, "classeur XLSX corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
        except OSError as exc:
            raise unreadable(path, f"classeur illisible ({exc.strerror or exc}).", EXPECTED_WORKBOOK) from exc
        try:
            yield [_XlsxSheet(path, wb, ws) for ws in wb.worksheets]
        finally:
            wb.close()
