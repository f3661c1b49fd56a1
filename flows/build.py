"""The building half of every flow: raw folder → validated editions → history → exports."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from flows import artifacts, tasks
from panorama import pipeline
from panorama.edition import Edition, choose_edition, edition_warnings
from panorama.errors import BlockedEdition
from panorama.validation.rules import load_rules


@dataclass
class BuildOutcome:
    editions: list[Edition]
    edition: str
    unchanged: bool
    validations: list = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    indicators: object = None


def blocked_message(validations: list) -> str:
    """Name the ministries and files at fault, as the failed run's message."""
    parts = []
    for v in validations:
        if v.publishable:
            continue
        for sub in v.submissions:
            if sub.file in v.blocking_files:
                ministries = ", ".join(sorted(set(sub.table["ministere_code"].dropna()))) or "ministère non lu"
                parts.append(f"{v.edition.id}/{sub.file} ({ministries})")
    return "; ".join(parts)


# Validation is CPU-bound Python: an unbounded thread pool (Prefect's default) starts every file at
# once and spends its time switching; a few threads keep I/O overlapped (measured: 2.2x → 1.5x).
BUILD_THREADS = 4


@flow(name="construction", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=BUILD_THREADS))
def build(
    raw_dir: Path,
    out_dir: Path,
    report_dir: Path,
    edition: str | None = None,
    allow_partial: bool = False,
    force: bool = False,
    state_file: Path | None = None,
) -> BuildOutcome:
    """Validate every edition, then rebuild the history and exports unless nothing changed."""
    logger = get_run_logger()
    editions = tasks.discover(raw_dir)
    load_rules(raw_dir)  # the steward's rule files (politique.toml…), checked before any work: exit 2 when malformed
    for note in edition_warnings(editions):
        logger.warning(note)
    chosen = choose_edition(editions, edition)
    partial = frozenset({chosen}) if allow_partial else frozenset()
    fingerprint = tasks.fingerprint(raw_dir, partial)
    if not force and pipeline.outputs_current(raw_dir, out_dir, fingerprint):
        logger.info("Entrées inchangées depuis la dernière construction : rien à reconstruire.")
        return BuildOutcome(editions, chosen, unchanged=True)
    futures = {e.id: [tasks.validate_submission.submit(p, e) for p in e.files] for e in editions}
    validations = [
        tasks.combine_edition(e, [f.result() for f in futures[e.id]], e.id in partial) for e in editions
    ]
    tasks.write_reports(validations, report_dir)
    artifacts.publish_validation(validations, report_dir)
    blocked = [v for v in validations if not v.publishable]
    if blocked:
        raise BlockedEdition(blocked[0].edition.id, [blocked_message(validations)])
    identity = tasks.build_history(validations, raw_dir)
    tasks.write_review(identity.review, report_dir)
    measures = tasks.measure(identity.history, editions)
    measures.notes[:0] = list(identity.warnings)
    artifacts.publish_figures(measures.indicators, measures.notes)
    artifacts.publish_diff(identity.history, measures.indicators, editions, chosen, identity.links, partial)
    for note in measures.notes:
        logger.warning(note)
    links = pipeline.load_resource_links(state_file)
    changelog, extra = tasks.render_documents(identity.history, measures, editions, validations, links)
    written = tasks.export(identity.history, measures, out_dir, changelog, extra, fingerprint)
    logger.info("%d fichiers écrits dans %s", len(written), out_dir)
    return BuildOutcome(editions, chosen, False, validations, written, measures.indicators)


def resolve_folders(raw_dir: str | None, out_dir: str | None, report_dir: str | None,
                    target: str | None) -> tuple[Path, Path, Path, Path | None]:
    """Flow parameters (strings, for the UI) over the settings' folders; the target's state file."""
    from panorama.settings import load_settings

    from panorama.folders import check_run_folders

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
    """The build subflow on the task runner the environment asks for (Dask, or Prefect's default)."""
    from flows.runners import task_runner_from_env

    runner = task_runner_from_env()
    flow_ = build.with_options(task_runner=runner) if runner else build
    return flow_(raw_dir, out_dir, report_dir, edition, allow_partial, force, state_file)
