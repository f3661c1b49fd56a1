"""One call in a forked child while the parent works (`panorama.forked`), and the plain run's
validation done that way (issue #12: the plain path hides the pandas import behind validation)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest

from panorama import forked
from panorama.edition import discover_editions
from panorama.forked import call_beside, can_fork
from panorama.validation import targets
from panorama.validation.targets import file_jobs, fits_beside, sequential
from tests.support.cli_modules import run_cli

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
needs_fork = pytest.mark.skipif(not can_fork(), reason="needs os.fork and two usable cores")


def test_the_call_runs_in_a_child_while_the_parent_runs_meanwhile() -> None:
    seen: list[int] = []
    result = call_beside(lambda: (os.getpid(), 6 * 7), lambda: seen.append(os.getpid()))
    assert seen == [os.getpid()]  # meanwhile: here
    assert result[1] == 42
    assert (result[0] != os.getpid()) == can_fork()  # the call: in a child, where a fork is usable


@needs_fork
def test_a_child_that_sent_its_result_is_not_waited_for_but_reaped_later() -> None:
    child = call_beside(os.getpid, lambda: None)
    assert child != os.getpid()
    deadline = time.monotonic() + 30
    while child in forked._unreaped and time.monotonic() < deadline:  # exited by now, or soon: reaped then
        time.sleep(0.01)
        forked._reap()
    assert child not in forked._unreaped
    with pytest.raises(ChildProcessError):  # reaped: not even a zombie
        os.waitpid(child, os.WNOHANG)


@needs_fork
def test_a_call_that_raises_in_the_child_is_run_again_here_and_raises_here() -> None:
    calls: list[int] = []

    def call() -> int:
        calls.append(os.getpid())
        raise ValueError("refusé")

    with pytest.raises(ValueError, match="refusé"):
        call_beside(call, lambda: None)
    assert calls == [os.getpid()]  # the child's attempt left no trace here; the parent's raised


@needs_fork
def test_a_child_that_dies_or_sends_what_does_not_pickle_is_replaced_by_a_call_here() -> None:
    parent = os.getpid()

    def dies() -> str:
        if os.getpid() != parent:
            os._exit(5)
        return "ici"

    assert call_beside(dies, lambda: None) == "ici"
    made_here = call_beside(lambda: (lambda: os.getpid()), lambda: None)  # a lambda does not pickle
    assert made_here() == parent


def _announce(marker: Path) -> None:
    """The child's pid in `marker`, whole or not at all: the parent reads it as soon as it exists."""
    partial = marker.with_name(marker.name + ".part")
    partial.write_text(str(os.getpid()))
    partial.replace(marker)


@needs_fork
def test_an_interrupted_parent_stops_its_child_and_leaves_no_process(tmp_path: Path) -> None:
    marker = tmp_path / "enfant"

    def slow() -> None:
        _announce(marker)
        time.sleep(60)

    def interrupted() -> None:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        call_beside(slow, interrupted)
    assert time.monotonic() - started < 30
    with pytest.raises(ProcessLookupError):  # killed and reaped: not even a zombie
        os.kill(int(marker.read_text()), 0)


@needs_fork
def test_an_interrupted_child_runs_its_cleanups_before_it_ends(tmp_path: Path) -> None:
    """Stopped with SIGTERM, the child's call sees an interruption: a half-written file's temporary
    copy is removed as on Ctrl-C in a single process (the reports are written in that child)."""
    marker, temporary = tmp_path / "enfant", tmp_path / ".rapport.json.tmp"

    def writing() -> None:
        temporary.write_text("à moitié écrit", encoding="utf-8")
        try:
            _announce(marker)
            time.sleep(60)
        finally:
            temporary.unlink()

    def interrupted() -> None:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        call_beside(writing, interrupted)
    assert marker.exists() and not temporary.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)


def test_without_a_usable_fork_meanwhile_then_the_call_run_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    order: list[str] = []
    assert call_beside(lambda: order.append("call") or os.getpid(), lambda: order.append("meanwhile")) == os.getpid()
    assert order == ["meanwhile", "call"]


def _jobs() -> list[targets.FileJob]:
    return [job for edition in discover_editions(RAW) for job in file_jobs(edition)]


def _same(a: list, b: list) -> None:
    assert [r.file for r in a] == [r.file for r in b]
    for x, y in zip(a, b):
        assert [vars(f) for f in x.findings] == [vars(f) for f in y.findings]
        assert (x.rows_read, x.rows_accepted, x.sha256, x.labels, x.columns) == \
               (y.rows_read, y.rows_accepted, y.sha256, y.labels, y.columns)
        pd.testing.assert_frame_equal(x.table, y.table, check_exact=True)


def test_files_validated_in_a_child_give_what_validating_here_gives() -> None:
    jobs = _jobs()
    assert len(jobs) > 30
    _same(call_beside(lambda: sequential(jobs), lambda: None), sequential(jobs))


def test_files_larger_together_than_the_limit_are_validated_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editions = discover_editions(RAW)
    assert fits_beside(editions)
    monkeypatch.setattr(targets, "BESIDE_MAX_BYTES", 0)
    assert not fits_beside(editions)
    monkeypatch.setattr(forked, "call_beside", lambda *a: pytest.fail("no child for large files"))
    done = _stages_with_forks(RAW, tmp_path / "out", tmp_path / "rapports", forks=True, through="rapports")
    assert done == {"empreinte": "ok", "validation": "ok", "rapports": "ok"}
    assert len(list((tmp_path / "rapports").rglob("*.rapport.json"))) > 30


