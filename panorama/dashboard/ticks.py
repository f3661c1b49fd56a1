"""Axis ticks at steps people read: 1, 2, 2.5 or 5 times a power of ten.

Shared by the inline SVG charts and the PNG charts, so both label their axes alike. Integer
quantities (project counts) and durations get whole steps when the range allows it: a duration
axis reads "2 ans, 4 ans, 6 ans", not "2,5 ans, 5 ans, 7,5 ans".
"""
from __future__ import annotations

import math

_MULTIPLIERS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(span: float, count: int = 4, *, integer: bool = False) -> float:
    """The smallest readable step that splits `span` into at most `count` intervals."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for multiplier in _MULTIPLIERS:
        step = multiplier * power
        if integer and (step < 1 or multiplier == 2.5 and step < 10):
            continue  # whole units only; 2.5 only from 25 upwards (25, 250…)
        if step >= raw - 1e-12:
            return step
    return 10.0 * power


def nice_ticks(low: float, high: float, count: int = 4, *, integer: bool = False) -> list[float]:
    """Tick values from a multiple of the step at or below `low` to one at or above `high`."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (1.0 if low == 0 else abs(low))
    step = nice_step(high - low, count, integer=integer)
    start = math.floor(low / step + 1e-9) * step
    ticks: list[float] = []
    value = start
    while value < high + step * 1e-9 or not ticks or ticks[-1] < high - step * 1e-9:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 50:
            break
    return ticks
