"""The parts of an XLSX package a reader needs, read with the stdlib (zipfile + defusedxml).

Why not openpyxl: importing it costs more than reading a project workbook. Every rule here
reproduces what openpyxl 3.1.5 does with `load_workbook(read_only=True, data_only=True)` (which
sheets, their states, the 1904 epoch, shared strings, which styles are dates), so that a cell
reads back the same text; tests/test_reading_xlsx_native.py compares both on every workbook.
XML goes through defusedxml as before: no DTD, no entity expansion.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from defusedxml.ElementTree import fromstring, iterparse

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CT = "application/vnd.%s.main+xml"
# openpyxl's order: macro-enabled template, template, macro-enabled workbook, workbook.
_WORKBOOK_TYPES = (_CT % "ms-excel.template.macroEnabled", _CT % "openxmlformats-officedocument.spreadsheetml.template",
                   _CT % "ms-excel.sheet.macroEnabled", _CT % "openxmlformats-officedocument.spreadsheetml.sheet")
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SI = f"{{{MAIN_NS}}}si"

WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
MAC_EPOCH = dt.datetime(1904, 1, 1)

# openpyxl.styles.numbers.BUILTIN_FORMATS (ids below 164 that have a code); only the codes matter here.
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)', 7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy",
    16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)", 41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)', 45: "mm:ss", 46: "[h]:mm:ss",
    47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
_STRIP_RE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # literals; [locale]/[colour], not [h] [m] [s]
_DATE_RE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA_RE = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def is_date_format(fmt: str | None) -> bool:
    """openpyxl's rule: a d/m/h/y/s outside literals and brackets, not escaped, in the first section."""
    if fmt is None:
        return False
    return _DATE_RE.search(_STRIP_RE.sub("", fmt.split(";")[0])) is not None


def is_timedelta_format(fmt: str | None) -> bool:
    return fmt is not None and _TIMEDELTA_RE.search(fmt.split(";")[0]) is not None


@dataclass(frozen=True)
class SheetPart:
    name: str
    state: str    # as written: "visible", "hidden" or "veryHidden"
    path: str     # member of the archive


@dataclass
class Book:
    sheets: list[SheetPart]
    shared_strings: list[str] = field(default_factory=list)
    date_styles: frozenset[int] = frozenset()
    timedelta_styles: frozenset[int] = frozenset()
    epoch: dt.datetime = WINDOWS_EPOCH


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def load_book(zf: zipfile.ZipFile) -> Book:
    """Sheets, shared strings, date styles and epoch; raises KeyError/ValueError/… on a corrupt package."""
    names = set(zf.namelist())
    overrides, defaults = _content_types(zf)
    workbook = next((part for ct in _WORKBOOK_TYPES for part, t in overrides if t == ct), None)
    if workbook is None:
        if not defaults & set(_WORKBOOK_TYPES):
            raise ValueError("no workbook part")
        workbook = "/xl/workbook.xml"
    workbook = workbook[1:]
    strings_part = next((part[1:] for part, t in overrides if t == _SHARED_STRINGS), None)
    book = Book(sheets=[])
    if strings_part is not None:
        with zf.open(strings_part) as src:
            book.shared_strings = read_shared_strings(src)
    root = fromstring(zf.read(workbook))
    rels = _relationships(zf, workbook)
    for child in root:
        tag = _local(child.tag)
        if tag == "workbookPr" and _bool(child.get("date1904")):
            book.epoch = MAC_EPOCH
        elif tag == "sheets":
            for sheet in child:
                if _local(sheet.tag) != "sheet" or not sheet.get(_REL_ID):
                    continue   # openpyxl drops a sheet without a relationship id
                target, kind = rels[sheet.get(_REL_ID)]
                if target not in names or "chartsheet" in kind:
                    continue
                state = sheet.get("state", "visible")
                if state not in ("visible", "hidden", "veryHidden"):
                    raise ValueError(f"sheet state {state!r}")
                book.sheets.append(SheetPart(str(sheet.get("name")), state, target))
    if "xl/styles.xml" in names:
        book.date_styles, book.timedelta_styles = _date_styles(zf.read("xl/styles.xml"))
    return book


