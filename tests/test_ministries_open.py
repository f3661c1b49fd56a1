"""Ministries: spelling-insensitive matching, every government since 2016, and an open world.

A name the reference does not know is published under a provisional code with a warning and a
line in `ministeres-a-verifier.csv`; the steward's `data/raw/ministeres.csv` settles it next run.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from panorama.findings.core import Severity
from panorama.identity.features import ministry_families
from panorama.normalise.ministries import (
    MinistryReferenceError, bundled_reference, load_ministries, load_reference, ministry_key, provisional_code,
)
from panorama.pipeline import run_pipeline
from tests.support.files import write_csv

SCHEMA_CODE = re.compile(r"[A-Z][A-Za-z0-9-]{1,19}")
HEADER = ["Ministère porteur", "Nom du projet", "Projet interministériel", "Début", "Durée prévisionnelle en année",
          "Coût estimé", "Phase du projet en cours"]
NEW_NAME = "Ministère de la Souveraineté numérique et de l’Intelligence artificielle"


def test_spelling_case_accents_apostrophes_punctuation_and_articles_are_ignored() -> None:
    assert ministry_key("Ministère de la Transition écologique et de la Cohésion des territoires") == \
        ministry_key("Ministère de la transition ecologique, et de la cohésion des territoires")
    assert ministry_key("Ministère de l’Intérieur") == ministry_key("MINISTERE DE L'INTERIEUR") == ministry_key("Intérieur")
    assert ministry_key("Ministère de l'Europe et des Affaires étrangères") != ministry_key("Ministère des Affaires étrangères")
    ref = bundled_reference()
    assert ref.resolve("ministère de la transition ecologique, et de la cohésion des territoires").code == "MTE"
    assert ref.resolve("Ministère de l’Agriculture et de la Souveraineté Alimentaire").code == "MASA"


@pytest.mark.parametrize("government,name,code", [
    ("Valls II / Cazeneuve", "Ministère de l'Environnement, de l'Énergie et de la Mer", "MEEM"),
    ("Valls II / Cazeneuve", "Ministère des Affaires sociales et de la Santé", "MCAS"),
    ("Valls II / Cazeneuve", "Ministère du Logement et de l'Habitat durable", "MLOG"),
    ("Philippe", "Ministère de l'Action et des Comptes publics", "MACP"),
    ("Philippe", "Ministère de la Cohésion des territoires", "MCTRCT"),
    ("Philippe", "Ministère de l'Enseignement supérieur, de la Recherche et de l'Innovation", "MESR"),
    ("Castex", "Ministère de l'Économie, des Finances et de la Relance", "MEFSIN"),
    ("Castex", "Ministère de la Mer", "MMER"),
    ("Castex", "Ministère du Travail, de l'Emploi et de l'Insertion", "MCAS"),
    ("Borne", "Ministère de la Transition énergétique", "MTEN"),
    ("Borne", "Ministère de l'Intérieur et des Outre-mer", "MI"),
    ("Borne", "Ministère de la Santé et de la Prévention", "MCAS"),
    ("Attal", "Ministère du Travail, de la Santé et des Solidarités", "MTSS"),
    ("Barnier", "Ministère des Armées et des Anciens combattants", "MAr"),
    ("Barnier", "Ministère du Partenariat avec les territoires et de la Décentralisation", "MCTRCT"),
    ("Barnier", "Ministère du Logement et de la Rénovation urbaine", "MLOG"),
    ("Bayrou", "Ministère de l'Aménagement du territoire et de la Décentralisation", "MCTRCT"),
    ("Bayrou", "Ministère du Travail, de la Santé, des Solidarités et des Familles", "MTSS"),
    ("Bayrou", "Ministère de l'Action publique, de la Fonction publique et de la Simplification", "MTFP"),
    ("Lecornu", "Ministère du Travail et des Solidarités", "MTSS"),
    ("Lecornu", "Ministère de l'Économie, des Finances et de la Souveraineté industrielle, énergétique et numérique", "MEFSIN"),
    ("Lecornu", "Ministère de l'Enseignement supérieur, de la Recherche et de l'Espace", "MESR"),
    ("Lecornu", "Ministère de la Transition écologique, de la Biodiversité et des Négociations internationales sur le climat et la nature", "MTE"),
])
def test_every_government_since_2016_is_known(government: str, name: str, code: str) -> None:
    found = bundled_reference().resolve(name)
    assert found is not None and found.code == code, government


def test_successors_link_each_ministry_to_its_family() -> None:
    ministries = load_ministries()
    codes = {m.code for m in ministries}
    assert all(m.successeur is None or m.successeur in codes for m in ministries)
    assert all(SCHEMA_CODE.fullmatch(m.code) for m in ministries)
    for old, new in (("MCAS", "MTSS"), ("MEF", "MEFSIN"), ("MACP", "MEFSIN"), ("MTEN", "MTE"), ("MEEM", "MTE"),
                     ("MINDEF", "MAr"), ("MESR", "MEN"), ("MCC", "MC"), ("MAAF", "MASA")):
        assert ministry_families(old) & ministry_families(new), (old, new)
    assert not ministry_families("MJ") & ministry_families("MI")


def test_a_provisional_code_is_stable_and_fits_the_schema() -> None:
    code = provisional_code(NEW_NAME)
    assert code == provisional_code("ministère de la souveraineté numérique, et de l'intelligence artificielle")
    assert re.fullmatch(r"ProvSNIA[0-9a-f]{4}", code) and SCHEMA_CODE.fullmatch(code)
    assert ministry_families(code) == {code.lower()}  # its own family, not a joint ministry
    assert code != provisional_code("Ministère de la Souveraineté alimentaire et numérique")
    found = bundled_reference().resolve_open(NEW_NAME)
    assert found.provisional and found.code == code and found.nom == NEW_NAME


def _raw(root: Path) -> Path:
    """A raw folder with one edition: a ministry's CSV as Excel saves it (Windows-1252, semicolons)."""
    raw = root / "raw"
    folder = raw / "2025-12"
    folder.mkdir(parents=True)
    (folder / "edition.toml").write_text('numero = 22\ndate_publication = 2025-12-31\nlibelle = "22e édition"\n',
                                         encoding="utf-8")
    write_csv(folder / "MSNIA_panorama.csv", [
        HEADER,
        [NEW_NAME, "ALBERT 2", "Oui", "01/03/2024", "3,5", "24,6", "Conception / Réalisation"],
        [NEW_NAME.replace("’", "'").lower(), "DATA SOUVERAINE", "Non", "01/09/2023", "4", "12", "Déploiement"],
    ], delimiter=";", encoding="utf-8")
    write_csv(folder / "MI_panorama.csv", [
        HEADER, ["Ministère de l'Intérieur", "RRF", "Oui", "01/01/2020", "6", "480,5", "Déploiement"],
    ], delimiter=";", encoding="cp1252")
    return raw


