"""A header below the rows where it is looked for is named as such, not as a separator problem."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

PANORAMA = Path(sys.executable).parent / "panorama"
HEADER = ["Nom du projet", "Ministère porteur", "Coût estimé", "Durée prévisionnelle en année"]
ROWS = [["SIRHEN", "MENJ", "12,5", "6"], ["PNR", "MI", "30", "4"]]


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(PANORAMA), "validate", str(path)], capture_output=True, text=True, timeout=120)


def _csv(path: Path, preamble: list[str], encoding: str = "cp1252") -> Path:
    lines = preamble + [";".join(HEADER)] + [";".join(r) for r in ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("preamble", [
    [f"Remontée du ministère, note {i}" for i in range(35)],            # sentences with commas
    [f"Note {i} : texte sans séparateur" for i in range(45)],           # plain text lines
])
def test_csv_with_a_long_preamble_names_the_header_row(tmp_path: Path, preamble: list[str]) -> None:
    result = _validate(_csv(tmp_path / "MI_panorama.csv", preamble))
    assert result.returncode == 2
    out = result.stdout + result.stderr
    assert "30 premières lignes non vides" in out and "lignes de t" in out
    assert "séparateur de colonnes" not in out and "Traceback" not in out


def test_workbook_with_a_long_preamble_names_the_sheet_and_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Remontée"
    for i in range(40):
        ws.append([f"Consigne {i} : remplir une ligne par projet"])
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    path = tmp_path / "MI_panorama.xlsx"
    wb.save(path)
    result = _validate(path)
    assert result.returncode == 2
    assert "feuille « Remontée », ligne 41" in result.stdout + result.stderr


def test_a_short_preamble_is_still_read(tmp_path: Path) -> None:
    result = _validate(_csv(tmp_path / "MI_panorama.csv", ["Panorama des grands projets", "Édition de juin"]))
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "premières lignes non vides" not in result.stdout + result.stderr
