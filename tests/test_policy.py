"""Severity is a policy: blocking only what makes a row unusable or a headline figure silently wrong.

Files are written as a ministry's tool writes them (openpyxl workbooks with typed cells, CSV in
Windows-1252 with semicolons); the steward's `politique.toml` changes a severity without code.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from panorama.edition import discover_editions, load_edition
from panorama.errors import SettingsError
from panorama.findings.catalog import CATALOG, severity_of
from panorama.findings.core import Severity
from panorama.findings.policy import DEFAULT_POLICY, PolicyError, load_policy
from panorama.validation.rules import load_rules, rules_for
from panorama.validation.submission import validate_edition, validate_paths
from tests.support.files import write_csv, write_xlsx

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "real-editions"
HEADER = ["Projet", "Ministère porteur", "Projet inter-ministériel", "Description et objectifs", "Début",
          "Durée du projet en années", "Phase du projet en cours", "Coût estimé", "Coût estimé par tranche",
          "En savoir plus", "Zone fonctionnelle principale"]


def line(name: str = "FRANCE CONNECT", **over: object) -> list[object]:
    base: dict[str, object] = {
        "Projet": name, "Ministère porteur": "Services du Premier ministre", "Projet inter-ministériel": "Oui",
        "Description et objectifs": "Fédérer les identités numériques.", "Début": dt.datetime(2013, 7, 1),
        "Durée du projet en années": 4.5, "Phase du projet en cours": "Déploiement", "Coût estimé": 12.4,
        "Coût estimé par tranche": "entre 9 et 20 M€", "En savoir plus": "https://franceconnect.gouv.fr/",
        "Zone fonctionnelle principale": "Identification",
    }
    base.update(over)
    return [base[h] for h in HEADER]


def edition_folder(root: Path, rows: list[list[object]], policy: str | None = None, name: str = "2025-12") -> Path:
    """A raw folder with one edition holding one workbook (typed cells, as openpyxl writes them)."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "edition.toml").write_text('numero = 22\ndate_publication = 2025-12-31\nlibelle = "22e édition"\n',
                                         encoding="utf-8")
    write_xlsx(folder / "SPM_panorama.xlsx", {"Projets": [HEADER, *rows]})
    if policy is not None:
        (root / "politique.toml").write_text(policy, encoding="utf-8")
    return folder


# The catalogue ---------------------------------------------------------------------------------

def test_severity_depends_on_what_the_figures_need() -> None:
    for field in ("cout_estime_meur", "duree_previsionnelle_annees", "cout_initial_meur", "duree_actualisee_annees"):
        assert severity_of("type-error", field) is Severity.BLOCKING, field
        assert severity_of("constraint-error", field) is Severity.BLOCKING, field
    for field in ("date_debut", "liens_projet", "lien_pap", "phase", "tranche_cout", "projet_interministeriel"):
        assert severity_of("type-error", field) is not Severity.BLOCKING, field
        assert severity_of("constraint-error", field) is not Severity.BLOCKING, field
    assert severity_of("constraint-error", "nom_projet") is Severity.BLOCKING
    for code in ("fichier-illisible", "projet-en-double", "colonne-manquante"):
        assert severity_of(code) is Severity.BLOCKING
    for code in ("date-debut-future", "date-debut-manquante", "ministere-inconnu"):
        assert severity_of(code) is Severity.WARNING
    assert severity_of("valeur-non-communiquee") is Severity.INFO
    assert all(t.title and t.code == code for code, t in CATALOG.items())


# What warns and keeps the project --------------------------------------------------------------

