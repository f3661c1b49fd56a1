"""`publication-semestrielle`: the scheduled semester run, stage by stage as in the design."""
from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows.build import run_build
from flows.publish import preview, publish
from panorama.settings import load_settings


@flow(name="publication-semestrielle", log_prints=True)
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
) -> dict:
    """Validate the submissions, rebuild the history and exports, then publish to `target`.

    Without a target nothing leaves the machine: the run lists what it would publish.
    """
    settings = load_settings()
    raw = Path(raw_dir) if raw_dir else settings.raw_dir
    out = Path(out_dir) if out_dir else settings.out_dir
    reports = Path(report_dir) if report_dir else settings.report_dir
    state_file = settings.state_file(target) if target else None
    outcome = run_build(raw, out, reports, edition, allow_partial, force, state_file)
    summary = {
        "edition": outcome.edition,
        "inchange": outcome.unchanged,
        "fichiers": [str(p) for p in outcome.written],
        "sortie": str(out),
        "rapports": str(reports),
    }
    if target:
        summary["publication"] = publish(out, target, dry_run, force, yes)
    else:
        summary["apercu"] = preview(out)
    return summary
