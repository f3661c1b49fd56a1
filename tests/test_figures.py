"""Headline figures and repartitions computed from a small history."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from panorama.edition import Edition
from panorama.figures import INDICATOR_COLUMNS, compute_indicators, compute_repartitions
from panorama.history import stack_editions


def edition(eid: str, numero: int, budget: float | None = None, schedule: float | None = None) -> Edition:
    year, month = (int(x) for x in eid.split("-"))
    return Edition(id=eid, numero=numero, date_publication=dt.date(year, month, 1), libelle=eid, path=Path(eid),
                   taux_ecart_budgetaire_declare=budget, taux_ecart_calendaire_declare=schedule)


def project(ident: str, **values) -> dict:
    base = {"identifiant": ident, "ministere_code": "MI", "ministere_nom": "Ministère de l'Intérieur",
            "nom_projet": ident.upper(), "projet_interministeriel": False, "phase": "Déploiement"}
    return {**base, **values}


OLD = edition("2017-06", 3, budget=0.25, schedule=0.21)
NEW = edition("2025-06", 20, budget=0.118, schedule=0.5)


def history() -> pd.DataFrame:
    old = pd.DataFrame([
        project("a", cout_estime_meur=10.0, duree_previsionnelle_annees=4.0, projet_interministeriel=True),
        project("b", cout_estime_meur=None, duree_previsionnelle_annees=None, phase="Cadrage"),
    ])
    new = pd.DataFrame([
        project("a", cout_estime_meur=12.0, duree_previsionnelle_annees=5.0, cout_initial_meur=10.0,
                cout_actualise_meur=12.0, duree_initiale_annees=4.0, duree_actualisee_annees=5.0,
                projet_interministeriel=True),
        project("c", cout_estime_meur=30.5, duree_previsionnelle_annees=2.0, cout_initial_meur=20.0,
                cout_actualise_meur=19.0, duree_initiale_annees=1.0, duree_actualisee_annees=2.0,
                ministere_code="MJ", ministere_nom="Ministère de la Justice", zone_fonctionnelle="Justice"),
        project("d", cout_estime_meur=None, cout_initial_meur=5.0, duree_initiale_annees=3.0),
    ])
    return stack_editions([(OLD, old), (NEW, new)])


def test_indicators_follow_the_published_definitions() -> None:
    table, notes = compute_indicators(history(), [NEW, OLD])
    assert list(table.columns) == INDICATOR_COLUMNS
    old, new = table.iloc[0], table.iloc[1]
    assert (old["edition"], new["edition"]) == ("2017-06", "2025-06")
    assert (new["nombre_projets"], new["nombre_projets_interministeriels"]) == (3, 1)
    assert new["cout_total_meur"] == pytest.approx(42.5)  # d has no estimated cost: left out
    assert new["duree_moyenne_annees"] == pytest.approx(3.5)  # unweighted mean of 5 and 2
    assert new["taux_ecart_budgetaire"] == pytest.approx((0.2 + -0.05) / 2)
    assert new["taux_ecart_calendaire"] == pytest.approx((1 + 1) / (4 + 1))
    assert new["source_taux"] == "calculé"
    assert (new["projets_entrants"], new["projets_sortants"]) == (2, 1)
    # The first edition has no project-level rates: the declared ones are published and said so.
    assert (old["taux_ecart_budgetaire"], old["taux_ecart_calendaire"], old["source_taux"]) == (0.25, 0.21, "déclaré")
    assert old["projets_entrants"] is pd.NA and old["projets_sortants"] is pd.NA
    assert str(table["nombre_projets"].dtype) == "Int64" and str(table["projets_entrants"].dtype) == "Int64"
    assert notes == ["Édition 2025-06 : taux d'écart budgétaire calculé 7,5 % ≠ déclaré 11,8 %.",
                     "Édition 2025-06 : taux d'écart calendaire calculé 40,0 % ≠ déclaré 50,0 %."]


def test_rates_absent_when_neither_computed_nor_declared() -> None:
    bare = edition("2017-06", 3)
    table, notes = compute_indicators(history()[history()["edition"] == "2017-06"], [bare])
    row = table.iloc[0]
    assert math.isnan(row["taux_ecart_budgetaire"]) and row["source_taux"] == "absent"
    assert len(notes) == 2 and all("absent" in n for n in notes)


def test_mixed_and_partly_absent_sources_are_said() -> None:
    frame = history()
    frame.loc[:, ["duree_initiale_annees", "duree_actualisee_annees"]] = float("nan")
    new_only = frame[frame["edition"] == "2025-06"]
    mixed, notes = compute_indicators(new_only, [edition("2025-06", 20, schedule=0.3)])
    assert (mixed.iloc[0]["source_taux"], mixed.iloc[0]["taux_ecart_calendaire"]) == ("mixte", 0.3)
    assert notes == ["Édition 2025-06 : taux d'écart budgétaire calculé, taux d'écart calendaire déclaré."]
    partial, notes = compute_indicators(new_only, [edition("2025-06", 20)])
    assert partial.iloc[0]["source_taux"] == "calculé"
    assert len(notes) == 1 and "taux d'écart calendaire absent" in notes[0]


def test_repartitions_count_and_sum_with_unfilled_values() -> None:
    table = compute_repartitions(history())
    assert list(table.columns) == ["edition", "dimension", "valeur", "nombre_projets", "cout_total_meur"]
    new = table[table["edition"] == "2025-06"]
    zones = new[new["dimension"] == "zone_fonctionnelle"]
    assert zones[["valeur", "nombre_projets"]].values.tolist() == [["Non renseigné", 2], ["Justice", 1]]
    ministries = new[new["dimension"] == "ministere"].set_index("valeur")
    assert ministries.loc["Ministère de l'Intérieur", "cout_total_meur"] == pytest.approx(12.0)
    assert list(table["edition"].drop_duplicates()) == ["2017-06", "2025-06"]
    assert list(new["dimension"].drop_duplicates()) == ["ministere", "phase", "tranche_cout", "zone_fonctionnelle"]
    for (_, _), part in table.groupby(["edition", "dimension"]):
        assert part["nombre_projets"].sum() == (2 if part["edition"].iloc[0] == "2017-06" else 3)
