"""Issue 13, class 3: what a person sees is what is read.

A hidden or very hidden sheet (XLSX sheet_state, ODS table:display="false" through the table
style, XLS BOUNDSHEET visibility) is never preferred to a visible one, even when it holds a
better-looking table (an old copy); it is read only when no visible sheet holds anything, with a
warning. The report says which sheet was read and which were passed over, and why.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from panorama.findings.core import Severity
from panorama.normalise import header_score
from panorama.reading import read_submission
from tests.support import files as F

OLD = [F.HEADER, ["MI", "ANCIEN PROJET", "Non", "01/01/2010", "2", "10", "Cadrage"]]
CURRENT = [F.HEADER, *F.PROJECTS]
NOTES = [["Notice"], ["Remplir la feuille des projets puis envoyer le fichier à la DINUM."]]


def _rows(table) -> list[list[str]]:
    return [[c if c is not None else "" for c in row] for row in table.data.itertuples(index=False)]


def _by_type(table) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in table.findings:
        out.setdefault(f.type, []).append(f)
    return out


def _xlsx(path: Path, sheets: dict[str, tuple[list, str]]) -> Path:
    """openpyxl workbook; each sheet with its rows and state ("visible", "hidden", "veryHidden")."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, (rows, state) in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    wb.active = next((i for i, (_, state) in enumerate(sheets.values()) if state == "visible"), 0)
    wb.save(path)
    return path


def _ods(path: Path, sheets: dict[str, tuple[list, str]]) -> Path:
    """odfpy document; a hidden sheet has a table style whose table-properties say display="false"."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    shown = Style(name="ta1", family="table")
    shown.addElement(TableProperties(display="true"))
    hidden = Style(name="ta2", family="table")
    hidden.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(shown)
    doc.automaticstyles.addElement(hidden)
    for name, (rows, state) in sheets.items():
        table = Table(name=name, stylename=hidden if state != "visible" else shown)
        for row in rows:
            tr = TableRow()
            for value in row:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def _xls(path: Path, sheets: dict[str, tuple[list, str]]) -> Path:
    """xlwt workbook; visibility 1 (hidden) or 2 (very hidden) in the BOUNDSHEET record."""
    import xlwt

    wb = xlwt.Workbook()
    for name, (rows, state) in sheets.items():
        ws = wb.add_sheet(name)
        ws.visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}[state]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write(r, c, value)
    wb.save(str(path))
    return path


WRITERS = {"xlsx": _xlsx, "ods": _ods, "xls": _xls}
STATES = {"xlsx": ["hidden", "veryHidden"], "ods": ["hidden"], "xls": ["hidden", "veryHidden"]}
CASES = [(ext, state) for ext, states in STATES.items() for state in states]


@pytest.mark.parametrize(("ext", "state"), CASES)
@pytest.mark.parametrize("scorer", [header_score, None])
def test_hidden_first_sheet_with_an_old_copy_is_passed_over(tmp_path: Path, ext: str, state: str, scorer) -> None:
    path = WRITERS[ext](tmp_path / f"classeur.{ext}", {"Ancien": (OLD, state), "Projets": (CURRENT, "visible")})
    table = read_submission(path, header_score=scorer)
    assert table.sheet == "Projets" and _rows(table) == F.PROJECTS
    found = _by_type(table)
    assert [f.sheet for f in found["feuille-lue"]] == ["Projets"]
    (ignored,) = found["feuille-ignoree"]
    assert ignored.sheet == "Ancien" and "masquée" in ignored.message
    assert "jamais préférée à une feuille visible" in ignored.message
    assert "feuille-masquee-lue" not in found


@pytest.mark.parametrize(("ext", "state"), CASES)
def test_visible_sheet_without_a_table_is_still_what_is_read(tmp_path: Path, ext: str, state: str) -> None:
    """The person sees only the notice: the hidden table is not silently taken instead."""
    path = WRITERS[ext](tmp_path / f"notice.{ext}", {"Notice": (NOTES, "visible"), "Projets": (CURRENT, state)})
    table = read_submission(path, header_score=header_score)
    assert table.sheet == "Notice"
    (ignored,) = _by_type(table)["feuille-ignoree"]
    assert ignored.sheet == "Projets" and "masquée" in ignored.message


@pytest.mark.parametrize(("ext", "state"), CASES)
def test_hidden_sheet_is_read_only_when_no_visible_sheet_holds_anything(tmp_path: Path, ext: str, state: str) -> None:
    path = WRITERS[ext](tmp_path / f"seul.{ext}", {"Vide": ([], "visible"), "Projets": (CURRENT, state)})
    table = read_submission(path, header_score=header_score)
    assert table.sheet == "Projets" and _rows(table) == F.PROJECTS
    found = _by_type(table)
    (warning,) = found["feuille-masquee-lue"]
    assert warning.severity is Severity.WARNING and "« Projets »" in warning.message
    (ignored,) = found["feuille-ignoree"]
    assert ignored.sheet == "Vide" and "(vide)" in ignored.message


@pytest.mark.parametrize("ext", ["xlsx", "ods", "xls"])
def test_reasons_for_passing_over_visible_sheets(tmp_path: Path, ext: str) -> None:
    sheets = {"Couverture": (NOTES, "visible"), "Projets": (CURRENT, "visible"), "Brouillon": ([], "visible"),
              "Autre": ([["Nom du projet", "x", "y"], ["A", "1", "2"]], "visible")}
    table = read_submission(WRITERS[ext](tmp_path / f"raisons.{ext}", sheets), header_score=header_score)
    assert table.sheet == "Projets"
    why = {f.sheet: f.message for f in _by_type(table)["feuille-ignoree"]}
    assert "aucune ligne d'en-têtes reconnue" in why["Couverture"]
    assert "(vide)" in why["Brouillon"]
    assert "en-têtes moins reconnus" in why["Autre"]
