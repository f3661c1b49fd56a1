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
