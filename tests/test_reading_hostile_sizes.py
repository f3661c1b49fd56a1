"""Issue 13, class 2: files that declare far more than they hold (amplification), in every format.

What is asserted is behaviour: a declared size beyond the limits is refused with a French message
naming where (before anything is expanded: the refusals come from the size checks, not from an
out-of-memory), trailing empty repetitions and wrong dimensions cost nothing and read the table,
sparse cells inside the limits are read where they are. Memory and time are measured by
bench/amplification.py on the full-size versions of the same files (bench/hostile.py).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import hostile as H
from panorama.errors import UnreadableSubmission
from panorama.reading import read_submission
from panorama.reading.assemble import MAX_READ_COLUMNS
from panorama.validation.submission import validate_submission


def _refused(path: Path) -> str:
    with pytest.raises(UnreadableSubmission) as caught:
        read_submission(path)
    assert "Attendu :" in caught.value.message and caught.value.path == str(path)
    return caught.value.reason


def _rows(table) -> list[list[str]]:
    return [[c if c is not None else "" for c in row] for row in table.data.itertuples(index=False)]


def _types(table) -> set[str]:
    return {f.type for f in table.findings}


# --- ODS ---------------------------------------------------------------------------------------

def test_ods_cell_repeated_over_every_row_and_column_is_refused_before_expansion(tmp_path: Path) -> None:
    reason = _refused(H.ods_repeated_everywhere(tmp_path / "partout.ods"))
    assert "AMK5" in reason and "au-delà de la colonne AMJ" in reason


def test_ods_row_repeated_a_million_times_is_refused_naming_it(tmp_path: Path) -> None:
    reason = _refused(H.ods_filled_down(tmp_path / "recopie.ods"))
    assert "ligne 5 de la feuille « Projets »" in reason and "répétée 1\u202f048\u202f572 fois" in reason
    assert "A5 « 0 »" in reason


def test_ods_narrow_row_repeated_over_every_row_is_refused(tmp_path: Path) -> None:
    reason = _refused(H.ods_repeated_everywhere(tmp_path / "etroit.ods", columns=3))
    assert "répétée" in reason


def test_ods_few_repeated_rows_are_expanded(tmp_path: Path) -> None:
    table = read_submission(H.ods_filled_down(tmp_path / "cinq.ods", rows=5))
    assert table.rows_read == 3 + 5
    assert list(table.row_numbers[-5:]) == [5, 6, 7, 8, 9]
    assert _rows(table)[-1] == ["0"] * 7


def test_ods_empty_rest_of_the_sheet_costs_nothing(tmp_path: Path) -> None:
    table = read_submission(H.ods_trailing_empty(tmp_path / "fin-vide.ods"))
    assert _rows(table) == H.PROJECTS and "lignes-vides-ignorees" not in _types(table)


def test_ods_row_of_explicit_cells_beyond_the_column_limit(tmp_path: Path) -> None:
    reason = _refused(H.ods_wide_row(tmp_path / "large.ods", cells=MAX_READ_COLUMNS + 5))
    assert "AMK5" in reason


def test_ods_row_of_explicit_cells_inside_the_limit_is_read(tmp_path: Path) -> None:
    table = read_submission(H.ods_wide_row(tmp_path / "large.ods", cells=50))
    assert table.rows_read == 4 and len(table.header) == 50


# --- XLSX --------------------------------------------------------------------------------------

def test_xlsx_declared_dimension_of_the_whole_sheet_is_ignored(tmp_path: Path) -> None:
    table = read_submission(H.xlsx_declared_dimension(tmp_path / "dimension.xlsx"))
    assert _rows(table) == H.PROJECTS and table.header == H.HEADER


def test_xlsx_cell_in_the_far_corner_is_refused_naming_it(tmp_path: Path) -> None:
    reason = _refused(H.xlsx_far_corner(tmp_path / "coin.xlsx"))
    assert "XFD1048576" in reason and "« x »" in reason and "feuille « Projets »" in reason


def test_xlsx_cells_in_the_last_columns_are_refused(tmp_path: Path) -> None:
    reason = _refused(H.xlsx_last_columns(tmp_path / "colonnes.xlsx", rows=50))
    assert "XEZ5" in reason


def test_xlsx_sparse_cell_inside_the_limit_is_read_in_its_column(tmp_path: Path) -> None:
    table = read_submission(H.xlsx_sparse_wide(tmp_path / "eparse.xlsx", rows=20, column=1_000))
    assert table.rows_read == 3 + 20
    assert table.header == H.HEADER + [""]
    assert table.data.iat[3, 0] == "MI" and table.data.iat[3, 7] == "5"
    assert table.data.iat[0, 7] is None


def test_xlsx_stray_cell_at_the_bottom_is_a_row_where_it_is(tmp_path: Path) -> None:
    path = H._xlsx(tmp_path / "bas.xlsx", lambda ws: ws.cell(row=1_048_576, column=1, value="MI"))
    table = read_submission(path)
    assert table.rows_read == 4 and int(table.row_numbers[-1]) == 1_048_576
    assert "lignes-vides-ignorees" in _types(table)


def test_xlsx_too_many_wide_sparse_rows_are_refused_by_the_area_limit(tmp_path: Path, monkeypatch) -> None:
    from panorama.reading import assemble
    monkeypatch.setattr(assemble, "MAX_SHEET_AREA", 100_000)
    reason = _refused(H.xlsx_sparse_wide(tmp_path / "aire.xlsx", rows=200, column=1_000))
    assert "tableau trop étendu" in reason


def test_xlsx_whose_zip_lies_about_the_inflated_size_is_refused_as_corrupt(tmp_path: Path) -> None:
    reason = _refused(H.xlsx_lying_zip(tmp_path / "menteur.xlsx", inflated_mb=30))
    assert "corrompu" in reason


def test_xlsx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    reason = _refused(H.xlsx_zip_bomb(tmp_path / "bombe.xlsx", inflated_mb=300))
    assert "décompressé" in reason or "bombe" in reason


def test_xlsx_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    reason = _refused(H.xlsx_many_parts(tmp_path / "parties.xlsx", parts=10_050))
    assert "parties" in reason


# --- XLS ---------------------------------------------------------------------------------------

def test_xls_declared_rows_are_ignored(tmp_path: Path) -> None:
    table = read_submission(H.xls_declared_rows(tmp_path / "lignes.xls"))
    assert _rows(table) == H.PROJECTS


def test_xls_cells_in_the_far_corner_are_read_where_they_are(tmp_path: Path) -> None:
    table = read_submission(H.xls_far_corner(tmp_path / "coin.xls", rows=10))
    assert int(table.row_numbers[-1]) == 65_536 and table.rows_read == 3 + 11
    assert table.header == H.HEADER + [""] and table.data.iat[-1, 7] == "x"


# --- CSV ---------------------------------------------------------------------------------------

def test_csv_one_cell_of_megabytes_is_read(tmp_path: Path) -> None:
    table = read_submission(H.csv_one_huge_cell(tmp_path / "cellule.csv", megabytes=2))
    assert table.rows_read == 1 and len(table.data.iat[0, 1]) > 2_000_000


def test_csv_line_of_a_million_separators_is_refused_before_parsing(tmp_path: Path) -> None:
    reason = _refused(H.csv_one_huge_line(tmp_path / "ligne.csv", megabytes=1))
    assert "séparateurs" in reason and "ligne 1" in reason


def test_csv_padded_with_separators_up_to_xfd_reads_the_table(tmp_path: Path) -> None:
    table = read_submission(H.csv_trailing_separators(tmp_path / "xfd.csv", rows=30))
    assert table.rows_read == 30 and table.header == H.HEADER
    assert any(f.type == "colonnes-vides-ignorees" and "16377" in f.message for f in table.findings)


def test_csv_wide_header_mostly_empty_keeps_only_real_columns(tmp_path: Path) -> None:
    table = read_submission(H.csv_many_rows_far_cells(tmp_path / "large.csv", rows=500))
    assert table.rows_read == 500 and table.header == H.HEADER + ["Commentaire"]
    assert all(v is None for v in table.data[7])


def test_csv_header_beyond_the_column_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entete.csv"
    path.write_text(";".join(H.HEADER + [""] * 2_000 + ["Loin"]) + "\r\n" + ";".join(H.PROJECTS[0]) + "\r\n",
                    encoding="utf-8")
    reason = _refused(path)
    assert "colonne 2008" in reason and "« Loin »" in reason


def test_csv_table_beyond_the_cell_limit_is_refused(tmp_path: Path, monkeypatch) -> None:
    from panorama.reading import assemble
    monkeypatch.setattr(assemble, "MAX_TABLE_CELLS", 7 * 5_000)
    path = tmp_path / "grand.csv"
    path.write_text(H._csv([H.HEADER] + [H.PROJECTS[i % 3] for i in range(6_000)]), encoding="utf-8")
    assert "tableau trop grand" in _refused(path)


def test_refusals_reach_validate_as_one_unreadable_finding(tmp_path: Path) -> None:
    result = validate_submission(H.xlsx_far_corner(tmp_path / "coin.xlsx"))
    assert result.unreadable and [f.type for f in result.findings] == ["fichier-illisible"]
    assert "XFD1048576" in result.findings[0].message
