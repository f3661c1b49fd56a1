"""Issue 13, class 4: text files in every encoding ministries' tools write are read right and said.

Each file is written with Python's codecs, the way the tool would: French names with accents,
œ, €, ’, « » where the encoding has them (Latin-1 and CP850 have neither € nor œ nor ’).
Mis-encoded text (UTF-8 read once as Windows-1252, then saved) is a warning naming the cell.
"""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from panorama.findings.core import Severity
from panorama.reading import read_submission
from panorama.validation.submission import validate_submission
from tests.support import files as F

HEADER = ["Ministère porteur", "Nom du projet", "Phase du projet en cours", "Coût estimé"]
FULL = [  # every character of Windows-1252, ISO-8859-15 and Mac Roman French
    HEADER,
    ["MEF", "Système d’information « Œuvre » de l’État", "Déploiement", "12 €"],
    ["MI", "Cœur de réseau : façade, île, où, Noël, ça", "Conception / Réalisation", "3,5"],
    ["MENJ", "ÉCOLE — Élèves à côté", "Cadrage", "En cadrage"],
]
PLAIN = [  # what Latin-1 and CP850 can hold
    HEADER,
    ["MEF", "Système d'information « Hôtel » de l'État", "Déploiement", "12"],
    ["MI", "Réseau : façade, île, où, Noël, ça, bientôt", "Conception / Réalisation", "3,5"],
    ["MENJ", "ÉCOLE — Élèves à côté".replace("—", "-"), "Cadrage", "En cadrage"],
]
PLAIN_ISO15 = [[c.replace("’", "'").replace("—", "-") for c in row] for row in FULL]


def _cells(table) -> list[list[str]]:
    return [[c if c is not None else "" for c in row] for row in table.data.itertuples(index=False)]


def _types(table) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in table.findings:
        out.setdefault(f.type, []).append(f)
    return out


@pytest.mark.parametrize(("codec", "rows", "delimiter", "label"), [
    ("cp1252", FULL, ";", "Windows-1252"),
    ("mac_roman", FULL, ";", "Mac Roman"),
    ("iso8859_15", PLAIN_ISO15, ";", "ISO-8859-15"),
    ("cp850", PLAIN, ";", "CP850"),
    ("utf-16", FULL, "\t", "UTF-16"),
    ("utf-16-le", FULL, "\t", "UTF-16 LE"),
    ("utf-16-be", FULL, ",", "UTF-16 BE"),
    ("utf-32", FULL, ";", "UTF-32"),  # PowerShell's Out-File -Encoding UTF32
    ("utf-32-le", FULL, "\t", "UTF-32 LE"),
    ("utf-32-be", FULL, ",", "UTF-32 BE"),
])
def test_each_encoding_is_detected_read_and_said(tmp_path: Path, codec: str, rows, delimiter: str, label: str) -> None:
    path = F.write_csv(tmp_path / f"remontee-{codec}.csv", rows, delimiter=delimiter, encoding=codec)
    table = read_submission(path)
    assert _cells(table) == [list(r) for r in rows[1:]]
    assert table.header == HEADER
    assert table.encoding == codec
    said = [f for f in table.findings if f.type in ("encodage-detecte", "encodage-windows-1252")]
    assert len(said) == 1 and label in said[0].message and said[0].severity is Severity.INFO
    assert "encodage-incertain" not in _types(table)


def test_latin1_without_the_bytes_that_differ_reads_as_windows_1252_identically(tmp_path: Path) -> None:
    """Latin-1 text without €, œ or ’ has the same bytes in Windows-1252: the same text either way."""
    path = F.write_csv(tmp_path / "latin1.csv", PLAIN, delimiter=";", encoding="latin_1")
    table = read_submission(path)
    assert _cells(table) == [list(r) for r in PLAIN[1:]]
    assert table.encoding == "cp1252"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom_gives_no_encoding_finding(tmp_path: Path, codec: str) -> None:
    path = F.write_csv(tmp_path / "utf8.csv", FULL, encoding=codec)
    table = read_submission(path)
    assert _cells(table) == [list(r) for r in FULL[1:]] and table.encoding == codec
    assert not {"encodage-detecte", "encodage-windows-1252", "encodage-incertain", "texte-mal-encode"} & set(_types(table))


def test_accents_late_in_a_large_file_still_decide(tmp_path: Path) -> None:
    """The whole file is looked at, not its head: the only accents are 40,000 rows down."""
    rows = [HEADER] + [["MI", f"PROJET {i}", "Cadrage", "1"] for i in range(40_000)] + [FULL[2]]
    path = F.write_csv(tmp_path / "long.csv", rows, delimiter=";", encoding="mac_roman")
    table = read_submission(path)
    assert table.encoding == "mac_roman"
    assert _cells(table)[-1] == FULL[2]