def _bool(value: str | None) -> bool:
    """openpyxl's Bool descriptor: 'false', 'f', '0' (and absent or empty) are false, any other text true."""
    return bool(value) and value not in ("false", "f", "0")


def _content_types(zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], set[str]]:
    root = fromstring(zf.read("[Content_Types].xml"))
    overrides, defaults = [], set()
    for child in root:
        tag = _local(child.tag)
        if tag == "Override":
            overrides.append((child.get("PartName", ""), child.get("ContentType", "")))
        elif tag == "Default":
            defaults.add(child.get("ContentType", ""))
    return overrides, defaults


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (archive path, type), targets made absolute as openpyxl's get_dependents does."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    root = fromstring(zf.read(rels_path))
    parent = posixpath.split(posixpath.dirname(rels_path))[0]
    out = {}
    for rel in root:
        if _local(rel.tag) != "Relationship":
            continue
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
        out[rel.get("Id", "")] = (target, rel.get("Type", ""))
    return out


def _date_styles(xml: bytes) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of cellXfs whose number format is a date (and a duration), custom codes first."""
    root = fromstring(xml)
    custom: dict[int, str] = {}
    xfs: list[int] = []
    for child in root:
        tag = _local(child.tag)
        if tag == "numFmts":
            for fmt in child:
                if _local(fmt.tag) == "numFmt":
                    custom[int(fmt.get("numFmtId", ""))] = str(fmt.get("formatCode"))
        elif tag == "cellXfs":
            xfs = [int(xf.get("numFmtId", 0)) for xf in child if _local(xf.tag) == "xf"]
    dates, durations = set(), set()
    for index, fmt_id in enumerate(xfs):
        code = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


def text_content(node: Any) -> str:
    """A <si> or <is>: its <t>, then the <t> of each rich run <r>; phonetic runs <rPh> ignored."""
    plain: str | None = None
    runs: list[str] = []
    for child in node:
        tag = _local(child.tag)
        if tag == "t":
            plain = child.text
        elif tag == "r":
            run = None
            for part in child:
                if _local(part.tag) == "t":
                    run = part.text
            if run is not None:
                runs.append(run)
    return (plain or "") + "".join(runs)


def read_shared_strings(src: IO[bytes]) -> list[str]:
    strings = []
    for _, node in iterparse(src):
        if node.tag == _SI:
            strings.append(text_content(node).replace("x005F_", ""))
            node.clear()
    return strings


# --- cell values (openpyxl.utils.datetime) ------------------------------------------------------

_ISO_REGEX = re.compile(r"""
(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?
(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?""", re.VERBOSE)
_ISO_DURATION = re.compile(r"PT((?P<hours>\d+)H)?((?P<minutes>\d+)M)?((?P<seconds>\d+(\.\d{1,3})?)S)?")


def from_excel(value: float, epoch: dt.datetime, timedelta: bool = False) -> Any:
    """A serial number as a datetime (a time below 1, a timedelta for duration formats)."""
    if timedelta:
        td = dt.timedelta(days=value)
        if td.microseconds:
            td = dt.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1   # Excel's 1900-02-29
    return epoch + dt.timedelta(days=day) + diff


def from_iso8601(text: str) -> Any:
    """A t="d" cell (ISO 8601 date, time, datetime or duration)."""
    match = _ISO_REGEX.match(text)
    if match and any(match.groups()):
        parts: dict[str, Any] = match.groupdict(0)
        for key in ("year", "month", "day", "hour", "minute", "second"):
            if parts[key]:
                parts[key] = int(parts[key])
        if parts["microsecond"]:
            parts["microsecond"] = int(float(parts["microsecond"]) * 1_000_000)
        if not parts["date"]:
            return dt.time(parts["hour"], parts["minute"], parts["second"], parts["microsecond"])
        if not parts["time"]:
            return dt.date(parts["year"], parts["month"], parts["day"])
        del parts["time"], parts["date"]
        return dt.datetime(**parts)
    match = _ISO_DURATION.match(text)
    if match and any(match.groups()):
        return dt.timedelta(**{k: float(v) if v else 0 for k, v in match.groupdict(0).items()})
    raise ValueError(f"invalid datetime value {text}")
