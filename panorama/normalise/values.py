"""Cell values as ministries type them → the canonical text the Table Schema expects.

Every function takes a Series of text cells (str or None) and returns canonical text ("4.5",
"2011-07-01", "Oui", "Déploiement"...). A value that cannot be understood is returned unchanged, so
that the schema check reports it exactly as the ministry wrote it. Work is vectorised, or done once
per distinct value for columns with few distinct values (dates, phases, brackets, Oui/Non).
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from panorama.normalise.dates import SYSTEM_1900, date_text
from panorama.normalise.patterns import (  # noqa: F401  (re-exported: the rules of one cell live there)
    _NUMBER_UNIT,
    _SPACES,
    BRACKET_BOUNDS,
    BRACKETS,
    FALSE_WORDS,
    ISO_DATE,
    PHASES,
    STRICT_NUMBER,
    STRICT_URLS,
    TEXT,
    TRUE_WORDS,
    plain_key,
    strip_html,
    urls_of,
)


def text_series(series: pd.Series) -> pd.Series:
    """The cells as Arrow-backed text (None stays missing)."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return series
    if series.dtype == object:
        cells = arrow_strings(series.to_numpy(dtype=object))
        if cells is not None:
            return pd.Series(pd.array(cells, dtype=TEXT), index=series.index, copy=False)
    return pd.Series(series.astype(object).where(series.notna(), None), index=series.index, dtype=TEXT)


_JOIN = "\x00"  # never in a cell: the CSV reader refuses NUL bytes and XML cannot hold them


def arrow_strings(values: np.ndarray) -> pa.Array | None:
    """Cells (str or missing) as one Arrow large_string array; None when some cell is not a str.

    `pa.array` would ask every str for its UTF-8 form, which CPython then keeps inside each
    non-ASCII str for as long as it lives: on a million-row file that is a second copy of every
    accented text the table holds. Joining the cells into one str and encoding that temporary
    str once gives the same bytes; the offsets come from where the separators fell.
    """
    n = len(values)
    missing = pd.isna(values)
    some_missing = bool(missing.any())
    try:
        joined = _JOIN.join((np.where(missing, "", values) if some_missing else values).tolist())
    except TypeError:
        return None
    if n == 0:
        return None
    if joined.isascii():  # ASCII str objects are their own UTF-8: nothing gets cached, convert directly
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    encoded = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    del joined
    separators = encoded == 0
    ends = np.flatnonzero(separators)
    if len(ends) != n - 1:  # a cell holds the separator itself
        return None
    offsets = np.empty(n + 1, dtype=np.int64)
    offsets[0] = 0
    offsets[1:n] = ends - np.arange(n - 1)  # each separator before a cell shifts it left by one
    offsets[n] = len(encoded) - (n - 1)
    data = encoded[~separators] if n > 1 else encoded
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if some_missing else None
    return pa.Array.from_buffers(pa.large_string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(data)],
                                 null_count=int(missing.sum()))


def to_object(text: pd.Series) -> pd.Series:
    """Back to the contract's object dtype holding str or None."""
    out = text.astype(object)
    return out.where(text.notna(), None)


def plain_keys(series: pd.Series) -> pd.Series:
    """`plain_key` for a whole column, with Arrow kernels (used on every project name)."""
    text = text_series(series).str.normalize("NFKD").str.lower()
    return text.str.replace(r"[^a-z0-9<>]", "", regex=True)  # combining accents go with the rest