def test_the_real_command_publishes_the_same_files_as_the_pipeline_run_here(tmp_path: Path) -> None:
    """`panorama run --direct` in a fresh interpreter validates in a child (nothing of pandas is loaded
    there yet) and leaves by the fast exit; what it writes is what the sequential in-process run writes."""
    from panorama.pipeline import run_pipeline

    run = run_cli("run", "--direct", "--raw", str(RAW), "--out", str(tmp_path / "cmd"),
                  "--report-dir", str(tmp_path / "cmd-rapports"), env={"COLUMNS": "200"})
    assert run.code == 0, run.stderr[-2000:]
    assert "Fichiers publiés" in run.stdout  # the summary reached the pipe whole before the fast exit
    assert list((tmp_path / "cmd-rapports" / "journaux").glob("panorama-*.log"))  # the command's own journal
    run_pipeline(RAW, tmp_path / "ici", tmp_path / "ici-rapports")
    for folder in ("", "-rapports"):
        mine = {p.relative_to(tmp_path / f"ici{folder}"): p.read_bytes()
                for p in sorted((tmp_path / f"ici{folder}").rglob("*")) if p.is_file()}
        theirs = {p.relative_to(tmp_path / f"cmd{folder}"): p.read_bytes()
                  for p in sorted((tmp_path / f"cmd{folder}").rglob("*")) if p.is_file() and p.parent.name != "journaux"}
        assert len(mine) > 20
        assert mine.keys() == theirs.keys()
        assert [k for k in mine if mine[k] != theirs[k]] == []


def _stages_with_forks(raw: Path, out: Path, reports: Path, forks: bool, through: str = "export") -> dict[str, str]:
    """The pipeline's stages one by one up to `through`, forking where a fresh command would (`forks`:
    the stages' modules count as not yet imported); the stage that raised, if one did, under "raised"."""
    from panorama.pipeline import run_stage
    from panorama.stages import STAGES, Build, Stage

    build = Build(raw, out, reports, allow_partial=True, force=True)
    done: dict[str, str] = {}
    for stage in STAGES:
        try:
            if stage.name == "validation" and forks:
                with pytest.MonkeyPatch.context() as patch:  # as if a later stage's module were not loaded yet
                    patch.setattr("panorama.stages.STAGES", (*STAGES, Stage("x", "x", str, needs=("pas.encore.charge",))))
                    patch.setattr("panorama.stages.prepare_imports", lambda modules: None)
                    run_stage(stage, build)
                assert build.forks
            else:
                run_stage(stage, build)
        except Exception as error:  # noqa: BLE001 - the test names the stage that raised
            done["raised"] = f"{stage.name}: {type(error).__name__}"
            return done
        done[stage.name] = "ok"
        if stage.name == "validation":
            build.forks = forks
        if stage.name == through:
            break
    return done


@needs_fork
def test_the_export_tables_built_beside_the_documents_are_the_ones_built_in_the_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = forked.call_beside

    def counted(call, meanwhile):  # noqa: ANN001, ANN202
        calls.append("beside")
        return original(call, meanwhile)

    monkeypatch.setattr(forked, "call_beside", counted)
    _stages_with_forks(RAW, tmp_path / "beside", tmp_path / "r1", forks=True)
    assert calls == ["beside", "beside"] and can_fork()  # the validation and its reports, then the tables
    _stages_with_forks(RAW, tmp_path / "here", tmp_path / "r2", forks=False)
    assert calls == ["beside", "beside"]
    for forked_dir, here_dir, least in (("beside", "here", 20), ("r1", "r2", 150)):
        beside_files = {p.relative_to(tmp_path / forked_dir): p.read_bytes() for p in (tmp_path / forked_dir).rglob("*")
                        if p.is_file() and p.name != ".empreinte-entrees.json"}
        here_files = {p.relative_to(tmp_path / here_dir): p.read_bytes() for p in (tmp_path / here_dir).rglob("*")
                      if p.is_file() and p.name != ".empreinte-entrees.json"}
        assert len(beside_files) > least and beside_files == here_files


@needs_fork
def test_reports_the_child_could_not_write_are_refused_by_the_reports_stage(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from panorama.validation import report

    tries: list[int] = []

    def full_disk(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - copied into the child by the fork
        tries.append(os.getpid())
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "write_reports", full_disk)
    done = _stages_with_forks(RAW, tmp_path / "out", tmp_path / "rapports", forks=True)
    assert done == {"empreinte": "ok", "validation": "ok", "raised": "rapports: OSError"}
    assert tries == [os.getpid()]  # the child's attempt happened there; the one raised is this process's


def test_tables_refused_beside_the_documents_are_refused_by_the_export_stage(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from panorama.errors import ExportError
    from panorama.export import writer

    def refused(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - copied into the child by the fork
        raise ExportError("colonnes refusées")

    monkeypatch.setattr(writer, "build_table_files", refused)
    done = _stages_with_forks(RAW, tmp_path / "out", tmp_path / "rapports", forks=True)
    assert done.get("documents") == "ok"
    assert done["raised"] == "export: ExportError"
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.csv"))
