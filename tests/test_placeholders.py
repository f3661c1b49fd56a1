"""Texts that mean "nothing here" in an optional column are read as blank, with an information.

The file is a ministry's export as Excel saves it (Windows-1252, semicolons, decimal commas); both
paths of the normaliser (lists for small tables, vectorised columns for large ones) agree.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from panorama.findings.core import Severity
from panorama.normalise import cells
from panorama.normalise.placeholders import PlaceholderListError, bundled_placeholders, load_placeholders
from panorama.validation.rules import load_rules
from panorama.validation.submission import validate_paths
from tests.support.files import write_csv

HEADER = ["Ministère porteur", "Nom du projet", "Projet interministériel", "Début", "Durée prévisionnelle en année",
          "Phase du projet en cours", "Coût estimé", "Coût estimé par tranche", "En savoir plus sur le projet",
          "Zone fonctionnelle", "Lien vers les Projets Annuels de Performances"]
OK = ["MI", "P", "Non", "01/07/2014", "4,5", "Déploiement", "52,4", "entre 20 et 100 M€", "https://a.fr/",
      "Sécurité", "https://pap.fr/p1"]


def _row(name: str, **over: str) -> list[str]:
    values = dict(zip(HEADER, OK))
    values.update({"Nom du projet": name, **over})
    return [values[h] for h in HEADER]


ROWS = [
    _row("A", **{"Coût estimé": "NC", "Coût estimé par tranche": "n.c."}),
    _row("B", **{"Durée prévisionnelle en année": "-", "Lien vers les Projets Annuels de Performances": "N/A"}),
    _row("C", **{"Début": "à venir", "Phase du projet en cours": "Cadrage", "Coût estimé": "En cadrage",
                 "Coût estimé par tranche": "en cadrage", "Durée prévisionnelle en année": ""}),
    _row("D", **{"En savoir plus sur le projet": "Néant", "Zone fonctionnelle": "?"}),
    _row("E", **{"Coût estimé": "Non communiqué", "Coût estimé par tranche": "NON COMMUNIQUÉE"}),
    _row("F", **{"Début": "En attente de l'arbitrage du comité", "Zone fonctionnelle": "A VENIR."}),
]


@pytest.mark.parametrize("text", ["NC", "nc", "N.C.", "n.c.", "-", "—", "?", "N/A", "néant", "NEANT",
                                  "non communiqué", "Non Communiqué(e)", "à venir", "A venir", "en attente",
                                  "En attente de validation DSI", "sans objet"])
def test_bundled_patterns_cover_the_spellings(text: str) -> None:
    assert bundled_placeholders().matches(text)


@pytest.mark.parametrize("text", ["12", "En cadrage", "Cadrage", "Nancy", "NCIS", "-12", "2020", "Néanmoins"])
def test_values_are_not_placeholders(text: str) -> None:
    assert not bundled_placeholders().matches(text)


def _validate(path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int):
    monkeypatch.setattr(cells, "SMALL_TABLE_ROWS", threshold)
    return validate_paths([path])[0]


def test_placeholders_are_read_as_blank_with_an_information(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "MI_panorama.csv", [HEADER, *ROWS], delimiter=";", encoding="cp1252")
    small, large = _validate(path, monkeypatch, 10**9), _validate(path, monkeypatch, -1)
    assert [vars(f) for f in small.findings] == [vars(f) for f in large.findings]
    pd.testing.assert_frame_equal(small.table, large.table, check_exact=True)
    s = small
    assert not s.blocking and s.rows_accepted == len(ROWS)
    infos = [f for f in s.findings if f.type == "valeur-non-communiquee"]
    assert all(f.severity is Severity.INFO for f in infos)
    assert [(f.row, f.field, f.value) for f in infos] == [
        (2, "cout_estime_meur", "NC"), (2, "tranche_cout", "n.c."),
        (3, "duree_previsionnelle_annees", "-"), (3, "lien_pap", "N/A"),
        (4, "date_debut", "à venir"),
        (5, "liens_projet", "Néant"), (5, "zone_fonctionnelle", "?"),
        (6, "cout_estime_meur", "Non communiqué"), (6, "tranche_cout", "NON COMMUNIQUÉE"),
        (7, "date_debut", "En attente de l'arbitrage du comité"), (7, "zone_fonctionnelle", "A VENIR."),
    ]
    assert "Coût estimé" in infos[0].message and "ligne 2" in infos[0].message
    assert [f.type for f in s.findings if f.severity is not Severity.INFO] == []
    t = s.table.set_index("nom_projet")
    assert t.loc[["A", "E"], "cout_estime_meur"].isna().all() and t.loc[["A", "E"], "tranche_cout"].isna().all()
    assert pd.isna(t.loc["B", "duree_previsionnelle_annees"]) and t.loc["B", "lien_pap"] is None
    assert t.loc[["C", "F"], "date_debut"].isna().all() and t.loc["D", "liens_projet"] is None


def test_a_required_column_is_never_blanked(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "MI.csv", [HEADER, _row("NC", **{"Phase du projet en cours": "NC"})], delimiter=";",
                     encoding="cp1252")
    (s,) = validate_paths([path])
    assert s.table["nom_projet"].tolist() == ["NC"]
    assert [(f.type, f.field, f.severity) for f in s.findings if f.type != "encodage-windows-1252"] == [
        ("constraint-error", "phase", Severity.WARNING)]


def test_the_steward_extends_the_list(tmp_path: Path) -> None:
    (tmp_path / "valeurs-non-communiquees.csv").write_text("motif,exemple\npas de donnees,Pas de données\n",
                                                           encoding="utf-8")
    assert not bundled_placeholders().matches("Pas de données")
    assert load_placeholders(tmp_path).matches("PAS DE DONNÉES") and load_placeholders(tmp_path).matches("NC")
    path = write_csv(tmp_path / "MI.csv", [HEADER, _row("A", **{"Coût estimé": "Pas de données"})], delimiter=";")
    (s,) = validate_paths([path], rules=load_rules(tmp_path))
    assert [f.type for f in s.findings] == ["valeur-non-communiquee"] and s.table["cout_estime_meur"].isna().all()


@pytest.mark.parametrize("text,what", [
    ("motif,exemple\n(non,x\n", "ligne 2 : motif « (non » invalide"),
    ("motif,exemple\n,vide\n", "ligne 2 : motif vide"),
    ("motif,exemple\nnc,pas pareil\n", "ligne 2 : l'exemple « pas pareil » ne suit pas le motif"),
])
def test_a_malformed_list_names_the_file_and_the_line(tmp_path: Path, text: str, what: str) -> None:
    (tmp_path / "valeurs-non-communiquees.csv").write_text(text, encoding="utf-8")
    with pytest.raises(PlaceholderListError) as caught:
        load_placeholders(tmp_path)
    assert caught.value.exit_code == 2 and what in caught.value.message
