"""Validation of a big table, vectorised over columns with pandas and Arrow, in chunks of rows.

Small tables take the list path (`validation/small.py`), which never imports pandas; both give the
same findings and the same table (`tests/test_validation_small_path.py`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from panorama.edition import Edition
from panorama.findings.core import Finding
from panorama.findings.policy import EMPTIES_VALUE
from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, project_fields
from panorama.normalise import normalise_table
from panorama.normalise.headers import HeaderMatch, match_headers
from panorama.normalise.values import text_series
from panorama.reading.table import RawTable
from panorama.validation import messages
from panorama.validation.checks import cadrage_checks, content_checks, cross_checks, duplicate_projects
from panorama.validation.rules import Rules
from panorama.validation.submission import FILE_LEVEL, SubmissionResult, sort_key
from panorama.validation.tableschema import CellContext, check_schema, unique_findings

CHUNK_ROWS = 20_000  # rows normalised and checked at a time: bounds the intermediate columns


def empty_table() -> pd.DataFrame:
    # Every SubmissionResult starts with one: build it once, hand out copies (≈ 1 ms instead of ≈ 30).
    return _empty_template().copy()


@lru_cache(maxsize=1)
def _empty_template() -> pd.DataFrame:
    return _TableBuilder(0).frame("", None, np.empty(0, dtype="int64"))


class _TableBuilder:
    """The canonical table, filled chunk by chunk into preallocated columns (no concat copies).

    A text column whose canonical values equal the cells as read keeps the reader's own array
    (zero copy); it is copied only when some canonical value differs, and then a canonical string
    equal to the cell as read still reuses the reader's str object.
    """

    def __init__(self, n: int, as_read: dict[str, np.ndarray] | None = None) -> None:
        self.n = n
        self.as_read = as_read or {}
        self.columns: dict[str, np.ndarray | None] = {}
        self.missing: dict[str, np.ndarray] = {}
        for name in project_fields():
            if name in NUMBER_FIELDS:
                self.columns[name] = np.full(n, np.nan, dtype="float64")
            elif name in DATE_FIELDS:
                self.columns[name] = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
            elif name in BOOLEAN_FIELDS:
                self.columns[name] = np.zeros(n, dtype=bool)
                self.missing[name] = np.ones(n, dtype=bool)
            else:
                self.columns[name] = None  # text: decided at the first chunk (shared or own array)

    def _text(self, name: str, start: int, canon: np.ndarray) -> None:
        read = self.as_read.get(name)
        end = start + len(canon)
        same = canon == read[start:end] if read is not None else None
        if self.columns[name] is None:
            if same is not None and bool(same.all()):
                return  # still identical to the cells as read: keep sharing the reader's array
            self.columns[name] = read.copy() if read is not None else np.full(self.n, None, dtype=object)
        column = self.columns[name]
        column[start:end] = np.where(same, read[start:end], canon) if same is not None else canon

    def put(self, start: int, typed: dict[str, pd.Series]) -> None:
        for name, values in typed.items():
            if name not in self.columns:
                continue
            end = start + len(values)
            if name in BOOLEAN_FIELDS:
                self.missing[name][start:end] = values.isna().to_numpy()
                self.columns[name][start:end] = values.fillna(False).to_numpy(dtype=bool)
            elif name in NUMBER_FIELDS or name in DATE_FIELDS:
                self.columns[name][start:end] = values.to_numpy()
            else:
                self._text(name, start, values.to_numpy(dtype=object))

    def frame(self, file: str, sheet: str | None, row_numbers: np.ndarray) -> pd.DataFrame:
        data: dict[str, object] = {}
        for name, values in self.columns.items():
            if name in BOOLEAN_FIELDS:
                data[name] = pd.arrays.BooleanArray(values, self.missing[name])
                continue
            if values is None:
                values = self.as_read.get(name)
                values = values if values is not None else np.full(self.n, None, dtype=object)
            # object dtype stated explicitly: pandas 3 would infer its str dtype
            data[name] = pd.Series(values, dtype=object, copy=False) if values.dtype == object else values
        data["_fichier"] = pd.Series(np.full(self.n, file, dtype=object), dtype=object, copy=False)
        data["_feuille"] = pd.Series(np.full(self.n, sheet, dtype=object), dtype=object, copy=False)
        data["_ligne"] = np.asarray(row_numbers, dtype="int64")
        return pd.DataFrame(data, copy=False)


def _column_empty(raw: RawTable) -> list[bool]:
    """Columns holding nothing but blanks (the reading stage usually drops them already)."""
    empty = []
    for i in range(raw.data.shape[1]):
        column = raw.data.iloc[:, i]
        head = column.iloc[:1000].to_numpy(dtype=object)
        if any(not pd.isna(v) and str(v).strip() for v in head):
            empty.append(False)
        elif len(column) <= 1000:
            empty.append(True)
        else:
            empty.append(not text_series(column.dropna()).str.strip().ne("").any())
    return empty


def accept_frame(result: SubmissionResult, table: pd.DataFrame) -> None:
    """Keep the rows without any blocking finding (none at all after a file-level one)."""
    blocking = [f for f in result.findings if f.blocking]
    if any(f.type in FILE_LEVEL for f in blocking):
        table = table.iloc[0:0]
    else:
        rows = {f.row for f in blocking if f.row is not None}
        if rows:
            table = table[~table["_ligne"].isin(rows)].reset_index(drop=True)
    result.table = table


def _chunk(raw: RawTable, start: int, end: int) -> RawTable:
    return RawTable(raw.path, raw.sha256, raw.header, raw.header_row, raw.data.iloc[start:end],
                    raw.row_numbers[start:end], raw.sheet, raw.encoding, raw.delimiter, [])


def _empty_refused(typed: dict[str, pd.Series], findings: list[Finding], row_numbers: np.ndarray) -> None:
    """Leave empty the typed value of each cell a non-blocking finding refused (the report keeps the cell)."""
    refused: dict[str, set[int]] = {}
    for f in findings:
        if not f.blocking and f.type in EMPTIES_VALUE and f.field in typed and f.row is not None:
            refused.setdefault(f.field, set()).add(f.row)
    for name, rows in refused.items():
        mask = np.isin(np.asarray(row_numbers), list(rows))
        if not mask.any():
            continue
        column = typed[name]
        if column.dtype == object:  # text keeps the contract's None for a missing value
            values = column.to_numpy(dtype=object, copy=True)
            values[mask] = None
            typed[name] = pd.Series(values, index=column.index, dtype=object)
        else:
            typed[name] = column.mask(pd.Series(mask, index=column.index))


def _check_chunk(raw: RawTable, match: HeaderMatch, edition: Edition | None, table: _TableBuilder,
                 start: int, rules: Rules) -> tuple[list[Finding], dict[str, str]]:
    """Normalise and check one slice of rows; its typed values go into the table."""
    file = raw.path.name
    norm = normalise_table(raw, match, rules.ministries, rules.placeholders)
    ctx = CellContext(file, raw.sheet, raw.row_numbers, norm.labels, shown=norm.shown)
    schema = check_schema(norm.text, ctx, unique=False)
    content = rules.policy.apply(content_checks(norm.shown, ctx))
    schema.findings = rules.policy.apply(schema.findings)
    _empty_refused(schema.typed, content + schema.findings, raw.row_numbers)
    typed = pd.DataFrame(schema.typed, index=norm.text.index)
    cross, explained = cross_checks(typed, norm.shown, ctx, edition.date_publication if edition else None)
    silenced = explained | norm.reported
    findings = content + norm.findings
    findings += [f for f in schema.findings if (f.row, f.field) not in silenced]
    findings += cadrage_checks(typed.get("phase"), norm.cadrage, norm.shown, ctx) + cross
    table.put(start, schema.typed)
    return rules.policy.apply(findings), norm.labels


def _release_cells(raw: RawTable) -> None:
    """Drop a RawTable's cells once the table is built (only for one this module read itself):
    the columns the table does not share are freed before the whole-table checks."""
    raw.data = pd.DataFrame({i: np.empty(0, dtype=object) for i in range(raw.data.shape[1])},
                            columns=pd.RangeIndex(raw.data.shape[1]), dtype=object)


def _accept_owned(result: SubmissionResult, box: list[pd.DataFrame]) -> None:
    """`accept`, copying the kept rows one column at a time and freeing each source column.

    `box` holds the only reference to the table, so at most one column exists twice at once
    (a million-row table would otherwise be held twice while its rows are filtered).
    """
    blocking = [f for f in result.findings if f.blocking]
    rows = {f.row for f in blocking if f.row is not None}
    if any(f.type in FILE_LEVEL for f in blocking) or not rows:
        accept_frame(result, box.pop())
        return
    table = box.pop()
    keep = ~table["_ligne"].isin(rows).to_numpy()
    columns = {name: table[name].array if name in BOOLEAN_FIELDS else table[name].to_numpy() for name in table.columns}
    del table
    data: dict[str, object] = {}
    for name in list(columns):
        values = columns.pop(name)[keep]
        data[name] = pd.Series(values, dtype=object, copy=False) if values.dtype == object else values
    result.table = pd.DataFrame(data, copy=False)


def _names_of(table: pd.DataFrame, rows: set[int]) -> dict[int, str]:
    """The project named on each row that has a finding (the reports name the project, not just the row)."""
    if not rows or not len(table):
        return {}
    picked = table.loc[table["_ligne"].isin(list(rows)), ["_ligne", "nom_projet"]]
    return {int(r): str(n) for r, n in zip(picked["_ligne"], picked["nom_projet"])
            if isinstance(n, str) and n.strip()}


def validate_frame(raw: RawTable, edition: Edition | None, *, owned: bool, rules: Rules) -> SubmissionResult:
    """Everything after reading, for a big table (see `submission.validate_raw_table`)."""
    file = raw.path.name
    result = SubmissionResult(path=raw.path, file=file, sha256=raw.sha256, encoding=raw.encoding,
                              delimiter=raw.delimiter, sheet=raw.sheet, rows_read=raw.rows_read)
    match = match_headers(raw.header, _column_empty(raw), file, raw.sheet, raw.header_row)
    findings = [*raw.findings, *match.findings]
    result.unknown_columns = match.unknown_columns
    if raw.rows_read == 0:
        findings.append(messages.no_rows(file, raw.sheet, raw.header_row))
    as_read = {name: raw.data.iloc[:, i].to_numpy(dtype=object) for name, i in match.columns.items()}
    builder = _TableBuilder(raw.rows_read, as_read)
    labels: dict[str, str] = {}
    for start in range(0, max(raw.rows_read, 1), CHUNK_ROWS):
        end = min(start + CHUNK_ROWS, raw.rows_read)
        found, labels = _check_chunk(_chunk(raw, start, end), match, edition, builder, start, rules)
        findings += found
    result.labels = dict(labels)
    table = builder.frame(file, raw.sheet, raw.row_numbers)
    del builder, as_read
    if owned:
        _release_cells(raw)
    ctx = CellContext(file, raw.sheet, raw.row_numbers, labels)
    findings += unique_findings(table, ctx)
    findings += duplicate_projects([(file, table)], {file: labels}).get(file, [])
    order = {name: i for i, name in enumerate(project_fields())}
    result.findings = sorted(rules.policy.apply(findings), key=sort_key(order))
    result.columns = list(raw.header)
    result.project_names = _names_of(table, {f.row for f in findings if f.row is not None})
    box = [table]
    del table
    _accept_owned(result, box)
    return result


