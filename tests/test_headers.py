"""Header matching: both historical formats, aliases, and what is reported about the header row."""
from __future__ import annotations

import pytest

from panorama.normalise.headers import MINISTRY, header_key, header_score, known_field, match_headers
from panorama.findings.core import Severity

FORMAT_1 = [  # the raw consolidated export (2016-11, 2017-06), trailing space included
    "Ministère porteur ", "Ministère nom complet", "Nom du projet", "Projet interministériel",
    "Description et objectifs du projet", "En savoir plus sur le projet", "Début",
    "Durée prévisionnelle en année", "Phase du projet en cours", "Coût estimé", "Coût estimé par tranche",
    "Zone fonctionnelle", "Financement [programme(s)]", "Lien vers les Projets Annuels de Performances",
    "Date de publication",
]
FORMAT_1_FIELDS = [
    MINISTRY, "ministere_nom", "nom_projet", "projet_interministeriel", "description", "liens_projet",
    "date_debut", "duree_previsionnelle_annees", "phase", "cout_estime_meur", "tranche_cout",
    "zone_fonctionnelle", "programme_financement", "lien_pap",
]
FORMAT_2 = [  # the dashboard's table (2017-02, 2017-11, 2018-07)
    "Projet", "Ministère porteur", "Projet inter-ministériel", "Description et objectifs", "Début",
    "Durée du projet en années", "Phase du projet en cours", "Coût complet estimé",
    "Zone fonctionnelle principale", "Programme de financement",
]
FORMAT_2_FIELDS = [
    "nom_projet", MINISTRY, "projet_interministeriel", "description", "date_debut",
    "duree_previsionnelle_annees", "phase", "cout_estime_meur", "zone_fonctionnelle", "programme_financement",
]


def _match(header):
    return match_headers(header, [False] * len(header), "f.csv", None, 1)


def test_format_1_maps_every_column_and_ignores_publication_date():
    m = _match(FORMAT_1)
    assert [FORMAT_1[i] for i in m.columns.values()] == FORMAT_1[:14]
    assert list(m.columns) == FORMAT_1_FIELDS
    assert m.labels[MINISTRY] == "Ministère porteur "  # the label as written, trailing space kept
    assert [f.type for f in m.findings] == ["colonne-ignoree"]
    assert m.findings[0].severity is Severity.INFO
    assert not m.blocking


def test_format_2_maps_every_column():
    m = _match(FORMAT_2)
    assert list(m.columns) == FORMAT_2_FIELDS
    assert m.findings == [] and m.unknown_columns == []


def test_coût_estimé_is_also_known_in_format_2():
    assert known_field("Coût estimé") == known_field("Coût complet estimé") == "cout_estime_meur"


@pytest.mark.parametrize("label,field", [
    ("Coût initial", "cout_initial_meur"), ("Budget initial (M€)", "cout_initial_meur"),
    ("Coût actualisé", "cout_actualise_meur"), ("Budget actualisé (M€)", "cout_actualise_meur"),
    ("Durée initiale", "duree_initiale_annees"), ("Durée actualisée (années)", "duree_actualisee_annees"),
    ("cout_estime_meur", "cout_estime_meur"), ("Coût estimé (M€)", "cout_estime_meur"),
    ("Date de début du projet", "date_debut"), ("  NOM DU PROJET  ", "nom_projet"),
    ("Code du ministère porteur", "ministere_code"), ("identifiant", "identifiant"),
])
def test_aliases_titles_and_names(label, field):
    assert known_field(label) == field


def test_key_ignores_case_accents_spaces_and_punctuation():
    assert header_key(" Projet inter-ministériel ") == header_key("PROJET INTERMINISTERIEL")
    assert header_key("Coût dans") != header_key("Coût")  # "ans" is only a unit after a space


def test_header_score_counts_known_cells():
    assert header_score(FORMAT_2) == len(FORMAT_2)
    assert header_score(["Panorama des grands projets", None, "", "Nom du projet"]) == 1
    assert header_score([]) == 0


def test_unknown_column_is_a_warning_and_left_out():
    m = _match([*FORMAT_2, "Commentaire interne"])
    assert m.unknown_columns == ["Commentaire interne"]
    (finding,) = m.findings
    assert (finding.type, finding.severity, finding.column) == ("colonne-inconnue", Severity.WARNING, "Commentaire interne")
    assert len(m.columns) == len(FORMAT_2)


@pytest.mark.parametrize("dropped,label", [
    ("Projet", "Nom du projet"), ("Ministère porteur", "Ministère porteur"),
    ("Projet inter-ministériel", "Projet interministériel"), ("Début", "Début"),
    ("Phase du projet en cours", "Phase du projet en cours"),
])
def test_missing_required_column_is_blocking_and_named(dropped, label):
    m = _match([h for h in FORMAT_2 if h != dropped])
    missing = [f for f in m.findings if f.type == "colonne-manquante"]
    assert len(missing) == 1 and missing[0].blocking
    assert f"« {label} »" in missing[0].message and label in missing[0].expected


def test_a_ministry_full_name_column_alone_is_enough():
    header = [h for h in FORMAT_1 if h.strip() != "Ministère porteur"]
    assert not [f for f in _match(header).findings if f.type == "colonne-manquante"]


def test_duplicated_header_is_blocking():
    m = _match([*FORMAT_2, "Début"])
    (dup,) = [f for f in m.findings if f.type == "duplicate-label"]
    assert dup.blocking and dup.column == "Début"


def test_two_labels_for_one_field_are_a_duplicate():
    m = _match([*FORMAT_2, "Coût estimé"])
    assert [f.type for f in m.findings] == ["duplicate-label"]


def test_blank_headers_empty_columns_are_dropped_but_blank_header_with_data_warns():
    m = match_headers([*FORMAT_2, None, ""], [False] * len(FORMAT_2) + [True, False], "f.csv")
    types = sorted((f.type, str(f.severity)) for f in m.findings)
    assert types == [("blank-header", "avertissement"), ("colonnes-vides-ignorees", "information")]
