"""`check_schema` (without the unique checks) on plain lists, for small tables.

Same rules, same findings, same typed values as the vectorised path of `tableschema.py`, but each
field's checks are planned once per process (patterns compiled, enums as sets) and run over lists
without pandas: a 60-row file neither pays for a hundred pandas operations nor imports pandas.
Numbers are parsed by Python's `float` (correctly rounded, like pandas' parser on the same strict
decimal text) and dates by `datetime.date`, within the span a datetime64[ns] can hold (outside it
pandas has no value either).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from panorama.findings.core import Finding
from panorama.normalise.patterns import ISO_DATE, STRICT_NUMBER
from panorama.validation import messages
from panorama.validation.context import CellContext
from panorama.validation.schema_spec import SchemaCheck, re2_pattern
from panorama.validation.schema_spec import SchemaSpec as Schema

if TYPE_CHECKING:
    import pandas as pd

_PATTERNS = {"number": re.compile(STRICT_NUMBER), "integer": re.compile(r"[+-]?[0-9]+"), "date": re.compile(ISO_DATE)}
FIRST_DAY, LAST_DAY = dt.date(1677, 9, 22), dt.date(2262, 4, 11)  # the whole days datetime64[ns] holds
Cells = list[Any]


@dataclass(frozen=True)
class _Plan:
    """What checking one field needs, worked out once from the schema field."""

    field: Any
    name: str
    type: str
    required: bool
    min_length: int | None
    max_length: int | None
    minimum: Any
    maximum: Any
    pattern: re.Pattern[str] | None
    enum: frozenset[str] | None
    true_values: frozenset[str]
    false_values: frozenset[str]
    constraint_order: tuple[str, ...]


@dataclass
class CellCheck:
    """The schema check of a small table: typed values per field (float, date, bool, str or None) and findings."""

    typed: dict[str, Cells] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # row position (0-based) of each finding


_PLANS: dict[int, tuple[Schema, list[_Plan], frozenset[str]]] = {}


def _plan(f: Any) -> _Plan:
    c = dict(f.constraints or {})
    bound = (lambda v: dt.date.fromisoformat(str(v))) if f.type == "date" else float
    order = tuple(k for k in ("required", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum")
                  if (c.get(k) if k == "required" else k in c))
    return _Plan(
        field=f, name=f.name, type=f.type, required=bool(c.get("required")),
        min_length=c.get("minLength"), max_length=c.get("maxLength"),
        minimum=bound(c["minimum"]) if "minimum" in c else None,
        maximum=bound(c["maximum"]) if "maximum" in c else None,
        pattern=re.compile(re2_pattern(c["pattern"])) if "pattern" in c else None,
        enum=frozenset(str(v) for v in c["enum"]) if "enum" in c else None,
        true_values=frozenset(getattr(f, "true_values", None) or ()),
        false_values=frozenset(getattr(f, "false_values", None) or ()),
        constraint_order=order,
    )


def plans(schema: Schema) -> tuple[list[_Plan], frozenset[str]]:
    """The per-field plans and missing values of a schema, cached for the process."""
    cached = _PLANS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, [_plan(f) for f in schema.fields], frozenset(schema.missing_values or [""]))
        _PLANS[id(schema)] = cached
    return cached[1], cached[2]


def _day(text: str) -> dt.date | None:
    try:
        day = dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _typed(plan: _Plan, values: Cells, present: list[bool]) -> tuple[Cells, list[bool]]:
    """(typed values, valid flags): what `tableschema._parse` then `.where(valid)` give, as Python values."""
    if plan.type in ("number", "integer"):
        regex = _PATTERNS[plan.type]
        ok = [p and v is not None and regex.fullmatch(v) is not None for v, p in zip(values, present)]
        return [float(v) if k else None for v, k in zip(values, ok)], ok
    if plan.type == "date":
        regex = _PATTERNS["date"]
        days = [_day(v) if p and v is not None and regex.fullmatch(v) else None for v, p in zip(values, present)]
        return days, [d is not None for d in days]
    if plan.type == "boolean":
        flags = [True if v in plan.true_values else False if v in plan.false_values else None for v in values]
        return flags, [p and b is not None for b, p in zip(flags, present)]
    return [v if p else None for v, p in zip(values, present)], list(present)


def _violations(plan: _Plan, constraint: str, values: Cells, typed: Cells, valid: list[bool],
                missing: list[bool]) -> list[int]:
    texts = values  # a valid cell is a present one: never None where `valid` holds
    if constraint == "required":
        return [i for i, m in enumerate(missing) if m]
    if constraint == "minLength" and plan.min_length is not None:
        low = plan.min_length
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and len(v) < low]
    if constraint == "maxLength" and plan.max_length is not None:
        high = plan.max_length
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and len(v) > high]
    if constraint == "minimum" and plan.type in ("number", "integer", "date"):
        return [i for i, (t, ok) in enumerate(zip(typed, valid)) if ok and t is not None and t < plan.minimum]
    if constraint == "maximum" and plan.type in ("number", "integer", "date"):
        return [i for i, (t, ok) in enumerate(zip(typed, valid)) if ok and t is not None and t > plan.maximum]
    if constraint == "pattern" and plan.pattern is not None:
        pattern = plan.pattern
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and pattern.fullmatch(v) is None]
    if constraint == "enum" and plan.enum is not None:
        allowed = plan.enum
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and v not in allowed]
    return []


def _emit(out: CellCheck, ctx: CellContext, plan: _Plan, kind: str, constraint: str | None,
          positions: list[int], shown: Cells) -> None:
    for pos in positions:
        out.findings.append(messages.schema_cell(ctx, plan.field, kind, constraint, pos, shown[pos]))
        out.positions.append(pos)


def check_cells(text: dict[str, Cells], shown: dict[str, Cells], ctx: CellContext, schema: Schema) -> CellCheck:
    """The schema check (unique constraints aside) of canonical text cells, field → list of str or None."""
    field_plans, missing_values = plans(schema)
    out = CellCheck()
    rank: dict[str, int] = {}
    for plan in field_plans:
        rank[plan.name] = len(rank)
        if plan.name not in text:
            continue
        values = text[plan.name]
        cells_shown = shown.get(plan.name, values)
        missing = [v is None or v in missing_values for v in values]
        present = [not m for m in missing]
        typed, valid = _typed(plan, values, present)
        out.typed[plan.name] = typed
        if plan.type != "string":
            _emit(out, ctx, plan, "type-error", None, [i for i, (p, ok) in enumerate(zip(present, valid)) if p and not ok],
                  cells_shown)
        for constraint in plan.constraint_order:
            _emit(out, ctx, plan, "constraint-error", constraint,
                  _violations(plan, constraint, values, typed, valid, missing), cells_shown)
    ranks = [rank.get(f.field or "", len(rank)) for f in out.findings]
    order = sorted(range(len(out.findings)), key=lambda i: (out.positions[i], ranks[i]))
    out.findings = [out.findings[i] for i in order]
    out.positions = [out.positions[i] for i in order]
    return out


def typed_series(kind: str, values: Cells, index: pd.Index) -> pd.Series:
    """Typed values of `check_cells` as the column the vectorised check gives (float64, datetime64[ns],
    boolean, object)."""
    import numpy as np
    import pandas as pd

    if kind in ("number", "integer"):
        return pd.Series(np.array([math.nan if v is None else v for v in values], dtype="float64"), index=index)
    if kind == "date":
        days = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values],
                        dtype="datetime64[D]").astype("datetime64[ns]")
        return pd.Series(days, index=index)
    if kind == "boolean":
        return pd.Series(pd.array(values, dtype="boolean"), index=index)
    return pd.Series(values, index=index, dtype=object)


def check_schema_cells(text: pd.DataFrame, ctx: CellContext, schema: Schema) -> SchemaCheck:
    """`check_schema(text, ctx, schema, unique=False)` on lists; identical result, typed as pandas columns."""
    from panorama.normalise.cells import cells_of

    columns = {name: cells_of(text[name]) for name in text.columns}
    shown = {name: cells_of(ctx.shown[name]) for name in ctx.shown.columns} if ctx.shown is not None else {}
    checked = check_cells(columns, shown, ctx, schema)
    kinds = {f.name: f.type for f in schema.fields}
    typed = {name: typed_series(kinds[name], values, text.index) for name, values in checked.typed.items()}
    return SchemaCheck(typed=typed, findings=checked.findings, positions=checked.positions)