def test_odd_values_warn_keep_the_project_and_leave_the_typed_value_empty(tmp_path: Path) -> None:
    rows = [
        line("A", **{"Début": "31/02/2020"}),                      # an impossible date
        line("B", **{"Début": dt.datetime(1985, 1, 1)}),          # before the schema's minimum
        line("C", **{"En savoir plus": "voir l'intranet du SG"}),  # a link that is no address
        line("D", **{"Phase du projet en cours": "Pilote"}),       # a phase spelled an unknown way
        line("E", **{"Coût estimé par tranche": "10-20 M€"}),     # an unknown bracket
        line("F", **{"Début": None}),                             # no start date, not in cadrage
        line("G", **{"Début": dt.datetime(2026, 3, 1)}),          # a planned project
        line("H", **{"Ministère porteur": "Ministère de la Souveraineté numérique"}),  # a new ministry
        line("I", **{"Projet inter-ministériel": "Partiel"}),     # neither Oui nor Non
    ]
    v = validate_edition(load_edition(edition_folder(tmp_path, rows)))
    (s,) = v.submissions
    assert v.publishable and not s.blocking
    assert s.rows_accepted == len(rows) == len(v.table)
    by_row = {f.row: f for f in s.findings if f.severity is Severity.WARNING}
    assert set(by_row) == set(range(2, 11))
    assert (by_row[2].type, by_row[2].value) == ("type-error", "31/02/2020")
    assert by_row[3].type == "constraint-error" and by_row[3].field == "date_debut"
    assert (by_row[4].field, by_row[4].value) == ("liens_projet", "voir l'intranet du SG")
    assert (by_row[5].field, by_row[5].value) == ("phase", "Pilote")
    assert (by_row[6].field, by_row[6].value) == ("tranche_cout", "10-20 M€")
    assert by_row[7].type == "date-debut-manquante" and by_row[8].type == "date-debut-future"
    assert by_row[9].type == "ministere-inconnu" and by_row[10].field == "projet_interministeriel"
    t = v.table.set_index("nom_projet")
    assert t.loc[["A", "B", "F"], "date_debut"].isna().all()
    assert t.loc["G", "date_debut"] == dt.datetime(2026, 3, 1)  # a planned date is kept
    assert t.loc["C", "liens_projet"] is None and t.loc["D", "phase"] is None and t.loc["E", "tranche_cout"] is None
    assert t.loc["H", "ministere_code"].startswith("Prov")
    assert t["cout_estime_meur"].notna().all()  # every cost still counts


# What blocks -----------------------------------------------------------------------------------

@pytest.mark.parametrize("over,kind,field", [
    ({"Coût estimé": "beaucoup"}, "type-error", "cout_estime_meur"),
    ({"Durée du projet en années": "trois ans"}, "type-error", "duree_previsionnelle_annees"),
    ({"Coût estimé": -4.0}, "constraint-error", "cout_estime_meur"),
    ({"Projet": None}, "constraint-error", "nom_projet"),
])
def test_a_figure_or_the_row_itself_at_stake_blocks(tmp_path: Path, over: dict, kind: str, field: str) -> None:
    v = validate_edition(load_edition(edition_folder(tmp_path, [line(**over), line("AUTRE")])))
    (s,) = v.submissions
    blocking = [f for f in s.findings if f.blocking]
    assert [(f.type, f.field, f.row) for f in blocking] == [(kind, field, 2)]
    assert not v.publishable and list(v.table["nom_projet"]) == ["AUTRE"]


def test_a_project_twice_and_a_missing_required_column_block(tmp_path: Path) -> None:
    v = validate_edition(load_edition(edition_folder(tmp_path, [line(), line("France-Connect")])))
    assert [f.type for f in v.submissions[0].findings if f.blocking] == ["projet-en-double"]
    path = write_csv(tmp_path / "MI.csv", [["Ministère porteur", "Début"], ["MI", "01/01/2020"]],
                     delimiter=";", encoding="cp1252")
    (s,) = validate_paths([path])
    assert "colonne-manquante" in [f.type for f in s.findings if f.blocking]


# politique.toml --------------------------------------------------------------------------------

