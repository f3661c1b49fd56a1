"""The stdlib XLSX reader gives, cell for cell, the text openpyxl (the former reader) gives.

openpyxl stays only here, as the reference: each workbook is read by the new reader and by
openpyxl's read-only loader with its own cell parser (data_only, as before), and the non-empty
cells of every sheet, its name and state must be identical. Workbooks: the samples under
data/raw, workbooks written by openpyxl with every kind of cell, the Excel-like shared-strings
workbook of test_reading_shared_strings, and a hand-written package with what Excel and
LibreOffice put in cells (rich text runs, phonetic runs, t="str", t="d", custom formats
overriding built-in ids, cells and rows without references).
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from panorama.reading.assemble import MAX_READ_COLUMNS
from panorama.reading.safety import open_regular_file
from panorama.reading.spreadsheet import cell_text
from panorama.reading.xlsx import open_xlsx
from support.cli_modules import run_cli

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (REPO / "data" / "raw").rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))


def _native(path: Path) -> list[tuple[str, str, dict[int, dict[int, str]]]]:
    out = []
    with open_regular_file(path) as source, open_xlsx(source) as sheets:
        for sheet in sheets:
            cells = {n: {c: t for c, t in enumerate(row, 1) if t} for n, row in sheet.rows()}
            out.append((sheet.name, sheet.state, {n: row for n, row in cells.items() if row}))
    return out


def _reference(path: Path) -> list[tuple[str, str, dict[int, dict[int, str]]]]:
    """openpyxl's reading of the same sheets, as the former reader drove it."""
    import warnings

    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    states = {"visible": "visible", "hidden": "hidden", "veryHidden": "very_hidden"}
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        try:
            for ws in wb.worksheets:
                rows: dict[int, dict[int, str]] = {}
                with ws._get_source() as src:
                    parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                                             date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
                    for number, cells in parser.parse():
                        row = {c["column"]: cell_text(c["value"]) for c in cells}
                        row = {c: t for c, t in row.items() if t and c <= MAX_READ_COLUMNS}
                        if row:
                            rows[number] = row
                out.append((str(ws.title), states[ws.sheet_state], rows))
        finally:
            wb.close()
    return out


def _same(path: Path) -> None:
    from panorama.reading.workbook_words import HIDDEN, VERY_HIDDEN, VISIBLE

    words = {VISIBLE: "visible", HIDDEN: "hidden", VERY_HIDDEN: "very_hidden"}
    native = [(name, words[state], rows) for name, state, rows in _native(path)]
    assert native == _reference(path)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_sample_workbook_reads_as_openpyxl_reads_it(path: Path) -> None:
    _same(path)


def test_samples_are_there() -> None:
    assert len(SAMPLES) >= 10


