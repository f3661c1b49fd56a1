"""The XLSX workbook: typed cells French Excel shows properly, frozen header, filters, stable bytes."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
from test_export import CHANGELOG, build_inputs

from panorama.export import export_all
from panorama.export.xlsx import XLSX_FILE


def test_workbook_has_one_typed_sheet_per_table(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    wb = openpyxl.load_workbook(tmp_path / XLSX_FILE)
    assert wb.sheetnames == ["historique", "derniere-edition", "indicateurs", "repartitions", "colonnes"]
    ws = wb["historique"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Édition", "Numéro de l'édition", "Date de publication de l'édition"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{len(history) + 1}"
    assert ws.max_row == len(history) + 1
    column = {name: i + 1 for i, name in enumerate(header)}
    row = 2
    assert isinstance(ws.cell(row, column["Numéro de l'édition"]).value, int)
    assert isinstance(ws.cell(row, column["Date de publication de l'édition"]).value, dt.datetime)
    assert ws.cell(row, column["Date de publication de l'édition"]).number_format == "dd/mm/yyyy"
    duration = ws.cell(row, column["Durée prévisionnelle (années)"])
    assert duration.value == 4.504 and duration.number_format == "0.0##"  # rounded like the CSV
    assert isinstance(ws.cell(row, column["Projet interministériel"]).value, bool)
    cost_cells = [ws.cell(r, column["Coût estimé (M€)"]) for r in range(2, ws.max_row + 1)]
    assert {c.number_format for c in cost_cells} == {"#,##0.00"}
    assert all(c.value is None or (isinstance(c.value, (int, float)) and not isinstance(c.value, bool)) for c in cost_cells)
    assert any(isinstance(c.value, float) for c in cost_cells)
    rates = wb["indicateurs"]
    names = [c.value for c in rates[1]]
    assert rates.cell(2, names.index("Taux d'écart budgétaire") + 1).number_format == "0.00%"
    fields = wb["colonnes"]
    assert ("historique", "cout_estime_meur") in {(r[0], r[2]) for r in fields.iter_rows(min_row=2, values_only=True)}


def test_workbook_bytes_do_not_depend_on_the_clock(tmp_path, monkeypatch):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path / "a", changelog_md=CHANGELOG)
    from openpyxl.writer import excel

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # the wall clock openpyxl reads when saving
            return dt.datetime(2031, 5, 4, 3, 2, 1, tzinfo=tz)

    monkeypatch.setattr(excel.datetime, "datetime", Later)
    export_all(history, indicators, repartitions, tmp_path / "b", changelog_md=CHANGELOG)
    first, second = (tmp_path / "a" / XLSX_FILE).read_bytes(), (tmp_path / "b" / XLSX_FILE).read_bytes()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "2017-06-30T00:00:00Z" in core  # the newest edition's date, not the clock


# ---- the direct writer gives the bytes openpyxl gave -------------------------------------------

def _openpyxl_reference():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "support"))
    import xlsx_openpyxl

    return xlsx_openpyxl


def _sheets_of_export(monkeypatch, run) -> tuple[list, dt.date | None]:
    """The sheets and stamp `export_all` hands the XLSX writer, captured on the way."""
    from panorama.export import xlsx

    seen = {}
    original = xlsx.workbook_bytes

    def spy(sheets, *, stamp):
        seen["args"] = (sheets, stamp)
        return original(sheets, stamp=stamp)

    monkeypatch.setattr(xlsx, "workbook_bytes", spy)
    run()
    return seen["args"]


def test_direct_writer_gives_openpyxls_bytes_for_the_exported_tables(tmp_path, monkeypatch):
    from panorama.export import xlsx

    history, indicators, repartitions = build_inputs()
    sheets, stamp = _sheets_of_export(
        monkeypatch, lambda: export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG))
    written = (tmp_path / XLSX_FILE).read_bytes()
    assert written == _openpyxl_reference().workbook_bytes(sheets, stamp=stamp)
    assert written == xlsx.workbook_bytes(sheets, stamp=stamp)  # twice the same


def test_direct_writer_gives_openpyxls_bytes_for_the_sample_editions(tmp_path, monkeypatch, repo):
    from panorama import forked
    from panorama.pipeline import run_pipeline

    monkeypatch.setattr(forked, "can_fork", lambda: False)  # the spy sees calls made in this process only
    sheets, stamp = _sheets_of_export(monkeypatch, lambda: run_pipeline(
        repo / "data" / "raw", tmp_path / "out", tmp_path / "rapports", force=True, allow_partial=True))
    assert len(sheets) == 4 and len(sheets[0].columns["identifiant"]) > 100
    assert (tmp_path / "out" / XLSX_FILE).read_bytes() == _openpyxl_reference().workbook_bytes(sheets, stamp=stamp)


def test_direct_writer_gives_openpyxls_bytes_for_awkward_cells():
    from panorama.export import xlsx

    fields = [{"name": "texte", "type": "string", "title": "Texte & <libellé> \"cité\""},
              {"name": "nombre", "type": "number"}, {"name": "cout_meur", "type": "number"},
              {"name": "duree_annees", "type": "number"}, {"name": "ecart_pct", "type": "number"},
              {"name": "taux_ecart", "type": "number"}, {"name": "entier", "type": "integer"},
              {"name": "jour", "type": "date"}, {"name": "oui", "type": "boolean"}]
    columns = {
        "texte": ["  espaces autour ", "a & b < c > d \"e\" 'f'", "ligne\nsuivante\tonglet", "", None, "é€ 😀"],
        "nombre": [0.1 + 0.2, -0.0, 1e20, 123456789.123456, None, 3.0],
        "cout_meur": [3161.72, None, 0.000001, 12.5, 7.0, -4.25],
        "duree_annees": [4.504, 1 / 3, None, 0.0, 2.0, 10.125],
        "ecart_pct": [12.34, None, -5.0, 0.0, 100.0, 7.96],
        "taux_ecart": [0.118, 0.176, None, 1.0, 0.0, 0.5],
        "entier": [0, 61, None, -3, 10**12, 7],
        "jour": [dt.date(2017, 11, 29), dt.date(1900, 2, 28), dt.date(1900, 3, 1), None, dt.date(2099, 12, 31),
                 dt.date(2016, 1, 1)],
        "oui": [True, False, None, True, False, True],
    }
    schema = {"fields": fields}
    no_dates = {"fields": fields[:3]}
    empty = {"fields": [{"name": "vide", "type": "number"}, {"name": "jour", "type": "date"}]}
    cases = [
        [xlsx.Sheet("une", schema, columns)],
        [xlsx.Sheet("sans-date", no_dates, {k: columns[k] for k in ("texte", "nombre", "cout_meur")}),
         xlsx.Sheet("vide", empty, {"vide": [], "jour": []}), xlsx.Sheet("deux", schema, columns)],
        [xlsx.Sheet("vide", empty, {"vide": [], "jour": []})],
    ]
    reference = _openpyxl_reference()
    for sheets in cases:
        for stamp in (dt.date(2025, 6, 30), None):
            assert xlsx.workbook_bytes(sheets, stamp=stamp) == reference.workbook_bytes(sheets, stamp=stamp)


# ---- LibreOffice reads the workbook back with the same typed values ----------------------------

def _ods_sheets(path) -> dict[str, list[list[tuple[str, str]]]]:
    """Every sheet of an ODS file as rows of (value type, value) from the XML LibreOffice wrote."""
    import xml.etree.ElementTree as ET

    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
          "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
    office, table = "{%s}" % ns["office"], "{%s}" % ns["table"]
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("content.xml"))
    sheets = {}
    for sheet in root.iter(f"{table}table"):
        rows = []
        for row in sheet.iter(f"{table}table-row"):
            cells = []
            for cell in row.iter(f"{table}table-cell"):
                kind = cell.get(f"{office}value-type", "")
                value = {"float": cell.get(f"{office}value"), "percentage": cell.get(f"{office}value"),
                         "date": cell.get(f"{office}date-value"), "boolean": cell.get(f"{office}boolean-value"),
                         "string": "\n".join("".join(p.itertext()) for p in cell.iter("{%s}p" % ns["text"]))}.get(kind, "")
                cells.extend([(kind, value or "")] * int(cell.get(f"{table}number-columns-repeated", "1")))
            rows.append(cells)
        sheets[sheet.get(f"{table}name")] = rows
    return sheets


def _expected(value) -> tuple[str, str]:
    if value is None or value == "":
        return ("", "")
    if isinstance(value, bool):
        return ("boolean", "true" if value else "false")
    if isinstance(value, (int, float)):
        return ("float", repr(float(value)))
    if isinstance(value, dt.date):
        return ("date", value.isoformat())
    # XML reads a line end as \n: a CR LF written inside a cell comes back as LF (openpyxl did the same)
    return ("string", str(value).replace("\r\n", "\n").replace("\r", "\n"))


def test_libreoffice_reads_every_cell_of_the_published_workbook_with_its_type(tmp_path, monkeypatch):
    import os
    import shutil
    import subprocess

    import pytest

    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice absent in CI: apt-get install -y --no-install-recommends libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) absent")
    history, indicators, repartitions = build_inputs()
    sheets, _ = _sheets_of_export(
        monkeypatch, lambda: export_all(history, indicators, repartitions, tmp_path / "out", changelog_md=CHANGELOG))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profil'}", "--headless", "--convert-to", "ods",
                    "--outdir", str(tmp_path / "ods"), str(tmp_path / "out" / XLSX_FILE)],
                   check=True, capture_output=True, timeout=300)
    read = _ods_sheets(tmp_path / "ods" / XLSX_FILE.replace(".xlsx", ".ods"))
    assert list(read) == [s.name for s in sheets] + ["colonnes"]
    for sheet in sheets:
        rows = read[sheet.name]
        fields = sheet.schema["fields"]
        assert [v for _, v in rows[0][:len(fields)]] == [f.get("title") or f["name"] for f in fields]
        count = len(sheet.columns[fields[0]["name"]])
        assert len([r for r in rows if any(v for _, v in r)]) == count + 1
        for index in range(count):
            got = rows[index + 1] + [("", "")] * len(fields)
            for position, field in enumerate(fields):
                kind, value = got[position]
                want_kind, want = _expected(sheet.columns[field["name"]][index])
                if want_kind == "float":  # LibreOffice spells 4.0 as "4"; the number is what counts
                    assert kind in ("float", "percentage") and float(value) == float(want), (sheet.name, index, field)
                elif want_kind == "boolean":  # LibreOffice keeps a logical cell as =TRUE() / =FALSE()
                    assert (kind, value) in {("boolean", want), ("float", "1" if want == "true" else "0")}, \
                        (sheet.name, index, field["name"])
                else:
                    assert (kind, value) == (want_kind, want), (sheet.name, index, field["name"])