def test_the_steward_raises_and_lowers_severities_without_code(tmp_path: Path) -> None:
    rows = [line("PLANIFIE", **{"Début": dt.datetime(2026, 3, 1)}), line("FLOU", **{"Coût estimé": "environ douze"})]
    default = validate_edition(load_edition(edition_folder(tmp_path / "a", rows)))
    assert [f.type for f in default.submissions[0].findings if f.blocking] == ["type-error"]
    policy = '[gravite]\ndate-debut-future = "bloquant"\ntype-error.cout_estime_meur = "avertissement"\n'
    changed = validate_edition(load_edition(edition_folder(tmp_path / "b", rows, policy)))
    (s,) = changed.submissions
    assert [(f.type, f.severity) for f in s.findings if f.type != "feuille-lue"] == [
        ("date-debut-future", Severity.BLOCKING), ("type-error", Severity.WARNING)]
    assert list(changed.table["nom_projet"]) == ["FLOU"] and changed.table["cout_estime_meur"].isna().all()


@pytest.mark.parametrize("text,where,what", [
    ('[gravite]\n\nbidule = "bloquant"\n', "ligne 3", "type de constat inconnu « bidule »"),
    ('[gravite]\ndate-debut-future = "grave"\n', "ligne 2", "gravité inconnue 'grave'"),
    ('[gravite]\ntype-error.date = "bloquant"\n', "ligne 2", "champ inconnu « date »"),
    ('[gravite]\nprojet-en-double = "avertissement"\n', "ligne 2", "ne peut pas être changée"),
    ('[severites]\ntype-error = "bloquant"\n', "ligne 1", "section ou clé inconnue"),
    ('[gravite\n', "", "TOML illisible"),
])
def test_a_malformed_policy_names_the_file_and_the_line(tmp_path: Path, text: str, where: str, what: str) -> None:
    path = tmp_path / "politique.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert isinstance(caught.value, SettingsError) and caught.value.exit_code == 2
    assert str(path) in caught.value.message and what in caught.value.message
    assert where in caught.value.message


