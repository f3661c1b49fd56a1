"""Reports: per submission JSON + Markdown, per edition summary; safe names, determinism, limits."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_validation import HEADER, raw_table, row  # noqa: E402  (same builders, one place)

from panorama.edition import load_edition
from panorama.validation.report import safe_name, write_reports
from panorama.validation.submission import validate_edition, validate_raw_table


def _results():
    good = validate_raw_table(raw_table([row()], name="spm.csv"))
    bad = validate_raw_table(raw_table([row(Projet="A", **{"Coût estimé": "beaucoup | trop"}),
                                        row(Projet="B", **{"Coût estimé": "52,4"})], name="mi.csv"))
    return [good, bad]


def test_reports_per_submission_and_summary(tmp_path):
    paths = write_reports(_results(), tmp_path)
    assert sorted(p.name for p in paths) == [
        "mi.csv.rapport.html", "mi.csv.rapport.json", "mi.csv.rapport.md", "spm.csv.rapport.html",
        "spm.csv.rapport.json", "spm.csv.rapport.md", "synthese.html", "synthese.json", "synthese.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no temp file left
    assert all(p.stat().st_mode & 0o044 for p in paths)  # readable by others, not mkstemp's 0600
    report = json.loads((tmp_path / "mi.csv.rapport.json").read_text(encoding="utf-8"))
    assert report["bloquant"] is True and report["lignes_lues"] == 2 and report["lignes_acceptees"] == 1
    assert report["par_gravite"] == {"bloquant": 1, "avertissement": 1, "information": 0}
    assert report["par_type"] == {"tranche-incoherente": 1, "type-error": 1}
    first = report["constats"][0]
    assert (first["ligne"], first["colonne"], first["valeur"]) == (2, "Coût estimé", "beaucoup | trop")
    assert first["message"] and first["attendu"] and report["constats_non_listes"] == 0
    md = (tmp_path / "mi.csv.rapport.md").read_text(encoding="utf-8")
    assert "| Gravité | Projet | Ligne | Colonne | Valeur | Problème | Forme attendue | Suggestion |" in md
    assert "type-error" not in md and md.index("| Bloquant |") < md.index("| Avertissement |")
    assert "beaucoup \\| trop" in md and "**Bloquant**" in md
    summary = json.loads((tmp_path / "synthese.json").read_text(encoding="utf-8"))
    assert [f["fichier"] for f in summary["fichiers"]] == ["spm.csv", "mi.csv"]
    assert summary["fichiers"][0]["sha256"] == "0" * 64
    assert summary["totaux"]["par_gravite"]["bloquant"] == 1 and summary["fichiers_bloquants"] == ["mi.csv"]
    assert "| spm.csv |" in (tmp_path / "synthese.md").read_text(encoding="utf-8")


def test_reports_are_deterministic(tmp_path):
    first = {p.name: p.read_bytes() for p in write_reports(_results(), tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in write_reports(_results(), tmp_path / "b")}
    assert first == second


def test_limit_says_how_many_were_left_out(tmp_path):
    rows = [row(Projet=f"P{i}", **{"Coût estimé": "beaucoup"}) for i in range(7)]
    result = validate_raw_table(raw_table(rows))
    write_reports([result], tmp_path, limit=3)
    report = json.loads((tmp_path / "remontee.csv.rapport.json").read_text(encoding="utf-8"))
    assert len(report["constats"]) == 3 and report["constats_non_listes"] == 4
    assert report["nombre_de_constats"] == 7 and report["par_type"] == {"type-error": 7}
    assert "4 autre(s) constat(s) non listé(s)" in (tmp_path / "remontee.csv.rapport.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["../../evil.csv", "..\\..\\evil.csv", "/etc/passwd", ".hidden", "a b;$(rm).csv",
                                  "Remontée été.csv", "...", "x" * 300])
def test_odd_file_names_never_write_outside(tmp_path, name):
    result = validate_raw_table(raw_table([row()], name="placeholder.csv"))
    result.file = name
    folder = tmp_path / "rapports"
    paths = write_reports([result], folder)
    assert all(p.parent == folder.resolve() for p in paths)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["rapports"]
    assert all(not p.name.startswith(".") and len(p.name) < 160 for p in paths)
    assert safe_name(name) == safe_name(safe_name(name))


def test_two_files_with_the_same_safe_name_get_two_reports(tmp_path):
    a = validate_raw_table(raw_table([row()], name="a b.csv"))
    b = validate_raw_table(raw_table([row()], name="a_b.csv"))
    names = sorted(p.name for p in write_reports([a, b], tmp_path))
    assert "a_b.csv.rapport.json" in names and "a_b.csv-2.rapport.json" in names


def test_edition_summary_lists_dropped_files(tmp_path):
    import csv
    folder = tmp_path / "2017-02"
    folder.mkdir()
    (folder / "edition.toml").write_text('numero = 2\ndate_publication = 2017-02-28\nlibelle = "2e"\n'
                                        "publication_partielle = true\n", encoding="utf-8")
    for name, rows in (("a.csv", [row()]), ("b.csv", [row(Projet="B", **{"Coût estimé": "beaucoup"})])):
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([HEADER, *rows])
    paths = write_reports(validate_edition(load_edition(folder)), tmp_path / "out")
    summary = json.loads((tmp_path / "out" / "synthese.json").read_text(encoding="utf-8"))
    assert summary["edition"]["id"] == "2017-02" and summary["publiable"] is True
    assert summary["fichiers_ecartes"] == ["b.csv"] and summary["nombre_de_projets"] == 1
    assert len(paths) == 9
    assert "Fichiers écartés" in (tmp_path / "out" / "synthese.md").read_text(encoding="utf-8")


def test_every_finding_on_the_samples_has_a_catalogued_type() -> None:
    """Reports title findings from the catalogue: a type missing there would show as a bare code."""
    from panorama.edition import discover_editions
    from panorama.findings.catalog import CATALOG
    from panorama.validation.submission import validate_edition

    raw = Path(__file__).resolve().parents[1] / "data" / "raw"
    seen = {f.type for e in discover_editions(raw) for s in validate_edition(e).submissions for f in s.findings}
    assert seen, "the samples are meant to show findings"
    assert seen <= set(CATALOG), sorted(seen - set(CATALOG))
