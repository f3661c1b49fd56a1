"""The bundled sample editions: reproducible from the script, and carrying every quirk on purpose.

The samples are what `make run` publishes from a fresh clone and what the other stages' tests lean
on, so they must match their generator byte for byte and keep the quirks they exist to show.
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest

from panorama.edition import ALIASES_FILE, discover_editions

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
SCRIPT = ROOT / "scripts" / "generate_samples.py"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _submissions() -> list[Path]:
    return [f for e in discover_editions(RAW) for f in e.files]


def _first_line(path: Path) -> bytes:
    return path.read_bytes().split(b"\n", 1)[0]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw")
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True, capture_output=True, timeout=120)
    return out


def test_committed_samples_are_what_the_script_generates(regenerated: Path) -> None:
    expected, committed = _files(regenerated), _files(RAW)
    assert sorted(committed) == sorted(expected)
    differing = [name for name in expected if committed[name] != expected[name]]
    assert differing == []


def test_generation_is_byte_identical_twice(regenerated: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], check=True, capture_output=True, timeout=120)
    assert _files(tmp_path) == _files(regenerated)


def test_spreadsheet_zip_entries_carry_fixed_timestamps() -> None:
    archives = [p for p in _submissions() if p.suffix in (".xlsx", ".ods")]
    assert archives
    for path in archives:
        with zipfile.ZipFile(path) as zf:
            assert {info.date_time for info in zf.infolist()} == {(2025, 1, 1, 0, 0, 0)}, path.name


def test_three_consecutive_editions_with_eight_submissions_each() -> None:
    editions = discover_editions(RAW)
    numbers = [e.numero for e in editions]
    assert len(editions) >= 3
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    for edition in editions:
        assert len(edition.files) >= 8, edition.id
    total = sum(p.stat().st_size for p in RAW.rglob("*") if p.is_file())
    assert total < 1_000_000


def test_rates_declared_in_2024_and_computable_from_2025_on() -> None:
    editions = discover_editions(RAW)
    earlier = [e for e in editions if e.id < "2025"]
    computed = [e for e in editions if e.id >= "2025"]
    assert len(earlier) == 2 and [e.id for e in computed] == ["2025-06", "2025-12"]
    for edition in earlier:
        assert edition.taux_ecart_budgetaire_declare is not None and edition.taux_ecart_calendaire_declare is not None
    assert all(e.taux_ecart_budgetaire_declare is None for e in computed)
    for path in (p for e in computed for p in e.files):
        text = _text(path)
        assert ("Coût initial (M€)" in text and "Durée actualisée (années)" in text) or (
            "cout_initial_meur" in text and "duree_actualisee_annees" in text), path.name
    for edition in earlier:
        for path in edition.files:
            assert "cout_initial" not in _text(path) and "Coût initial" not in _text(path), path.name


def test_only_the_oldest_edition_is_partial_and_names_its_failing_file() -> None:
    editions = discover_editions(RAW)
    flags = [tomllib.loads((e.path / "edition.toml").read_text("utf-8")).get("publication_partielle") for e in editions]
    assert flags[0] is True and not any(flags[1:])
    failing = editions[0].path / "MEAE_complement.csv"
    rows = list(csv.reader(io.StringIO(failing.read_text("utf-8"))))
    body = rows[1:]
    assert any(cell.startswith("=SOMME(") for row in body for cell in row)
    assert any(row[6] == "2024-02-31" for row in body)
    assert any(row[8] == "En pause" for row in body)
    assert len({tuple(r) for r in body}) < len(body)  # a duplicated project


def test_encodings_bom_and_cp1252() -> None:
    paths = [p for p in _submissions() if p.suffix in (".csv", ".tsv")]
    assert any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in paths)
    assert any(not p.read_bytes().startswith(b"\xef\xbb\xbf") and _decodes(p.read_bytes(), "utf-8") for p in paths)
    cp1252 = [p for p in paths if not _decodes(p.read_bytes(), "utf-8")]
    assert cp1252
    for path in cp1252:
        data = path.read_bytes()
        assert b"\xe9" in data and b"\x80" in data  # é and € in Windows-1252
        assert _first_line(path).count(b";") >= 10
        assert re.search(rb";\d+,\d+;", data)  # decimal commas


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def test_tab_separated_file_and_trailing_space_header_and_month_dates() -> None:
    paths = [p for p in _submissions() if p.suffix in (".csv", ".tsv")]
    assert any(_first_line(p).count(b"\t") >= 10 for p in paths)
    trailing = [p for p in paths if _first_line(p).startswith("Ministère porteur ,".encode())]
    assert trailing
    text = trailing[0].read_text("utf-8")
    assert re.search(r",(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4},", text)
    assert _first_line(trailing[0]).endswith(b",,,,")  # empty unnamed columns after the data
    assert re.search(r"\n,{10,}\n", text)  # blank rows after the data


def test_descriptions_have_line_breaks_quotes_and_non_breaking_spaces() -> None:
    texts = [p.read_bytes().decode("utf-8-sig") for p in _submissions() if p.suffix == ".csv" and _decodes(p.read_bytes(), "utf-8")]
    joined = "".join(texts)
    assert "\u00a0" in joined and '""' in joined
    assert re.search(r'"[^"\n,]+\.\n[^"]', joined)  # a quoted multi-line description


def test_xlsx_with_cover_sheet_title_rows_text_numbers_blank_rows_and_empty_columns() -> None:
    found = False
    for path in (p for p in _submissions() if p.suffix == ".xlsx"):
        wb = openpyxl.load_workbook(path)
        if wb.sheetnames[0] != "Consignes":
            continue
        found = True
        ws = wb.worksheets[1]
        rows = list(ws.iter_rows(values_only=True))
        header_at = next(i for i, r in enumerate(rows) if "Nom du projet" in r)
        assert header_at >= 2 and all(r[0] for r in rows[:header_at])  # title rows above the header
        data = rows[header_at + 1:]
        cells = [c for r in data for c in r if c is not None]
        assert all(isinstance(c, str) for c in cells)
        assert any(re.fullmatch(r"\d+,\d+", c) for c in cells)
        assert any(re.fullmatch(r"\d{2}/\d{2}/\d{4}", c) for c in cells)
        last = max(i for i, r in enumerate(data) if any(c is not None for c in r))
        assert any(all(c is None for c in r) for r in data[:last])  # a blank row inside the data
        used = max(j for r in rows for j, c in enumerate(r, start=1) if c is not None)
        assert ws.max_column > used  # empty (formatted) columns after the data
    assert found


def test_xlsx_and_ods_with_real_numbers_and_dates() -> None:
    typed = []
    for path in (p for p in _submissions() if p.suffix == ".xlsx"):
        ws = openpyxl.load_workbook(path).worksheets[0]
        values = [c for r in ws.iter_rows(min_row=2, values_only=True) for c in r]
        if any(isinstance(v, float) for v in values) and any(hasattr(v, "year") for v in values):
            typed.append(path)
    assert typed
    ods = [p for p in _submissions() if p.suffix == ".ods"]
    assert ods
    content = zipfile.ZipFile(ods[0]).read("content.xml")
    assert b'office:value-type="date"' in content and b'office:value-type="float"' in content


def test_header_styles_and_warnings_to_show() -> None:
    heads = [_first_line(p) for p in _submissions() if p.suffix in (".csv", ".tsv")]
    assert any(h.startswith(b"ministere_code") for h in heads)
    assert any("Lien vers les Projets Annuels de Performances".encode() in h for h in heads)
    assert any("Commentaire interne".encode() in h for h in heads)
    editions = discover_editions(RAW)
    latest_text = b"".join(p.read_bytes() for e in editions if e.id == "2025-06" for p in e.files if p.suffix == ".csv")
    assert re.search(rb"Conception / R\xc3\xa9alisation,En cadrage,", latest_text)  # "En cadrage" outside Cadrage


def test_alias_table_forces_links_across_editions() -> None:
    rows = list(csv.DictReader(io.StringIO((RAW / ALIASES_FILE).read_text("utf-8"))))
    assert rows and set(rows[0]) == {"edition", "ministere", "nom_projet", "identifiant"}
    editions = {e.id: e for e in discover_editions(RAW)}
    by_id: dict[str, set[str]] = {}
    for row in rows:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["identifiant"])
        edition = editions[row["edition"]]
        assert any(row["nom_projet"].encode() in _raw_text(p) for p in edition.files), row
        by_id.setdefault(row["identifiant"], set()).add(row["nom_projet"])
    assert any(len(names) > 1 for names in by_id.values())  # a rename the alias bridges


def test_later_edition_carries_the_classes_of_the_later_real_editions() -> None:
    """2025-12 (numero 22): short month + two-digit year dates, a new government's ministry name,
    a withheld project and "nothing here" texts, as the 2019–2021 real editions carry them."""
    later = {e.id: e for e in discover_editions(RAW)}["2025-12"]
    assert later.numero == 22
    text = "".join(_text(p) for p in later.files)
    assert re.search(r"[;,\t](janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.)[- ]\d{2}[;,\t]", text)
    assert "Ministère du travail, et des solidarités" in text
    assert "Révision de trajectoire" in text
    for placeholder in (",NC,", "n.c.", ",-,", "à venir"):
        assert placeholder in text.replace(";", ",").replace("<t>-</t>", ",-,"), placeholder


def _text(path: Path) -> str:
    """A submission's text whatever its container: CSV in UTF-8 or Windows-1252, or zipped XML."""
    data = _raw_text(path)
    return data.decode("utf-8-sig") if _decodes(data, "utf-8") else data.decode("cp1252")


def _raw_text(path: Path) -> bytes:
    if path.suffix in (".xlsx", ".ods"):
        with zipfile.ZipFile(path) as zf:
            return b"".join(zf.read(n) for n in zf.namelist()).replace(b"&apos;", b"'")
    return path.read_bytes()
