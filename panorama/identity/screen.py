"""Cheap signal matrices for every (current row, candidate) pair at once, to screen pairs out.

The matcher scores pairs one by one in plain Python (exact, but slow: an edition against every
earlier project is thousands of pairs). Most pairs are plainly unrelated: different start month,
cost, ministry and description. These matrices let the matcher bound each pair's score from above
with the name similarity taken as perfect, and score exactly only the pairs that could reach its
lower threshold. Date, cost/duration, ministry and zone signals here equal the scalar ones in
`features` exactly (same arithmetic, or the scalar function itself over the few distinct values);
the description cosine is a float matrix product, within `COSINE_SLACK` of the scalar cosine, and
the matcher allows for that.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from panorama.identity import features as ft

COSINE_SLACK = 1e-9

Record = Mapping[str, Any]


def _months(records: Sequence[Record]) -> np.ndarray:
    """Start dates as a month count (year × 12 + month), NaN where missing (as `date_similarity`)."""
    out = np.full(len(records), np.nan)
    for k, record in enumerate(records):
        value = record["date_debut"]
        if value is not None and not pd.isna(value):
            stamp = pd.Timestamp(value)
            out[k] = stamp.year * 12 + stamp.month
    return out


def _numbers(records: Sequence[Record], field: str) -> np.ndarray:
    return np.array([np.nan if v is None or pd.isna(v) else float(v) for v in (r[field] for r in records)],
                    dtype=float)


def date_matrix(current: Sequence[Record], candidates: Sequence[Record]) -> np.ndarray:
    """`features.date_similarity` for every pair; NaN where it is None."""
    gap = np.abs(_months(current)[:, None] - _months(candidates)[None, :])
    out = np.where(gap <= 12, 0.3, 0.0)
    out = np.where(gap <= 3, 0.6, out)
    out = np.where(gap == 0, 1.0, out)
    return np.where(np.isnan(gap), np.nan, out)


def _closeness(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """`features._closeness` for every pair; NaN where either side is missing."""
    a, b = left[:, None], right[None, :]
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.abs(a - b) / scale
    out = np.where(gap <= 0.25, 0.5, 0.0)
    out = np.where(gap <= 0.05, 1.0, out)
    out = np.where(scale == 0, 1.0, out)
    return np.where(np.isnan(a) | np.isnan(b), np.nan, out)


def profile_matrix(current: Sequence[Record], candidates: Sequence[Record]) -> np.ndarray:
    """`features.profile_similarity` for every pair (mean of the known closenesses); NaN where None."""
    cost = _closeness(_numbers(current, "cout_estime_meur"), _numbers(candidates, "cout_estime_meur"))
    duration = _closeness(_numbers(current, "duree_previsionnelle_annees"),
                          _numbers(candidates, "duree_previsionnelle_annees"))
    both = (cost + duration) / 2
    return np.where(np.isnan(cost), duration, np.where(np.isnan(duration), cost, both))


def _by_distinct(left: list[tuple], right: list[tuple], similarity) -> np.ndarray:
    """`similarity(*l, *r)` for every pair, computed once per distinct pair of keys; NaN for None."""
    left_keys, right_keys = list(dict.fromkeys(left)), list(dict.fromkeys(right))
    table = np.array([[np.nan if (s := similarity(*lk, *rk)) is None else s for rk in right_keys]
                      for lk in left_keys], dtype=float).reshape(len(left_keys), len(right_keys))
    li = np.array([left_keys.index(k) for k in left], dtype=int)
    ri = np.array([right_keys.index(k) for k in right], dtype=int)
    return table[li[:, None], ri[None, :]]


def ministry_matrix(current: Sequence[Record], candidates: Sequence[Record],
                    families: ft.Families | None = None) -> np.ndarray:
    """`features.ministry_similarity` for every pair; NaN where it is None."""
    def keys(records: Sequence[Record]) -> list[tuple]:
        return [(r["ministere_code"], r["ministere_nom"]) for r in records]
    return _by_distinct(keys(current), keys(candidates),
                        lambda cl, nl, cr, nr: ft.ministry_similarity(cl, nl, cr, nr, families))


def zone_matrix(current: Sequence[Record], candidates: Sequence[Record]) -> np.ndarray:
    """`features.zone_similarity` for every pair; NaN where it is None."""
    def keys(records: Sequence[Record]) -> list[tuple]:
        return [(ft._as_text(r["zone_fonctionnelle"]),) for r in records]
    return _by_distinct(keys(current), keys(candidates), ft._zone_similarity)  # keys are text already


def cosine_matrix(current: Sequence[dict[str, float]], candidates: Sequence[dict[str, float]]) -> np.ndarray:
    """`features.cosine` for every pair up to `COSINE_SLACK` (summation order differs); NaN where None.

    Each current row gathers its few words from the candidates' dense matrix: no BLAS product,
    whose thread start-up costs more than the whole sum at this size."""
    vocabulary: dict[str, int] = {}
    for vector in candidates:
        for word in vector:
            vocabulary.setdefault(word, len(vocabulary))
    dense = np.zeros((len(candidates), len(vocabulary) + 1))  # the last column: words no candidate has
    for k, vector in enumerate(candidates):
        dense[k, [vocabulary[w] for w in vector]] = list(vector.values())
    out = np.zeros((len(current), len(candidates)))
    absent = len(vocabulary)
    for k, vector in enumerate(current):
        if vector:
            columns = [vocabulary.get(w, absent) for w in vector]
            out[k] = (dense[:, columns] * np.fromiter(vector.values(), float, len(vector))).sum(axis=1)
    empty_left = np.array([not v for v in current], dtype=bool)
    empty_right = np.array([not v for v in candidates], dtype=bool)
    return np.where(empty_left[:, None] | empty_right[None, :], np.nan, out)
