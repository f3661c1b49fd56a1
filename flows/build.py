"""The building half of every flow: the stages of `panorama.stages.STAGES`, one task each.

Reading and validation fan out (one cached task per submission file); after each stage a
`StageReport` is logged on the `panorama.stages` logger (`panorama.stage_log.log_stage`) so that a
command running the flow in-process can show it, and the steward's artifacts are created after the
stages that produce them.
"""
from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from flows import artifacts, tasks
from flows.summaries import BuildOutcome
from panorama.edition import edition_warnings
from panorama.pipeline import run_stages
from panorama.progress import StageReport
from panorama.stage_log import log_stage
from panorama.stages import STAGES, Build

__all__ = ["BuildOutcome", "build", "build_stages", "build_task_runner", "log_stage", "resolve_folders", "run_build"]

# Validation is CPU-bound Python under one GIL: an unbounded thread pool (Prefect's default) starts
# every task at once and spends its time switching. With one task per edition there is no API wait
# left to overlap, and one thread costs least (measured on 2 cores, 4 editions: 4 threads 5.2 s CPU
# per run, 1 thread 4.7 s); Dask (flows/runners.py) is the way to several cores.
BUILD_THREADS = 1


def build_task_runner() -> ThreadPoolTaskRunner:
    """The task runner of every flow that builds (the per-file tasks run on it)."""
    return ThreadPoolTaskRunner(max_workers=BUILD_THREADS)


def build_stages(
    raw_dir: Path,
    out_dir: Path,
    report_dir: Path,
    edition: str | None = None,
    allow_partial: bool = False,
    force: bool = False,
    state_file: Path | None = None,
) -> BuildOutcome:
    """Validate every edition, then rebuild the history and exports unless nothing changed.

    Runs the stages as tasks of the calling flow run (the semester run, a republication, or the
    `construction` flow below): a subflow of its own would cost a flow run more (creation, state
    changes, a heartbeat thread joined at its end) for nothing the steward reads."""
    logger = get_run_logger()
    state = Build(raw_dir, out_dir, report_dir, edition=edition, allow_partial=allow_partial, force=force,
                  state_file=state_file, map_files=tasks.submit_files)

    def progress(report: StageReport) -> None:
        log_stage(report)
        if report.stage == "empreinte":
            for note in edition_warnings(state.editions):  # e.g. a publication date still to come
                logger.warning(note)
        elif report.stage == "validation":
            sender.send(artifacts.publish_validation, state.validations, report_dir)
        elif report.stage == "indicateurs" and state.measures is not None:
            sender.send(artifacts.publish_figures, state.measures.indicators, state.measures.notes)
            if state.identity is not None:  # what changed against the previous edition (panorama.diff)
                sender.send(artifacts.publish_diff, state.identity.history, state.measures.indicators,
                            state.editions, state.chosen, state.identity.links, state.partial)
            for note in state.measures.notes:
                logger.warning(note)

    with artifacts.Sender() as sender:
        run_stages(state, [tasks.as_task(s) for s in STAGES], progress)
    if state.unchanged:
        logger.info("Entrées inchangées depuis la dernière construction : rien à reconstruire.")
        return BuildOutcome(state.editions, state.chosen, unchanged=True)
    logger.info("%d fichiers écrits dans %s", len(state.written), out_dir)
    indicators = state.measures.indicators if state.measures else None
    return BuildOutcome(state.editions, state.chosen, False, state.validations, state.written, indicators)


@flow(name="construction", log_prints=True, task_runner=build_task_runner())  # type: ignore[arg-type]
def build(
    raw_dir: Path,
    out_dir: Path,
    report_dir: Path,
    edition: str | None = None,
    allow_partial: bool = False,
    force: bool = False,
    state_file: Path | None = None,
) -> BuildOutcome:
    """The build alone, as a flow of its own (benchmarks, tests, a steward rebuilding without publishing)."""
    return build_stages(raw_dir, out_dir, report_dir, edition, allow_partial, force, state_file)


def resolve_folders(raw_dir: str | None, out_dir: str | None, report_dir: str | None,
                    target: str | None) -> tuple[Path, Path, Path, Path | None]:
    """Flow parameters (strings, for the UI) over the settings' folders; the target's state file."""
    from panorama.folders import check_run_folders
    from panorama.settings import load_settings

    settings = load_settings()
    folders = (
        Path(raw_dir) if raw_dir else settings.raw_dir,
        Path(out_dir) if out_dir else settings.out_dir,
        Path(report_dir) if report_dir else settings.report_dir,
        settings.state_file(target) if target else None,
    )
    check_run_folders(*folders[:3], settings.state_dir if target else None)
    return folders


def run_build(raw_dir: Path, out_dir: Path, report_dir: Path, edition: str | None, allow_partial: bool,
              force: bool, state_file: Path | None) -> BuildOutcome:
    """The build inside the calling flow run; on Dask (the environment asks for it) as a subflow,
    the one way to give the per-file tasks another task runner than the calling flow's."""
    from flows.runners import task_runner_from_env

    runner = task_runner_from_env()
    if runner is None:
        return build_stages(raw_dir, out_dir, report_dir, edition, allow_partial, force, state_file)
    flow_ = build.with_options(task_runner=runner)  # type: ignore[arg-type]
    return flow_(raw_dir, out_dir, report_dir, edition, allow_partial, force, state_file)
