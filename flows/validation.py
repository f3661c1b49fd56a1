"""`validation`: validate submission files or edition folders exactly as `panorama validate` does.

Same grouping, same edition-level checks, same report folders (`panorama.validation.targets`);
only the files go through one cached task each.
"""
from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows import tasks
from flows.build import build_task_runner
from flows.summaries import ValidationSummary


@flow(name="validation", log_prints=True, task_runner=build_task_runner())  # type: ignore[arg-type]
def validation(paths: list[str], report_dir: str | None = None, partial: bool = False) -> ValidationSummary:
    """Validate each file (edition folders as editions) and write the reports."""
    from panorama.validation.targets import group_paths, results_of, validate_groups, write_outcome_reports

    outcomes = validate_groups(group_paths([Path(p) for p in paths]), partial, tasks.submit_files)
    written = write_outcome_reports(outcomes, Path(report_dir)) if report_dir else []
    results = [r for o in outcomes for r in results_of(o)]
    return ValidationSummary(
        fichiers=[r.file for r in results],
        bloquants=[r.file for r in results if r.blocking],
        rapports=[str(p) for p in written],
    )
