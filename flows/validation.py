"""`validation`: validate submission files or edition folders, one task per file."""
from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows import tasks


@flow(name="validation", log_prints=True)
def validation(paths: list[str], report_dir: str | None = None) -> dict:
    """Validate each file (folders expand to their submission files) and write the reports."""
    from panorama.edition import submission_files
    from panorama.validation.report import write_reports

    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        files.extend(submission_files(p, edition=(p / "edition.toml").is_file()) if p.is_dir() else [p])
    futures = [tasks.validate_submission.submit(f, None) for f in files]
    results = [f.result() for f in futures]
    if report_dir:
        write_reports(results, Path(report_dir))
    return {
        "fichiers": [r.file for r in results],
        "bloquants": [r.file for r in results if r.blocking],
    }
