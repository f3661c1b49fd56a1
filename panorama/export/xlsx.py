"""`panorama-historique.xlsx`: the published tables as one workbook French Excel opens cleanly.

A CSV with a decimal point and UTF-8 text is garbled by a French Excel double-click (numbers read
as text or dates, accents broken); a workbook has typed cells, so Excel shows "3 161,72" and
"29/11/2017" in the reader's locale. One sheet per table, frozen header row, autofilter, number
formats by unit, and a sheet describing the columns.

Built from the same typed, rounded columns as the CSV and Parquet files (`tables.typed_columns`),
so the three formats hold the same values. Why no openpyxl here: its cell objects made this file
the costliest of the run (and its import alone weighs 0.2 s). The parts are written directly as
text, exactly as openpyxl 3.1 wrote them (same XML, same styles in the same order, same zip
entries), so the bytes did not change; `tests/support/xlsx_openpyxl.py` keeps the openpyxl
version and a test compares both. Deterministic: fixed entry times and document dates.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any, cast

from panorama.export.tables import Value

XLSX_FILE = "panorama-historique.xlsx"
XLSX_MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS_SHEET = "colonnes"
# Fixed zip entry time (the zip format cannot go earlier than 1980).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MAX_WIDTH = 60
_EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()  # Excel's day 0 (Windows 1900 system)
# Excel's built-in number formats we use; any other format gets an id from 164 on.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "#,##0.00": 4, "0.00%": 10}
_DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"  # what openpyxl registers on the first date cell
_CREATOR = "DINUM – panorama des grands projets numériques"
_TITLE = "Panorama des grands projets numériques de l'État"
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_TYPES = "application/vnd.openxmlformats-officedocument"
# XML 1.0 refuses these characters; OOXML spells them _xHHHH_ (validation blocks them anyway).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Sheet:
    """One table as a sheet: its name (≤ 31 characters), Table Schema and typed columns."""

    name: str
    schema: dict[str, Any]
    columns: dict[str, list[Value]]


def number_format(field: dict[str, Any]) -> str:
    """Excel format codes (Excel shows them in the reader's locale: comma, thin space)."""
    name, kind = field["name"], field["type"]
    if kind == "integer":
        return "0"
    if kind == "date":
        return "dd/mm/yyyy"
    if kind != "number":
        return "General"
    if name.endswith("_meur"):
        return "#,##0.00"  # shown to 10 k€, the cell keeps the euro
    if name.endswith("_annees"):
        return "0.0##"
    if name.endswith("_pct"):
        return '0.00" %"'
    if name.startswith("taux_"):
        return "0.00%"
    return "0.######"


def column_letter(position: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while position > 0:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _attr(value: str) -> str:
    return (_text(value).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
            .replace("\t", "&#09;"))


def _number(value: float | int) -> str:
    return f"{value:.16g}"  # as openpyxl writes numbers


def _width(field: dict[str, Any], values: list[Value]) -> float:
    longest = max([len(str(field.get("title") or field["name"]))] +
                  [min(len(str(v)), _MAX_WIDTH) for v in values[:200] if v is not None])
    return float(min(max(longest + 2, 8), _MAX_WIDTH))


class _Styles:
    """Cell formats in the order openpyxl numbered them: first use while writing the cells."""

    # (font, fill, numFmtId, wrap-and-top alignment)
    def __init__(self) -> None:
        self.formats: list[str] = []          # custom number formats, id 164 + index
        self.xfs: list[tuple[int, int, int, bool]] = [(0, 0, 0, False)]

    def format_id(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        if code not in self.formats:
            self.formats.append(code)
        return 164 + self.formats.index(code)

    def xf(self, key: tuple[int, int, int, bool]) -> int:
        if key not in self.xfs:
            self.xfs.append(key)
        return self.xfs.index(key)

    def xml(self) -> str:
        fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{_attr(c)}" />' for i, c in enumerate(self.formats))
        parts = [f'<styleSheet xmlns="{_SHEET_NS}">',
                 f'<numFmts count="{len(self.formats)}">{fmts}</numFmts>' if fmts else '<numFmts count="0" />']
        parts.append('<fonts count="2"><font><name val="Calibri" /><family val="2" /><color theme="1" />'
                     '<sz val="11" /><scheme val="minor" /></font><font><b val="1" /></font></fonts>'
                     '<fills count="3"><fill><patternFill /></fill><fill><patternFill patternType="gray125" />'
                     '</fill><fill><patternFill patternType="solid"><fgColor rgb="00DDE5F4" /></patternFill>'
                     '</fill></fills><borders count="1"><border><left /><right /><top /><bottom /><diagonal />'
                     '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
                     f'borderId="0" /></cellStyleXfs><cellXfs count="{len(self.xfs)}">')
        for font, fill, fmt, wrap in self.xfs:
            head = f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="0"'
            tail = ' pivotButton="0" quotePrefix="0" xfId="0"'
            if wrap:
                parts.append(f'{head} applyAlignment="1"{tail}><alignment vertical="top" wrapText="1" /></xf>')
            else:
                parts.append(f"{head}{tail} />")
        parts.append('</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0" />'
                     '</cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
                     f'defaultPivotStyle="PivotStyleLight16" /><colors><indexedColors>{_INDEXED}'
                     '</indexedColors></colors></styleSheet>')
        return "".join(parts)


_INDEXED = "".join(f'<rgbColor rgb="00{c}" />' for c in (
    "000000 FFFFFF FF0000 00FF00 0000FF FFFF00 FF00FF 00FFFF 000000 FFFFFF FF0000 00FF00 0000FF FFFF00 "
    "FF00FF 00FFFF 800000 008000 000080 808000 800080 008080 C0C0C0 808080 9999FF 993366 FFFFCC CCFFFF "
    "660066 FF8080 0066CC CCCCFF 000080 FF00FF FFFF00 00FFFF 800080 800000 008080 0000FF 00CCFF CCFFFF "
    "CCFFCC FFFF99 99CCFF FF99CC CC99FF FFCC99 3366FF 33CCCC 99CC00 FFCC00 FF9900 FF6600 666699 969696 "
    "003366 339966 003300 333300 993300 993366 333399 333333").split())

_HEADER = (1, 2, 0, True)        # bold, blue-grey fill, wrapped at the top
_FIELDS_HEADER = (1, 2, 0, False)
_WRAPPED = (0, 0, 0, True)


def _cell(ref: str, style: int, value: Value) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s} t="n" />' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s} t="n"><v>{_number(value)}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s} t="n"><v>{_serial(value)}</v></c>'
    return _string_cell(ref, s, str(value))


def _string_cell(ref: str, s: str, text: str) -> str:
    if not text:
        return f'<c r="{ref}"{s} t="inlineStr" />'
    space = ' xml:space="preserve"' if text.strip() and text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_text(text)}</t></is></c>'


def _serial(value: dt.date) -> str:
    days = value.toordinal() - _EPOCH_ORDINAL  # whole days: the typed columns hold dates, not times
    return _number(days - 1 if 0 < days <= 60 else days)


def _sheet_xml(ref: str, widths: list[float], rows: list[str], filter_ref: str) -> str:
    cols = "".join(f'<col width="{_number(w)}" customWidth="1" min="{i}" max="{i}" />'
                   for i, w in enumerate(widths, start=1))
    return (f'<worksheet xmlns="{_SHEET_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
            f'<pageSetUpPr /></sheetPr><dimension ref="{ref}" /><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen" />'
            '<selection pane="bottomLeft" activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
            f'<sheetFormatPr baseColWidth="8" defaultRowHeight="15" />{f"<cols>{cols}</cols>" if cols else ""}'
            f'<sheetData>{"".join(rows)}</sheetData><autoFilter ref="{filter_ref}" />'
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" /></worksheet>')


def _column(letter: str, style: int, values: list[Value]) -> list[str]:
    """The cells of one column from row 2 down, written column by column: one type test per column."""
    s = f' s="{style}"' if style else ""
    empty = f'<c r="{letter}{{}}"{s} t="n" />' if style else ""
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {float, int}:
        return [f'<c r="{letter}{row}"{s} t="n"><v>{v:.16g}</v></c>' if v is not None else empty.format(row)
                for row, v in enumerate(values, start=2)]
    if kinds <= {dt.date}:
        dates = cast("list[dt.date | None]", values)  # narrowed by the type test above
        return [f'<c r="{letter}{row}"{s} t="n"><v>{_serial(v)}</v></c>' if v is not None else empty.format(row)
                for row, v in enumerate(dates, start=2)]
    if kinds <= {str}:
        texts = cast("list[str | None]", values)
        return [_string_cell(f"{letter}{row}", s, v) if v is not None else empty.format(row)
                for row, v in enumerate(texts, start=2)]
    return [_cell(f"{letter}{row}", style, v) for row, v in enumerate(values, start=2)]


def _rows_from(first: int, columns: list[list[str]]) -> list[str]:
    return [f'<row r="{n}">{cells}</row>' if cells else f'<row r="{n}" />'
            for n, cells in enumerate(map("".join, zip(*columns)), start=first)]


def _row(number: int, letters: list[str], styles: list[int], values: list[Value]) -> str:
    cells = "".join(_cell(f"{letter}{number}", style, value)
                    for letter, style, value in zip(letters, styles, values))
    return f'<row r="{number}">{cells}</row>' if cells else f'<row r="{number}" />'


def _table_sheet(sheet: Sheet, styles: _Styles) -> tuple[str, str]:
    """The sheet's XML and its filtered range."""
    fields = sheet.schema["fields"]
    names = [f["name"] for f in fields]
    letters = [column_letter(i) for i in range(1, len(names) + 1)]
    columns = [sheet.columns[n] for n in names]
    count = len(columns[0]) if columns else 0
    if count and any(isinstance(v, dt.date) for c in columns for v in c):
        styles.format_id(_DATETIME_FORMAT)  # openpyxl registered it on the first date cell
    header = styles.xf(_HEADER)
    rows = [_row(1, letters, [header] * len(names), [f.get("title") or f["name"] for f in fields])]
    if count:
        cell_styles = [styles.xf((0, 0, styles.format_id(number_format(f)), False)) for f in fields]
        rows.extend(_rows_from(2, [_column(letter, style, values)
                                   for letter, style, values in zip(letters, cell_styles, columns)]))
    widths = [_width(f, c) for f, c in zip(fields, columns)]
    last = letters[-1] if letters else "A"
    filter_ref = f"A1:{last}{count + 1}"
    return _sheet_xml(filter_ref, widths, rows, filter_ref), filter_ref


def _fields_sheet(sheets: list[Sheet], styles: _Styles) -> tuple[str, str]:
    """Which header stands for which published column name, with its description."""
    letters = ["A", "B", "C", "D"]
    header = styles.xf(_FIELDS_HEADER)
    rows = [_row(1, letters, [header] * 4,
                 ["Feuille", "Colonne (libellé)", "Nom dans les fichiers CSV et Parquet", "Description"])]
    lines = [[sheet.name, field.get("title", ""), field["name"], " ".join(str(field.get("description", "")).split())]
             for sheet in sheets for field in sheet.schema["fields"]]
    if lines:
        cell_styles = [0, 0, 0, styles.xf(_WRAPPED)]
        rows.extend(_row(i + 2, letters, cell_styles, line) for i, line in enumerate(lines))
    ref = f"A1:D{len(lines) + 1}"
    return _sheet_xml(ref, [18.0, 40.0, 44.0, 100.0], rows, ref), ref


def _workbook_xml(names: list[str], filters: list[str]) -> str:
    sheets = "".join(f'<sheet name="{_attr(n)}" sheetId="{i}" state="visible" r:id="rId{i}" />'
                     for i, n in enumerate(names, start=1))
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_text(_quoted(n))}!{_absolute(ref)}</definedName>" for i, (n, ref) in enumerate(zip(names, filters)))
    return (f'<workbook xmlns:r="{_REL_NS}" xmlns="{_SHEET_NS}"><workbookPr /><workbookProtection /><bookViews>'
            '<workbookView visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
            'showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1" />'
            f'</bookViews><sheets>{sheets}</sheets><definedNames>{defined}</definedNames>'
            '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>')


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def _package_parts(count: int) -> tuple[str, str, str]:
    """[Content_Types].xml, _rels/.rels, xl/_rels/workbook.xml.rels for `count` sheets."""
    sheet_type = f"{_OFFICE_TYPES}.spreadsheetml.worksheet+xml"
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}" />'
                        for i in range(1, count + 1))
    types = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
             '<Default Extension="xml" ContentType="application/xml" />'
             f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE_TYPES}.spreadsheetml.styles+xml" />'
             f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_OFFICE_TYPES}.theme+xml" />'
             '<Override PartName="/docProps/core.xml" '
             'ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
             f'<Override PartName="/docProps/app.xml" ContentType="{_OFFICE_TYPES}.extended-properties+xml" />'
             f'{overrides}<Override PartName="/xl/workbook.xml" '
             f'ContentType="{_OFFICE_TYPES}.spreadsheetml.sheet.main+xml" /></Types>')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    root = (f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml" Id="rId1" /><Relationship '
            f'Type="{_PKG_REL_NS}/metadata/core-properties" Target="docProps/core.xml" Id="rId2" />'
            f'<Relationship Type="{rel}/extended-properties" Target="docProps/app.xml" Id="rId3" />'
            "</Relationships>")
    links = "".join(f'<Relationship Type="{rel}/worksheet" Target="/xl/worksheets/sheet{i}.xml" Id="rId{i}" />'
                    for i in range(1, count + 1))
    book = (f'<Relationships xmlns="{_PKG_REL_NS}">{links}<Relationship Type="{rel}/styles" '
            f'Target="styles.xml" Id="rId{count + 1}" /><Relationship Type="{rel}/theme" '
            f'Target="theme/theme1.xml" Id="rId{count + 2}" /></Relationships>')
    return types, root, book


