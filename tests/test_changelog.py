"""The published changelog: projects by name, figures moving, partial editions said."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from panorama.changelog import render_changelog
from panorama.edition import Edition
from panorama.figures import compute_indicators
from panorama.history import stack_editions

E3 = Edition(id="2017-06", numero=3, date_publication=dt.date(2017, 6, 1), libelle="3e édition (juin 2017)",
             path=Path("2017-06"), taux_ecart_budgetaire_declare=0.25, taux_ecart_calendaire_declare=0.21)
E4 = Edition(id="2017-11", numero=4, date_publication=dt.date(2017, 11, 29), libelle="4e édition (novembre 2017)",
             path=Path("2017-11"), taux_ecart_budgetaire_declare=0.25, taux_ecart_calendaire_declare=0.22)


def rows(*projects: tuple[str, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame([
        {"identifiant": i, "nom_projet": n, "ministere_nom": m, "cout_estime_meur": c, "duree_previsionnelle_annees": 6.0,
         "projet_interministeriel": False}
        for i, n, m, c in projects
    ])


def build() -> tuple[pd.DataFrame, pd.DataFrame]:
    history = stack_editions([
        (E3, rows(("mef-igc", "Offre IGC ministérielle", "Ministère de l'Économie et des Finances", 560.0),
                  ("spm-rie", "Réseau Interministériel de l'Etat", "Services du Premier ministre", 2000.0))),
        (E4, rows(("mi-mcic2", "MCIC²", "Ministère de l'Intérieur", 630.0),
                  ("spm-rie", "RIE", "Services du Premier ministre", 2000.0))),
    ])
    indicators, _ = compute_indicators(history, [E3, E4])
    return history, indicators


def test_changelog_lists_moves_by_name_and_figures_newest_first() -> None:
    history, indicators = build()
    text = render_changelog(history, indicators, [E3, E4])
    assert text.index("## 4e édition") < text.index("## 3e édition")
    newest = text[text.index("## 4e édition"):text.index("## 3e édition")]
    assert "- MCIC² (Ministère de l'Intérieur)" in newest
    assert "- Offre IGC ministérielle (Ministère de l'Économie et des Finances)" in newest
    assert "mi-mcic2" not in newest
    assert "- Coût total : 2,56 → 2,63 Md€ (+0,07)" in newest
    assert "- Nombre de projets : 2 → 2 (=)" in newest
    assert "- Taux d'écart calendaire : 21,0 → 22,0 % (+1,0 pt)" in newest
    assert "Première édition publiée" in text[text.index("## 3e édition"):]
    assert "Édition partielle" not in text


def test_changelog_is_deterministic_and_reports_dropped_files() -> None:
    history, indicators = build()
    dropped = {"2017-11": ["mj.xlsx", "macp.csv"]}
    first = render_changelog(history, indicators, [E4, E3], dropped)
    assert first == render_changelog(history, indicators, [E3, E4], dropped)
    newest = first[first.index("## 4e édition"):first.index("## 3e édition")]
    assert "### Édition partielle" in newest
    assert newest.index("- macp.csv") < newest.index("- mj.xlsx")
    assert first.endswith("\n") and not first.endswith("\n\n")
