"""The stage list run as plain functions: one StageReport per stage, and an "unchanged inputs"
shortcut that knows the code, the reference data, the schema, the steward's rules and the options.

The code is changed in a copy of `panorama/`, `flows/` and the schema folder (the hashed roots are
a parameter), never in the working tree.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from panorama import fingerprint
from panorama.errors import BlockedEdition
from panorama.pipeline import run_pipeline
from panorama.progress import StageReport
from panorama.stages import STAGES, Build, fingerprint_stage

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", target)
    return target


@pytest.fixture()
def code(tmp_path: Path) -> tuple[Path, ...]:
    """A copy of every folder that counts as code, to be changed by the test."""
    roots = []
    for root in fingerprint.CODE_ROOTS:
        copy = tmp_path / "code" / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
        roots.append(copy)
    return tuple(roots)


def _unchanged(raw: Path, out: Path, code: tuple[Path, ...], **options: object) -> bool:
    """The first stage alone: would a run stop early?"""
    build = Build(raw, out, out.parent / "rapports", code_roots=code, **options)  # type: ignore[arg-type]
    fingerprint_stage(build)
    return build.unchanged


def test_every_stage_reports_in_order_in_french_and_an_unchanged_rerun_stops_after_the_first(raw, tmp_path, code):
    out, reports = tmp_path / "out", tmp_path / "rapports"
    seen: list[StageReport] = []
    result = run_pipeline(raw, out, reports, progress=seen.append, code_roots=code)
    assert [r.stage for r in seen] == [s.name for s in STAGES]
    assert [r.label for r in seen] == [s.label for s in STAGES]
    assert all(r.detail and r.seconds >= 0 for r in seen)
    files = sum(1 for p in raw.glob("*/*") if p.name != "edition.toml")
    assert seen[1].detail.startswith(f"{files} fichiers, ")
    assert f"{len(result.written)} fichiers écrits" in seen[-1].detail
    assert not result.skipped_unchanged and (out / "panorama-historique.csv").is_file()

    again: list[StageReport] = []
    second = run_pipeline(raw, out, reports, progress=again.append, code_roots=code)
    assert second.skipped_unchanged and [r.stage for r in again] == ["empreinte"]
    assert "inchangées" in again[0].detail

    (code[0] / "stages.py").write_text((code[0] / "stages.py").read_text(encoding="utf-8") + "\n# changed\n",
                                       encoding="utf-8")
    fingerprint.forget_code()  # as a new process would
    third = run_pipeline(raw, out, reports, code_roots=code)
    assert not third.skipped_unchanged and third.written


@pytest.mark.parametrize("change", ["code", "reference", "asset", "schema", "rules", "submission", "flows"])
def test_any_change_the_outputs_depend_on_means_a_rebuild(raw, tmp_path, code, change):
    from panorama.stages import record_fingerprint

    out = tmp_path / "out"
    build = Build(raw, out, tmp_path / "rapports", code_roots=code)
    fingerprint_stage(build)
    out.mkdir()
    record_fingerprint(out, build.fingerprint, [])
    assert _unchanged(raw, out, code)
    package, flows, schema = code
    target = {
        "code": package / "validation" / "checks.py",
        "flows": flows / "tasks.py",
        "reference": package / "reference" / "ministeres.csv",
        "asset": package / "dashboard" / "assets" / "style.css",
        "schema": schema / "schema.json",
        "rules": raw / "identifiants.csv",
        "submission": raw / "2025-06" / "MJ_panorama.csv",
    }[change]
    target.write_bytes(target.read_bytes() + b"\n")
    fingerprint.forget_code()  # as a new process would
    assert not _unchanged(raw, out, code)


def test_options_that_change_the_outputs_mean_a_rebuild(raw, tmp_path, code):
    from panorama.stages import record_fingerprint

    out = tmp_path / "out"
    build = Build(raw, out, tmp_path / "rapports", code_roots=code)
    fingerprint_stage(build)
    out.mkdir()
    record_fingerprint(out, build.fingerprint, [])
    assert _unchanged(raw, out, code)
    assert not _unchanged(raw, out, code, allow_partial=True)
    assert not _unchanged(raw, out, code, partial=frozenset({"2024-12"}))
    state = tmp_path / "demo.json"
    state.write_text(json.dumps({"api_url": "https://demo.data.gouv.fr/api/1", "resources": {"historique": "abc"}}),
                     encoding="utf-8")
    assert not _unchanged(raw, out, code, state_file=state)
    assert not _unchanged(raw, out, code, force=True)


def test_the_code_fingerprint_is_computed_once_per_process(code):
    first = fingerprint.code_fingerprint(code)
    (code[0] / "pipeline.py").write_text("# changed\n", encoding="utf-8")
    assert fingerprint.code_fingerprint(code) == first  # cached: code does not change under a running process
    assert fingerprint.tree_digest(code) != first


def test_a_blocked_edition_stops_after_the_reports_stage(raw, tmp_path, code):
    toml = raw / "2024-06" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("publication_partielle = true", ""), encoding="utf-8")
    seen: list[StageReport] = []
    with pytest.raises(BlockedEdition) as caught:
        run_pipeline(raw, tmp_path / "out", tmp_path / "rapports", progress=seen.append, code_roots=code)
    assert [r.stage for r in seen] == ["empreinte", "validation", "rapports"]
    assert "2024-06/MEAE_complement.csv" in caught.value.message
    assert (tmp_path / "rapports" / "2024-06" / "MEAE_complement.csv.rapport.md").is_file()
    assert not (tmp_path / "out").exists()
