"""Orchestration: read → match headers → normalise → schema and cross-field checks → canonical table.

`validate_submission` handles one file, `validate_edition` an edition folder (adding the cross-file
duplicate check and the partial-publication rule). Submission files are only ever read.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from panorama.edition import EDITION_FILE, Edition
from panorama.errors import UnreadableSubmission
from panorama.findings.core import Finding, Severity
from panorama.findings.policy import Policy
from panorama.normalise.cells import is_small
from panorama.normalise.headers import header_score
from panorama.reading.table import RawTable
from panorama.validation.cell_table import CellTable
from panorama.validation.rules import Rules, rules_for

if TYPE_CHECKING:
    import pandas as pd

FILE_LEVEL = frozenset({"fichier-illisible", "fichier-sans-donnees", "colonne-manquante", "duplicate-label", "missing-label"})


@dataclass
class SubmissionResult:
    path: Path
    file: str
    sha256: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    findings: list[Finding] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    unreadable: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # field → column label as written
    columns: list[str] = field(default_factory=list)  # header as read, for the spreadsheet column letters
    project_names: dict[int, str] = field(default_factory=dict)  # row → nom_projet, for rows with findings
    cells: CellTable | None = field(default=None, repr=False)  # small files: the accepted rows as lists
    frame: pd.DataFrame | None = field(default=None, repr=False)  # the accepted rows as a DataFrame, once built

    @property
    def blocking(self) -> bool:
        return any(f.blocking for f in self.findings)

    @property
    def table(self) -> pd.DataFrame:
        """The accepted rows in canonical form (project fields, then _fichier, _feuille, _ligne).

        For a small file it is built here, on first use, from `cells`: validating and reporting
        never need it, so `panorama validate` on a small file does not import pandas.
        """
        if self.frame is None:
            from panorama.validation.vectorised import empty_table

            self.frame = self.cells.frame() if self.cells is not None else empty_table()
        return self.frame

    @table.setter
    def table(self, value: pd.DataFrame) -> None:
        self.frame, self.cells, self.rows_accepted = value, None, len(value)

    def column(self, name: str) -> list:
        """One text column of the accepted rows (str or None), without building the DataFrame of a small file:
        what the reports need (ministries of a submission) without importing pandas."""
        if self.frame is None and self.cells is not None:
            return list(self.cells.columns[name])
        return self.table[name].tolist()


@dataclass
class EditionValidation:
    edition: Edition
    submissions: list[SubmissionResult]
    kept: list[SubmissionResult]  # the submissions whose rows make the edition's table
    blocking_files: list[str]
    dropped_files: list[str]
    partial: bool = False
    frame: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def publishable(self) -> bool:
        return not self.blocking_files or self.partial

    @property
    def table(self) -> pd.DataFrame:
        """The kept rows of every file, sorted by ministry and name (built on first use)."""
        if self.frame is None:
            self.frame = assemble(self.kept)
        return self.frame

    @table.setter
    def table(self, value: pd.DataFrame) -> None:
        self.frame = value

    @property
    def projects(self) -> int:
        """How many rows the edition's table holds, without building it."""
        return len(self.frame) if self.frame is not None else sum(r.rows_accepted for r in self.kept)


def empty_table() -> pd.DataFrame:
    """An accepted-rows table without any row (pandas imported here)."""
    from panorama.validation.vectorised import empty_table as empty

    return empty()


def sort_key(labels_order: dict[str, int]):
    """Findings in reading order: file-level first, then by row, field (schema order) and type."""
    def key(f: Finding) -> tuple:
        file_level = f.type in FILE_LEVEL or f.row is None
        return (0 if file_level else 1, f.row or 0, labels_order.get(f.field or "", 99), f.type)
    return key


def accept(result: SubmissionResult, table: pd.DataFrame | None = None) -> None:
    """Keep the rows without any blocking finding (none at all after a file-level one); `table`
    defaults to the result's own (its lists for a small file)."""
    if table is None and result.cells is not None and result.frame is None:
        blocking = [f for f in result.findings if f.blocking]
        if any(f.type in FILE_LEVEL for f in blocking):
            kept = result.cells.without(set(result.cells.rows))
        else:
            kept = result.cells.without({f.row for f in blocking if f.row is not None})
        result.cells, result.frame, result.rows_accepted = kept, None, len(kept)
        return
    from panorama.validation.vectorised import accept_frame

    accept_frame(result, result.table if table is None else table)


def validate_raw_table(raw: RawTable, edition: Edition | None = None, rules: Rules | None = None) -> SubmissionResult:
    """Everything after reading: header match, normalisation, schema and cross-field checks.

    Small tables are checked on lists (`small.py`, no pandas); big ones column by column in chunks
    of rows (`vectorised.py`), so that memory grows with the table, not with the intermediate
    columns; the checks that need every row (unique values, duplicate projects) run on the table.
    """
    return _validate(raw, edition, owned=False, rules=rules or rules_for(edition))


