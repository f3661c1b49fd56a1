"""Hostile submissions that ask for far more memory than they hold, in every format (issue 13).

Shared by `bench/amplification.py` (which measures `panorama validate` on each) and the tests
(which check what each gets). Every file is made with the tool a ministry's software would use
(odfpy, openpyxl, xlwt, Python's csv text), then, where the hostility lies in a declared size,
that one field is rewritten in place, as a damaged or malicious writer would leave it.
"""
from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

HEADER = ["Ministère porteur", "Nom du projet", "Projet interministériel", "Début", "Durée prévisionnelle en année",
          "Coût estimé", "Phase du projet en cours"]
PROJECTS = [
    ["SPM", "FRANCE CONNECT", "Oui", "01/07/2014", "4,5", "52,4", "Déploiement"],
    ["MI", "SIV", "Non", "01/01/2012", "6", "40", "Conception / Réalisation"],
    ["MEF", "PAYSAGE", "Non", "01/09/2015", "3,75", "En cadrage", "Cadrage"],
]
ODS_ROWS, ODS_COLUMNS = 1_048_576, 16_384


# --- ODS ---------------------------------------------------------------------------------------

def _ods(path: Path, extra: Callable[[object], None] | None) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Projets")
    for row in [HEADER, *PROJECTS]:
        tr = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)
    if extra is not None:
        extra(table)
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def ods_repeated_everywhere(path: Path, rows: int = ODS_ROWS, columns: int = ODS_COLUMNS) -> Path:
    """One non-empty cell declared repeated over every column of every row (a kilobyte file)."""
    from odf.table import TableCell, TableRow
    from odf.text import P

    def add(table: object) -> None:
        tr = TableRow(numberrowsrepeated=rows)
        cell = TableCell(valuetype="float", value="1", numbercolumnsrepeated=columns)
        cell.addElement(P(text="1"))
        tr.addElement(cell)
        table.addElement(tr)  # type: ignore[attr-defined]
    return _ods(path, add)


def ods_filled_down(path: Path, rows: int = ODS_ROWS - 4, width: int = 7) -> Path:
    """A row of zeros (a formula copied down to the bottom of the sheet) below the real table."""
    from odf.table import TableCell, TableRow
    from odf.text import P

    def add(table: object) -> None:
        tr = TableRow(numberrowsrepeated=rows)
        cell = TableCell(valuetype="float", value="0", numbercolumnsrepeated=width, formula="of:=0")
        cell.addElement(P(text="0"))
        tr.addElement(cell)
        table.addElement(tr)  # type: ignore[attr-defined]
    return _ods(path, add)


def ods_trailing_empty(path: Path) -> Path:
    """The real table, then the empty rest of the sheet as LibreOffice writes it (costs nothing)."""
    from odf.table import TableCell, TableRow

    def add(table: object) -> None:
        tr = TableRow(numberrowsrepeated=ODS_ROWS - 4)
        tr.addElement(TableCell(numbercolumnsrepeated=ODS_COLUMNS))
        table.addElement(tr)  # type: ignore[attr-defined]
    return _ods(path, add)


def ods_wide_row(path: Path, cells: int = 400_000) -> Path:
    """One row of explicit (not repeated) distinct cells: a huge number of columns."""
    from odf.table import TableCell, TableRow
    from odf.text import P

    def add(table: object) -> None:
        tr = TableRow()
        for i in range(cells):
            cell = TableCell(valuetype="float", value=str(i))
            cell.addElement(P(text=str(i)))
            tr.addElement(cell)
        table.addElement(tr)  # type: ignore[attr-defined]
    return _ods(path, add)


# --- XLSX --------------------------------------------------------------------------------------

