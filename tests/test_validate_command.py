"""`validate_command` on bad inputs: a clear French message, the right exit code, only reports written."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from panorama.cli.validate import validate_command

HEADER = ["Nom du projet", "Ministère porteur", "Projet interministériel", "Début", "Phase du projet en cours"]
GOOD = ["FRANCE CONNECT", "SPM", "Oui", "juillet 2013", "Déploiement"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _run(capsys, paths, report_dir, fmt="text"):
    code = validate_command([Path(p) for p in paths], report_dir, fmt)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_file_exits_0_and_writes_reports(tmp_path, capsys):
    src = _write(tmp_path / "spm.csv", [HEADER, GOOD])
    code, text = _run(capsys, [src], tmp_path / "rapports")
    assert code == 0 and "aucun constat bloquant" in text
    assert _files(tmp_path / "rapports") == ["spm.csv.rapport.html", "spm.csv.rapport.json", "spm.csv.rapport.md",
                                                 "synthese.html", "synthese.json", "synthese.md"]


def test_missing_path_exits_2_and_writes_nothing(tmp_path, capsys):
    code, text = _run(capsys, [tmp_path / "absent.csv"], tmp_path / "rapports")
    assert code == 2 and "Chemin introuvable" in text and "absent.csv" in text
    assert _files(tmp_path / "rapports") == []


def test_empty_file_exits_2(tmp_path, capsys):
    (tmp_path / "vide.csv").write_bytes(b"")
    code, text = _run(capsys, [tmp_path / "vide.csv"], tmp_path / "rapports")
    assert code == 2 and "vide.csv" in text and "Aucun rapport écrit" in text
    assert _files(tmp_path / "rapports") == []


def test_binary_junk_exits_2(tmp_path, capsys):
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 40)
    code, text = _run(capsys, [tmp_path / "junk.csv"], tmp_path / "rapports")
    assert code == 2 and "junk.csv" in text and "illisible" in text
    assert _files(tmp_path / "rapports") == []


def test_header_only_exits_1(tmp_path, capsys):
    src = _write(tmp_path / "entete.csv", [HEADER])
    code, text = _run(capsys, [src], tmp_path / "rapports")
    assert code == 1 and "aucune ligne de projet" in text
    report = json.loads((tmp_path / "rapports" / "entete.csv.rapport.json").read_text(encoding="utf-8"))
    assert [c["type"] for c in report["constats"]] == ["fichier-sans-donnees"]


def test_ragged_rows_exit_1(tmp_path, capsys):
    src = _write(tmp_path / "bancal.csv", [HEADER, [*GOOD, "en trop"], ["PNR", "MI", "Non", "2011-07-01", "Cadrage"]])
    code, text = _run(capsys, [src], tmp_path / "rapports")
    assert code == 1
    report = json.loads((tmp_path / "rapports" / "bancal.csv.rapport.json").read_text(encoding="utf-8"))
    assert "extra-cell" in report["par_type"] and report["lignes_acceptees"] == 1


def test_duplicated_header_exits_1(tmp_path, capsys):
    src = _write(tmp_path / "doublon.csv", [[*HEADER, "Début"], [*GOOD, "2013-07-01"]])
    code, text = _run(capsys, [src], tmp_path / "rapports")
    assert code == 1 and "Début" in text and "même champ" in text


def test_one_megabyte_cell_exits_1_with_a_clipped_value(tmp_path, capsys):
    src = _write(tmp_path / "gros.csv", [HEADER, ["x" * 1_000_000, "SPM", "Oui", "2013-07-01", "Cadrage"]])
    code, text = _run(capsys, [src], tmp_path / "rapports")
    assert code == 1 and "trop longue" in text
    assert len(text) < 20_000
    report = (tmp_path / "rapports" / "gros.csv.rapport.json").read_text(encoding="utf-8")
    assert len(report) < 20_000 and "1000000 caractères" in report


def test_odd_file_name_is_reported_inside_the_folder(tmp_path, capsys):
    src = _write(tmp_path / "Remontée [MI] ; $(rm -rf) ..csv", [HEADER, ["[bold]PNR[/bold]", "MI", "Non", "2011-07-01", "Inconnue"]])
    code, text = _run(capsys, [src], tmp_path / "rapports")
    assert code == 0 and "« Inconnue »" in text  # an unknown phase warns (politique de gravité)
    assert "Remontée [MI] ; $(rm -rf) ..csv" in text  # printed literally, not read as rich markup
    names = _files(tmp_path / "rapports")
    assert len(names) == 6 and all("/" not in n and not n.startswith(".") for n in names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["rapports", src.name])


def test_json_format(tmp_path, capsys):
    src = _write(tmp_path / "spm.csv", [HEADER, GOOD, ["PNR", "MI", "Non", "hier", "Cadrage"]])
    code = validate_command([src], None, "json")
    out = capsys.readouterr().out
    payload = json.loads(out)
    assert code == payload["code_sortie"] == 0 and payload["rapports"] == []  # an unreadable date warns
    assert payload["fichiers"][0]["par_type"] == {"type-error": 1}


def test_edition_folder_and_partial(tmp_path, capsys):
    folder = tmp_path / "2017-02"
    folder.mkdir()
    (folder / "edition.toml").write_text('numero = 2\ndate_publication = 2017-02-28\nlibelle = "2e"\n', encoding="utf-8")
    _write(folder / "a.csv", [HEADER, GOOD])
    _write(folder / "b.csv", [HEADER, ["", "MI", "Non", "2011-07-01", "Cadrage"]])  # no project name: blocks
    code, text = _run(capsys, [folder], tmp_path / "r1")
    assert code == 1 and "Édition 2017-02" in text
    code = validate_command([folder], tmp_path / "r2", partial=True)
    text = capsys.readouterr().out
    assert code == 0 and "Fichiers écartés (publication partielle) : b.csv" in text
    assert "synthese.json" in _files(tmp_path / "r2")


def test_unreadable_among_good_files_exits_2_and_writes_nothing(tmp_path, capsys):
    good = _write(tmp_path / "a.csv", [HEADER, GOOD])
    (tmp_path / "b.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    code, text = _run(capsys, [good, tmp_path / "b.xlsx"], tmp_path / "rapports")
    assert code == 2 and "b.xlsx" in text
    assert _files(tmp_path / "rapports") == []