def _review(reports: Path) -> list[dict[str, str]]:
    with (reports / "ministeres-a-verifier.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_new_ministry_is_published_then_settled_by_the_steward(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    out, reports = tmp_path / "out", tmp_path / "rapports"
    first = run_pipeline(raw, out, reports)
    history = first.history.set_index("nom_projet")
    code = provisional_code(NEW_NAME)
    assert history.loc["ALBERT 2", "ministere_code"] == history.loc["DATA SOUVERAINE", "ministere_code"] == code
    assert history.loc["ALBERT 2", "ministere_nom"] == NEW_NAME
    warnings = [f for s in first.validations[0].submissions for f in s.findings if f.type == "ministere-inconnu"]
    assert len(warnings) == 2 and all(f.severity is Severity.WARNING and code in f.message for f in warnings)
    (line,) = _review(reports)
    assert (line["code"], line["nom"], line["editions"]) == (code, NEW_NAME, "2025-12")
    assert "MSNIA_panorama.csv" in line["fichiers"] and (reports / "identifiants-a-verifier.csv").is_file()
    assert (out / "panorama-historique.csv").read_text(encoding="utf-8").count(code) == 2

    with (raw / "ministeres.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([
            ["code", "nom", "aliases", "successeur"],
            ["MSNIA", "Ministère de la Souveraineté numérique et de l'Intelligence artificielle", "", "SPM"],
        ])
    second = run_pipeline(raw, out, reports)
    history = second.history.set_index("nom_projet")
    assert set(history.loc[["ALBERT 2", "DATA SOUVERAINE"], "ministere_code"]) == {"MSNIA"}
    assert history.loc["RRF", "ministere_code"] == "MI"
    assert not [f for s in second.validations[0].submissions for f in s.findings if f.type == "ministere-inconnu"]
    assert _review(reports) == []


@pytest.mark.parametrize("rows,what", [
    ([["code", "nom"], ["msn", "Ministère X"]], "ligne 2 : code « msn » invalide"),
    ([["code", "nom"], ["MSN", ""]], "ligne 2 : le nom du ministère est vide"),
    ([["code", "nom", "successeur"], ["MSN", "Ministère X", "NULLE"]], "ligne 2 : successeur « NULLE » inconnu"),
    ([["sigle", "libelle"], ["MSN", "Ministère X"]], "ligne 1 : colonnes « code » et « nom »"),
])
def test_a_malformed_steward_reference_names_the_file_and_the_line(tmp_path: Path, rows, what: str) -> None:
    with (tmp_path / "ministeres.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(MinistryReferenceError) as caught:
        load_reference(tmp_path)
    assert caught.value.exit_code == 2 and str(tmp_path / "ministeres.csv") in caught.value.message
    assert what in caught.value.message