def _validate(raw: RawTable, edition: Edition | None, *, owned: bool, rules: Rules) -> SubmissionResult:
    if is_small(raw.rows_read):
        from panorama.validation.small import validate_cells

        return validate_cells(raw, edition, rules)
    from panorama.validation.vectorised import validate_frame

    return validate_frame(raw, edition, owned=owned, rules=rules)


def unreadable_result(path: Path, error: UnreadableSubmission) -> SubmissionResult:
    return SubmissionResult(
        path=path, file=path.name, unreadable=True,
        findings=[Finding("fichier-illisible", Severity.BLOCKING, path.name, message=error.message,
                          expected=error.expected or "un fichier CSV (UTF-8), XLSX, XLS ou ODS avec une ligne d'en-tête")],
    )


def validate_submission(path: Path, edition: Edition | None = None, rules: Rules | None = None) -> SubmissionResult:
    """Validate one ministry file; an unreadable file is one blocking `fichier-illisible` finding.

    `rules` are the run's (severity policy, ministries, placeholders); by default those of the raw
    folder holding `edition`, or the bundled ones without an edition.
    """
    from panorama.reading import read_submission  # the reading stage, imported late: it is optional here

    rules = rules or rules_for(edition)
    path = Path(path)
    try:
        raw = read_submission(path, header_score=header_score)
    except UnreadableSubmission as error:
        return unreadable_result(path, error)
    return _validate(raw, edition, owned=True, rules=rules)


def partial_allowed(edition: Edition) -> bool:
    """`publication_partielle = true` in edition.toml lets an edition go out without its blocked files."""
    toml_path = edition.path / EDITION_FILE
    try:
        meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return meta.get("publication_partielle") is True


def cross_file_duplicates(results: list[SubmissionResult], policy: Policy | None = None) -> None:
    """Add `projet-en-double` findings for projects already declared in an earlier file."""
    readable = [r for r in results if not r.unreadable]
    labels = {r.file: r.labels for r in readable}
    if all(r.cells is not None and r.frame is None for r in readable):  # small files: on their lists
        from panorama.validation.cell_checks import duplicate_cells

        found = duplicate_cells([r.cells for r in readable if r.cells is not None], labels, cross_file_only=True)
    else:
        from panorama.validation.checks import duplicate_projects

        found = duplicate_projects([(r.file, r.table) for r in readable], labels, cross_file_only=True)
    for r in readable:
        extra = (policy or Policy()).apply(found.get(r.file, []))
        if extra:
            r.findings = [*r.findings, *extra]
            accept(r)


def assemble(results: list[SubmissionResult]) -> pd.DataFrame:
    """The accepted rows of the files, one table sorted by ministry and name (pandas imported here)."""
    import pandas as pd

    kept = [r for r in results if r.rows_accepted]
    if not kept:
        return empty_table()
    if all(r.frame is None and r.cells is not None for r in kept):
        from panorama.validation.cell_table import frame_of

        table = frame_of([r.cells for r in kept if r.cells is not None])
    else:
        table = pd.concat([r.table for r in kept], ignore_index=True)
    return table.sort_values(["ministere_code", "nom_projet", "_fichier", "_ligne"], kind="mergesort",
                             na_position="last").reset_index(drop=True)


def validate_edition(edition: Edition, *, partial: bool = False, rules: Rules | None = None) -> EditionValidation:
    """Validate every file of an edition; with `partial`, files with blocking findings are dropped."""
    rules = rules or rules_for(edition)
    return combine_edition(edition, [validate_submission(p, edition, rules) for p in edition.files], partial=partial,
                           rules=rules)


def combine_edition(edition: Edition, results: list[SubmissionResult], *, partial: bool = False,
                    rules: Rules | None = None) -> EditionValidation:
    """The edition-level checks over already validated files (the flows validate one file per task)."""
    partial = partial or partial_allowed(edition)
    cross_file_duplicates(results, (rules or rules_for(edition)).policy)
    blocking = [r.file for r in results if r.blocking]
    kept = [r for r in results if not (partial and r.blocking)]
    return EditionValidation(
        edition=edition, submissions=results, kept=kept, blocking_files=blocking,
        dropped_files=blocking if partial else [], partial=partial,
    )


def validate_paths(paths: list[Path], edition: Edition | None = None, rules: Rules | None = None) -> list[SubmissionResult]:
    """Validate loose files together (no edition): duplicates across them are checked too."""
    rules = rules or rules_for(edition)
    results = [validate_submission(p, edition, rules) for p in paths]
    cross_file_duplicates(results, rules.policy)
    return results


__all__ = [
    "SubmissionResult", "EditionValidation", "validate_submission", "validate_edition", "combine_edition",
    "validate_paths",
    "validate_raw_table", "empty_table",
]