def _per_unique(series: pd.Series, fn: Callable[[str], str | None]) -> pd.Series:
    """Apply `fn` once per distinct non-missing value: cheap for low-cardinality columns."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(str(v)) for v in uniques]
    mapped[-1] = None
    return pd.Series(mapped[codes], index=series.index, dtype=TEXT)


def clean_text(series: pd.Series) -> pd.Series:
    """Trimmed text with Unix line breaks; empty cells become missing (Arrow text in and out)."""
    text = text_series(series)
    if text.str.contains("\r", regex=False).fillna(False).any():
        text = text.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    text = text.str.strip()
    return text.where(text != "")


def canonical_number(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """French decimals ("4,5", "1 234,5", "12 M€") → "4.5"; returns (text, "En cadrage" mask)."""
    s = clean_text(series)
    cadrage = s.str.lower().str.replace(_SPACES, " ", regex=True).eq("en cadrage").fillna(False).astype(bool)
    compact = s.str.replace(_SPACES, "", regex=True).str.replace(_NUMBER_UNIT, "", regex=True)
    one_comma = compact.str.count(",").eq(1) & ~compact.str.contains(".", regex=False)
    compact = compact.where(~one_comma.fillna(False), compact.str.replace(",", ".", regex=False))
    ok = compact.str.fullmatch(STRICT_NUMBER).fillna(False).astype(bool)
    out = s.where(~ok, compact)
    return out.where(~cadrage), cadrage


def canonical_date(series: pd.Series, system: int = SYSTEM_1900) -> pd.Series:
    """Any date form of `dates` ("01/07/2014", "juil.-19", "T3 2020", 41821…) → "2014-07-01"."""
    return canonical_dates(series, system)[0]


def canonical_dates(series: pd.Series, system: int = SYSTEM_1900) -> tuple[pd.Series, pd.Series]:
    """(canonical text, why the date cannot exist or missing), parsed once per distinct value.

    `system` is the workbook's day-number system (1900, or 1904 for old Mac workbooks); a CSV's
    numbers are read in the 1900 system. An impossible or unrecognised date stays as written.
    """
    text = clean_text(series)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    parsed = [date_text(str(v), system) for v in uniques]
    reasons = np.array([p[1] for p in parsed] + [None], dtype=object)
    why = pd.Series(reasons[codes], index=text.index, dtype=object)
    if all(p[0] == v for p, v in zip(parsed, uniques)):  # already canonical (ISO days): nothing to rebuild
        return text, why
    # The distinct results taken by code in Arrow: building 200,000 Arrow strings from objects costs 40× more.
    mapped = pa.array([p[0] for p in parsed] + [None], type=pa.large_string())
    taken = mapped.take(pa.array(np.where(codes < 0, len(parsed), codes)))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=text.index), why


def canonical_boolean(series: pd.Series) -> pd.Series:
    """Oui/Non in any case, O/N, true/false, vrai/faux, 1/0 → "Oui" / "Non"."""
    def one(v: str) -> str:
        k = plain_key(v)
        return "Oui" if k in TRUE_WORDS else "Non" if k in FALSE_WORDS else v
    return _per_unique(clean_text(series), one)


def canonical_phase(series: pd.Series) -> pd.Series:
    """Any spelling of a phase → its schema spelling ("deploiement" → "Déploiement")."""
    return _per_unique(clean_text(series), lambda v: PHASES.get(plain_key(v), v))


def canonical_bracket(series: pd.Series) -> pd.Series:
    """"< 5 M€" → "moins de 5 M€", "> 100 M€" → "plus de 100 M€", "En cadrage" → "en cadrage"."""
    def one(v: str) -> str:
        k = plain_key(v.replace("€", ""))
        k = re.sub(r"(?:m|meur|millions?)$", "", k)
        return BRACKETS.get(k, v)
    return _per_unique(clean_text(series), one)


def canonical_urls(series: pd.Series) -> pd.Series:
    """Every http(s) address of a cell, separated by one space (";" or line breaks accepted)."""
    def one(v: str) -> str:
        found = urls_of(v)
        return " ".join(dict.fromkeys(found)) if found else v
    text = clean_text(series)
    strict = text.str.fullmatch(STRICT_URLS).fillna(False).astype(bool)
    out = text.copy()
    if not strict.all():
        out[~strict] = _per_unique(text[~strict], one)
    return out


def split_html(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(text without tags, links found in it joined by a space) for a column of text cells."""
    text = clean_text(series)
    has_tag = text.str.contains("<", regex=False).fillna(False).astype(bool)
    links = pd.Series(pd.NA, index=text.index, dtype=TEXT)
    if has_tag.any():
        parsed = [strip_html(v) for v in text[has_tag]]
        text = text.copy()
        text[has_tag] = [p[0] or None for p in parsed]
        links[has_tag] = [" ".join(p[1]) or None for p in parsed]
    return text, links


def merge_links(first: pd.Series, second: pd.Series) -> pd.Series:
    """Join two columns of space-separated addresses, dropping repeats."""
    def one(a: object, b: object) -> str | None:
        parts = [p for v in (a, b) if isinstance(v, str) for p in v.split()]
        return " ".join(dict.fromkeys(parts)) or None
    first, second = text_series(first), text_series(second)
    both = (second.notna() & first.notna()).to_numpy(dtype=bool)
    out = first.where(first.notna(), second)
    if both.any():
        out[both] = [one(a, b) for a, b in zip(first[both], second[both])]
    return out
