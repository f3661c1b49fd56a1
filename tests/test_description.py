"""The dataset description for data.gouv.fr: French figures, rate sources, files, methodology, citation."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from panorama import methodology
from panorama.dashboard import dataset_description
from panorama.dashboard.description import RESOURCES
from panorama.errors import ExportError

NB = "\u00a0"
EXPECTED_FILES = [
    f"{stem}.{ext}" for stem in ("panorama-historique", "panorama-derniere-edition", "panorama-indicateurs",
                                 "panorama-repartitions") for ext in ("csv", "parquet")
] + ["panorama-historique.xlsx", "schema.json", "datapackage.json", "dictionnaire-des-donnees.md", "CHANGELOG.md"]


def indicators(latest_source: str = "calculé") -> pd.DataFrame:
    """Figures modelled on the real editions 1, 4 and 18 (rates declared for the old ones)."""
    return pd.DataFrame({
        "edition": ["2016-11", "2017-11", "2023-12"],
        "numero": [1, 4, 18],
        "date_publication": [dt.date(2016, 11, 30), dt.date(2017, 11, 29), dt.date(2023, 12, 12)],
        "nombre_projets": [57, 61, 48],
        "nombre_projets_interministeriels": [18, 21, 5],
        "cout_total_meur": [2290.4, 2630.0, 3604.2],
        "duree_moyenne_annees": [6.2, 6.2, 6.18],
        "taux_ecart_budgetaire": [0.32, 0.25, 0.108],
        "taux_ecart_calendaire": [0.38, 0.22, 0.191],
        "source_taux": ["déclaré", "déclaré", latest_source],
        "projets_entrants": pd.array([None, 1, 5], dtype="Int64"),
        "projets_sortants": pd.array([None, 1, 4], dtype="Int64"),
    })


def test_latest_figures_in_french_with_the_rate_source():
    text = dataset_description(indicators(), 18)
    table = text[text.index("| Indicateur | Valeur |"):]
    table = table[:table.index("\n\n")]
    for row in ("| Projets | 48 |", "| dont projets interministériels | 5 |",
                f"| Coût total estimé (hors projets en cadrage) | 3,60{NB}Md€ |",
                f"| Durée moyenne prévue | 6,2{NB}ans |", f"| Écart budgétaire moyen | 10,8{NB}% (calculé) |",
                f"| Écart calendaire moyen | 19,1{NB}% (calculé) |", "| Projets entrants / sortants | 5 / 4 |"):
        assert row in table.splitlines(), row
    assert f"## Chiffres clés de la dernière édition (n°{NB}18 du 12 décembre 2023)" in text
    assert "réunit les 18" in text and "depuis novembre 2016" in text
    assert f"calculés pour l'édition n°{NB}18 et déclarés pour les éditions n°{NB}1 et 4" in text


def test_declared_rates_say_so():
    text = dataset_description(indicators("déclaré"), 3)
    assert f"| Écart budgétaire moyen | 10,8{NB}% (déclaré) |" in text
    assert "ceux déclarés lors de sa publication" in text and "(calculé)" not in text


def test_mixed_rates_name_the_source_of_each():
    frame = indicators("mixte").assign(taux_ecart_budgetaire_declare=[0.32, 0.25, 0.108],
                                       taux_ecart_calendaire_declare=[0.38, 0.22, 0.25])
    text = dataset_description(frame, 3)
    assert f"| Écart budgétaire moyen | 10,8{NB}% (déclaré) |" in text
    assert f"| Écart calendaire moyen | 19,1{NB}% (calculé) |" in text
    assert "le taux d'écart budgétaire de cette édition est déclaré, le taux d'écart calendaire est calculé" in text.lower()
    assert f"mixtes (l'un calculé, l'autre déclaré) pour l'édition n°{NB}18" in text


def test_absent_rates_are_not_invented():
    frame = indicators("absent")
    frame.loc[2, ["taux_ecart_budgetaire", "taux_ecart_calendaire"]] = float("nan")
    text = dataset_description(frame, 3)
    assert "| Écart budgétaire moyen | non disponible |" in text and "ne sont pas disponibles" in text


def test_every_resource_is_listed_with_a_link_placeholder():
    text = dataset_description(indicators(), 3)
    links = re.findall(r"^- \[([^\]]+)\]\(\{\{lien:([^}]+)\}\}\) : \S", text, flags=re.MULTILINE)
    assert [name for name, _ in links] == EXPECTED_FILES == [name for name, _ in RESOURCES]
    assert all(name == target for name, target in links)


def test_methodology_and_citation_come_from_their_single_source():
    text = dataset_description(indicators(), 3)
    assert methodology.methodology_markdown(2).strip() in text
    for section in methodology.SECTIONS:
        assert f"### {section.title}" in text
    assert "Σ (durée actualisée − durée initiale) / Σ durée initiale" in text
    assert ("> DINUM, Panorama des grands projets numériques de l'État, "
            f"édition n°{NB}18 du 12 décembre 2023, data.gouv.fr, Licence Ouverte 2.0.") in text
    assert "DINUM" in text.split("\n\n")[0] and "ministère" in text.split("\n\n")[0]


def test_description_is_stable_and_refuses_no_edition():
    assert dataset_description(indicators(), 3) == dataset_description(indicators(), 3)
    with pytest.raises(ExportError):
        dataset_description(indicators().iloc[0:0], 0)