def _xlsx(path: Path, fill: Callable[[object], None] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Projets"
    for row in [HEADER, *PROJECTS]:
        ws.append(row)
    if fill is not None:
        fill(ws)
    wb.save(path)
    return path


def _rewrite_part(path: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            zf.writestr(info.filename, change(data) if info.filename == name else data)
    return path


def xlsx_declared_dimension(path: Path) -> Path:
    """A small table whose sheet declares <dimension ref="A1:XFD1048576"/>."""
    _xlsx(path)
    return _rewrite_part(path, "xl/worksheets/sheet1.xml",
                         lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))


def xlsx_far_corner(path: Path) -> Path:
    """The table, and one cell typed at XFD1048576."""
    return _xlsx(path, lambda ws: ws.cell(row=1_048_576, column=16_384, value="x"))  # type: ignore[attr-defined]


def xlsx_last_columns(path: Path, rows: int = 20_000) -> Path:
    """A few cells in the very last columns on many rows (the 0.4 MB file that took 1.1 GB)."""
    def fill(ws: object) -> None:
        for r in range(5, 5 + rows):
            ws.cell(row=r, column=16_380, value=r)  # type: ignore[attr-defined]
            ws.cell(row=r, column=16_384, value="fin")  # type: ignore[attr-defined]
    return _xlsx(path, fill)


def xlsx_sparse_wide(path: Path, rows: int = 60_000, column: int = 1_000) -> Path:
    """Rows holding a cell in column A and one in column 1 000 (inside the limit): wide, sparse rows."""
    def fill(ws: object) -> None:
        for r in range(5, 5 + rows):
            ws.cell(row=r, column=1, value="MI")  # type: ignore[attr-defined]
            ws.cell(row=r, column=column, value=r)  # type: ignore[attr-defined]
    return _xlsx(path, fill)


def xlsx_lying_zip(path: Path, inflated_mb: int = 400) -> Path:
    """A sheet that inflates to `inflated_mb` MB while the zip directory declares its original size."""
    _xlsx(path)
    name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zf:
        parts = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
    declared = len(dict(parts)[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for part, data in parts:
            if part != name:
                zf.writestr(part, data)
                continue
            with zf.open(name, "w", force_zip64=False) as fh:
                fh.write(data.replace(b"</worksheet>", b""))
                blank = b" " * 1_000_000
                for _ in range(inflated_mb):
                    fh.write(blank)
                fh.write(b"</worksheet>")
    raw = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := raw.find(signature, start)) >= 0:
            if raw[start + name_at: start + name_at + len(encoded)] == encoded:
                raw[start + size_at: start + size_at + 4] = struct.pack("<I", declared)
            start += 4
    path.write_bytes(bytes(raw))
    return path


def xlsx_zip_bomb(path: Path, inflated_mb: int = 1_000) -> Path:
    """A sheet honestly declared to inflate to `inflated_mb` MB."""
    _xlsx(path)
    name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zf:
        parts = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for part, data in parts:
            if part != name:
                zf.writestr(part, data)
                continue
            with zf.open(name, "w", force_zip64=True) as fh:
                fh.write(data.replace(b"</worksheet>", b""))
                blank = b" " * 1_000_000
                for _ in range(inflated_mb):
                    fh.write(blank)
                fh.write(b"</worksheet>")
    return path


def xlsx_many_parts(path: Path, parts: int = 20_000) -> Path:
    """A workbook archive with tens of thousands of tiny extra parts."""
    _xlsx(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as zf:
        for i in range(parts):
            zf.writestr(f"xl/media/vide{i}.bin", b"")
    return path


# --- XLS ---------------------------------------------------------------------------------------

def _xls(path: Path, extra: Callable[[object], None] | None = None) -> Path:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Projets")
    for r, row in enumerate([HEADER, *PROJECTS]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    if extra is not None:
        extra(ws)
    wb.save(str(path))
    return path


def xls_declared_rows(path: Path) -> Path:
    """A small sheet whose DIMENSIONS record declares 65 536 rows × 256 columns."""
    _xls(path)
    raw = bytearray(path.read_bytes())
    at = raw.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes: first row, last row + 1, first col, last col + 1
    raw[at + 4: at + 16] = struct.pack("<IIHH", 0, 65_536, 0, 256)
    path.write_bytes(bytes(raw))
    return path


def xls_far_corner(path: Path, rows: int = 2_000) -> Path:
    """Cells in the last column (IV) on the last rows of an XLS sheet, plus the far corner IV65536."""
    def extra(ws: object) -> None:
        for r in range(65_535 - rows, 65_536):
            ws.write(r, 255, "x")  # type: ignore[attr-defined]
    return _xls(path, extra)


# --- CSV ---------------------------------------------------------------------------------------

def _distinct(i: int) -> list[str]:
    """Project i, a distinct name each (thousands of copies of one project measure the duplicate check instead)."""
    row = list(PROJECTS[i % 3])
    row[1] = f"{row[1]} {i}"
    return row


def _csv(rows: list[list[str]]) -> str:
    return "".join(";".join(row) + "\r\n" for row in rows)


def csv_one_huge_cell(path: Path, megabytes: int = 9) -> Path:
    """One description cell of several megabytes (quoted, with line breaks)."""
    text = _csv([HEADER]) + ";".join(PROJECTS[0][:1]) + ';"' + ("Une très longue description.\n" * (megabytes * 35_000)) + '";' \
        + ";".join(PROJECTS[0][2:]) + "\r\n"
    path.write_text(text, encoding="utf-8")
    return path


def csv_one_huge_line(path: Path, megabytes: int = 9) -> Path:
    """A single line of several megabytes of separators and short values: millions of columns."""
    path.write_text(";".join(["ab"] * (megabytes * 333_000)) + "\r\n" + _csv(PROJECTS), encoding="utf-8")
    return path


def csv_trailing_separators(path: Path, rows: int = 600) -> Path:
    """Every line padded with separators up to column XFD, as a spreadsheet with formatted columns exports it."""
    pad = ";" * (ODS_COLUMNS - len(HEADER))
    body = [_distinct(i) for i in range(rows)]
    path.write_text("".join(";".join(r) + pad + "\r\n" for r in [HEADER, *body]), encoding="utf-8")
    return path


def csv_many_rows_far_cells(path: Path, rows: int = 150_000) -> Path:
    """Header of 1 000 mostly empty labels, then short rows: the table allocation must follow rows × real columns."""
    header = HEADER + [""] * 993
    header[999] = "Commentaire"
    lines = [";".join(header)] + [";".join(_distinct(i)) for i in range(rows)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "ods-repete-partout.ods": ods_repeated_everywhere,
    "ods-recopie-jusqu-en-bas.ods": ods_filled_down,
    "ods-fin-vide-repetee.ods": ods_trailing_empty,
    "ods-ligne-tres-large.ods": ods_wide_row,
    "xlsx-dimension-declaree.xlsx": xlsx_declared_dimension,
    "xlsx-coin-xfd1048576.xlsx": xlsx_far_corner,
    "xlsx-dernieres-colonnes.xlsx": xlsx_last_columns,
    "xlsx-lignes-larges-eparses.xlsx": xlsx_sparse_wide,
    "xlsx-taille-mensongere.xlsx": xlsx_lying_zip,
    "xlsx-bombe-zip.xlsx": xlsx_zip_bomb,
    "xlsx-parties-innombrables.xlsx": xlsx_many_parts,
    "xls-lignes-declarees.xls": xls_declared_rows,
    "xls-coin-iv65536.xls": xls_far_corner,
    "csv-cellule-enorme.csv": csv_one_huge_cell,
    "csv-ligne-enorme.csv": csv_one_huge_line,
    "csv-separateurs-jusqu-a-xfd.csv": csv_trailing_separators,
    "csv-en-tete-large-lignes-courtes.csv": csv_many_rows_far_cells,
}
