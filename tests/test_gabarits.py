"""`panorama new-edition` and its templates: the identifiers travel with the projects.

The templates are written by the command itself, edited with openpyxl (as a script or a person's
spreadsheet would write them) and, where said, converted by LibreOffice headless to ODS and back.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from panorama.cli.diff import compute_diff
from panorama.edition import discover_editions
from panorama.model import project_fields
from panorama.pipeline import build_history, validate_all
from panorama.gabarits import DATA_SHEET, INSTRUCTIONS_SHEET, PREVIOUS_SHEET
from panorama.reading import read_submission
from panorama.normalise.headers import header_score

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "2025-06"
MONTH = "2025-12"


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", "from panorama.cli import main; main()", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope="module")
def created(tmp_path_factory) -> Path:
    """A raw folder holding the sample edition 2025-06, after `panorama new-edition 2025-12`."""
    base = tmp_path_factory.mktemp("gabarits")
    shutil.copytree(SAMPLE, base / "raw" / "2025-06")
    done = _cli("new-edition", MONTH, "--raw", str(base / "raw"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return base


def _fresh(created: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the raw folder with the new edition, and the templates folder."""
    raw = tmp_path / "raw"
    shutil.copytree(created / "raw", raw)
    return raw, created / "gabarits" / MONTH


def _drop_all(templates: Path, raw: Path, skip: tuple[str, ...] = ()) -> None:
    for path in sorted(templates.glob("*.xlsx")):
        if not path.name.startswith(skip):
            shutil.copy(path, raw / MONTH / path.name)


def _row_of(ws, name: str) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=4).value == name:
            return row
    raise AssertionError(f"{name} absent")


def test_new_edition_writes_edition_toml_and_one_template_per_ministry(created: Path) -> None:
    meta = tomllib.loads((created / "raw" / MONTH / "edition.toml").read_text(encoding="utf-8"))
    assert meta["numero"] == 22
    assert meta["date_publication"] == dt.date(2025, 12, 31)
    assert meta["libelle"] == "22e édition (décembre 2025)"
    names = sorted(p.name for p in (created / "gabarits" / MONTH).iterdir())
    assert "MJ_panorama_2025-12.xlsx" in names and len(names) == 11


def _edit_mj(source: Path, target: Path) -> tuple[str, str]:
    """A person's edits to the MJ template: rename + new cost + new phase, a row deleted, a row added."""
    wb = openpyxl.load_workbook(source)
    ws = wb[DATA_SHEET]
    col = {c.value: i + 1 for i, c in enumerate(ws[1])}
    portalis = _row_of(ws, "Portalis")
    ident = ws.cell(row=portalis, column=1).value
    ws.cell(row=portalis, column=4).value = "Portalis (portail du justiciable)"  # renamed, same identifier
    ws.cell(row=portalis, column=col["Coût estimé (M€)"]).value = 300.5  # edited value
    ws.cell(row=portalis, column=col["Phase du projet en cours"]).value = "Déploiement"
    removed = _row_of(ws, "PRISME (SI des greffes pénitentiaires)")
    removed_id = ws.cell(row=removed, column=1).value
    ws.delete_rows(removed)
    new = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=4).value is None)
    for title, value in (("Code du ministère porteur", "MJ"), ("Ministère porteur", "Ministère de la Justice"),
                         ("Nom du projet", "NOUVEAU SI"), ("Projet interministériel", "Non"),
                         ("Date de début du projet", dt.datetime(2025, 9, 1)),
                         ("Durée prévisionnelle (années)", 4), ("Phase du projet en cours", "Cadrage"),
                         ("Tranche de coût", "en cadrage")):
        ws.cell(row=new, column=col[title]).value = value
    wb.save(target)
    return ident, removed_id


