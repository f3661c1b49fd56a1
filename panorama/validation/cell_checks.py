"""The checks of `checks.py` and `tableschema.unique_findings` on plain lists, for small tables.

Same rules, same findings (built by the same helpers of `messages.py`), same order as the
vectorised checks, without pandas: `tests/test_validation_small_path.py` runs both on the same
files. Columns are dicts field → list (text: str or None; typed: float, date, bool, str or None).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from panorama.findings.core import Finding, clip
from panorama.findings.policy import EMPTIES_VALUE
from panorama.normalise.patterns import BRACKET_BOUNDS
from panorama.validation import messages
from panorama.validation.cell_table import CellTable
from panorama.validation.context import CellContext
from panorama.validation.schema_spec import SchemaSpec

Cells = list[Any]


def _cell(value: object) -> str | None:
    return None if value is None else clip(str(value))


def content_cells(shown: dict[str, Cells], where: CellContext) -> list[Finding]:
    """Formula injection and control characters, in the cells as written (`checks.content_checks`)."""
    findings: list[Finding] = []
    for name, cells in shown.items():
        findings += [messages.formula(where, i, name, v) for i, v in enumerate(cells)
                     if v is not None and messages.FORMULA_RE.match(v)]
        findings += [messages.control(where, i, name, v) for i, v in enumerate(cells)
                     if v is not None and messages.CONTROL_RE.search(v)]
    return findings


def cadrage_cells(phase: Cells | None, cadrage: dict[str, list[bool]], shown: dict[str, Cells],
                  where: CellContext) -> list[Finding]:
    """"En cadrage" typed in a cost or duration cell of a project not in phase Cadrage (`checks.cadrage_checks`)."""
    findings: list[Finding] = []
    for name, flags in cadrage.items():
        for pos, flag in enumerate(flags):
            if flag and (phase is None or phase[pos] != "Cadrage"):
                findings.append(messages.in_cadrage(where, pos, name, _cell(shown[name][pos])))
    return findings


def cross_cells(typed: dict[str, Cells], shown: dict[str, Cells], where: CellContext,
                edition_date: dt.date | None) -> tuple[list[Finding], set[tuple[int, str]]]:
    """Rules across fields of a row (`checks.cross_checks`); returns findings and the (row, field) they explain."""
    findings: list[Finding] = []
    explained: set[tuple[int, str]] = set()

    def add(pos: int, rule: tuple[str, str, str, str]) -> None:
        kind, name, message, expected = rule
        value = _cell(shown[name][pos]) if name in shown else None
        findings.append(messages.cell_finding(kind, where, pos, name, value, message, expected))
        explained.add((where.row(pos), name))

    start = typed.get("date_debut")
    if start is not None and "phase" in typed and "date_debut" in shown:
        blank = [d is None and (s is None or not s.strip()) for d, s in zip(start, shown["date_debut"])]
        cadrage = [p == "Cadrage" for p in typed["phase"]]
        for pos in [i for i, (b, c) in enumerate(zip(blank, cadrage)) if b and c]:
            add(pos, messages.start_blank_in_cadrage(where.row(pos)))
        for pos in [i for i, (b, c) in enumerate(zip(blank, cadrage)) if b and not c]:
            add(pos, messages.start_missing(where.row(pos)))
    if edition_date is not None and start is not None:
        for pos, day in enumerate(start):
            if day is not None and day > edition_date:
                add(pos, messages.start_future(where.row(pos), day, edition_date))
    for name in messages.DURATION_FIELDS:
        for pos, years in enumerate(typed.get(name) or ()):
            if years is not None and years <= 0:
                add(pos, messages.duration_not_positive(where.row(pos), name, where.labels.get(name, name)))
    if "tranche_cout" in typed and "cout_estime_meur" in typed:
        cost, bracket = typed["cout_estime_meur"], typed["tranche_cout"]
        for name, (low, high) in BRACKET_BOUNDS.items():
            for pos, (b, c) in enumerate(zip(bracket, cost)):
                if b == name and c is not None and (c < low or c > high):
                    add(pos, messages.bracket_outside(where.row(pos), name, c))
        for pos, (b, c) in enumerate(zip(bracket, cost)):
            if b == "en cadrage" and c is not None:
                add(pos, messages.bracket_cadrage(where.row(pos), c))
    return findings, explained


def empty_refused(typed: dict[str, Cells], findings: list[Finding], rows: list[int]) -> None:
    """Leave empty the typed value of each cell a non-blocking finding refused (the report keeps the cell)."""
    refused: dict[str, set[int]] = {}
    for f in findings:
        if not f.blocking and f.type in EMPTIES_VALUE and f.field in typed and f.row is not None:
            refused.setdefault(f.field, set()).add(f.row)
    for name, bad in refused.items():
        typed[name] = [None if r in bad else v for v, r in zip(typed[name], rows)]


def unique_cells(table: CellTable, ctx: CellContext, schema: SchemaSpec) -> list[Finding]:
    """unique-error over the whole table (`tableschema.unique_findings`, for a schema without primary key)."""
    findings: list[Finding] = []
    for f in schema.fields:
        if not (f.constraints or {}).get("unique") or f.name not in table.columns:
            continue
        values = table.columns[f.name]
        first: dict[Any, int] = {}
        for pos, v in enumerate(values):
            if v is None:
                continue
            if v in first:
                findings.append(messages.schema_cell(ctx, f, "unique-error", None, pos, v, f"à la ligne {first[v]}"))
            else:
                first[v] = int(ctx.row_numbers[pos])
    return findings


_KEY_DROP = re.compile(r"[^a-z0-9<>]")
KEY_SAFE_BELOW = 0x2000  # below it Python's and Arrow's Unicode tables agree (tests/test_validation_perf_equivalence.py)


def name_key(name: str) -> str:
    """`values.plain_keys` for one name: Python's unicodedata where it agrees with Arrow's, else Arrow."""
    if max(map(ord, name), default=0) >= KEY_SAFE_BELOW:
        import pandas as pd  # a rare character: Arrow's own tables decide, as on the vectorised path

        from panorama.normalise.values import plain_keys
        return plain_keys(pd.Series([name], dtype=object)).iloc[0]
    return _KEY_DROP.sub("", unicodedata.normalize("NFKD", name).lower())


def _key(ministry: object, name: object) -> str | None:
    if not isinstance(ministry, str) or not isinstance(name, str):
        return None
    k = name_key(name)
    return ministry + "|" + k if k else None


def duplicate_cells(tables: list[CellTable], labels: dict[str, dict[str, str]],
                    cross_file_only: bool = False) -> dict[str, list[Finding]]:
    """`checks.duplicate_projects` on small tables: same ministry + normalised name, within or across files."""
    first: dict[str, tuple[CellTable, int]] = {}
    out: dict[str, list[Finding]] = {}
    for t in tables:
        for pos, (ministry, name) in enumerate(zip(t.columns["ministere_code"], t.columns["nom_projet"])):
            key = _key(ministry, name)
            if key is None:
                continue
            if key not in first:
                first[key] = (t, pos)
                continue
            origin, origin_pos = first[key]
            if cross_file_only and origin.file == t.file:
                continue
            label = labels.get(t.file, {}).get("nom_projet", "nom_projet")
            out.setdefault(t.file, []).append(messages.duplicate_project(
                t.file, t.sheet, t.rows[pos], label, name, ministry,
                messages.first_place(origin.rows[origin_pos], origin.file, t.file)))
    return out
