"""`republication`: a steward's republication after a correction, on demand (no schedule)."""
from __future__ import annotations

from prefect import flow, get_run_logger

from flows.build import build_task_runner, resolve_folders, run_build
from flows.publish import publish_or_preview
from flows.summaries import RunSummary
from panorama.lock import build_lock


@flow(name="republication", log_prints=True, task_runner=build_task_runner())  # type: ignore[arg-type]
def republication(
    edition: str = "all",
    force: bool = False,
    target: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    allow_partial: bool = False,
    raw_dir: str | None = None,
    out_dir: str | None = None,
    report_dir: str | None = None,
) -> RunSummary:
    """Rebuild from the raw folder and upload what changed; `force` re-uploads every file.

    The history is a pure function of the raw folder, so republishing one edition or all of them
    is the same rebuild; `edition` checks that the corrected edition exists and names it in the
    run. Submissions whose bytes did not change come from the cache. `allow_partial` applies to
    the named edition only (with "all", an edition is partial only through its edition.toml).
    """
    raw, out, reports, state_file = resolve_folders(raw_dir, out_dir, report_dir, target)
    with build_lock(out, get_run_logger().warning):  # one build (and its publication) per output folder
        wanted = None if edition == "all" else edition
        outcome = run_build(raw, out, reports, wanted, allow_partial and wanted is not None, force, state_file)
        summary = RunSummary(edition=edition, inchange=outcome.unchanged, sortie=str(out),
                             fichiers=[str(p) for p in outcome.written], rapports=str(reports))
        return publish_or_preview(summary, out, target, dry_run, force, yes)
