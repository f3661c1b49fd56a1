"""The matcher's screening never changes a link: the pairs it scores in full are exactly those the
unscreened reference scorer (`matcher.score_pairs`, every pair) puts at `T_LOW` or above.

The screen bounds each pair's score from above (numpy signal matrices, the name taken as perfect,
then the name's own bound) and scores only the pairs that could reach `T_LOW`. Checked here on
every edition of a seeded synthetic chain (renamed ministries and names, gaps, successors), against
the candidates `assign_identifiers` really compares, and the screen's signal matrices against the
scalar functions of `features` pair by pair.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.identity_synthetic import SEED, build_chain
from panorama.identity import _CANDIDATE_FIELDS, _ordered, assign_identifiers, matcher, screen
from panorama.identity import features as ft
from panorama.identity.aliases import empty_aliases


def _comparisons(seed: int, editions: int = 8, projects: int = 24) -> list[tuple[dict, dict]]:
    """Each edition's rows against every earlier project (its latest appearance), as the matcher sees them."""
    chain = build_chain(editions=editions, projects=projects, missing=(4,), seed=seed)
    result = assign_identifiers(chain.inputs(), empty_aliases())
    history = result.history
    order = {e.id: k for k, e in enumerate(sorted(chain.editions, key=lambda e: e.numero))}
    out = []
    latest: dict[str, tuple[int, dict]] = {}
    for edition in sorted(chain.editions, key=lambda e: e.numero):
        rows = _ordered(history[history["edition"] == edition.id].reset_index(drop=True))
        records = rows[[*_CANDIDATE_FIELDS, "identifiant"]].to_dict("records")
        index = order[edition.id]
        candidates = {ident: {**fields, "identifiant": ident, "_saut": index - k - 1}
                      for ident, (k, fields) in sorted(latest.items())}
        out.append(({i: {f: r[f] for f in _CANDIDATE_FIELDS} for i, r in enumerate(records)}, candidates))
        for r in records:
            latest[r["identifiant"]] = (index, {f: r[f] for f in _CANDIDATE_FIELDS})
    return out


@pytest.fixture(scope="module", params=[SEED, 3])
def comparisons(request) -> list[tuple[dict, dict]]:
    return _comparisons(request.param)


def _same(left: object, right: object) -> bool:
    """Equal values; a missing signal is None in a pair and NaN in the reference's float column."""
    def missing(v: object) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))
    return (missing(left) and missing(right)) or left == right


def test_the_screen_keeps_every_pair_the_reference_scores_at_t_low_or_more(comparisons) -> None:
    kept_somewhere = 0
    for current, candidates in comparisons:
        if not candidates:
            continue
        reference = matcher.score_pairs(pd.DataFrame.from_dict(current, orient="index"),
                                        pd.DataFrame.from_dict(candidates, orient="index"))
        expected = reference[reference["score"] >= matcher.T_LOW].to_dict("records")
        screened = matcher._scored(current, candidates, matcher.T_LOW)
        assert len(reference) == len(current) * len(candidates)
        key = lambda p: (p["courant"], p["identifiant"])  # noqa: E731
        assert sorted(map(key, screened)) == sorted(map(key, expected))
        by_key = {key(p): p for p in screened}
        for pair in expected:
            got = by_key[key(pair)]
            assert [(c, pair[c], got[c]) for c in matcher.PAIR_COLUMNS if not _same(pair[c], got[c])] == [], (pair, got)
        kept_somewhere += len(expected)
    # The chain has real work in it: links and near misses, among many pairs left out.
    assert kept_somewhere > 100


def test_the_screen_matrices_equal_the_scalar_signals(comparisons) -> None:
    current, candidates = comparisons[-1]
    cur, cand = list(current.values()), list(candidates.values())
    matrices = {
        "debut": (screen.date_matrix(cur, cand), lambda a, b: ft.date_similarity(a["date_debut"], b["date_debut"])),
        "profil": (screen.profile_matrix(cur, cand), lambda a, b: ft.profile_similarity(
            a["cout_estime_meur"], a["duree_previsionnelle_annees"], b["cout_estime_meur"], b["duree_previsionnelle_annees"])),
        "ministere": (screen.ministry_matrix(cur, cand), lambda a, b: ft.ministry_similarity(
            a["ministere_code"], a["ministere_nom"], b["ministere_code"], b["ministere_nom"])),
        "zone": (screen.zone_matrix(cur, cand), lambda a, b: ft.zone_similarity(a["zone_fonctionnelle"], b["zone_fonctionnelle"])),
    }
    vectors = ft.description_vectors([r["description"] for r in (*cur, *cand)])
    cosines = screen.cosine_matrix(vectors[: len(cur)], vectors[len(cur):])
    for i, a in enumerate(cur):
        for j, b in enumerate(cand):
            for name, (matrix, scalar) in matrices.items():
                value = scalar(a, b)
                assert (np.isnan(matrix[i, j]) if value is None else matrix[i, j] == value), (name, i, j)
            exact = ft.cosine(vectors[i], vectors[len(cur) + j])
            assert (np.isnan(cosines[i, j]) if exact is None
                    else abs(cosines[i, j] - exact) <= screen.COSINE_SLACK), (i, j)
    assert len(cur) * len(cand) > 300


@pytest.mark.parametrize("left,right", [
    ("Réseau Interministériel de l'Etat", "RIE"), ("FRANCE VISAS", "PNIJ"), ("PAS", "3-PAS-S_DAE"),
    ("Regroupement des centres informatiques", "Regroup. centres info."), ("", "RIE"), ("SEGUR", "SÉGUR"),
    ("Portail des aides agricoles", "Portail aides agricoles v2"), ("Système de paie", "Payes et soldes"),
])
def test_the_name_bound_never_refuses_a_similarity_it_would_reach(left: str, right: str) -> None:
    value = ft.name_similarity(left, right)
    for needed in np.linspace(0.0, 1.0, 101):
        if value >= needed:
            assert ft.name_may_reach(left, right, float(needed)), (value, needed)
    assert not ft.name_may_reach(left, right, value + 0.2) or value + 0.2 <= 1.0