def test_template_layout_protection_lists_and_formats(created: Path) -> None:
    wb = openpyxl.load_workbook(created / "gabarits" / MONTH / "MJ_panorama_2025-12.xlsx")
    assert wb.sheetnames[:3] == [INSTRUCTIONS_SHEET, DATA_SHEET, PREVIOUS_SHEET]
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[1]]
    assert header[0] == "Identifiant du projet" and "Coût estimé (M€)" in header
    assert ws.protection.sheet and ws["A2"].protection.locked and not ws["D2"].protection.locked
    assert ws["A2"].value.startswith("mj-")
    projects = [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=4).value]
    assert len(projects) == 5  # the five MJ projects of 2025-06, then empty rows for new ones
    assert ws.max_row >= 5 + 1 + 20 and ws.cell(row=ws.max_row, column=4).value is None
    cost = header.index("Coût estimé (M€)") + 1
    assert "M€" in ws.cell(row=2, column=cost).number_format
    start = header.index("Date de début du projet") + 1
    assert isinstance(ws.cell(row=2, column=start).value, dt.datetime)
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    phase_col = openpyxl.utils.get_column_letter(header.index("Phase du projet en cours") + 1)
    assert "Listes" in lists[phase_col]
    listed = [c.value for c in wb["Listes"]["A"] if c.value]
    assert listed[0] == "Cadrage" and "Révision de trajectoire" in listed
    instructions = " ".join(str(c.value) for row in wb[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    assert "Identifiant stable du projet" in instructions  # the schema's description
    assert wb[PREVIOUS_SHEET].cell(row=1, column=4).value == "Nom du projet (2025-06)"


def test_reader_reads_the_data_sheet_not_the_instructions(created: Path) -> None:
    raw = read_submission(created / "gabarits" / MONTH / "MJ_panorama_2025-12.xlsx", header_score=header_score)
    assert raw.sheet == DATA_SHEET and raw.rows_read == 5


def test_unchanged_templates_give_the_same_projects_and_identifiers(created: Path, tmp_path: Path) -> None:
    raw, templates = _fresh(created, tmp_path)
    _drop_all(templates, raw)
    diff, warnings = compute_diff(raw, MONTH, False)
    assert (diff.entrants, diff.sortants, diff.renommages) == ([], [], [])
    assert diff.ecarts_cout == [] and diff.ecarts_duree == [] and diff.changements_phase == []
    assert warnings == []
    figures = {f["indicateur"]: f for f in diff.chiffres}
    assert figures["nombre_projets"]["avant"] == figures["nombre_projets"]["apres"] == 53
    assert figures["cout_total_meur"]["ecart"] == 0
    identity = build_history(validate_all(discover_editions(raw)), raw)
    history, links = identity.history, identity.links
    assert set(links.loc[links["edition"] == MONTH, "source"]) == {"identifiant fourni"}  # no matcher involved
    fields = project_fields()
    before = history[history["edition"] == "2025-06"].set_index("identifiant")[fields[1:]].sort_index()
    after = history[history["edition"] == MONTH].set_index("identifiant")[fields[1:]].sort_index()
    pd.testing.assert_frame_equal(before, after)  # every value read back as it was published


def test_edited_renamed_removed_and_new_rows_do_what_a_person_expects(created: Path, tmp_path: Path) -> None:
    raw, templates = _fresh(created, tmp_path)
    _drop_all(templates, raw, skip=("MJ_",))
    ident, removed_id = _edit_mj(templates / "MJ_panorama_2025-12.xlsx", raw / MONTH / "MJ_panorama_2025-12.xlsx")
    _check_edits(raw, ident, removed_id)


def _check_edits(raw: Path, ident: str, removed_id: str) -> None:
    diff, _ = compute_diff(raw, MONTH, False)
    assert [p["nom_projet"] for p in diff.entrants] == ["NOUVEAU SI"]
    assert diff.entrants[0]["identifiant"] == "mj-nouveau-si"
    assert [p["identifiant"] for p in diff.sortants] == [removed_id]
    assert [(r["identifiant"], r["nouveau_nom"], r["source"]) for r in diff.renommages] == [
        (ident, "Portalis (portail du justiciable)", "identifiant porté")]
    assert [(c["identifiant"], c["apres"]) for c in diff.ecarts_cout] == [(ident, 300.5)]
    assert [(c["identifiant"], c["apres"]) for c in diff.changements_phase] == [(ident, "Déploiement")]


def test_a_ministry_sending_nothing_is_named_and_its_projects_leave(created: Path, tmp_path: Path) -> None:
    raw, templates = _fresh(created, tmp_path)
    _drop_all(templates, raw, skip=("MC_",))
    diff, warnings = compute_diff(raw, MONTH, False)
    assert [m["ministere_code"] for m in diff.ministeres_absents] == ["MC"]
    assert len(diff.sortants) == 3 and diff.non_recus == []
    assert any("Ministère de la Culture (MC)" in w and "n'a rien envoyé" in w for w in warnings)


def test_partial_edition_does_not_count_an_absent_ministry_as_leaving(created: Path, tmp_path: Path) -> None:
    raw, templates = _fresh(created, tmp_path)
    _drop_all(templates, raw, skip=("MC_",))
    toml = raw / MONTH / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "publication_partielle = true\n", encoding="utf-8")
    diff, _ = compute_diff(raw, MONTH, False)
    assert diff.edition_partielle and diff.sortants == [] and len(diff.non_recus) == 3
    figures = {f["indicateur"]: f for f in diff.chiffres}
    assert figures["projets_sortants"]["apres"] == 0


@pytest.mark.parametrize("month, fragment", [
    ("2025-13", "AAAA-MM"), ("décembre", "AAAA-MM"), ("2025-06", "existe déjà"), ("2025-03", "précéderait"),
])
def test_new_edition_refusals_are_french_exit_2_and_write_nothing(tmp_path: Path, month: str, fragment: str) -> None:
    shutil.copytree(SAMPLE, tmp_path / "raw" / "2025-06")
    done = _cli("new-edition", month, "--raw", str(tmp_path / "raw"), "--templates", str(tmp_path / "g"))
    text = " ".join((done.stdout + done.stderr).split())  # the terminal wraps long lines
    assert done.returncode == 2 and fragment in text and "Traceback" not in text
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == ["2025-06"] and not (tmp_path / "g").exists()


def test_help_is_french() -> None:
    for command in ("new-edition", "diff"):
        done = _cli(command, "--help")
        assert done.returncode == 0 and ("Créer une édition" in done.stdout or "Avant de publier" in done.stdout)


# LibreOffice headless: the tool many ministries use. Skipped without soffice, except in CI.
SOFFICE = shutil.which("soffice")


def _soffice_convert(files: list[Path], target: str, out: Path, profile: Path) -> list[Path]:
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                    "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=300)
    return sorted(out.iterdir())


@pytest.fixture()
def soffice() -> str:
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice absent in CI: apt-get install -y --no-install-recommends libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) absent")
    return SOFFICE