def _core_xml(stamp: dt.datetime) -> str:
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{_text(_CREATOR)}</dc:creator><dc:title>{_text(_TITLE)}</dc:title>"
            f'<dc:language>fr-FR</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">{iso}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{iso}</dcterms:modified></cp:coreProperties>')


_APP_XML = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Microsoft Excel Compatible / Openpyxl 3.1.5</Application><AppVersion>3.1</AppVersion>"
            "</Properties>")


def workbook_bytes(sheets: list[Sheet], *, stamp: dt.date | None) -> bytes:
    """The workbook; `stamp` (the latest edition's date) is its creation date, for stable bytes."""
    from panorama.export.xlsx_theme import THEME_XML

    styles = _Styles()
    parts = [_table_sheet(sheet, styles) for sheet in sheets]
    parts.append(_fields_sheet(sheets, styles))
    names = [s.name for s in sheets] + [FIELDS_SHEET]
    fixed = dt.datetime.combine(stamp or dt.date(2016, 11, 1), dt.time())
    types, root_rels, book_rels = _package_parts(len(parts))
    entries = [("docProps/app.xml", _APP_XML), ("docProps/core.xml", _core_xml(fixed)),
               ("xl/theme/theme1.xml", THEME_XML)]
    entries += [(f"xl/worksheets/sheet{i}.xml", xml) for i, (xml, _) in enumerate(parts, start=1)]
    entries += [("xl/styles.xml", styles.xml()), ("_rels/.rels", root_rels),
                ("xl/workbook.xml", _workbook_xml(names, [ref for _, ref in parts])),
                ("xl/_rels/workbook.xml.rels", book_rels), ("[Content_Types].xml", types)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries:
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            archive.writestr(entry, text.encode("utf-8"), compresslevel=6)
    return out.getvalue()
