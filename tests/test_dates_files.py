"""Start dates in real files, written the way each ministry's tool writes them, read end to end.

French Excel's CSV export (cp1252, ";", dates as displayed: "juil.-19"), openpyxl workbooks with
real date cells and number formats (1900 and 1904 date systems) and with text dates, an ODS from
odfpy with date cells, an XLS from xlwt. Each goes through `validate_submission`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from panorama.findings.catalog import severity_of
from panorama.normalise import cells
from panorama.validation.submission import validate_submission
from tests.support.files import write_csv, write_ods, write_xls

HEADER = ["Nom du projet", "Ministère porteur", "Projet interministériel", "Début", "Phase du projet en cours",
          "Coût estimé", "Durée prévisionnelle en année"]

# (cell as French Excel displays it in a CSV export, the day it means)
CSV_DATES = [
    ("juil.-19", "2019-07-01"), ("janv-20", "2020-01-01"), ("févr.-21", "2021-02-01"), ("déc.-18", "2018-12-01"),
    ("sept. 21", "2021-09-01"), ("août-17", "2017-08-01"), ("Mars 2022", "2022-03-01"), ("juillet 2011", "2011-07-01"),
    ("01/07/2014", "2014-07-01"), ("1/7/14", "2014-07-01"), ("01.07.2014", "2014-07-01"), ("01-07-2014", "2014-07-01"),
    ("2014-07-01", "2014-07-01"), ("2020-03", "2020-03-01"), ("1er juillet 2019", "2019-07-01"),
    ("15 mars 2020", "2020-03-15"), ("T1 2020", "2020-01-01"), ("1er trimestre 2020", "2020-01-01"),
    ("Q3 2021", "2021-07-01"), ("S2 2019", "2019-07-01"), ("2e semestre 2019", "2019-07-01"), ("2019", "2019-01-01"),
    ("43647", "2019-07-01"),
]


def _row(name: str, start: object) -> list[object]:
    return [name, "SPM", "Non", start, "Déploiement", "12,5", "3"]


def _dates(result) -> list[str | None]:
    return [None if pd.isna(v) else v.date().isoformat() for v in result.table["date_debut"]]


def _not_info(result) -> list:
    return [f for f in result.findings if f.severity.value != "information"]


@pytest.fixture(params=["cellule par cellule", "colonnes"])
def both_paths(request, monkeypatch):
    """Small tables go through lists, large ones through columns: both must read dates alike."""
    if request.param == "colonnes":
        monkeypatch.setattr(cells, "SMALL_TABLE_ROWS", 0)
    return request.param


def test_french_excel_csv_export_dates_as_displayed(tmp_path: Path, both_paths: str) -> None:
    rows = [HEADER, *[_row(f"PROJET {i}", cell) for i, (cell, _) in enumerate(CSV_DATES)]]
    path = write_csv(tmp_path / "MI_panorama.csv", rows, delimiter=";", encoding="cp1252")
    result = validate_submission(path)
    assert result.encoding == "cp1252" and result.delimiter == ";"
    assert _not_info(result) == []
    assert _dates(result) == [day for _, day in CSV_DATES]


def test_impossible_dates_say_why_once_with_row_and_column(tmp_path: Path, both_paths: str) -> None:
    rows = [HEADER, _row("A", "juil.-19"), _row("B", "31/02/2020"), _row("C", "2024-13-01"), _row("D", "T5 2020"),
            _row("E", "hier")]
    result = validate_submission(write_csv(tmp_path / "remontee.csv", rows, delimiter=";", encoding="cp1252"))
    found = [(f.type, f.row, f.column) for f in _not_info(result)]
    assert found == [("type-error", 3, "Début"), ("type-error", 4, "Début"), ("type-error", 5, "Début"),
                     ("type-error", 6, "Début")]  # one finding per cell: the schema check does not repeat it
    by_row = {f.row: f for f in result.findings}
    assert "31/02/2020" in by_row[3].message and "le 31 février 2020 n'existe pas" in by_row[3].message
    assert "ligne 3" in by_row[3].message and "« Début »" in by_row[3].message
    assert "le mois 13 n'existe pas" in by_row[4].message
    assert "le trimestre 5 n'existe pas" in by_row[5].message
    assert by_row[3].value == "31/02/2020" and "juillet 2013" in by_row[3].expected
    assert by_row[3].severity == severity_of("type-error")
    assert "impossible" not in by_row[6].message  # "hier" is no date form at all: the schema check's message


def _openpyxl_workbook(path: Path, epoch_1904: bool) -> Path:
    """Date cells with the number formats ministries use, text dates beside them, a bare day number."""
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = Workbook()
    if epoch_1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Panorama"
    ws.append(HEADER)
    for i, (value, number_format) in enumerate([
        (dt.datetime(2019, 7, 1), "mmm-yy"), (dt.datetime(2011, 7, 1), "mmmm yyyy"),
        (dt.datetime(2014, 7, 1), "dd/mm/yyyy"), (dt.date(2020, 3, 15), "d mmmm yyyy"),
        ("juil.-19", "@"), ("janv-20", "General"), ("01/07/2014", "@"), ("2e semestre 2019", "General"),
        (2019.0, "General"),
    ]):
        ws.append(_row(f"PROJET {i}", value))
        ws.cell(row=i + 2, column=4).number_format = number_format
    wb.save(path)
    return path


XLSX_EXPECTED = ["2019-07-01", "2011-07-01", "2014-07-01", "2020-03-15", "2019-07-01", "2020-01-01", "2014-07-01",
                 "2019-07-01", "2019-01-01"]


@pytest.mark.parametrize("epoch_1904", [False, True], ids=["système 1900", "système 1904"])
def test_openpyxl_workbook_date_cells_and_text_dates(tmp_path: Path, epoch_1904: bool) -> None:
    result = validate_submission(_openpyxl_workbook(tmp_path / "MEF.xlsx", epoch_1904))
    assert _not_info(result) == []
    assert _dates(result) == XLSX_EXPECTED


def test_ods_date_cells_and_text_dates(tmp_path: Path) -> None:
    rows = [HEADER, _row("A", dt.date(2016, 11, 1)), _row("B", "nov. 2016"), _row("C", "T4 2016"), _row("D", 2016)]
    result = validate_submission(write_ods(tmp_path / "MTSS.ods", {"Projets": rows}))
    assert _not_info(result) == []
    assert _dates(result) == ["2016-11-01", "2016-11-01", "2016-10-01", "2016-01-01"]


def test_xls_date_cells_and_text_dates(tmp_path: Path) -> None:
    rows = [HEADER, _row("A", dt.date(2012, 1, 1)), _row("B", "janv.-12"), _row("C", "1er semestre 2012"),
            _row("D", 40909.0)]
    result = validate_submission(write_xls(tmp_path / "MJ.xls", {"Feuil1": rows}))
    assert _not_info(result) == []
    assert _dates(result) == ["2012-01-01", "2012-01-01", "2012-01-01", "2012-01-01"]
