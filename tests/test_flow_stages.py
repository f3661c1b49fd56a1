"""The flows walk the same stage list as the plain run, log a StageReport per stage on
`panorama.stages`, key their cache on the code too, and validate exactly as `panorama validate`."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from panorama import fingerprint
from panorama.stages import STAGES

pytestmark = pytest.mark.prefect

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", target)
    return target


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_build_flow_logs_one_stage_report_per_stage_and_builds_what_the_plain_run_builds(
        prefect_harness, raw, tmp_path):
    from flows.build import build
    from panorama.pipeline import run_pipeline

    class Keep(logging.Handler):  # on the logger itself: Prefect's logging setup replaces the root's handlers
        def __init__(self) -> None:
            super().__init__(logging.INFO)
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    logger, keep = logging.getLogger("panorama.stages"), Keep()
    logger.addHandler(keep)
    logger.setLevel(logging.INFO)
    try:
        outcome = build(raw, tmp_path / "flow-out", tmp_path / "flow-rapports", force=True)
    finally:
        logger.removeHandler(keep)
    records = keep.records
    reports = [r.stage_report for r in records]  # type: ignore[attr-defined]
    assert [r.stage for r in reports] == [s.name for s in STAGES]
    assert all(r.getMessage().startswith(f"{r.stage_report.label} : {r.stage_report.detail} (") for r in records)  # type: ignore[attr-defined]
    assert not outcome.unchanged and outcome.edition == "2025-12"  # the latest sample edition

    run_pipeline(raw, tmp_path / "plain-out", tmp_path / "plain-rapports", force=True)
    assert _tree(tmp_path / "flow-out") == _tree(tmp_path / "plain-out")
    assert _tree(tmp_path / "flow-rapports") == _tree(tmp_path / "plain-rapports")


def test_the_submission_cache_key_changes_with_the_code_and_the_rules(raw, tmp_path, monkeypatch):
    from flows.tasks import submission_key
    from panorama.edition import load_edition

    roots = []
    for root in fingerprint.CODE_ROOTS:
        shutil.copytree(root, tmp_path / "code" / root.name, ignore=shutil.ignore_patterns("__pycache__"))
        roots.append(tmp_path / "code" / root.name)
    monkeypatch.setattr(fingerprint, "CODE_ROOTS", tuple(roots))
    edition = load_edition(raw / "2025-06")
    params = {"path": edition.files[0], "edition": edition}
    first = submission_key(None, params)
    assert submission_key(None, params) == first
    (roots[0] / "reference" / "ministeres.csv").write_text("changé\n", encoding="utf-8")
    fingerprint.forget_code()
    second = submission_key(None, params)
    assert second != first
    (raw / "politique.toml").write_bytes((raw / "politique.toml").read_bytes() + b"\n# revu\n")
    assert submission_key(None, params) != second  # the steward's rules decide severities


def test_the_validation_flow_validates_and_reports_as_the_command_does(prefect_harness, raw, tmp_path):
    from flows.validation import validation
    from panorama.cli.validate import validate_command

    loose = tmp_path / "loose"
    loose.mkdir()
    shutil.copy(raw / "2025-06" / "MJ_panorama.csv", loose / "MJ_panorama.csv")
    shutil.copy(raw / "2025-06" / "MJ_panorama.csv", loose / "MJ_copie.csv")  # a cross-file duplicate
    paths = [raw / "2024-06", loose]
    code = validate_command(paths, tmp_path / "cli", "json")
    summary = validation([str(p) for p in paths], report_dir=str(tmp_path / "flow"))
    assert code == 1 and "MEAE_complement.csv" in summary.bloquants
    assert "MJ_copie.csv" in summary["bloquants"] or "MJ_panorama.csv" in summary["bloquants"]
    assert _tree(tmp_path / "flow") == _tree(tmp_path / "cli")
    assert {"2024-06", "fichiers"} == {p.name for p in (tmp_path / "flow").iterdir()}
