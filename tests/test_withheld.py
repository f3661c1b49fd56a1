"""Projects whose figures DINUM withheld ("Révision de trajectoire") stay in the history and follow
the documented rule: counted as projects, out of the cost, duration and deviation figures."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from panorama import methodology
from panorama.edition import Edition, load_edition
from panorama.figures import WITHHELD_PHASE, compute_indicators, compute_repartitions
from panorama.history import stack_editions
from panorama.validation.submission import validate_edition
from tests.support.files import write_xlsx

EDITION = Edition(id="2021-11", numero=14, date_publication=dt.date(2021, 11, 30), libelle="14e", path=Path("2021-11"))


def _project(ident: str, **values) -> dict:
    base = {"identifiant": ident, "ministere_code": "MI", "ministere_nom": "Ministère de l'Intérieur",
            "nom_projet": ident.upper(), "projet_interministeriel": True, "phase": "Déploiement"}
    return {**base, **values}


def _history() -> pd.DataFrame:
    rows = pd.DataFrame([
        _project("a", cout_estime_meur=100.0, duree_previsionnelle_annees=4.0, cout_initial_meur=80.0,
                 cout_actualise_meur=100.0, duree_initiale_annees=4.0, duree_actualisee_annees=4.0),
        _project("b", phase="Cadrage"),
        # withheld, though the ministry sent figures: they must not count
        _project("c", phase=WITHHELD_PHASE, cout_estime_meur=900.0, duree_previsionnelle_annees=12.0,
                 cout_initial_meur=100.0, cout_actualise_meur=900.0, duree_initiale_annees=2.0,
                 duree_actualisee_annees=12.0),
        _project("d", phase=WITHHELD_PHASE),  # withheld as DINUM published it: blank cost and duration
    ])
    return stack_editions([(EDITION, rows)])


def test_withheld_projects_count_as_projects_but_not_in_costs_durations_or_rates() -> None:
    table, _ = compute_indicators(_history(), [EDITION])
    row = table.iloc[0]
    assert row["nombre_projets"] == 4 and row["nombre_projets_interministeriels"] == 4
    assert row["cout_total_meur"] == 100.0
    assert row["duree_moyenne_annees"] == 4.0
    assert row["taux_ecart_budgetaire"] == 0.25 and row["taux_ecart_calendaire"] == 0.0


def test_repartitions_count_them_without_their_cost() -> None:
    table = compute_repartitions(_history())
    phases = table[table["dimension"] == "phase"].set_index("valeur")
    assert phases.loc[WITHHELD_PHASE, "nombre_projets"] == 2 and phases.loc[WITHHELD_PHASE, "cout_total_meur"] == 0.0
    ministries = table[table["dimension"] == "ministere"].set_index("valeur")
    assert ministries.loc["Ministère de l'Intérieur", "cout_total_meur"] == 100.0


def test_the_methodology_states_the_rule_for_each_figure() -> None:
    sections = {s.title: " ".join(s.paragraphs) for s in methodology.SECTIONS}
    assert "révision de trajectoire" in sections["Nombre de projets"] and "comptés" in sections["Nombre de projets"]
    assert "hors projets en cadrage ou en révision de trajectoire" in sections["Coût total"]
    assert "révision de trajectoire" in sections["Durée moyenne"]
    assert "révision de trajectoire" in sections["Taux d'écart budgétaire"]
    assert "révision de trajectoire" in methodology.methodology_markdown()


def test_a_withheld_project_as_a_ministry_sends_it_stays_in_the_edition(tmp_path: Path) -> None:
    folder = tmp_path / "2021-11"
    folder.mkdir()
    (folder / "edition.toml").write_text('numero = 14\ndate_publication = 2021-11-30\nlibelle = "14e"\n', encoding="utf-8")
    header = ["Projet", "Ministère porteur", "Projet inter-ministériel", "Début", "Durée du projet en années",
              "Phase du projet en cours", "Coût complet estimé", "Zone fonctionnelle principale"]
    write_xlsx(folder / "panorama-2021-11.xlsx", {"Panorama": [
        header,
        ["SIRHEN", "Ministère de l'Éducation nationale, de la Jeunesse et des Sports", "Non", dt.datetime(2007, 3, 1),
         None, "Révision de trajectoire", None, "Ressources humaines"],
        ["CYCLADES", "Ministère de l'Éducation nationale, de la Jeunesse et des Sports", "Non", dt.datetime(2014, 9, 1),
         6.5, "Déploiement", 48.2, "Examens et concours"],
    ]})
    edition = load_edition(folder)
    v = validate_edition(edition)
    assert v.publishable and [f for s in v.submissions for f in s.findings if f.blocking] == []
    assert sorted(v.table["nom_projet"]) == ["CYCLADES", "SIRHEN"] and set(v.table["ministere_code"]) == {"MEN"}
    rows = v.table.assign(identifiant=["a", "b"])
    table, _ = compute_indicators(stack_editions([(edition, rows)]), [edition])
    assert (table.iloc[0]["nombre_projets"], table.iloc[0]["cout_total_meur"]) == (2, 48.2)
