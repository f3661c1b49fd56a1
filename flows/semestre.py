"""`publication-semestrielle`: the scheduled semester run, stage by stage as in the design."""
from __future__ import annotations

from prefect import flow, get_run_logger

from flows.build import build_task_runner, resolve_folders, run_build
from flows.publish import publish_or_preview
from flows.summaries import RunSummary
from panorama.lock import build_lock


@flow(name="publication-semestrielle", log_prints=True, task_runner=build_task_runner())  # type: ignore[arg-type]
def publication_semestrielle(
    edition: str | None = None,
    target: str | None = None,
    dry_run: bool = False,
    allow_partial: bool = False,
    force: bool = False,
    yes: bool = False,
    raw_dir: str | None = None,
    out_dir: str | None = None,
    report_dir: str | None = None,
) -> RunSummary:
    """Validate the submissions, rebuild the history and exports, then publish to `target`.

    Without a target nothing leaves the machine: the run lists what it would publish.
    """
    raw, out, reports, state_file = resolve_folders(raw_dir, out_dir, report_dir, target)
    with build_lock(out, get_run_logger().warning):  # one build (and its publication) per output folder
        outcome = run_build(raw, out, reports, edition, allow_partial, force, state_file)
        summary = RunSummary(edition=outcome.edition, inchange=outcome.unchanged, sortie=str(out),
                             fichiers=[str(p) for p in outcome.written], rapports=str(reports))
        return publish_or_preview(summary, out, target, dry_run, force, yes)