@pytest.mark.parametrize("epoch_1904", [False, True], ids=["1900", "1904"])
def test_openpyxl_workbook_with_every_kind_of_cell(tmp_path: Path, epoch_1904: bool) -> None:
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    if epoch_1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Projets"
    ws.append(["Nom", "Début", "Fin", "Heure", "Durée", "Actif", "Erreur", "Coût", "Formule"])
    formats = ["mmm-yy", "mmmm yyyy", "dd/mm/yyyy", "d mmmm yyyy", "[$-40C]d mmmm yyyy", '"le" dd/mm',
               "yyyy-mm-dd h:mm:ss", "0.00", "#,##0 €", "[Red]0", "General"]
    for i, fmt in enumerate(formats, start=2):
        ws.append([f"Projet {i} ", dt.datetime(2019, 7, 1) + dt.timedelta(days=i * 37, hours=i),
                   dt.date(2020, 3, 15), dt.time(13, 30, i), dt.timedelta(hours=30 + i, minutes=5),
                   i % 2 == 0, "#N/A" if i % 3 else "#DIV/0!", 1234.5 + i / 7, f"=B{i}+1"])
        for col in (2, 3):
            ws.cell(row=i, column=col).number_format = fmt
        ws.cell(row=i, column=5).number_format = "[h]:mm:ss"
        ws.cell(row=i, column=8).number_format = fmt
    ws.cell(row=20, column=2, value=45000).number_format = "dd/mm/yyyy"     # a serial number shown as a date
    ws.cell(row=21, column=2, value=0.5).number_format = "h:mm"
    ws.cell(row=22, column=2, value=30).number_format = "dd/mm/yyyy"        # before Excel's 1900-02-29
    ws.cell(row=23, column=2, value=10 ** 12).number_format = "dd/mm/yyyy"  # out of range: #VALUE!
    ws.cell(row=24, column=1, value="  espaces  \n et ligne ")
    ws.cell(row=25, column=1, value=12345678901234567890)
    ws.cell(row=26, column=1, value=1e-7)
    ws.cell(row=5000, column=300, value="loin")                             # sparse
    ws.cell(row=5001, column=MAX_READ_COLUMNS + 500, value="   ")            # blank beyond the read columns
    ws.cell(row=200_000, column=2, value="tout en bas")
    hidden = wb.create_sheet("Masquée")
    hidden.sheet_state = "hidden"
    hidden.append(["a", 1])
    very = wb.create_sheet("Très masquée")
    very.sheet_state = "veryHidden"
    very.append([None, None, "c"])
    wb.create_sheet("Vide")
    path = tmp_path / "toutes_cellules.xlsx"
    wb.save(path)
    _same(path)


def test_excel_like_shared_strings_workbook(tmp_path: Path) -> None:
    from test_reading_shared_strings import _excel_like_xlsx

    path = tmp_path / "excel.xlsx"
    _excel_like_xlsx(path)
    _same(path)


def test_the_projects_own_xlsx_export(tmp_path: Path) -> None:
    """panorama-historique.xlsx as the export writes it (dates near 1900-03-01, booleans, blanks)."""
    from panorama.export import export_all
    from panorama.export.xlsx import XLSX_FILE, Sheet, workbook_bytes
    from test_export import CHANGELOG, build_inputs

    export_all(*build_inputs(), tmp_path, changelog_md=CHANGELOG)
    _same(tmp_path / XLSX_FILE)
    fields = [{"name": "texte", "type": "string"}, {"name": "jour", "type": "date"}, {"name": "oui", "type": "boolean"},
              {"name": "cout_meur", "type": "number"}, {"name": "entier", "type": "integer"}]
    columns = {"texte": ["  a & <b> ", "", None, "é€ 😀"], "oui": [True, False, None, True],
               "jour": [dt.date(1900, 2, 28), dt.date(1900, 3, 1), None, dt.date(2099, 12, 31)],
               "cout_meur": [0.1 + 0.2, None, 1e20, -4.25], "entier": [0, 10**12, None, -3]}
    path = tmp_path / "cellules.xlsx"
    path.write_bytes(workbook_bytes([Sheet("une", {"fields": fields}, columns)], stamp=dt.date(2017, 6, 30)))
    _same(path)


_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def _package(path: Path, sheet_xml: str, sst_xml: str, styles_xml: str, workbook_pr: str = "",
             content_type: str = "sheet.main") -> None:
    ct_sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    main = (f"{ct_sheet}.{content_type}+xml" if content_type == "sheet.main"
            else "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
                   f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct_sheet}.worksheet+xml"/>'
                   f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct_sheet}.sharedStrings+xml"/>'
                   f'<Override PartName="/xl/styles.xml" ContentType="{ct_sheet}.styles+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {_NS}>{workbook_pr}<sheets>'
                   '<sheet name="Feuil1" sheetId="1" r:id="rId1"/>'
                   '<sheet name="Absente" sheetId="2" r:id="rId9"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/manquante.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {_NS}><sheetData>{sheet_xml}</sheetData></worksheet>')
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {_NS}>{sst_xml}</sst>')
        z.writestr("xl/styles.xml", f'<?xml version="1.0"?><styleSheet {_NS}>{styles_xml}</styleSheet>')


