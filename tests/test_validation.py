"""Validation of one submission (built as a RawTable) and of an edition folder (read from disk)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from panorama.edition import Edition, load_edition
from panorama.model import PROVENANCE_COLUMNS, project_fields
from panorama.reading.table import RawTable
from panorama.normalise import cells
from panorama.validation import vectorised
from panorama.findings.core import MAX_VALUE_CHARS, Severity
from panorama.validation.submission import validate_edition, validate_raw_table, validate_submission

HEADER = ["Projet", "Ministère porteur", "Projet inter-ministériel", "Description et objectifs", "Début",
          "Durée du projet en années", "Phase du projet en cours", "Coût estimé", "Coût estimé par tranche",
          "Programme de financement"]


def row(**over: str | None) -> list[str | None]:
    base = {
        "Projet": "FRANCE CONNECT", "Ministère porteur": "Services du Premier Ministre",
        "Projet inter-ministériel": "Oui",
        "Description et objectifs": 'Connexion. (<a href="https://franceconnect.gouv.fr/" title="en savoir plus">en savoir plus</a>)',
        "Début": "juillet 2013", "Durée du projet en années": "3,75", "Phase du projet en cours": "Déploiement",
        "Coût estimé": "7", "Coût estimé par tranche": "entre 5 et 9 M€",
        "Programme de financement": '<a href="https://pap.fr/P129.pdf">Coordination du travail gouvernemental (P129)</a>',
    }
    base.update(over)
    return [base[h] for h in HEADER]


def raw_table(rows: list[list[str | None]], header: list[str] = HEADER, name: str = "remontee.csv") -> RawTable:
    data = pd.DataFrame([[None if c in ("", None) else c for c in r] for r in rows],
                        columns=range(len(header)), dtype=object)
    return RawTable(path=Path(name), sha256="0" * 64, header=list(header), header_row=1, data=data,
                    row_numbers=np.arange(2, len(rows) + 2, dtype="int64"), encoding="utf-8", delimiter=",")


def types(result) -> list[tuple[str, Severity, int | None]]:
    return [(f.type, f.severity, f.row) for f in result.findings]


def test_a_good_row_gives_the_canonical_table():
    result = validate_raw_table(raw_table([row(), row(Projet="PNR", **{"Ministère porteur": "MI"})]))
    assert result.findings == [] and not result.blocking
    t = result.table
    assert list(t.columns) == [*project_fields(), *PROVENANCE_COLUMNS]
    assert result.rows_read == result.rows_accepted == 2
    first = t.iloc[0]
    assert (first.ministere_code, first.ministere_nom) == ("SPM", "Services du Premier ministre")
    assert (t.iloc[1].ministere_code, t.iloc[1].ministere_nom) == ("MI", "Ministère de l'Intérieur")
    assert first.description == "Connexion."
    assert first.liens_projet == "https://franceconnect.gouv.fr/"
    assert first.programme_financement == "Coordination du travail gouvernemental (P129)"
    assert first.lien_pap == "https://pap.fr/P129.pdf"
    assert first.date_debut == pd.Timestamp("2013-07-01")
    assert first.duree_previsionnelle_annees == 3.75 and first.cout_estime_meur == 7.0
    assert first.identifiant is None and first._fichier == "remontee.csv" and first._ligne == 2
    assert t.dtypes["cout_estime_meur"] == "float64" and t.dtypes["date_debut"] == "datetime64[ns]"
    assert t.dtypes["projet_interministeriel"] == "boolean" and t.dtypes["nom_projet"] == object
    assert t.dtypes["_ligne"] == "int64" and bool(first.projet_interministeriel) is True
    assert np.isnan(first.cout_initial_meur)


def test_type_error_names_row_column_value_and_expected_form():
    result = validate_raw_table(raw_table([row(), row(Projet="B", **{"Coût estimé": "beaucoup"})]))
    (f,) = result.findings
    assert (f.type, f.severity, f.row, f.column, f.field, f.value) == (
        "type-error", Severity.BLOCKING, 3, "Coût estimé", "cout_estime_meur", "beaucoup")
    assert "ligne 3" in f.message and "« Coût estimé »" in f.message and "52,4" in f.expected
    assert result.rows_accepted == 1 and result.table["nom_projet"].tolist() == ["FRANCE CONNECT"]


def test_en_cadrage_cost_warns_unless_phase_is_cadrage():
    result = validate_raw_table(raw_table([
        row(**{"Coût estimé": "En cadrage", "Coût estimé par tranche": "En cadrage"}),
        row(Projet="B", **{"Coût estimé": "En cadrage", "Phase du projet en cours": "Cadrage",
                           "Coût estimé par tranche": "en cadrage"}),
    ]))
    assert types(result) == [("cout-en-cadrage", Severity.WARNING, 2)]
    assert result.table["cout_estime_meur"].isna().all() and result.rows_accepted == 2
    assert result.table["tranche_cout"].tolist() == ["en cadrage", "en cadrage"]


def test_missing_start_date_is_a_warning_only_in_cadrage():
    result = validate_raw_table(raw_table([
        row(Début="", **{"Phase du projet en cours": "Cadrage"}), row(Projet="B", Début=""),
    ]))
    assert types(result) == [("date-debut-en-cadrage", Severity.WARNING, 2), ("date-debut-manquante", Severity.WARNING, 3)]
    assert result.rows_accepted == 2  # no figure uses the start date: both projects stay


def test_start_date_after_the_edition_is_a_planned_project_that_warns():
    edition = Edition(id="2017-02", numero=2, date_publication=dt.date(2017, 2, 28), libelle="2e", path=Path("."))
    result = validate_raw_table(raw_table([row(Début="mars 2017"), row(Projet="B", Début="février 2017")]), edition)
    (f,) = result.findings
    assert (f.type, f.row, f.severity) == ("date-debut-future", 2, Severity.WARNING)
    assert result.rows_accepted == 2 and str(result.table["date_debut"].iloc[0].date()) == "2017-03-01"
    assert "28/02/2017" in f.message


@pytest.mark.parametrize("duration", ["0", "-2"])
def test_non_positive_duration_is_one_blocking_finding(duration):
    result = validate_raw_table(raw_table([row(**{"Durée du projet en années": duration})]))
    assert types(result) == [("duree-non-positive", Severity.BLOCKING, 2)]


def test_bracket_inconsistent_with_cost_warns():
    result = validate_raw_table(raw_table([row(**{"Coût estimé": "52,4"})]))
    assert types(result) == [("tranche-incoherente", Severity.WARNING, 2)]


def test_duplicate_project_in_a_file_is_blocking():
    result = validate_raw_table(raw_table([row(), row(Projet="France-Connect "), row(Projet="France Connect", **{"Ministère porteur": "MI"})]))
    (f,) = result.findings
    assert (f.type, f.row, f.severity) == ("projet-en-double", 3, Severity.BLOCKING)
    assert "ligne 2" in f.message
    assert result.rows_accepted == 2


def test_formula_injection_and_control_characters_are_blocking():
    result = validate_raw_table(raw_table([
        row(Projet="=HYPERLINK(\"http://x\")"), row(Projet="@SUM(A1)"), row(Projet="- refonte"),
        row(Projet="Tab\tet\nsaut"), row(Projet="Bip\x07"), row(Projet="-12"),
    ]))
    assert [(f.type, f.row) for f in result.findings] == [
        ("formule-tableur", 2), ("formule-tableur", 3), ("caractere-de-controle", 6)]
    assert "U+0007" in result.findings[-1].message


def test_header_only_file_is_blocking():
    result = validate_raw_table(raw_table([]))
    assert types(result) == [("fichier-sans-donnees", Severity.BLOCKING, 1)]
    assert result.rows_accepted == 0 and list(result.table.columns) == [*project_fields(), *PROVENANCE_COLUMNS]


def test_a_one_megabyte_cell_is_a_clipped_constraint_error():
    result = validate_raw_table(raw_table([row(Projet="x" * 1_000_000)]))
    (f,) = result.findings
    assert (f.type, f.field) == ("constraint-error", "nom_projet")
    assert len(f.value) < MAX_VALUE_CHARS + 40 and "1000000" in f.value
    assert len(f.message) < 400


def test_unknown_ministry_warns_and_keeps_the_project_under_a_provisional_code():
    result = validate_raw_table(raw_table([row(**{"Ministère porteur": "Ministère des Bidules"})]))
    (f,) = result.findings
    assert (f.type, f.severity, f.column, f.value) == ("ministere-inconnu", Severity.WARNING, "Ministère porteur",
                                                       "Ministère des Bidules")
    code = result.table["ministere_code"].iloc[0]
    assert code.startswith("ProvB") and code in f.message and "data/raw/ministeres.csv" in f.expected
    assert result.table["ministere_nom"].iloc[0] == "Ministère des Bidules"


def test_format_1_code_and_full_name():
    header = ["Ministère porteur ", "Ministère nom complet", "Nom du projet", "Projet interministériel", "Début",
              "Phase du projet en cours", "Date de publication", "Coût estimé"]
    result = validate_raw_table(raw_table([["MAEDI", "Ministère des Affaires étrangères et du Développement international",
                                            "CROCUS", "non", "2016-01-15", "Cadrage", "2016-11-03", "En cadrage"]], header))
    assert [f.type for f in result.findings] == ["colonne-ignoree"]
    t = result.table.iloc[0]
    assert (t.ministere_code, t.nom_projet, bool(t.projet_interministeriel)) == ("MAEDI", "CROCUS", False)


def test_identifiant_uniqueness_is_checked_across_chunks(monkeypatch):
    header = [*HEADER, "Identifiant"]
    rows = [[*row(Projet=f"P{i}"), f"p-{i % 3}"] for i in range(5)]
    whole = validate_raw_table(raw_table(rows, header))
    monkeypatch.setattr(cells, "SMALL_TABLE_ROWS", 0)  # chunks are the vectorised path's
    monkeypatch.setattr(vectorised, "CHUNK_ROWS", 2)
    chunked = validate_raw_table(raw_table(rows, header))
    assert [(f.type, f.row) for f in chunked.findings] == [("unique-error", 5), ("unique-error", 6)]
    assert chunked.findings == whole.findings
    pd.testing.assert_frame_equal(chunked.table, whole.table)


# Editions (files read from disk by the reading stage) -------------------------------------------

def _csv(path: Path, rows: list[list[str | None]]) -> None:
    import csv
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows([["" if c is None else c for c in r] for r in rows])


def _edition(tmp_path: Path, extra: str = "") -> Path:
    folder = tmp_path / "2017-02"
    folder.mkdir()
    (folder / "edition.toml").write_text(
        f'numero = 2\ndate_publication = 2017-02-28\nlibelle = "2e édition"\n{extra}', encoding="utf-8")
    return folder


def test_edition_cross_file_duplicate_blocks_the_later_file(tmp_path):
    folder = _edition(tmp_path)
    _csv(folder / "a-spm.csv", [row(), row(Projet="VITAM")])
    _csv(folder / "b-mi.csv", [row(Projet="PNR", **{"Ministère porteur": "MI"}), row(Projet="Vitam ")])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    v = validate_edition(load_edition(folder))
    assert v.blocking_files == ["b-mi.csv"] and not v.publishable and v.dropped_files == []
    (dup,) = [f for f in v.submissions[1].findings if f.type == "projet-en-double"]
    assert dup.row == 3 and "a-spm.csv" in dup.message
    assert v.table["nom_projet"].tolist() == ["PNR", "FRANCE CONNECT", "VITAM"]  # sorted by ministry, name
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # submissions never modified


def test_partial_publication_drops_blocked_files(tmp_path):
    folder = _edition(tmp_path, "publication_partielle = true\n")
    _csv(folder / "a.csv", [row()])
    _csv(folder / "b.csv", [row(Projet="PNR", **{"Coût estimé": "beaucoup"})])
    (folder / "c.csv").write_bytes(b"")
    v = validate_edition(load_edition(folder))
    assert v.partial and v.publishable
    assert v.blocking_files == v.dropped_files == ["b.csv", "c.csv"]
    assert v.table["nom_projet"].tolist() == ["FRANCE CONNECT"]
    c = v.submissions[2]
    assert c.unreadable and [f.type for f in c.findings] == ["fichier-illisible"]


def test_partial_can_be_asked_by_the_caller(tmp_path):
    folder = _edition(tmp_path)
    _csv(folder / "b.csv", [row(**{"Durée du projet en années": "longtemps"})])
    assert not validate_edition(load_edition(folder)).publishable
    assert validate_edition(load_edition(folder), partial=True).publishable


def test_validate_submission_reads_the_file(tmp_path):
    path = tmp_path / "remontee.csv"
    _csv(path, [row()])
    result = validate_submission(path)
    assert (result.file, result.rows_read, result.rows_accepted, result.encoding) == ("remontee.csv", 1, 1, "utf-8")
    assert len(result.sha256) == 64 and result.table["_ligne"].tolist() == [2]


def test_spreadsheet_cells_typed_by_the_workbook(tmp_path):
    """Dates, numbers and text as a workbook stores them (datetime cells, floats, day numbers)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Projets"
    ws.append(["Panorama des grands projets"])  # a title row above the header
    ws.append(["Nom du projet", "Ministère porteur", "Projet interministériel", "Début", "Phase du projet en cours",
               "Coût estimé", "Durée prévisionnelle en année"])
    ws.append(["FRANCE CONNECT", "SPM", "Oui", dt.datetime(2013, 7, 1), "Déploiement", 7, 3.75])
    ws.append(["PNR", "MI", "non", 41821, "cadrage", "4,5", "4,5041095890411"])
    path = tmp_path / "remontee.xlsx"
    wb.save(path)
    result = validate_submission(path)
    assert [f for f in result.findings if f.severity is not Severity.INFO] == []
    t = result.table
    assert result.sheet == "Projets" and t["_feuille"].tolist() == ["Projets", "Projets"]
    assert t["_ligne"].tolist() == [3, 4]
    assert t["date_debut"].tolist() == [pd.Timestamp("2013-07-01"), pd.Timestamp("2014-07-01")]
    assert t["cout_estime_meur"].tolist() == [7.0, 4.5] and t["phase"].tolist() == ["Déploiement", "Cadrage"]
    assert t["duree_previsionnelle_annees"].round(3).tolist() == [3.75, 4.504]
