"""ODS sheets streamed from content.xml, with repetitions expanded only within limits.

ODS stores runs of identical rows and cells once with a repeat count: LibreOffice writes the
empty rest of a sheet as one row "repeated" a million times. Empty repetitions cost nothing here
(trailing ones are not even counted); non-empty ones are expanded only within MAX_REPEAT_CELLS
per sheet and MAX_READ_COLUMNS per row, and refused with a French message BEFORE expansion
beyond. Cells are dropped as soon as they are read, so one enormous row never sits in memory as
XML. A sheet is hidden when its table style says table:display="false".
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn
from xml.parsers import expat

from defusedxml.ElementTree import iterparse

from panorama.reading.assemble import (
    EXPECTED_SMALLER,
    MAX_READ_COLUMNS,
    column_letters,
    too_far_right,
)
from panorama.reading.header import Row
from panorama.reading.safety import RegularFile, unreadable
from panorama.reading.spreadsheet import (
    CORRUPT_ERRORS,
    EXPECTED_WORKBOOK,
    HIDDEN,
    MAX_ROWS,
    VISIBLE,
    Sheet,
    _check_cell,
    _float_text,
)

MAX_REPEAT_CELLS = 1_000_000    # cells a sheet may gain by repeated non-empty rows (a formula filled down…)

_NS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_NS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_NS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_NS_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_TABLE, _ROW = _NS_TABLE + "table", _NS_TABLE + "table-row"
_SPREADSHEET = _NS_OFFICE + "spreadsheet"
_CELLS = (_NS_TABLE + "table-cell", _NS_TABLE + "covered-table-cell")
_STYLE, _TABLE_PROPS = _NS_STYLE + "style", _NS_STYLE + "table-properties"
# The same names as expat gives them with namespace_separator="}" (no leading brace).
_X_TABLE, _X_SPREADSHEET, _X_STYLE, _X_TABLE_PROPS = _TABLE[1:], _SPREADSHEET[1:], _STYLE[1:], _TABLE_PROPS[1:]
_X_TABLE_NAME, _X_TABLE_STYLE, _X_DISPLAY = _NS_TABLE[1:] + "name", _NS_TABLE[1:] + "style-name", _NS_TABLE[1:] + "display"
_X_STYLE_NAME, _X_STYLE_FAMILY = _NS_STYLE[1:] + "name", _NS_STYLE[1:] + "family"
# What reading the sheet list can raise for a corrupt file (expat's own error, then the libraries').
_ODS_ERRORS: tuple[type[BaseException], ...] = (expat.ExpatError, *CORRUPT_ERRORS)
_DURATION = re.compile(r"^-?P(?:\d+D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


class _OdsSheet:
    def __init__(self, source: RegularFile, index: int, name: str, state: str) -> None:
        self.source, self.path, self._index, self.name, self.state = source, source.path, index, name, state

    def rows(self) -> Iterator[Row]:
        for index, number, cells in _ods_rows(self.source, self._index):
            if index == self._index:
                yield number, cells
            elif index > self._index:
                return


def _events(source: RegularFile) -> Iterator[tuple[str, Any, list[Any]]]:
    """(event, element, ancestors) over content.xml; rows, cells and styles are dropped once ended."""
    with source.stream() as raw, zipfile.ZipFile(raw) as zf, zf.open("content.xml") as fh:
        stack: list[Any] = []
        for event, elem in iterparse(fh, events=("start", "end")):
            if event == "start":
                yield event, elem, stack
                stack.append(elem)
                continue
            stack.pop()
            yield event, elem, stack
            if stack and (elem.tag == _ROW or (elem.tag in _CELLS and stack[-1].tag == _ROW)):
                stack[-1].remove(elem)


def _sheets(source: RegularFile) -> list[tuple[str, str]]:
    """Every sheet's name and state (visible or hidden by its table style), in order.

    A bare expat pass (start and end tags only, no tree): the names are needed before any row,
    and a tree of a big content.xml would cost seconds. DTDs and entities are refused, as
    defusedxml does for the row pass.
    """
    hidden_styles: set[str] = set()
    tables: list[tuple[str, str | None]] = []
    stack: list[str] = []
    style: list[str | None] = [None]

    def start(tag: str, attrs: dict[str, str]) -> None:
        parent = stack[-1] if stack else ""
        stack.append(tag)
        if tag == _X_TABLE and parent == _X_SPREADSHEET:
            tables.append((attrs.get(_X_TABLE_NAME, f"Feuille{len(tables) + 1}"), attrs.get(_X_TABLE_STYLE)))
        elif tag == _X_STYLE:
            style[0] = attrs.get(_X_STYLE_NAME) if attrs.get(_X_STYLE_FAMILY) == "table" else None
        elif tag == _X_TABLE_PROPS and parent == _X_STYLE and style[0] and attrs.get(_X_DISPLAY) == "false":
            hidden_styles.add(style[0])

    def forbidden(*_: object) -> NoReturn:
        raise ValueError("DTD or entity declaration in content.xml")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    parser.StartDoctypeDeclHandler = forbidden
    parser.EntityDeclHandler = forbidden
    parser.ExternalEntityRefHandler = forbidden
    with source.stream() as raw, zipfile.ZipFile(raw) as zf, zf.open("content.xml") as fh:
        while chunk := fh.read(1 << 20):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return [(name, HIDDEN if style_name in hidden_styles else VISIBLE) for name, style_name in tables]


def _count(elem: Any, attribute: str) -> int:
    value = int(elem.get(_NS_TABLE + attribute, "1"))
    if value < 1:
        raise ValueError(f"{attribute}={value}")
    return value


def _ods_rows(source: RegularFile, wanted: int) -> Iterator[tuple[int, int, list[str]]]:
    """(sheet index, row number, cells) for every row up to the last non-blank one, up to sheet `wanted`."""
    path = source.path
    sheet, name, number, blank_from, budget = -1, "", 0, 0, MAX_REPEAT_CELLS
    cells: list[str] = []
    pending_empty = 0
    for event, elem, stack in _events(source):
        tag = elem.tag
        if event == "start":
            if tag == _TABLE and stack and stack[-1].tag == _SPREADSHEET:
                sheet, number, blank_from, budget = sheet + 1, 0, 0, MAX_REPEAT_CELLS
                name = elem.get(_NS_TABLE + "name", f"Feuille{sheet + 1}")
                if sheet > wanted:
                    return
            elif tag == _ROW:
                cells, pending_empty = [], 0
            continue
        if sheet != wanted:
            continue
        if tag in _CELLS and stack and stack[-1].tag == _ROW:
            repeat = _count(elem, "number-columns-repeated")
            text = _cell_text(elem)
            if not text:
                pending_empty += repeat
                continue
            start = len(cells) + pending_empty
            if start + repeat > MAX_READ_COLUMNS:
                if text.strip():
                    raise too_far_right(path, name, number + 1, max(start, MAX_READ_COLUMNS), text)
                if start >= MAX_READ_COLUMNS:  # spaces far right: nothing to read
                    pending_empty += repeat
                    continue
                repeat = MAX_READ_COLUMNS - start
            cells.extend([""] * pending_empty)
            pending_empty = 0
            cells.extend([text] * repeat)
        elif tag == _ROW:
            repeat = _count(elem, "number-rows-repeated")
            if not cells:
                number += repeat
                continue
            _check_cell(path, cells, number + 1)
            if repeat > 1:
                budget -= (repeat - 1) * len(cells)
                if budget < 0:
                    raise _too_many_repeats(path, name, number + 1, repeat, cells)
            for blank in range(number - blank_from):  # blank rows inside the table, not after it
                yield sheet, blank_from + blank + 1, []
            for _ in range(min(repeat, MAX_ROWS - number)):
                number += 1
                yield sheet, number, cells
            blank_from = number


def _too_many_repeats(path: Path, sheet: str, row: int, repeat: int, cells: list[str]) -> Exception:
    first = next(i for i, c in enumerate(cells) if c)
    return unreadable(
        path,
        f"la ligne {row} de la feuille « {sheet} » est déclarée répétée {repeat:,} fois (cellule "
        f"{column_letters(first)}{row} « {cells[first][:40]} ») : ces lignes identiques dépasseraient la limite de "
        f"{MAX_REPEAT_CELLS:,} cellules répétées.".replace(",", "\u202f"),
        "les seules lignes des projets : supprimer les lignes remplies (une formule ou une valeur recopiée "
        "jusqu'en bas de la feuille) sous le tableau. " + EXPECTED_SMALLER)


def _cell_text(cell: Any) -> str:
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
    return "\n".join(_inline(p) for p in cell if p.tag in (_NS_TEXT + "p", _NS_TEXT + "h"))


def _inline(elem: Any) -> str:
    parts = [elem.text or ""]
    for child in elem:
        tag = child.tag
        if tag == _NS_TEXT + "s":
            parts.append(" " * min(int(child.get(_NS_TEXT + "c", "1")), 1024))
        elif tag == _NS_TEXT + "tab":
            parts.append("\t")
        elif tag == _NS_TEXT + "line-break":
            parts.append("\n")
        elif tag != _NS_OFFICE + "annotation":
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


@contextmanager
def open_ods(source: RegularFile) -> Iterator[list[Sheet]]:
    try:
        sheets = _sheets(source)
    except _ODS_ERRORS as exc:
        raise unreadable(source.path, "classeur ODS corrompu ou illisible.", EXPECTED_WORKBOOK) from exc
    except OSError as exc:
        raise unreadable(source.path, f"classeur illisible ({exc.strerror or exc}).", EXPECTED_WORKBOOK) from exc
    yield [_OdsSheet(source, i, name, state) for i, (name, state) in enumerate(sheets)]