_SST = ('<si><t xml:space="preserve">  Nom du projet </t></si>'
        '<si><r><rPr><b/></rPr><t>Minis</t></r><r><t xml:space="preserve">tère </t></r><r><t>porteur</t></r></si>'
        '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>'
        '<si><t>ligne_x005F_x000D_fin</t></si><si><t/></si><si><t>début</t><r><t>+run</t></r></si>')
_STYLES = ('<numFmts count="3"><numFmt numFmtId="14" formatCode="0.00"/><numFmt numFmtId="164" formatCode="[$-40C]mmm\\-yy"/>'
           '<numFmt numFmtId="165" formatCode="&quot;jour&quot;\\ 0;[Red]dd"/></numFmts>'
           '<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
           '<xf numFmtId="22"/><xf numFmtId="46"/><xf numFmtId="17"/></cellXfs>')
_CELLS = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
          '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>'
          '<row r="3"><c r="A3" s="1"><v>45000</v></c><c r="B3" s="2"><v>45000.25</v></c><c r="C3" s="3"><v>7</v></c>'
          '<c r="D3" s="4"><v>45000.75</v></c><c r="E3" s="5"><v>1.5</v></c><c r="F3" s="6"><v>45000</v></c></row>'
          '<row><c t="str"><f>A1&amp;"x"</f><v>calculé</v></c><c><f>1+1</f></c><c t="b"><v>1</v></c><c t="b"><v>0</v></c>'
          '<c t="e"><v>#REF!</v></c><c t="d"><v>2024-05-06T07:08:09</v></c></row>'
          '<row r="6"><c r="A6" t="inlineStr"><is><t xml:space="preserve"> en ligne </t></is></c>'
          '<c r="B6" t="inlineStr"><is><r><t>riche</t></r><r><t> texte</t></r></is></c>'
          '<c r="C6" t="d"><v>2024-05-06</v></c><c r="D6" t="d"><v>12:30:00</v></c><c r="E6"><v>1E3</v></c>'
          '<c r="F6"><v>-0.000001</v></c><c r="G6" t="s"><v></v></c><c r="H6"><v>  42</v></c></row>')


@pytest.mark.parametrize("content_type,workbook_pr", [
    ("sheet.main", ""), ("sheet.main", '<workbookPr date1904="1"/>'), ("macro", '<workbookPr date1904="false"/>'),
    ("sheet.main", '<workbookPr date1904="False"/>')], ids=["xlsx", "1904", "xlsm", "1904-mot"])
def test_hand_written_package_as_excel_and_libreoffice_write_cells(tmp_path: Path, content_type: str,
                                                                   workbook_pr: str) -> None:
    path = tmp_path / "main.xlsx"
    _package(path, _CELLS, _SST, _STYLES, workbook_pr, content_type)
    _same(path)
    rows = _native(path)[0][2]
    assert rows[1][2] == "Ministère porteur" and rows[1][3] == "東京" and rows[1][4] == "ligne_x000D_fin"
    assert rows[4] == {1: "calculé", 3: "true", 4: "false", 5: "#REF!", 6: "2024-05-06T07:08:09"}


def test_openpyxl_is_not_imported_to_read_or_validate_an_xlsx(tmp_path: Path) -> None:
    sample = next(p for p in SAMPLES if p.suffix == ".xlsx")
    code = ("import sys\nfrom pathlib import Path\nfrom panorama.reading import read_submission\n"
            f"t = read_submission(Path({str(sample)!r}))\nassert t.header, t\n"
            "assert 'openpyxl' not in sys.modules, 'openpyxl importé'\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    reports = tmp_path / "rapports"
    run = run_cli("validate", str(sample), "--report-dir", str(reports), cwd=tmp_path)
    assert run.code in (0, 1), run.stderr[-2000:]
    assert f"{sample.name} : " in run.stdout and "ligne(s) lue(s)" in run.stdout
    assert "openpyxl" not in run.modules


