"""`check_schema` (without the unique checks) on plain lists, for small tables.

Same rules, same findings, same typed columns as the vectorised path of `tableschema.py`, but
each field's checks are planned once per process (patterns compiled, enums as sets) and run over
lists, so that a 60-row file does not pay for a hundred pandas operations. Number and date parsing
still go through pandas (`to_numeric`, `to_datetime`), whose rounding Python's `float` does not
always share.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from panorama.findings.catalog import brief, severity_of
from panorama.findings.core import Finding, clip
from panorama.normalise.cells import cells_of, text_column
from panorama.normalise.values import ISO_DATE, STRICT_NUMBER
from panorama.validation.context import CellContext
from panorama.validation.schema_spec import CONSTRAINT_TEXT, SchemaCheck, expected, re2_pattern
from panorama.validation.schema_spec import SchemaSpec as Schema

_PATTERNS = {"number": re.compile(STRICT_NUMBER), "integer": re.compile(r"[+-]?[0-9]+"), "date": re.compile(ISO_DATE)}


@dataclass(frozen=True)
class _Plan:
    """What checking one field needs, worked out once from the frictionless field."""

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


_PLANS: dict[int, tuple[Schema, list[_Plan], frozenset[str]]] = {}


def _plan(f: Any) -> _Plan:
    c = dict(f.constraints or {})
    bound = (lambda v: pd.Timestamp(v).to_datetime64().astype("datetime64[ns]")) if f.type == "date" else float
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


def _typed(plan: _Plan, values: list[str | None], present: list[bool], index: pd.Index) -> tuple[pd.Series, list[bool]]:
    """(typed column, valid flags) as `tableschema._parse` then `.where(valid)` give them."""
    if plan.type in ("number", "integer"):
        regex = _PATTERNS[plan.type]
        ok = [p and v is not None and regex.fullmatch(v) is not None for v, p in zip(values, present)]
        if any(ok):
            kept = text_column([v if k else None for v, k in zip(values, ok)], index)
            typed = pd.to_numeric(kept, errors="coerce").astype("float64")
        else:
            typed = pd.Series(np.full(len(index), np.nan), index=index, dtype="float64")
        return typed, ok
    if plan.type == "date":
        shaped = [p and v is not None and _PATTERNS["date"].fullmatch(v) is not None for v, p in zip(values, present)]
        if any(shaped):
            kept = text_column([v if k else None for v, k in zip(values, shaped)], index)
            typed = pd.to_datetime(kept, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
            ok = [k and not pd.isna(t) for k, t in zip(shaped, typed.tolist())]
        else:
            typed = pd.Series(np.full(len(index), np.datetime64("NaT"), dtype="datetime64[ns]"), index=index)
            ok = shaped
        return typed, ok
    if plan.type == "boolean":
        flags = [True if v in plan.true_values else False if v in plan.false_values else None for v in values]
        ok = [p and b is not None for b, p in zip(flags, present)]
        return pd.Series(pd.array(flags, dtype="boolean"), index=index), ok
    return pd.Series([v if p else None for v, p in zip(values, present)], index=index, dtype=object), list(present)


def _violations(plan: _Plan, constraint: str, values: list[str | None], typed: np.ndarray | None,
                valid: list[bool], missing: list[bool]) -> list[int]:
    texts = cast(list[str], values)  # a valid cell is a present one: never None where `valid` holds
    if constraint == "required":
        return [i for i, m in enumerate(missing) if m]
    if constraint == "minLength" and plan.min_length is not None:
        low = plan.min_length
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and len(v) < low]
    if constraint == "maxLength" and plan.max_length is not None:
        high = plan.max_length
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and len(v) > high]
    if constraint in ("minimum", "maximum") and typed is not None:
        with np.errstate(invalid="ignore"):
            bad = typed < plan.minimum if constraint == "minimum" else typed > plan.maximum
        return [i for i in np.flatnonzero(bad).tolist() if valid[i]]
    if constraint == "pattern" and plan.pattern is not None:
        pattern = plan.pattern
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and pattern.fullmatch(v) is None]
    if constraint == "enum" and plan.enum is not None:
        allowed = plan.enum
        return [i for i, (v, ok) in enumerate(zip(texts, valid)) if ok and v not in allowed]
    return []


def _emit(out: SchemaCheck, ctx: CellContext, plan: _Plan, kind: str, constraint: str | None,
          positions: list[int], shown: list[str | None]) -> None:
    label = ctx.labels.get(plan.name, plan.name)
    for pos in positions:
        raw = shown[pos]
        value = None if raw is None or raw == "" else str(raw)
        if kind == "type-error":
            what = f"n'est pas du type attendu ({plan.type})"
        else:
            what = CONSTRAINT_TEXT.get(constraint or "", "ne respecte pas le schéma")
        cell = "La cellule" if value is None else f"La valeur « {brief(value)} »"
        row = int(ctx.row_numbers[pos])
        out.findings.append(Finding(
            kind, severity_of(kind, plan.name), ctx.file, sheet=ctx.sheet, row=row, column=label,
            field=plan.name, value=clip(value),
            message=f"{cell} de la colonne « {label} », ligne {row}, {what}.",
            expected=expected(plan.field, constraint),
        ))
        out.positions.append(pos)


def check_schema_cells(text: pd.DataFrame, ctx: CellContext, schema: Schema) -> SchemaCheck:
    """`check_schema(text, ctx, schema, unique=False)` on lists; identical result."""
    field_plans, missing_values = plans(schema)
    out = SchemaCheck()
    rank: dict[str, int] = {}
    for plan in field_plans:
        rank[plan.name] = len(rank)
        if plan.name not in text.columns:
            continue
        values = cells_of(text[plan.name])
        if ctx.shown is not None and plan.name in ctx.shown.columns:
            shown = cells_of(ctx.shown[plan.name])
        else:
            shown = values
        missing = [v is None or v in missing_values for v in values]
        present = [not m for m in missing]
        typed, valid = _typed(plan, values, present, text.index)
        out.typed[plan.name] = typed
        if plan.type != "string":
            _emit(out, ctx, plan, "type-error", None, [i for i, (p, ok) in enumerate(zip(present, valid)) if p and not ok], shown)
        numbers = typed.to_numpy() if plan.type in ("number", "integer", "date") else None
        for constraint in plan.constraint_order:
            positions = _violations(plan, constraint, values, numbers, valid, missing)
            _emit(out, ctx, plan, "constraint-error", constraint, positions, shown)
    ranks = [rank.get(f.field or "", len(rank)) for f in out.findings]
    order = sorted(range(len(out.findings)), key=lambda i: (out.positions[i], ranks[i]))
    out.findings = [out.findings[i] for i in order]
    out.positions = [out.positions[i] for i in order]
    return out
