"""A small file is validated on lists, without pandas, and gives what the vectorised path gives.

`panorama validate` on a 60-row CSV must not import pandas, Arrow or the workbook readers (issue #12:
half a second as a process); the same file forced through the vectorised path (threshold patched)
gives the same findings and an equal table.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bench.synthetic import write_submission
from panorama.normalise import cells
from panorama.validation import rules as rules_module
from panorama.validation.rules import load_rules
from panorama.validation.submission import validate_paths, validate_submission
from support.cli_modules import run_cli

REPO = Path(__file__).resolve().parents[1]
NEVER_FOR_A_CSV = ("pandas", "pyarrow", "xlrd", "odf", "numpy", "openpyxl", "PIL")  # reports included
NEVER_TO_VALIDATE = NEVER_FOR_A_CSV  # reading and validating alone

VALIDATE = """
import json, sys
from pathlib import Path
from panorama.validation.submission import validate_paths
(result,) = validate_paths([Path(sys.argv[1])])
print(json.dumps({"accepted": result.rows_accepted, "findings": len(result.findings),
                  "modules": sorted(m for m in sys.modules if "." not in m)}))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture(scope="module")
def soixante(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "soixante.csv"
    write_submission(path, 60)
    return path


def test_validate_command_on_a_small_csv_imports_no_dataframe_library(soixante: Path, tmp_path: Path) -> None:
    reports = tmp_path / "rapports"
    run = run_cli("validate", str(soixante), "--report-dir", str(reports), cwd=tmp_path, timeout=120)
    assert run.code == 1  # the synthetic file's deliberate errors block
    assert not set(NEVER_FOR_A_CSV) & run.modules
    assert "soixante.csv : 60 ligne(s) lue(s), 57 acceptée(s) ; 3 bloquant(s)" in run.stdout
    report = json.loads((reports / "soixante.csv.rapport.json").read_text(encoding="utf-8"))
    assert (report["lignes_lues"], report["lignes_acceptees"], report["nombre_de_constats"]) == (60, 57, 6)
    assert report["par_gravite"]["bloquant"] == 3
    assert {"soixante.csv.rapport.html", "soixante.csv.rapport.md", "synthese.md"} <= {p.name for p in reports.iterdir()}


def test_reading_and_validating_a_small_csv_imports_neither_pandas_nor_numpy(soixante: Path) -> None:
    run = subprocess.run([sys.executable, "-c", VALIDATE, str(soixante)], capture_output=True, text=True,
                         env=_env(), timeout=120, check=True)
    outcome = json.loads(run.stdout)
    assert (outcome["accepted"], outcome["findings"]) == (57, 6)
    assert not set(NEVER_TO_VALIDATE) & set(outcome["modules"])


def _both_paths(monkeypatch: pytest.MonkeyPatch, paths: list[Path]):
    small = validate_paths(paths)
    monkeypatch.setattr(cells, "SMALL_TABLE_ROWS", 0)
    large = validate_paths(paths)
    return small, large


def test_the_small_and_the_vectorised_path_give_the_same_findings_and_table(
        soixante: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (small,), (large,) = _both_paths(monkeypatch, [soixante])
    assert small.cells is not None and small.frame is None  # nothing built a DataFrame yet
    assert [vars(f) for f in small.findings] == [vars(f) for f in large.findings]
    assert (small.rows_accepted, small.project_names, small.labels) == (large.rows_accepted, large.project_names,
                                                                        large.labels)
    pd.testing.assert_frame_equal(small.table, large.table, check_exact=True)
    assert list(small.table.dtypes) == list(large.table.dtypes)


def test_dates_beyond_what_a_table_holds_are_not_dates_on_both_paths(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Years such as 0201 or 9999 (a typo, a placeholder): a warning on both paths, never a crash.

    The vectorised path (files of 5,000 rows and more) used to stop on them with an internal error."""
    import csv

    path = tmp_path / "dates.csv"
    write_submission(path, 12)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("date_debut")
    odd = ["12/05/0201", "3000-01-01", "15/03/1500", "01/01/9999", "1677-09-21", "2262-04-12"]
    for row, value in zip(rows[1:], odd):
        row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    (small,), (large,) = _both_paths(monkeypatch, [path])
    assert [vars(f) for f in small.findings] == [vars(f) for f in large.findings]
    flagged = {f.row: f for f in large.findings if f.field == "date_debut"}
    assert set(flagged) >= set(range(2, 2 + len(odd)))
    assert all(flagged[r].severity == "avertissement" and "date" in flagged[r].message for r in range(2, 2 + len(odd)))
    pd.testing.assert_frame_equal(small.table, large.table, check_exact=True)
    kept = large.table[large.table["_ligne"] < 2 + len(odd)]
    assert len(kept) and kept["date_debut"].isna().all()  # kept projects, without a start date


def test_duplicates_across_small_files_match_the_vectorised_check(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_submission(first, 30, seed=1)
    write_submission(second, 30, seed=1)  # the same projects: each one declared twice
    small, large = _both_paths(monkeypatch, [first, second])
    for a, b in zip(small, large):
        assert [vars(f) for f in a.findings] == [vars(f) for f in b.findings]
        pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    assert any(f.type == "projet-en-double" and "du fichier « a.csv »" in f.message for f in small[1].findings)
    assert small[1].rows_accepted == 0 < small[0].rows_accepted


def test_rules_are_loaded_once_per_folder_and_again_when_a_rule_file_changes(tmp_path: Path) -> None:
    rules_module._LOADED.clear()
    first = load_rules(tmp_path)
    assert load_rules(tmp_path) is first
    (tmp_path / "politique.toml").write_text('[gravite]\ndate-debut-future = "bloquant"\n', encoding="utf-8")
    changed = load_rules(tmp_path)
    assert changed is not first and changed.digest != first.digest
    assert changed.policy.severity("date-debut-future", "date_debut") == "bloquant"
    (tmp_path / "politique.toml").write_text('[gravite]\ncode-inconnu = "bloquant"\n', encoding="utf-8")
    with pytest.raises(Exception, match="code-inconnu"):
        load_rules(tmp_path)


def test_a_small_table_is_built_only_when_asked_for(soixante: Path) -> None:
    result = validate_submission(soixante)
    assert result.frame is None and result.rows_accepted == 57
    table = result.table
    assert len(table) == 57 and result.frame is table
    assert table["_ligne"].dtype == "int64" and table["cout_estime_meur"].dtype == "float64"


def test_a_text_column_reads_the_same_from_the_lists_and_from_the_table(soixante: Path) -> None:
    result = validate_submission(soixante)
    codes = result.column("ministere_code")
    assert result.frame is None and len(codes) == 57
    assert codes == result.table["ministere_code"].tolist() == result.column("ministere_code")


def test_an_edition_table_built_from_the_lists_equals_the_files_tables_put_together() -> None:
    """The edition's table is built once from every small file's lists: the same frame as the files'
    own tables concatenated and sorted (the way a mix of big and small files is assembled)."""
    from panorama.edition import discover_editions
    from panorama.validation.submission import validate_edition

    edition = discover_editions(REPO / "data" / "raw")[-1]
    validation = validate_edition(edition)
    assert all(r.frame is None for r in validation.kept)  # nothing built yet
    once = validation.table
    together = pd.concat([r.table for r in validation.kept if len(r.table)], ignore_index=True)
    together = together.sort_values(["ministere_code", "nom_projet", "_fichier", "_ligne"], kind="mergesort",
                                    na_position="last").reset_index(drop=True)
    assert len(once) > 50 and once["_fichier"].nunique() > 5
    pd.testing.assert_frame_equal(once, together)