def test_run_with_a_malformed_policy_exits_2_before_writing_anything(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", raw)
    (raw / "politique.toml").write_text('[gravite]\ndate-debut-future = "fatal"\n', encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("DATAGOUV_API_KEY", None)
    result = subprocess.run([str(Path(sys.executable).parent / "panorama"), "run", "--direct", "--raw", str(raw),
                             "--out", str(tmp_path / "out"), "--report-dir", str(tmp_path / "r")],
                            capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output and "politique.toml" in output and "ligne 2" in output and "fatal" in output
    assert not (tmp_path / "out").exists() and not (tmp_path / "r").exists()


def test_rules_come_from_the_raw_folder_of_the_edition(tmp_path: Path) -> None:
    folder = edition_folder(tmp_path, [line()], '[gravite]\ncolonne-inconnue = "information"\n')
    rules = rules_for(load_edition(folder))
    assert rules.policy.severity("colonne-inconnue") is Severity.INFO and rules.digest != "defaut"
    assert load_rules(None).policy is not None and rules_for(None).digest == "defaut"


# One source of truth: every emitted finding has the run's severity ------------------------------

def _bad_inputs(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = [
        write_csv(folder / "vide.csv", [[]]),
        write_csv(folder / "entete.csv", [HEADER]),
        write_csv(folder / "cellules.csv", [HEADER, line()[:5], [*line("B"), "en trop"]], delimiter=";", encoding="cp1252"),
        write_csv(folder / "formule.csv", [HEADER, line("=SOMME(A1:A2)"), line("B", **{"Description et objectifs": "a\x07b"})]),
        write_csv(folder / "colonnes.csv", [["Ministère porteur", "Début", "Début"], ["MI", "2020", "2021"]]),
        write_xlsx(folder / "classeur.xlsx", {"Notes": [["rien"]], "Projets": [HEADER, line(), line(),
                                                                                 line("C", **{"Coût estimé": "NC"})]}),
    ]
    (folder / "illisible.xlsx").write_bytes(b"PK\x03\x04 pas un classeur")
    return [*paths, folder / "illisible.xlsx"]


def _assert_agrees(results, policy) -> set[str]:
    seen = set()
    for s in results:
        for f in s.findings:
            assert f.type in CATALOG, f.type
            assert f.severity is policy.severity(f.type, f.field), (s.file, f.type, f.field, f.severity)
            seen.add(f.type)
    return seen


def test_every_emitted_finding_has_the_policy_severity(tmp_path: Path) -> None:
    checked: set[str] = set()
    for edition in discover_editions(REPO / "data" / "raw"):
        v = validate_edition(edition)
        checked |= _assert_agrees(v.submissions, rules_for(edition).policy)
    checked |= _assert_agrees(validate_paths(_bad_inputs(tmp_path / "bad")), DEFAULT_POLICY)
    policy = '[gravite]\ntype-error = "bloquant"\nformule-tableur.nom_projet = "avertissement"\n'
    folder = edition_folder(tmp_path / "steward", [line(**{"Début": "bientôt"})], policy)
    write_csv(folder / "MI.csv", [HEADER, line("=B1+1", **{"Début": "01/07/2013"})], delimiter=";", encoding="cp1252")
    v = validate_edition(load_edition(folder))
    steward = rules_for(load_edition(folder)).policy
    checked |= _assert_agrees(v.submissions, steward)
    assert steward.severity("type-error", "date_debut") is Severity.BLOCKING
    assert {f.type for s in v.submissions for f in s.findings} >= {"type-error", "formule-tableur"}
    if REAL.is_dir():
        for edition in discover_editions(REAL):
            checked |= _assert_agrees(validate_edition(edition).submissions, DEFAULT_POLICY)
    elif os.environ.get("CI") == "true":
        pytest.fail("../shared/real-editions absent en CI")
    assert checked >= {"fichier-illisible", "fichier-sans-donnees", "extra-cell", "missing-cell", "formule-tableur",
                       "caractere-de-controle", "duplicate-label", "colonne-manquante", "projet-en-double", "type-error",
                       "constraint-error", "valeur-non-communiquee", "cout-en-cadrage", "tranche-incoherente",
                       "feuille-ignoree", "encodage-windows-1252"}, sorted(checked)


def test_warned_values_still_publish_a_valid_data_package(tmp_path: Path) -> None:
    """A phase or an interministerial flag that could not be read is published blank, which the
    published schema allows (a submission must still fill them: the submission schema requires them)."""
    import frictionless

    from panorama.pipeline import run_pipeline
    from panorama.validation.tableschema import publication_schema, submission_schema

    rows = [line("A", **{"Phase du projet en cours": "Pilote"}), line("B", **{"Projet inter-ministériel": "Partiel"}),
            line("C", **{"Phase du projet en cours": None})]
    edition_folder(tmp_path / "raw", rows)
    result = run_pipeline(tmp_path / "raw", tmp_path / "out", tmp_path / "rapports")
    history = result.history.set_index("nom_projet")
    assert history.loc[["A", "C"], "phase"].isna().all() and pd.isna(history.loc["B", "projet_interministeriel"])
    findings = [(f.type, f.field, f.severity) for s in result.validations[0].submissions for f in s.findings
                if f.type != "feuille-lue"]
    assert sorted(findings) == [("constraint-error", "phase", Severity.WARNING)] * 2 + [
        ("type-error", "projet_interministeriel", Severity.WARNING)]
    report = frictionless.validate(tmp_path / "out" / "datapackage.json")
    assert report.valid, [e.message for t in report.tasks for e in t.errors]
    for name in ("phase", "projet_interministeriel"):
        assert submission_schema().get_field(name).constraints.get("required") is True
        assert not publication_schema().get_field(name).constraints.get("required")
