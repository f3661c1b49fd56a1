"""Validation of a small table on plain lists, from the reader's columns to the accepted rows.

A pandas operation costs about 0.1 ms whatever the column's length and importing pandas about
0.4 s: on a 60-row file that is nearly all the time a person waits. Below `cells.SMALL_TABLE_ROWS`
rows the whole validation runs here, without pandas, with the rules and the finding texts of the
vectorised path (`vectorised.py`); the DataFrame of `SubmissionResult.table` is built only if a
consumer asks for it (`cell_table.py`).
"""
from __future__ import annotations

from typing import Any

from panorama.edition import Edition
from panorama.findings.core import Finding
from panorama.model import project_fields
from panorama.normalise import normalise_cells
from panorama.normalise.headers import match_headers
from panorama.reading.table import RawTable
from panorama.validation import messages
from panorama.validation.cell_checks import (
    cadrage_cells,
    content_cells,
    cross_cells,
    duplicate_cells,
    empty_refused,
    unique_cells,
)
from panorama.validation.cell_table import CellTable
from panorama.validation.context import CellContext
from panorama.validation.rules import Rules
from panorama.validation.schema_cells import check_cells
from panorama.validation.schema_spec import submission_schema
from panorama.validation.submission import SubmissionResult, accept, sort_key


def _as_list(values: Any) -> list:
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _column_empty(columns: list[list]) -> list[bool]:
    """Columns holding nothing but blanks (the reading stage usually drops them already)."""
    return [not any(v is not None and str(v).strip() for v in column) for column in columns]


def validate_cells(raw: RawTable, edition: Edition | None, rules: Rules) -> SubmissionResult:
    """`submission.validate_raw_table` for a small table: same findings, same accepted rows."""
    file = raw.path.name
    result = SubmissionResult(path=raw.path, file=file, sha256=raw.sha256, encoding=raw.encoding,
                              delimiter=raw.delimiter, sheet=raw.sheet, rows_read=raw.rows_read)
    rows = [int(r) for r in _as_list(raw.row_numbers)]
    match = match_headers(list[str | None](raw.header), _column_empty([_as_list(c) for c in raw.columns]), file, raw.sheet,
                          raw.header_row)
    findings: list[Finding] = [*raw.findings, *match.findings]
    result.unknown_columns = match.unknown_columns
    if raw.rows_read == 0:
        findings.append(messages.no_rows(file, raw.sheet, raw.header_row))
    schema = submission_schema()
    norm = normalise_cells(raw, match, rules.ministries, rules.placeholders)
    ctx = CellContext(file, raw.sheet, rows, norm.labels)
    checked = check_cells(norm.text, norm.shown, ctx, schema)
    content = rules.policy.apply(content_cells(norm.shown, ctx))
    checked.findings = rules.policy.apply(checked.findings)
    empty_refused(checked.typed, content + checked.findings, rows)
    cross, explained = cross_cells(checked.typed, norm.shown, ctx, edition.date_publication if edition else None)
    silenced = explained | norm.reported
    found = content + norm.findings
    found += [f for f in checked.findings if (f.row, f.field) not in silenced]
    found += cadrage_cells(checked.typed.get("phase"), norm.cadrage, norm.shown, ctx) + cross
    findings += rules.policy.apply(found)
    result.labels = dict(norm.labels)
    table = CellTable.of(checked.typed, file, raw.sheet, rows)
    findings += unique_cells(table, CellContext(file, raw.sheet, rows, norm.labels), schema)
    findings += duplicate_cells([table], {file: norm.labels}).get(file, [])
    order = {name: i for i, name in enumerate(project_fields())}
    result.findings = sorted(rules.policy.apply(findings), key=sort_key(order))
    result.columns = list(raw.header)
    named = {f.row for f in findings if f.row is not None}
    result.project_names = {r: n for r, n in zip(table.rows, table.columns["nom_projet"])
                            if r in named and isinstance(n, str) and n.strip()}
    result.cells = table
    accept(result)
    return result
