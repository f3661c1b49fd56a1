"""Acceptance on the five real published editions: identity across renames and the published figures.

Reads ../shared/real-editions (public data, never copied into the repository); skipped when absent.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from panorama.edition import discover_editions
from panorama.figures import compute_indicators
from panorama.history import transitions
from panorama.identity import assign_identifiers, load_aliases

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-editions"
pytestmark = pytest.mark.skipif(not (REAL / "figures.csv").is_file(), reason="real editions absent")


@pytest.fixture(scope="module")
def built():
    from panorama.validation.submission import validate_edition

    editions = discover_editions(REAL)
    tables = [(e, validate_edition(e).table) for e in editions]
    result = assign_identifiers(tables, load_aliases(REAL))
    indicators, notes = compute_indicators(result.history, editions)
    with (REAL / "figures.csv").open(encoding="utf-8", newline="") as fh:
        published = {row["edition"]: row for row in csv.DictReader(fh)}
    return result, indicators.set_index("edition"), published


def test_every_published_edition_is_computed(built) -> None:
    _, indicators, published = built
    assert sorted(indicators.index) == sorted(published)


@pytest.mark.parametrize("column", ["nombre_projets", "nombre_projets_interministeriels"])
def test_counts_match_the_published_ones(built, column: str) -> None:
    _, indicators, published = built
    for edition, row in published.items():
        assert indicators.loc[edition, column] == int(row[column]), edition


def test_total_cost_and_mean_duration_round_to_the_published_ones(built) -> None:
    _, indicators, published = built
    for edition, row in published.items():
        assert round(indicators.loc[edition, "cout_total_meur"] / 1000, 2) == float(row["cout_total_mdeur_publie"]), edition
        assert round(indicators.loc[edition, "duree_moyenne_annees"], 1) == float(row["duree_moyenne_annees_publiee"]), edition


def test_rates_are_the_declared_ones_and_said_so(built) -> None:
    _, indicators, published = built
    for edition, row in published.items():
        assert indicators.loc[edition, "source_taux"] == "déclaré", edition
        assert indicators.loc[edition, "taux_ecart_budgetaire"] == pytest.approx(float(row["taux_ecart_budgetaire_publie"]))
        assert indicators.loc[edition, "taux_ecart_calendaire"] == pytest.approx(float(row["taux_ecart_calendaire_publie"]))


def test_published_moves_are_reproduced_without_any_alias(built) -> None:
    result, indicators, published = built
    assert not (REAL / "identifiants.csv").exists()
    for edition, row in published.items():
        if row["projets_entrants_publies"]:
            assert indicators.loc[edition, "projets_entrants"] == int(row["projets_entrants_publies"]), edition
            assert indicators.loc[edition, "projets_sortants"] == int(row["projets_sortants_publies"]), edition
    moves = transitions(result.history)
    nov = moves[moves["edition"] == "2017-11"]
    assert [n for n in nov.loc[nov["mouvement"] == "entrant", "nom_projet"]] == ["MCIC²"]
    assert ["IGC" in n for n in nov.loc[nov["mouvement"] == "sortant", "nom_projet"]] == [True]


def test_renamed_projects_keep_one_identifier(built) -> None:
    result, _, _ = built
    history = result.history
    for old, new in [("Réseau Interministériel de l'Etat", "RIE"), ("SÉGUR-FONTENOY", "SEGUR"),
                     ("FRANCECONNECT PHASE II", "FRANCE CONNECT PHASE II")]:
        before = set(history.loc[(history["edition"] == "2017-06") & (history["nom_projet"] == old), "identifiant"])
        after = set(history.loc[(history["edition"] == "2017-11") & (history["nom_projet"] == new), "identifiant"])
        assert len(before) == 1 and before == after, (old, new)


def test_every_row_has_a_valid_unique_identifier_per_edition(built) -> None:
    result, _, _ = built
    history = result.history
    assert history["identifiant"].str.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*").all()
    assert not history.duplicated(["edition", "identifiant"]).any()
