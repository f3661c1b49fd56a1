"""Files that cannot be read give one French UnreadableSubmission naming the file; never a traceback.

Readable-but-wrong shapes (ragged rows, header only) give a RawTable and findings instead.
"""
from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from panorama.errors import PanoramaError, UnreadableSubmission
from panorama.reading import read_submission
from panorama.reading.safety import MAX_CELL_CHARS
from panorama.findings.core import Severity
from tests.support import files as F


def _refused(path: Path, **kwargs) -> UnreadableSubmission:
    with pytest.raises(UnreadableSubmission) as caught:
        read_submission(path, **kwargs)
    error = caught.value
    assert error.path == str(path)
    assert error.message.startswith(f"{path} : ")
    assert "Attendu :" in error.message
    assert isinstance(error, PanoramaError)
    return error


def test_missing_file(tmp_path: Path) -> None:
    assert "introuvable" in _refused(tmp_path / "absent.csv").reason


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    assert "pas un fichier" in _refused(tmp_path).reason


def test_empty_file(tmp_path: Path) -> None:
    error = _refused(F.write_text(tmp_path / "panorama.csv", ""))
    assert error.reason == "fichier vide."
    assert error.expected == "une ligne d'en-têtes puis une ligne par projet."


@pytest.mark.parametrize("text", ["   \r\n\n\t\n", ",,,\n , ,,\n", ";;;\r\n", "\ufeff\n"])
def test_whitespace_only_file_is_empty(tmp_path: Path, text: str) -> None:
    assert "vide" in _refused(F.write_text(tmp_path / "blanc.csv", text)).reason


def test_header_only_gives_zero_rows(tmp_path: Path) -> None:
    table = read_submission(F.write_csv(tmp_path / "entete.csv", [F.HEADER]))
    assert table.header == F.HEADER
    assert table.rows_read == 0
    assert list(table.row_numbers) == []
    assert list(table.data.columns) == list(range(len(F.HEADER)))


def test_binary_junk_named_csv(tmp_path: Path) -> None:
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(4096))
    path = tmp_path / "panorama.csv"
    path.write_bytes(junk)
    assert "binaire" in _refused(path).reason


