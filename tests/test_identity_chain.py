"""Identity over long chains: a synthetic chain with known truth, and the five real editions read together.

The chain comes from bench/identity_synthetic.py (seeded): editions missing from the chain,
ministries renamed, names and descriptions rewritten, successors entering as their predecessor
leaves. bench/identity_chain.py runs the full-size chain and prints the figures.
"""
from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.identity_chain import evaluate
from bench.identity_synthetic import SEED, TRUTH, build_chain
from panorama.identity import assign_identifiers
from panorama.identity.aliases import empty_aliases
from panorama.identity.features import fold

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-editions"


@pytest.fixture(scope="module")
def small_chain():
    chain = build_chain(editions=8, projects=20, missing=(4, 6), moves=(1, 3), seed=SEED)
    result = assign_identifiers(chain.inputs(), empty_aliases())
    return chain, result


def test_the_small_chain_is_a_real_test(small_chain) -> None:
    """What makes the chain hard is there: gaps, renamed ministries, rewritten names, moves."""
    chain, _ = small_chain
    assert len(chain.editions) == 6 and chain.missing == [4, 6]
    rows = pd.concat([t.assign(edition=e.id) for e, t in zip(chain.editions, chain.tables)])
    per_project = rows.groupby(TRUTH)
    assert (per_project["ministere_code"].nunique() > 1).sum() >= 3  # renamed ministries
    assert (per_project["nom_projet"].nunique() > 1).sum() >= 5  # rewritten names
    assert (per_project["description"].nunique(dropna=False) > 1).sum() >= 5  # edited descriptions
    firsts = per_project["edition"].min()
    assert (firsts != chain.editions[0].id).sum() >= 5  # projects entering after the first edition


def test_links_and_moves_are_exact_on_the_small_chain(small_chain) -> None:
    chain, result = small_chain
    figures = evaluate(chain, result.history)
    assert (figures["precision"], figures["rappel"]) == (1.0, 1.0), figures
    assert figures["mouvements_exacts"], figures["mouvements"]
    assert figures["liens_attendus"] > 60


def test_the_chain_is_the_same_for_the_same_seed() -> None:
    first = build_chain(editions=4, projects=8, missing=(2,), seed=7)
    second = build_chain(editions=4, projects=8, missing=(2,), seed=7)
    assert [e.id for e in first.editions] == [e.id for e in second.editions]
    for a, b in zip(first.tables, second.tables):
        pd.testing.assert_frame_equal(a, b)


@pytest.fixture(scope="module")
def real_moves():
    if not (REAL / "figures.csv").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"éditions réelles absentes : {REAL}")
        pytest.skip("real editions absent")
    from panorama.edition import discover_editions
    from panorama.history import transitions
    from panorama.identity import load_aliases
    from panorama.validation.submission import validate_edition

    editions = discover_editions(REAL)
    result = assign_identifiers([(e, validate_edition(e).table) for e in editions], load_aliases(REAL))
    return editions, result.history, transitions(result.history)


def test_real_editions_read_together_give_the_published_moves(real_moves) -> None:
    editions, history, moves = real_moves
    nov = moves[moves["edition"] == "2017-11"]
    assert list(nov.loc[nov["mouvement"] == "entrant", "nom_projet"]) == ["MCIC²"]
    assert ["IGC" in n for n in nov.loc[nov["mouvement"] == "sortant", "nom_projet"]] == [True]
    counts = history.groupby("edition").size()
    for previous, current in itertools.pairwise(editions):
        here = moves[moves["edition"] == current.id]
        entering = (here["mouvement"] == "entrant").sum()
        leaving = (here["mouvement"] == "sortant").sum()
        assert counts[current.id] - counts[previous.id] == entering - leaving, current.id
        # A project "leaving" and one "entering" under the same name would be a missed link.
        names = {m: {" ".join(fold(n).split()) for n in here.loc[here["mouvement"] == m, "nom_projet"]}
                 for m in ("entrant", "sortant")}
        assert not names["entrant"] & names["sortant"], current.id
