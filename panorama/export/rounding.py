"""How many decimals each published number keeps: numbers as people write them.

Costs in M€ to the euro (6 decimals), durations in years to 3 decimals (under a day), rates as
fractions to 4 decimals (0.01 point), percentages to 2 decimals. Applied once, at publication, to
every number field of every table (CSV, Parquet, XLSX alike), so that no binary artefact such as
3161.7200000000003 reaches a reuser; computations upstream keep full precision.
"""
from __future__ import annotations

import math

MEUR_DECIMALS = 6
YEARS_DECIMALS = 3
RATE_DECIMALS = 4
PERCENT_DECIMALS = 2
DEFAULT_DECIMALS = 6

# (how the field name ends or starts, decimals); the first rule that matches wins.
_SUFFIXES: tuple[tuple[str, int], ...] = (("_meur", MEUR_DECIMALS), ("_annees", YEARS_DECIMALS),
                                          ("_pct", PERCENT_DECIMALS))
_PREFIXES: tuple[tuple[str, int], ...] = (("taux_", RATE_DECIMALS),)


def decimals_for(field_name: str) -> int:
    """Decimals kept for a number field, from its unit in the name (`_meur`, `_annees`, `taux_`)."""
    for suffix, decimals in _SUFFIXES:
        if field_name.endswith(suffix):
            return decimals
    for prefix, decimals in _PREFIXES:
        if field_name.startswith(prefix):
            return decimals
    return DEFAULT_DECIMALS


def round_number(value: float, decimals: int) -> float:
    """Round half away from zero on the decimal text (no 2.675 → 2.67 surprise); −0.0 becomes 0.0."""
    if not math.isfinite(value):
        return value
    rounded = float(f"{value:.{decimals + 3}f}")  # absorbs binary noise before the decimal rounding
    scaled = abs(rounded) * 10**decimals
    result = math.copysign(math.floor(scaled + 0.5) / 10**decimals, rounded)
    return 0.0 if result == 0 else float(f"{result:.{decimals}f}")
