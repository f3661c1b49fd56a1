"""Table Schema checks, vectorised over columns with pandas.

Gives the same errors as `frictionless.validate` (type-error, constraint-error, unique-error,
primary-key, same row and field) on canonical text cells, but one column at a time instead of one
cell at a time: driven by the Table Schema (`schema_spec`: types, required, minimum, maximum, pattern,
enum, min/maxLength, unique, primary key), it validates 200,000 rows in a fraction of the time.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from panorama.findings.catalog import brief, severity_of
from panorama.findings.core import Finding, clip
from panorama.normalise.cells import is_small
from panorama.normalise.values import ISO_DATE, STRICT_NUMBER, text_series, to_object
from panorama.validation import messages
from panorama.validation.checks import possible_repeats
from panorama.validation.context import CellContext
from panorama.validation.schema_cells import FIRST_DAY, LAST_DAY, check_schema_cells
from panorama.validation.schema_spec import (
    SchemaCheck,
    SchemaSpec,
    publication_schema,
    re2_pattern,
    submission_schema,
)

Schema = SchemaSpec  # the checks take our light schema (see schema_spec), not frictionless's
__all__ = ["CellContext", "SchemaCheck", "check_schema", "publication_schema", "re2_pattern",
           "submission_schema", "unique_findings"]


def _as_text(series: pd.Series) -> pd.Series:
    return text_series(series)


def _missing(text: pd.Series, missing_values: list[str]) -> pd.Series:
    return (text.isna() | text.isin(missing_values)).fillna(True).astype(bool)


def _parse(f, text: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(typed values, type-valid mask) for one field."""
    if f.type == "number":
        ok = present & text.str.fullmatch(STRICT_NUMBER).fillna(False).astype(bool)
        typed = pd.to_numeric(text.where(ok), errors="coerce").astype("float64")
        return typed, ok
    if f.type == "integer":
        ok = present & text.str.fullmatch(r"[+-]?[0-9]+").fillna(False).astype(bool)
        return pd.to_numeric(text.where(ok), errors="coerce").astype("float64"), ok
    if f.type == "date":
        shaped = present & text.str.fullmatch(ISO_DATE).fillna(False).astype(bool)
        parsed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
        held = (parsed >= pd.Timestamp(FIRST_DAY)) & (parsed <= pd.Timestamp(LAST_DAY))  # as the list path
        typed = parsed.where(held).astype("datetime64[ns]")
        return typed, shaped & typed.notna()
    if f.type == "boolean":
        true_mask = text.isin(f.true_values).fillna(False).astype(bool)
        false_mask = text.isin(f.false_values).fillna(False).astype(bool)
        typed = pd.Series(pd.NA, index=text.index, dtype="boolean")
        typed[true_mask] = True
        typed[false_mask] = False
        return typed, present & (true_mask | false_mask)
    return to_object(text.where(present)), present


def _bound(f, value):
    if f.type == "date":
        return pd.Timestamp(value)
    return float(value)


def _constraint_masks(f, text: pd.Series, typed: pd.Series, valid: pd.Series, missing: pd.Series):
    """Yield (constraint name, violating mask) in frictionless order."""
    c = f.constraints or {}
    if c.get("required"):
        yield "required", missing
    if "minLength" in c:
        yield "minLength", valid & (text.str.len() < c["minLength"]).fillna(False).astype(bool)
    if "maxLength" in c:
        yield "maxLength", valid & (text.str.len() > c["maxLength"]).fillna(False).astype(bool)
    if "minimum" in c:
        yield "minimum", valid & (typed < _bound(f, c["minimum"])).fillna(False).astype(bool)
    if "maximum" in c:
        yield "maximum", valid & (typed > _bound(f, c["maximum"])).fillna(False).astype(bool)
    if "pattern" in c:
        yield "pattern", valid & ~text.str.fullmatch(re2_pattern(c["pattern"])).fillna(False).astype(bool)
    if "enum" in c:
        allowed = [str(v) for v in c["enum"]]
        yield "enum", valid & ~text.isin(allowed).fillna(False).astype(bool)


def _emit(out: SchemaCheck, ctx: CellContext, f, kind: str, constraint: str | None, mask: pd.Series,
          shown: pd.Series, notes: dict[int, str] | None = None) -> None:
    for pos in np.flatnonzero(mask.to_numpy()):
        raw = shown.iloc[pos]
        note = (notes or {}).get(int(pos)) if kind == "unique-error" else None
        out.findings.append(messages.schema_cell(ctx, f, kind, constraint, int(pos), None if pd.isna(raw) else raw, note))
        out.positions.append(int(pos))