def test_libreoffice_round_trip_keeps_identifiers_and_edits(soffice: str, created: Path, tmp_path: Path) -> None:
    """Edited with openpyxl, saved by LibreOffice as ODS, then back to XLSX: both read the same."""
    raw, templates = _fresh(created, tmp_path)
    edited = tmp_path / "edited"
    edited.mkdir()
    for path in templates.glob("*.xlsx"):
        shutil.copy(path, edited / path.name)
    ident, removed_id = _edit_mj(edited / "MJ_panorama_2025-12.xlsx", edited / "MJ_panorama_2025-12.xlsx")
    profile = tmp_path / "profil-libreoffice"
    ods = _soffice_convert(sorted(edited.glob("*.xlsx")), "ods", tmp_path / "ods", profile)
    assert len(ods) == 11
    back = _soffice_convert(ods, "xlsx", tmp_path / "xlsx", profile)
    ods_raw = tmp_path / "raw-ods"
    shutil.copytree(raw, ods_raw)
    for path in ods:
        shutil.copy(path, ods_raw / MONTH / path.name)
    for path in back:
        shutil.copy(path, raw / MONTH / path.name)
    back_wb = openpyxl.load_workbook(raw / MONTH / "MJ_panorama_2025-12.xlsx")
    assert back_wb[DATA_SHEET].protection.sheet  # LibreOffice kept the protection
    _check_edits(raw, ident, removed_id)
    _check_edits(ods_raw, ident, removed_id)


def test_diff_refusals_are_french_exit_2(created: Path, tmp_path: Path) -> None:
    missing = _cli("diff", "--raw", str(tmp_path / "absent"))
    published = tmp_path / "publiees"  # the editions already filled (the new one waits for its files)
    shutil.copytree(created / "raw" / "2025-06", published / "2025-06")
    unknown = _cli("diff", "2031-01", "--raw", str(published))
    for done, fragment in ((missing, "introuvable"), (unknown, "« 2031-01 » introuvable")):
        text = " ".join((done.stdout + done.stderr).split())
        assert done.returncode == 2 and fragment in text and "Traceback" not in text
