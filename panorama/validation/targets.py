"""What `panorama validate PATH…` validates, shared by the command line and the `validation` flow.

Edition folders are validated as editions (cross-file duplicates, partial-publication rule); other
folders and loose files are validated together. `map_files` lets the Prefect flow run one task per
file while the grouping, the edition-level checks and the report folders stay the same code.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from pathlib import Path

from panorama.edition import EDITION_FILE, Edition, load_edition, submission_files
from panorama.errors import PanoramaError
from panorama.validation.submission import (
    EditionValidation,
    SubmissionResult,
    combine_edition,
    cross_file_duplicates,
    validate_submission,
)

Group = Edition | list[Path]
Outcome = EditionValidation | list[SubmissionResult]
FileJob = tuple[Path, Edition | None]
MapFiles = Callable[[Sequence[FileJob]], list[SubmissionResult]]
LOOSE_FOLDER = "fichiers"


class CannotValidate(PanoramaError):
    """A path is missing or holds nothing to validate: the command stops before writing anything."""


BESIDE_MAX_BYTES = 16 * 1024 * 1024  # beyond, sending the child's tables back costs more than it saves


def sequential(jobs: Sequence[FileJob]) -> list[SubmissionResult]:
    """Validate files one after the other, in order (the plain path)."""
    return [validate_submission(path, edition) for path, edition in jobs]


def fits_beside(editions: Sequence[Edition]) -> bool:
    """Whether the files are small enough together to be validated in a child (`panorama.forked`):
    beyond BESIDE_MAX_BYTES, sending the child's tables back costs more than it saves."""
    return sum(_size(path) for e in editions for path in e.files) <= BESIDE_MAX_BYTES


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone or unreadable: validation says so
        return 0


def group_paths(paths: Sequence[Path]) -> list[Group]:
    """Edition folders become editions; other folders and files are validated together."""
    paths = [Path(p) for p in paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CannotValidate(
            "Chemin introuvable : " + ", ".join(f"« {p} »" for p in missing)
            + ". Attendu : un fichier CSV, XLSX, XLS ou ODS, ou un dossier d'édition contenant edition.toml.")
    groups: list[Group] = []
    loose: list[Path] = []
    for p in paths:
        if p.is_dir() and (p / EDITION_FILE).is_file():
            groups.append(load_edition(p))
        elif p.is_dir():
            loose += submission_files(p, edition=False)
        else:
            loose.append(p)
    if loose:
        groups.append(loose)
    if not groups:
        raise CannotValidate("Aucun fichier à valider dans " + ", ".join(f"« {p} »" for p in paths)
                             + ". Attendu : des fichiers .csv, .xlsx, .xls ou .ods.")
    return groups


def file_jobs(group: Group) -> list[FileJob]:
    """The files of a group, each with the edition it belongs to (None for loose files)."""
    if isinstance(group, Edition):
        return [(path, group) for path in group.files]
    return [(path, None) for path in group]


def combine(group: Group, results: list[SubmissionResult], partial: bool = False) -> Outcome:
    """The checks across a group's files: an edition's rules, or cross-file duplicates for loose files."""
    if isinstance(group, Edition):
        return combine_edition(group, results, partial=partial)
    cross_file_duplicates(results)
    return results


def validate_group(group: Group, partial: bool = False, map_files: MapFiles = sequential) -> Outcome:
    """Validate one group: its files through `map_files`, then the checks across them."""
    return combine(group, map_files(file_jobs(group)), partial)


def validate_groups(groups: Sequence[Group], partial: bool | Set[str] = False,
                    map_files: MapFiles = sequential) -> list[Outcome]:
    """Every group, in order; the files of all groups go through `map_files` at once (one batch).

    `partial`: True for every edition, or the ids of the editions allowed to go out partial."""
    jobs = [file_jobs(g) for g in groups]
    flat = map_files([job for group_jobs in jobs for job in group_jobs])
    outcomes: list[Outcome] = []
    start = 0
    for group, group_jobs in zip(groups, jobs):
        allowed = partial if isinstance(partial, bool) else isinstance(group, Edition) and group.id in partial
        outcomes.append(combine(group, flat[start:start + len(group_jobs)], allowed))
        start += len(group_jobs)
    return outcomes


def results_of(outcome: Outcome) -> list[SubmissionResult]:
    return outcome.submissions if isinstance(outcome, EditionValidation) else outcome


def is_blocking(outcome: Outcome) -> bool:
    if isinstance(outcome, EditionValidation):
        return not outcome.publishable
    return any(r.blocking for r in outcome)


def report_folder(report_dir: Path, outcome: Outcome, several: bool) -> Path:
    """One group: its reports in `report_dir`; several: one subfolder per edition, `fichiers` for loose files."""
    from panorama.validation.report import safe_name

    if not several:
        return report_dir
    return report_dir / (safe_name(outcome.edition.id) if isinstance(outcome, EditionValidation) else LOOSE_FOLDER)


def write_outcome_reports(outcomes: Sequence[Outcome], report_dir: Path) -> list[Path]:
    """Every group's reports, where `panorama validate --report-dir` puts them."""
    from panorama.validation.report import write_reports

    written: list[Path] = []
    for outcome in outcomes:
        written += write_reports(outcome, report_folder(Path(report_dir), outcome, len(outcomes) > 1))
    return written
