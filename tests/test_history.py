"""The cumulative history's shape and the entering / leaving projects between editions."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from panorama.edition import Edition
from panorama.history import TRANSITION_COLUMNS, stack_editions, transitions
from panorama.model import history_columns, project_fields


def edition(eid: str, numero: int) -> Edition:
    year, month = (int(x) for x in eid.split("-"))
    return Edition(id=eid, numero=numero, date_publication=dt.date(year, month, 1), libelle=eid, path=Path(eid))


def rows(*projects: tuple[str, str]) -> pd.DataFrame:
    """(identifiant, nom_projet) pairs as a partial edition table; stack_editions fills the rest."""
    return pd.DataFrame(
        [{"identifiant": i, "nom_projet": n, "ministere_code": "MI", "ministere_nom": "Ministère de l'Intérieur",
          "projet_interministeriel": True, "cout_estime_meur": 1.5, "date_debut": "2015-01-01"} for i, n in projects]
    )


def sample_history() -> pd.DataFrame:
    return stack_editions([
        (edition("2017-11", 4), rows(("mi-b", "B renommé"), ("mi-c", "C"))),
        (edition("2017-06", 3), rows(("mi-c", "C"), ("mi-a", "A"), ("mi-b", "B"))),
    ])


def test_history_has_canonical_columns_dtypes_and_order() -> None:
    history = sample_history()
    assert list(history.columns) == history_columns()
    assert list(zip(history["edition"], history["identifiant"])) == [
        ("2017-06", "mi-a"), ("2017-06", "mi-b"), ("2017-06", "mi-c"), ("2017-11", "mi-b"), ("2017-11", "mi-c"),
    ]
    assert history["date_edition"].dtype == "datetime64[ns]"
    assert history["date_debut"].dtype == "datetime64[ns]"
    assert str(history["projet_interministeriel"].dtype) == "boolean"
    assert history["cout_initial_meur"].dtype == "float64"
    assert history["description"].dtype == object and history["description"].iloc[0] is None
    assert set(project_fields()) <= set(history.columns)


def test_transitions_name_entering_and_leaving_projects() -> None:
    history = stack_editions([
        (edition("2017-02", 2), rows(("mi-a", "A"), ("mi-b", "B"))),
        (edition("2017-06", 3), rows(("mi-b", "B v2"), ("mi-c", "C"))),
        (edition("2017-11", 4), rows(("mi-b", "B v3"), ("mi-c", "C"))),
    ])
    moves = transitions(history)
    assert list(moves.columns) == TRANSITION_COLUMNS
    assert moves.values.tolist() == [
        ["2017-06", "mi-c", "C", "Ministère de l'Intérieur", "entrant"],
        ["2017-06", "mi-a", "A", "Ministère de l'Intérieur", "sortant"],
    ]


def test_transitions_of_a_single_edition_are_empty() -> None:
    history = stack_editions([(edition("2017-02", 2), rows(("mi-a", "A")))])
    assert transitions(history).empty


def test_transitions_follow_the_given_order_even_through_an_empty_edition() -> None:
    history = stack_editions([
        (edition("2017-02", 2), rows(("mi-a", "A"))),
        (edition("2017-11", 4), rows(("mi-a", "A"), ("mi-b", "B"))),
    ])
    moves = transitions(history, ["2017-02", "2017-06", "2017-11"])
    assert moves[["edition", "identifiant", "mouvement"]].values.tolist() == [
        ["2017-06", "mi-a", "sortant"], ["2017-11", "mi-a", "entrant"], ["2017-11", "mi-b", "entrant"],
    ]


def test_drift_columns_follow_each_project_from_its_first_costed_edition() -> None:
    from panorama.history import drift_columns, with_drift

    history = pd.DataFrame({
        "identifiant": ["a", "a", "a", "a", "b", "b"],
        "numero_edition": [1, 2, 3, 4, 3, 4],
        "cout_estime_meur": [None, 10.0, 12.5, 11.0, 4.0, 4.0],
        "duree_previsionnelle_annees": [2.0, 3.0, 3.0, None, 1.0, 1.5],
    })
    out = with_drift(history).set_index(["identifiant", "numero_edition"])
    assert list(out.columns[-8:]) == drift_columns()
    a = out.loc["a"]
    # "en cadrage" in edition 1: measured from edition 2, its first costed edition
    assert a["ecart_cout_depuis_premiere_edition_meur"].isna().tolist() == [True, False, False, False]
    assert a["ecart_cout_depuis_premiere_edition_meur"].tolist()[1:] == [0.0, 2.5, 1.0]
    assert a["ecart_cout_depuis_premiere_edition_pct"].tolist()[1:] == pytest.approx([0.0, 25.0, 10.0])
    assert a["ecart_cout_depuis_edition_precedente_meur"].tolist()[2:] == [2.5, -1.5]
    assert a["ecart_cout_depuis_edition_precedente_pct"].tolist()[3] == pytest.approx(-12.0)
    assert pd.isna(a["ecart_cout_depuis_edition_precedente_meur"].iloc[1])  # previous value unknown
    assert a["ecart_duree_depuis_premiere_edition_annees"].tolist()[:3] == [0.0, 1.0, 1.0]
    assert pd.isna(a["ecart_duree_depuis_edition_precedente_annees"].iloc[3])  # this value unknown
    b = out.loc["b"]
    assert pd.isna(b["ecart_cout_depuis_edition_precedente_meur"].iloc[0])  # first appearance
    assert b["ecart_duree_depuis_edition_precedente_pct"].tolist()[1] == pytest.approx(50.0)
    # Row order and the other columns are untouched; recomputing gives the same frame.
    assert with_drift(history)["identifiant"].tolist() == history["identifiant"].tolist()
    pd.testing.assert_frame_equal(with_drift(with_drift(history)), with_drift(history))
