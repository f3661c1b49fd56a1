"""The normalisation of `values.py`, one cell at a time, for small tables.

A pandas string operation costs about 0.1 ms whatever the column's length, and normalising a file
takes some 150 of them: on a 60-row file that fixed cost is nearly all the time. Below
`SMALL_TABLE_ROWS` rows the same rules run on plain lists with precompiled patterns (identical
results: `tests/test_validation_perf_equivalence.py` runs both paths on the same files); above it
the vectorised column functions of `values.py` win.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from panorama.normalise.dates import SYSTEM_1900, date_text
from panorama.normalise.patterns import (
    _NUMBER_UNIT,
    _SPACES,
    BRACKETS,
    FALSE_WORDS,
    PHASES,
    STRICT_NUMBER,
    STRICT_URLS,
    TEXT,
    TRUE_WORDS,
    plain_key,
    strip_html,
    urls_of,
)

if TYPE_CHECKING:
    import pandas as pd

SMALL_TABLE_ROWS = 5_000  # read at call time, so a test can force either path

Cells = list[str | None]

_SPACES_RE = re.compile(_SPACES)
_UNIT_RE = re.compile(_NUMBER_UNIT)
_STRICT_NUMBER_RE = re.compile(STRICT_NUMBER)
_STRICT_URLS_RE = re.compile(STRICT_URLS)
_BRACKET_UNIT_RE = re.compile(r"(?:m|meur|millions?)$")


def is_small(rows: int) -> bool:
    return rows <= SMALL_TABLE_ROWS


def cells_of(series: pd.Series) -> Cells:
    """A column's cells as a list of str or None (pandas' missing markers become None)."""
    return series.to_numpy(dtype=object, na_value=None).tolist()


def text_column(values: Cells, index: pd.Index) -> pd.Series:
    """Cells back into the Arrow-backed text column the vectorised path produces."""
    import pandas as pd  # only a caller that already works with pandas gets here

    return pd.Series(values, index=index, dtype=TEXT)


def clean_cell(value: str | None) -> str | None:
    """`values.clean_text` for one cell."""
    if value is None:
        return None
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip() or None


def _memo(fn: Callable[[str], str | None]) -> Callable[[str | None], str | None]:
    """Clean the cell, then apply `fn` once per distinct value (as `values._per_unique` does)."""
    seen: dict[str, str | None] = {}

    def one(value: str | None) -> str | None:
        text = clean_cell(value)
        if text is None:
            return None
        if text not in seen:
            seen[text] = fn(text)
        return seen[text]
    return one


def number_cells(values: Cells) -> tuple[Cells, list[bool]]:
    """`values.canonical_number` for a list: (canonical text, "En cadrage" flags)."""
    out: Cells = []
    cadrage: list[bool] = []
    for value in values:
        s = clean_cell(value)
        if s is None:
            out.append(None)
            cadrage.append(False)
            continue
        if _SPACES_RE.sub(" ", s.lower()) == "en cadrage":
            out.append(None)
            cadrage.append(True)
            continue
        compact = _UNIT_RE.sub("", _SPACES_RE.sub("", s))
        if compact.count(",") == 1 and "." not in compact:
            compact = compact.replace(",", ".")
        out.append(compact if _STRICT_NUMBER_RE.fullmatch(compact) else s)
        cadrage.append(False)
    return out, cadrage


def _canonical_cells(values: Cells, already: re.Pattern[str], one: Callable[[str], str]) -> Cells:
    """Clean each cell; keep it when already canonical, else convert it (memoised: cells repeat)."""
    convert = _memo(one)
    out: Cells = []
    for value in values:
        s = clean_cell(value)
        out.append(s if s is None or already.fullmatch(s) else convert(s))
    return out


def date_cells(values: Cells, system: int = SYSTEM_1900) -> tuple[Cells, list[str | None]]:
    """`values.canonical_dates` for a list: (canonical text, why a date cannot exist)."""
    seen: dict[str, tuple[str, str | None]] = {}
    out: Cells = []
    reasons: list[str | None] = []
    for value in values:
        s = clean_cell(value)
        if s is None:
            out.append(None)
            reasons.append(None)
            continue
        if s not in seen:
            seen[s] = date_text(s, system)
        out.append(seen[s][0])
        reasons.append(seen[s][1])
    return out, reasons


def _boolean(v: str) -> str:
    k = plain_key(v)
    return "Oui" if k in TRUE_WORDS else "Non" if k in FALSE_WORDS else v


def _bracket(v: str) -> str:
    k = plain_key(v.replace("€", ""))
    return BRACKETS.get(_BRACKET_UNIT_RE.sub("", k), v)


def _urls(v: str) -> str:
    found = urls_of(v)
    return " ".join(dict.fromkeys(found)) if found else v


def boolean_cells(values: Cells) -> Cells:
    one = _memo(_boolean)
    return [one(v) for v in values]


def phase_cells(values: Cells) -> Cells:
    one = _memo(lambda v: PHASES.get(plain_key(v), v))
    return [one(v) for v in values]


def bracket_cells(values: Cells) -> Cells:
    one = _memo(_bracket)
    return [one(v) for v in values]


def url_cells(values: Cells) -> Cells:
    """`values.canonical_urls` for a list."""
    return _canonical_cells(values, _STRICT_URLS_RE, _urls)


def html_cells(values: Cells) -> tuple[Cells, Cells]:
    """`values.split_html` for a list: (text without tags, links joined by a space)."""
    text: Cells = []
    links: Cells = []
    for value in values:
        s = clean_cell(value)
        if s is not None and "<" in s:
            plain, found = strip_html(s)
            text.append(plain or None)
            links.append(" ".join(found) or None)
        else:
            text.append(s)
            links.append(None)
    return text, links


def merge_link_cells(first: Cells, second: Cells) -> Cells:
    """`values.merge_links` for lists."""
    out: Cells = []
    for a, b in zip(first, second):
        if a is not None and b is not None:
            parts = [p for v in (a, b) for p in v.split()]
            out.append(" ".join(dict.fromkeys(parts)) or None)
        else:
            out.append(a if a is not None else b)
    return out