def test_an_ambiguous_lone_symbol_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "ambigu.csv"
    path.write_bytes(b"Nom du projet;Code\r\nSIV;\xa4\r\n")
    table = read_submission(path)
    (warning,) = _types(table)["encodage-incertain"]
    assert warning.severity is Severity.WARNING
    assert "presque aussi probable" in warning.message and "Attendu" not in warning.message
    assert warning.expected


def test_random_high_bytes_are_never_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "octets.csv"
    path.write_bytes(b"Nom;Code\n" + bytes(range(0x80, 0x100)) + b";x\n")
    table = read_submission(path)
    assert table.rows_read == 1


def _mojibake(text: str) -> str:
    """What a tool does when it reads UTF-8 as Windows-1252 and saves the result again as UTF-8."""
    return text.encode("utf-8").decode("cp1252")


def test_double_encoded_text_is_a_warning_naming_the_cell_and_the_text_meant(tmp_path: Path) -> None:
    rows = [HEADER, ["MEF", _mojibake("Système d’information de l’État"), "Déploiement", "12"],
            ["MI", "Créé… à « bientôt »", "Cadrage", "1"], ["MENJ", _mojibake("ÉCOLE"), "Cadrage", "1"]]
    path = F.write_csv(tmp_path / "double.csv", rows, encoding="utf-8")
    table = read_submission(path)
    found = _types(table)["texte-mal-encode"]
    assert [(f.row, f.column) for f in found] == [(2, "Nom du projet"), (4, "Nom du projet")]
    assert all(f.severity is Severity.WARNING for f in found)
    assert "« Système d’information de l’État »" in found[0].message
    assert "SystÃ¨me" in found[0].value
    assert "« ÉCOLE »" in found[1].message


def test_triple_encoded_text_is_repaired_in_the_suggestion(tmp_path: Path) -> None:
    rows = [HEADER, ["MEF", _mojibake(_mojibake("Réforme")), "Déploiement", "12"]]
    table = read_submission(F.write_csv(tmp_path / "triple.csv", rows, encoding="utf-8"))
    (finding,) = _types(table)["texte-mal-encode"]
    assert "« Réforme »" in finding.message


def test_mis_encoded_cells_in_a_workbook_are_found_too(tmp_path: Path) -> None:
    rows = [HEADER, ["MEF", _mojibake("Télé-procédure"), "Déploiement", 12]]
    table = read_submission(F.write_xlsx(tmp_path / "classeur.xlsx", {"Projets": rows}))
    (finding,) = _types(table)["texte-mal-encode"]
    assert (finding.sheet, finding.row, finding.column) == ("Projets", 2, "Nom du projet")


def test_french_typography_is_not_taken_for_mojibake(tmp_path: Path) -> None:
    rows = [HEADER, ["MI", "Créé… « À bientôt » — l’été, Noël, maïs, ÇA, Œuvre", "Cadrage", "1"]]
    table = read_submission(F.write_csv(tmp_path / "propre.csv", rows, encoding="utf-8"))
    assert "texte-mal-encode" not in _types(table)


def test_encoding_and_mojibake_findings_reach_the_validation_report(tmp_path: Path) -> None:
    rows = [["Ministère porteur", "Nom du projet", "Projet interministériel", "Début", "Phase du projet en cours"],
            ["MI", _mojibake("Système"), "Non", "01/01/2012", "Déploiement"]]
    path = F.write_csv(tmp_path / "mi.csv", rows, delimiter=";", encoding="mac_roman")
    result = validate_submission(path)
    types = {f.type for f in result.findings}
    assert {"encodage-detecte", "texte-mal-encode"} <= types


def test_a_utf8_file_with_a_bom_and_invalid_bytes_is_refused_in_french(tmp_path: Path) -> None:
    from panorama.errors import UnreadableSubmission

    path = tmp_path / "melange.csv"
    path.write_bytes(codecs.BOM_UTF8 + "Nom;Phase\nSIV;Réalisation\n".encode() + b"caf\xe9;x\n")
    with pytest.raises(UnreadableSubmission) as caught:
        read_submission(path)
    assert "UTF-8" in caught.value.reason and "Attendu" in caught.value.message


def test_mis_encoded_header_label_is_said_on_the_header_row(tmp_path: Path) -> None:
    rows = [[_mojibake("Ministère porteur"), "Nom du projet"], ["MI", "SIV"]]
    table = read_submission(F.write_csv(tmp_path / "entete.csv", rows, encoding="utf-8"))
    (finding,) = _types(table)["texte-mal-encode"]
    assert finding.row == 1 and "« Ministère porteur »" in finding.message