def test_utf16_text_export_is_read_and_named(tmp_path: Path) -> None:
    """Issue 13: Excel's « Texte Unicode » (UTF-16 with BOM, tab-separated) is read, no longer refused."""
    path = F.write_text(tmp_path / "unicode.txt", F.csv_text([F.HEADER, *F.PROJECTS], "\t"), encoding="utf-16")
    table = read_submission(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert [[c or "" for c in row] for row in table.data.itertuples(index=False)] == F.PROJECTS
    assert any("UTF-16" in f.message for f in table.findings if f.type == "encodage-detecte")


def test_bytes_undefined_in_cp1252_are_read_in_another_eight_bit_encoding(tmp_path: Path) -> None:
    """Issue 13: every 8-bit byte means something in Mac Roman or CP850: read, and the encoding said."""
    path = tmp_path / "bizarre.csv"
    path.write_bytes(b"Nom;Phase;Co\x81t\nSIV;Cadrage;\x8d\x8f\x90\n")  # bytes undefined in cp1252
    table = read_submission(path)
    assert table.encoding not in ("utf-8", "cp1252")
    assert {"encodage-detecte"} <= {f.type for f in table.findings}


def test_control_characters_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "controle.csv"
    path.write_bytes(b"Nom,Phase\n" + bytes(range(1, 9)) * 200 + b",x\n")
    assert "binaire" in _refused(path).reason


def test_text_without_any_delimiter(tmp_path: Path) -> None:
    path = F.write_text(tmp_path / "lettre.csv", "Bonjour\nVoici notre remontée\nCordialement\n")
    assert "séparateur" in _refused(path).reason


def test_html_page_named_xls(tmp_path: Path) -> None:
    path = F.write_text(tmp_path / "export.xls", "<html><body><table><tr><td>Nom</td></tr></table></body></html>")
    assert "HTML" in _refused(path).reason


def test_truncated_xlsx(tmp_path: Path) -> None:
    path = F.truncate(F.write_xlsx(tmp_path / "coupé.xlsx", {"Projets": [F.HEADER, *F.PROJECTS]}))
    assert "tronqué" in _refused(path).reason


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = F.write_corrupt_sheet_xlsx(tmp_path / "abîmé.xlsx")
    assert "corrompu" in _refused(path).reason


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("lisez-moi.txt", "rien")
    assert "n'est pas un classeur" in _refused(path).reason


def test_word_document_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "note.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    assert "pas un classeur" in _refused(path).reason


def test_zip_bomb_by_total_size_is_refused_before_parsing(tmp_path: Path) -> None:
    path = F.write_zip_bomb_xlsx(tmp_path / "bombe.xlsx", inflated_mb=210)
    assert path.stat().st_size < 5_000_000
    assert "décompressé" in _refused(path).reason


def test_zip_bomb_by_ratio_is_refused(tmp_path: Path) -> None:
    path = F.write_zip_bomb_xlsx(tmp_path / "ratio.xlsx", inflated_mb=20, compresslevel=9)
    assert "bombe" in _refused(path).reason


def test_encrypted_xlsx(tmp_path: Path) -> None:
    error = _refused(F.write_encrypted_xlsx(tmp_path / "protégé.xlsx"))
    assert "fichier protégé par mot de passe" in error.reason


def test_ole_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "vieux.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "Excel 97-2003" in _refused(path).reason


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = F.write_csv(tmp_path / "gros.csv", [F.HEADER, *F.PROJECTS])
    assert "trop volumineux" in _refused(path, max_bytes=100).reason


def test_unclosed_quote_names_the_row_where_it_opened(tmp_path: Path) -> None:
    text = ("Nom du projet,Description et objectifs du projet,Phase du projet en cours\n"
            'SIV,"Système, multiligne\nfin",Cadrage\n'
            'PAYSAGE,"Jamais refermé,Cadrage\n'
            "PORTALIS,Texte,Déploiement\n")
    error = _refused(F.write_text(tmp_path / "guillemet.csv", text))
    assert "guillemet ouvert à la ligne 3, colonne 2" in error.reason
    assert "ligne physique 4" in error.reason


def test_unclosed_quote_on_the_last_line(tmp_path: Path) -> None:
    text = 'Nom du projet,Description,Phase\nSIV,"pas de fin,Cadrage'
    assert "ligne 2" in _refused(F.write_text(tmp_path / "fin.csv", text)).reason


def test_stray_quote_inside_a_cell_is_read_as_text(tmp_path: Path) -> None:
    text = 'Nom du projet,Description,Phase\nSIV,Le "grand" projet,Cadrage\n'
    table = read_submission(F.write_text(tmp_path / "guillemets.csv", text))
    assert table.data.iat[0, 1] == 'Le "grand" projet'


def test_cell_over_sixteen_mebibytes(tmp_path: Path) -> None:
    path = tmp_path / "enorme.csv"
    path.write_text("Nom du projet,Description,Phase\nSIV," + "x" * (MAX_CELL_CHARS + 1) + ",Cadrage\n")
    assert "16 Mio" in _refused(path).reason


def test_ragged_rows(tmp_path: Path) -> None:
    text = ("Nom du projet,Description,Phase,Coût estimé\n"
            "SIV,Texte,Cadrage,12\n"
            "PAYSAGE,Texte,Cadrage,3,en trop,aussi\n"
            "PORTALIS,Texte\n"
            "FC,Texte,Déploiement,9,,  \n"
            "RIE,Texte,Cadrage\n")
    table = read_submission(F.write_text(tmp_path / "inegal.csv", text))
    assert table.data.to_numpy().tolist() == [
        ["SIV", "Texte", "Cadrage", "12"], ["PAYSAGE", "Texte", "Cadrage", "3"],
        ["PORTALIS", "Texte", None, None], ["FC", "Texte", "Déploiement", "9"], ["RIE", "Texte", "Cadrage", None],
    ]
    extra = [f for f in table.findings if f.type == "extra-cell"]
    assert len(extra) == 1  # the empty extra cells of row 5 are dropped silently
    assert extra[0].severity is Severity.BLOCKING
    assert (extra[0].row, extra[0].value) == (3, "en trop | aussi")
    missing = [f for f in table.findings if f.type == "missing-cell"]
    assert len(missing) == 1
    assert missing[0].severity is Severity.WARNING
    assert missing[0].row == 4 and missing[0].message.startswith("2 ligne(s)")


def test_every_sheet_empty(tmp_path: Path) -> None:
    path = F.write_xlsx(tmp_path / "vide.xlsx", {"Feuil1": [], "Feuil2": []})
    assert "aucune feuille" in _refused(path).reason


def _write_csv_sheets(path: Path, sheets: dict) -> Path:
    return F.write_csv(path, next(iter(sheets.values())), delimiter=";")


@pytest.mark.parametrize("ext", ["xlsx", "ods", "xls", "csv"])
@pytest.mark.parametrize("seed", range(12))
def test_damaged_files_never_give_a_traceback(tmp_path: Path, ext: str, seed: int) -> None:
    """Seeded random damage (overwritten bytes, cuts): either the file still reads, or it is refused."""
    builder = {"xlsx": F.write_xlsx, "ods": F.write_ods, "xls": F.write_xls, "csv": _write_csv_sheets}[ext]
    path = builder(tmp_path / f"abîmé.{ext}", {"Projets": [["Titre"], F.HEADER, *F.PROJECTS]})
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    if seed % 3 == 0:
        data = data[: rng.randrange(8, len(data))]
    else:
        for _ in range(rng.randrange(1, 40)):
            data[rng.randrange(8, len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))
    try:
        table = read_submission(path)
    except UnreadableSubmission as error:
        assert error.reason
    else:
        assert table.header  # the damage missed anything that matters


def test_garbage_collector_state_is_restored(tmp_path: Path) -> None:
    """Reading pauses the cyclic GC for speed; it must hand it back as it found it, even on refusal."""
    import gc

    good = F.write_csv(tmp_path / "ok.csv", [F.HEADER, *F.PROJECTS])
    empty = F.write_text(tmp_path / "vide.csv", "")
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        read_submission(good)
        with pytest.raises(UnreadableSubmission):
            read_submission(empty)
        assert gc.isenabled()
        gc.disable()
        read_submission(good)
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()