def check_schema(text: pd.DataFrame, ctx: CellContext, schema: Schema | None = None, *,
                 unique: bool = True) -> SchemaCheck:
    """Check canonical text cells (columns named by field) against the schema, column by column.

    `unique=False` leaves unique constraints and the primary key out, for a slice of a table whose
    uniqueness is checked once on the whole (`unique_findings`).
    """
    schema = schema or submission_schema()
    if not unique and is_small(len(text)):
        return check_schema_cells(text, ctx, schema)
    missing_values = list(schema.missing_values or [""])
    out = SchemaCheck()
    for f in schema.fields:
        if f.name not in text.columns:
            continue
        col = _as_text(text[f.name])
        shown = ctx.shown[f.name] if ctx.shown is not None and f.name in ctx.shown.columns else text[f.name]
        missing = _missing(col, missing_values)
        present = ~missing
        typed, valid = _parse(f, col, present)
        out.typed[f.name] = typed.where(valid) if f.type != "string" else typed
        _emit(out, ctx, f, "type-error", None, present & ~valid, shown)
        for constraint, mask in _constraint_masks(f, col, typed, valid, missing):
            _emit(out, ctx, f, "constraint-error", constraint, mask, shown)
        if unique and (f.constraints or {}).get("unique"):
            _unique(out, ctx, f, col.where(valid), shown)
    if unique:
        _primary_key(out, text, ctx, schema)
    order = sorted(range(len(out.findings)), key=lambda i: (out.positions[i], _field_rank(schema, out.findings[i])))
    out.findings = [out.findings[i] for i in order]
    out.positions = [out.positions[i] for i in order]
    return out


def _unique(out: SchemaCheck, ctx: CellContext, f, values: pd.Series, shown: pd.Series) -> None:
    candidates = possible_repeats(values)
    if not len(candidates):
        return
    subset = values.iloc[candidates].astype(object)
    dup_in_subset = subset.duplicated(keep="first").to_numpy()
    firsts = {v: int(ctx.row_numbers[p]) for v, p, d in zip(subset, candidates, dup_in_subset) if not d}
    dup = np.zeros(len(values), dtype=bool)
    dup[candidates[dup_in_subset]] = True
    notes = {int(p): f"à la ligne {firsts[values.iloc[p]]}" for p in candidates[dup_in_subset]}
    _emit(out, ctx, f, "unique-error", None, pd.Series(dup, index=values.index), shown, notes)


def unique_findings(table: pd.DataFrame, ctx: CellContext, schema: Schema | None = None) -> list[Finding]:
    """unique-error (and primary-key) over a whole canonical table, after chunked checks."""
    schema = schema or submission_schema()
    out = SchemaCheck()
    for f in schema.fields:
        if (f.constraints or {}).get("unique") and f.name in table.columns:
            _unique(out, ctx, f, table[f.name], table[f.name])
    text = pd.DataFrame({k: table[k] for k in (schema.primary_key or []) if k in table.columns})
    _primary_key(out, text, ctx, schema)
    return out.findings


def _field_rank(schema: Schema, finding: Finding) -> int:
    names = schema.field_names
    return names.index(finding.field) if finding.field in names else len(names)


def _primary_key(out: SchemaCheck, text: pd.DataFrame, ctx: CellContext, schema: Schema) -> None:
    key = list(schema.primary_key or [])
    if not key or any(k not in text.columns for k in key):
        return
    frame = text[key].astype(object)
    complete = frame.notna().all(axis=1) & ~frame.isin(list(schema.missing_values or [""])).any(axis=1)
    dup = complete & frame.duplicated(keep="first")
    for pos in np.flatnonzero(dup.to_numpy()):
        values = ", ".join(str(v) for v in frame.iloc[pos])
        out.findings.append(Finding(
            "primary-key", severity_of("primary-key"), ctx.file, sheet=ctx.sheet, row=int(ctx.row_numbers[pos]),
            column=", ".join(ctx.labels.get(k, k) for k in key), value=clip(values),
            message=f"La clé « {brief(values)} » de la ligne {int(ctx.row_numbers[pos])} figure déjà sur une ligne précédente.",
            expected="une valeur de clé différente sur chaque ligne",
        ))
        out.positions.append(int(pos))
