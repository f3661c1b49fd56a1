"""read_submission on every accepted format, each file written at test time, and the real editions."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from panorama.reading import RawTable, read_submission
from panorama.findings.core import Severity
from tests.support import files as F

REAL_EDITIONS = Path(__file__).resolve().parents[2] / "shared" / "real-editions"


def _types(table: RawTable) -> dict[str, list]:
    out: dict[str, list] = {}
    for finding in table.findings:
        out.setdefault(finding.type, []).append(finding)
    return out


def _scorer(kind: str):
    """None (the reader's own heuristic) or the normaliser's real header_score."""
    if kind == "heuristic":
        return None
    return pytest.importorskip("panorama.normalise.headers").header_score


def _cells(table: RawTable) -> list[list[str | None]]:
    return table.data.to_numpy().tolist()


# --- CSV ---------------------------------------------------------------------------------------

def test_utf8_csv_gives_text_cells_header_and_row_numbers(tmp_path: Path) -> None:
    path = F.write_csv(tmp_path / "panorama.csv", [F.HEADER, *F.PROJECTS])
    table = read_submission(path)
    assert all(type(n) is int for n in table.row_numbers)  # a small table: a list (no numpy needed)
    assert table.header == F.HEADER
    assert table.header_row == 1
    assert _cells(table) == F.PROJECTS
    assert list(table.row_numbers) == [2, 3, 4]
    assert table.row_numbers.dtype == np.int64  # once the DataFrame is asked for
    assert (table.encoding, table.delimiter, table.sheet) == ("utf-8", ",", None)
    assert list(table.data.columns) == list(range(len(F.HEADER)))
    assert all(dtype == object for dtype in table.data.dtypes)
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert table.findings == []


def test_empty_cells_are_none_and_whitespace_is_kept(tmp_path: Path) -> None:
    rows = [F.HEADER, ["MI", "", "Non", "  ", "", "12", "Cadrage"]]
    table = read_submission(F.write_csv(tmp_path / "p.csv", rows))
    assert _cells(table) == [["MI", None, "Non", "  ", None, "12", "Cadrage"]]


def test_utf8_with_bom_is_recorded_and_not_part_of_the_first_label(tmp_path: Path) -> None:
    path = F.write_csv(tmp_path / "bom.csv", [F.HEADER, *F.PROJECTS], encoding="utf-8-sig")
    table = read_submission(path)
    assert table.encoding == "utf-8-sig"
    assert table.header[0] == "Ministère porteur"


def test_cp1252_is_decoded_and_said(tmp_path: Path) -> None:
    rows = [F.HEADER, ["MEF", "ŒUVRE “numérique” – 5 €", "Non", "01/01/2016", "3", "9", "Cadrage"]]
    path = F.write_csv(tmp_path / "ansi.csv", rows, delimiter=";", encoding="cp1252")
    table = read_submission(path)
    assert table.encoding == "cp1252"
    assert table.header[0] == "Ministère porteur"
    assert _cells(table)[0][1] == "ŒUVRE “numérique” – 5 €"
    (finding,) = _types(table)["encodage-windows-1252"]
    assert finding.severity is Severity.INFO and "Windows-1252" in finding.message


def test_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    rows = [F.HEADER, *F.PROJECTS,
            ["MI", "Description, avec virgules, nombreuses, vraiment", "Non", "", "1,5", "2,25", "Cadrage"]]
    table = read_submission(F.write_csv(tmp_path / "pv.csv", rows, delimiter=";"))
    assert table.delimiter == ";"
    assert table.header == F.HEADER
    assert _cells(table)[0][4] == "4,5041095890411"
    assert _cells(table)[3][1] == "Description, avec virgules, nombreuses, vraiment"


def test_tab_separated(tmp_path: Path) -> None:
    table = read_submission(F.write_csv(tmp_path / "p.tsv", [F.HEADER, *F.PROJECTS], delimiter="\t"))
    assert table.delimiter == "\t"
    assert _cells(table) == F.PROJECTS


def test_commas_inside_quotes_do_not_outvote_semicolons(tmp_path: Path) -> None:
    long_text = "un, deux, trois, quatre, cinq, six, sept, huit, neuf, dix"
    rows = [F.HEADER, *[[c if i != 1 else long_text for i, c in enumerate(p)] for p in F.PROJECTS]]
    text = F.csv_text(rows, delimiter=";").replace(long_text, f'"{long_text}"')
    table = read_submission(F.write_text(tmp_path / "q.csv", text))
    assert table.delimiter == ";"
    assert _cells(table)[0][1] == long_text


@pytest.mark.parametrize("scorer", ["heuristic", "header_score"])
def test_title_rows_above_the_header(tmp_path: Path, scorer: str) -> None:
    rows = [["Panorama des grands projets numériques de l'État"], ["Édition de novembre 2017"], [],
            F.HEADER, *F.PROJECTS]
    table = read_submission(F.write_csv(tmp_path / "titre.csv", rows), _scorer(scorer))
    assert table.header_row == 4
    assert table.header == F.HEADER
    assert list(table.row_numbers) == [5, 6, 7]
    (finding,) = _types(table)["lignes-avant-en-tete-ignorees"]
    assert finding.row == 4


def test_header_score_wins_over_a_wordy_title_row(tmp_path: Path) -> None:
    rows = [["Note", "à", "lire", "avant", "saisie"], F.HEADER, *F.PROJECTS]
    table = read_submission(F.write_csv(tmp_path / "note.csv", rows), _scorer("header_score"))
    assert table.header_row == 2 and table.header == F.HEADER


def test_blank_rows_and_empty_columns_are_dropped_and_counted(tmp_path: Path) -> None:
    header = [*F.HEADER, "Commentaire", "", ""]
    rows = [header, [*F.PROJECTS[0], "", "", ""], ["", "", "", "", "", "", "", "", "", ""],
            [], [*F.PROJECTS[1], "", " ", ""], ["  ", "", "", "", "", "", "", "", "", ""]]
    table = read_submission(F.write_csv(tmp_path / "vides.csv", rows))
    assert table.header == [*F.HEADER, "Commentaire"]  # a named column without data is kept
    assert list(table.row_numbers) == [2, 5]
    assert _cells(table) == [[*F.PROJECTS[0], None], [*F.PROJECTS[1], None]]
    found = _types(table)
    assert "3 ligne(s) vide(s)" in found["lignes-vides-ignorees"][0].message
    assert "2 colonne(s)" in found["colonnes-vides-ignorees"][0].message


def test_header_labels_are_kept_as_written(tmp_path: Path) -> None:
    header = ["Ministère porteur ", " Nom du projet", "Projet interministériel", "Début"]
    table = read_submission(F.write_csv(tmp_path / "h.csv", [header, ["MI", "SIV", "Non", "2012"]]))
    assert table.header == header


def test_quoted_cells_keep_line_breaks_quotes_and_nbsp_and_rows_count_records(tmp_path: Path) -> None:
    description = 'Premier paragraphe\u00a0: « titre ».\nSecond, avec "guillemets"\r\net fin.'
    rows = [F.HEADER, ["MI", description, "Non", "", "", "", ""], ["MEF", "Suivant", "Oui", "", "", "", ""]]
    table = read_submission(F.write_csv(tmp_path / "multi.csv", rows))
    assert _cells(table)[0][1] == description
    assert list(table.row_numbers) == [2, 3]  # the record over three lines is one row


def test_mixed_line_endings(tmp_path: Path) -> None:
    text = ("Ministère porteur,Nom du projet,Projet interministériel\r\n"
            "MI,SIV,Non\n"
            "MEF,PAYSAGE,Oui\r"
            "SPM,\"FRANCE\rCONNECT\",Oui\r\n"
            "MJ,PORTALIS,Non")
    table = read_submission(F.write_text(tmp_path / "fins.csv", text))
    assert _cells(table) == [["MI", "SIV", "Non"], ["MEF", "PAYSAGE", "Oui"], ["SPM", "FRANCE\rCONNECT", "Oui"],
                             ["MJ", "PORTALIS", "Non"]]
    assert list(table.row_numbers) == [2, 3, 4, 5]


def test_duplicated_header_keeps_both_columns(tmp_path: Path) -> None:
    header = ["Nom du projet", "Coût estimé", "Coût estimé", "Phase du projet en cours"]
    table = read_submission(F.write_csv(tmp_path / "dup.csv", [header, ["SIV", "12", "13", "Cadrage"]]))
    assert table.header == header
    assert _cells(table) == [["SIV", "12", "13", "Cadrage"]]


def test_one_megabyte_cell_reads(tmp_path: Path) -> None:
    big = "é" * 1_000_000
    rows = [F.HEADER, ["MI", big, "Non", "", "", "", ""]]
    table = read_submission(F.write_csv(tmp_path / "gros.csv", rows))
    assert _cells(table)[0][1] == big


def test_two_hundred_thousand_rows(tmp_path: Path) -> None:
    count = 200_000
    lines = [",".join(F.HEADER)]
    lines += [f"MI,PROJET {i},Non,01/01/2016,{i % 9},{i},Cadrage" for i in range(count)]
    path = F.write_text(tmp_path / "grand.csv", "\n".join(lines) + "\n")
    table = read_submission(path)
    assert table.rows_read == count
    assert table.row_numbers[0] == 2 and table.row_numbers[-1] == count + 1
    assert table.data.iat[count - 1, 1] == f"PROJET {count - 1}"
    assert table.data.iat[count - 1, 5] == str(count - 1)


@pytest.mark.parametrize("name", ["Données d'l'Intérieur (v2) final.csv", "espace et accent é.csv"])
def test_odd_file_names_and_dotdot_paths(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "dépôt" / "sous dossier"
    folder.mkdir(parents=True)
    F.write_csv(folder / name, [F.HEADER, *F.PROJECTS])
    given = tmp_path / "dépôt" / "sous dossier" / ".." / "sous dossier" / name
    table = read_submission(given)
    assert table.rows_read == 3
    assert table.path == given


# --- Workbooks ---------------------------------------------------------------------------------

COVER = [["Panorama des grands projets numériques"], ["Ministère", "Correspondant", "Date d'envoi"],
         ["Ministère de l'Intérieur", "prenom.nom@interieur.gouv.fr", "2017-10-01"]]
TYPED = [
    ["Tableau des projets — édition 4"],
    [],
    F.HEADER,
    ["SPM", "FRANCE CONNECT", True, dt.datetime(2014, 7, 1), 4.5041095890411, 7.0, "Déploiement"],
    [],
    ["MI", "SIV", False, "01/07/2014", "4,5041095890411", 12, "Conception / Réalisation"],
]
EXPECTED_TYPED = [
    ["SPM", "FRANCE CONNECT", "true", "2014-07-01", "4.5041095890411", "7", "Déploiement"],
    ["MI", "SIV", "false", "01/07/2014", "4,5041095890411", "12", "Conception / Réalisation"],
]
WORKBOOKS = {"xlsx": F.write_xlsx, "xlsm": F.write_xlsm, "xls": F.write_xls, "ods": F.write_ods}


@pytest.mark.parametrize("ext", list(WORKBOOKS))
@pytest.mark.parametrize("scorer", ["heuristic", "header_score"])
def test_workbook_with_cover_sheet_title_rows_and_typed_cells(tmp_path: Path, ext: str, scorer: str) -> None:
    path = WORKBOOKS[ext](tmp_path / f"ministere.{ext}", {"Couverture": COVER, "Projets": TYPED})
    table = read_submission(path, _scorer(scorer))
    assert table.sheet == "Projets"
    assert table.header == F.HEADER
    assert table.header_row == 3
    assert list(table.row_numbers) == [4, 6]
    assert _cells(table) == EXPECTED_TYPED
    assert table.encoding is None and table.delimiter is None
    found = _types(table)
    assert [f.sheet for f in found["feuille-lue"]] == ["Projets"]
    assert [f.sheet for f in found["feuille-ignoree"]] == ["Couverture"]
    assert "1 ligne(s) vide(s)" in found["lignes-vides-ignorees"][0].message


def test_xlsx_sheet_is_chosen_by_score_not_position(tmp_path: Path) -> None:
    other = [["Liste", "des", "valeurs", "autorisées"], ["a", "b", "c", "d"]]
    path = F.write_xlsx(tmp_path / "trois.xlsx", {"Listes": other, "Saisie": [F.HEADER, *F.PROJECTS], "Vide": []})
    table = read_submission(path, _scorer("header_score"))
    assert table.sheet == "Saisie"
    assert _cells(table) == F.PROJECTS
    ignored = {f.sheet: f.message for f in _types(table)["feuille-ignoree"]}
    assert set(ignored) == {"Listes", "Vide"}
    assert "vide" in ignored["Vide"]


def test_xlsx_column_without_header_but_with_data_is_kept(tmp_path: Path) -> None:
    rows = [["Nom du projet", "Phase du projet en cours", "Coût estimé"], ["SIV", "Cadrage", 3, None, "note"]]
    table = read_submission(F.write_xlsx(tmp_path / "large.xlsx", {"P": rows}))
    assert table.header == ["Nom du projet", "Phase du projet en cours", "Coût estimé", ""]
    assert _cells(table) == [["SIV", "Cadrage", "3", "note"]]


def test_ods_repeated_empty_rows_cost_nothing_and_multiline_text_is_kept(tmp_path: Path) -> None:
    rows = [F.HEADER, ["MI", "Ligne 1\nLigne 2", "Non", dt.date(2016, 1, 1), 2.5, 10, "Cadrage"]]
    path = F.write_ods(tmp_path / "p.ods", {"Feuille1": rows}, trailing_empty_rows=1_000_000)
    table = read_submission(path)
    assert _cells(table) == [["MI", "Ligne 1\nLigne 2", "Non", "2016-01-01", "2.5", "10", "Cadrage"]]


def test_extension_does_not_decide_the_format(tmp_path: Path) -> None:
    path = F.write_xlsx(tmp_path / "export.csv", {"Projets": [F.HEADER, *F.PROJECTS]})
    table = read_submission(path)
    assert table.sheet == "Projets" and _cells(table) == F.PROJECTS


def test_data_is_a_dataframe_of_objects_even_with_pandas_string_default(tmp_path: Path) -> None:
    table = read_submission(F.write_xlsx(tmp_path / "t.xlsx", {"P": [F.HEADER, *F.PROJECTS]}))
    assert isinstance(table.data, pd.DataFrame)
    assert all(dtype == object for dtype in table.data.dtypes)
    assert all(isinstance(v, str) for v in table.data[0])


# --- The five real editions -------------------------------------------------------------------

REAL_COUNTS = {"2016-11": 57, "2017-02": 61, "2017-06": 61, "2017-11": 61, "2018-07": 56}


@pytest.mark.parametrize("edition", list(REAL_COUNTS))
def test_real_editions_row_counts(edition: str) -> None:
    folder = REAL_EDITIONS / edition
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    (path,) = sorted(folder.glob("*.csv"))
    table = read_submission(path)
    assert table.rows_read == REAL_COUNTS[edition]
    assert table.header_row == 1
    assert list(table.row_numbers) == list(range(2, REAL_COUNTS[edition] + 2))
    assert all(label.strip() for label in table.header)
    assert not any(f.blocking for f in table.findings)


@pytest.mark.parametrize("edition", list(REAL_COUNTS))
def test_real_editions_with_the_normaliser_header_score(edition: str) -> None:
    scorer = _scorer("header_score")
    folder = REAL_EDITIONS / edition
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    table = read_submission(next(folder.glob("*.csv")), scorer)
    assert table.rows_read == REAL_COUNTS[edition]
    assert table.header_row == 1


def test_real_2016_11_drops_trailing_empty_columns_and_blank_rows() -> None:
    folder = REAL_EDITIONS / "2016-11"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    table = read_submission(next(folder.glob("*.csv")))
    assert len(table.header) == 15
    assert table.header[0] == "Ministère porteur "
    assert table.header[-1] == "Date de publication"
    found = _types(table)
    assert "11 colonne(s)" in found["colonnes-vides-ignorees"][0].message
    assert "236 ligne(s) vide(s)" in found["lignes-vides-ignorees"][0].message
