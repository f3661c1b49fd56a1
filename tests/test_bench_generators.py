"""The benchmarks' synthetic inputs are read by the real pipeline with the expected counts.

Small sizes only, and no timing is asserted: these tests guard the generators and the measuring
harness, so that a benchmark never times a pipeline that rejected its input.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.common import run_child  # noqa: E402
from bench.growth import growth_ratios  # noqa: E402
from bench.synthetic import FIELDS, MINISTRIES, error_rows, write_history, write_submission  # noqa: E402
from panorama.edition import discover_editions  # noqa: E402
from panorama.reading import read_submission  # noqa: E402
from panorama.findings.core import Severity  # noqa: E402
from panorama.validation.submission import validate_submission  # noqa: E402


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("headers", ["names", "labels"])
def test_submission_is_read_whole_with_every_column_recognised(tmp_path, headers):
    sample = write_submission(tmp_path / "remontee.csv", 60, headers=headers)
    raw = read_submission(sample.path)
    assert raw.rows_read == 60
    result = validate_submission(sample.path)
    assert result.rows_read == 60
    assert result.unknown_columns == []
    assert set(result.labels) == set(FIELDS)


def test_submission_errors_are_found_exactly_where_they_were_placed(tmp_path):
    sample = write_submission(tmp_path / "remontee.csv", 100)
    assert len(sample.errors) == 5
    result = validate_submission(sample.path)
    blocking_rows = {f.row for f in result.findings if f.severity is Severity.BLOCKING}
    warning_rows = {f.row for f in result.findings if f.severity is Severity.WARNING}
    # Under the severity policy an impossible date and an unknown phase warn; the rest blocks.
    warns = {row for row, kind in sample.errors.items() if kind in ("date-invalide", "phase-inconnue")}
    assert blocking_rows == set(sample.errors) - warns and warns <= warning_rows
    assert result.rows_accepted == 100 - len(blocking_rows)


def test_submission_without_errors_is_clean(tmp_path):
    sample = write_submission(tmp_path / "remontee.csv", 40, errors=False)
    result = validate_submission(sample.path)
    assert sample.errors == {}
    assert not result.blocking
    assert result.rows_accepted == 40


def test_error_rows_are_distinct_data_rows():
    placed = error_rows(1000)
    assert len(placed) == len(set(placed.values())) == 5
    assert all(2 <= row <= 1001 for row in placed)
    assert error_rows(5) == {}


def test_generators_are_deterministic(tmp_path):
    one = write_submission(tmp_path / "a" / "r.csv", 30)
    two = write_submission(tmp_path / "b" / "r.csv", 30)
    assert one.path.read_bytes() == two.path.read_bytes()
    write_history(tmp_path / "h1", editions=2, projects=20)
    write_history(tmp_path / "h2", editions=2, projects=20)
    assert _digest(tmp_path / "h1") == _digest(tmp_path / "h2")
    write_history(tmp_path / "h3", editions=2, projects=20, seed=1)
    assert _digest(tmp_path / "h1") != _digest(tmp_path / "h3")


def test_history_is_rebuilt_by_the_pipeline_with_expected_counts(tmp_path):
    from panorama.pipeline import run_pipeline

    history = write_history(tmp_path / "raw", editions=3, projects=20, churn=2)
    editions = discover_editions(history.raw_dir)
    assert [e.id for e in editions] == list(history.editions)
    assert [len(e.files) for e in editions] == [len(MINISTRIES)] * 3
    assert {p.suffix for p in history.files} == {".csv", ".xlsx"}
    result = run_pipeline(history.raw_dir, tmp_path / "out", tmp_path / "reports")
    assert not result.blocked
    assert len(result.history) == history.rows == 3 * 20
    assert result.history.groupby("edition").size().to_dict() == dict(zip(history.editions, history.rows_per_edition))
    # two projects leave and two enter at each later edition; renamed ones keep their identifier
    assert result.history["identifiant"].nunique() == 20 + 2 * 2
    names_per_id = result.history.groupby("identifiant")["nom_projet"].nunique()
    assert (names_per_id > 1).any()  # the generator renamed at least one project, followed by the matcher
    again = run_pipeline(history.raw_dir, tmp_path / "out", tmp_path / "reports")
    assert again.skipped_unchanged


def test_run_child_reports_each_childs_own_peak_memory(tmp_path):
    """wait4 gives each child's own peak: a small child after a big one is not credited the big peak."""
    big = run_child([sys.executable, "-c", "b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"])
    small = run_child([sys.executable, "-c", "pass"])
    failing = run_child([sys.executable, "-c", "raise SystemExit(3)"])
    assert big.exit_code == 0 and failing.exit_code == 3
    assert big.peak_rss_mb >= 300
    assert small.peak_rss_mb < 100


def test_growth_ratios_read_linear_and_quadratic_growth():
    assert [r["normalised"] for r in growth_ratios([10, 20, 40], [1.0, 2.0, 4.0])] == [1.0, 1.0]
    assert [r["normalised"] for r in growth_ratios([10, 20, 40], [1.0, 4.0, 16.0])] == [2.0, 2.0]
