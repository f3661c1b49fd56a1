"""read_submission: any submission file → a RawTable of text cells with spreadsheet row numbers.

The file is opened once, checked to be a regular file (no link, FIFO, device, folder), and every
reader reads that descriptor. The format is decided by content first (a zip is a workbook
whatever its name), then the rows of every format go through the same assembly (assemble.py):
header found below title rows, blank rows and empty columns dropped (and said), ragged CSV
records reported, sizes bounded by what the file really holds.
"""
from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from panorama.findings.catalog import severity_of
from panorama.findings.core import Finding, Severity
from panorama.reading import csv_reader, safety
from panorama.reading.assemble import Built, assemble, bounded_rows
from panorama.reading.encoding import LABELS, EncodingGuess
from panorama.reading.header import (
    HEADER_SEARCH_ROWS,
    MIN_TEXT_CELLS,
    HeaderScore,
    Row,
    SheetCandidate,
    choose_header,
    choose_sheet,
    is_blank,
)
from panorama.reading.safety import RegularFile
from panorama.reading.table import RawTable
from panorama.reading.workbook_words import EXPECTED_WORKBOOK, VISIBLE
from panorama.reading.workbook_words import STATE_WORDS as _STATE_WORDS

WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
Opener = Callable[[RegularFile], AbstractContextManager[list[Any]]]


def read_submission(path: Path, header_score: Callable[[Sequence[str]], int] | None = None, *,
                    max_bytes: int = 1_073_741_824) -> RawTable:
    """Read one submission file; UnreadableSubmission (French, naming the file) when impossible.

    The cyclic garbage collector is paused meanwhile: reading creates millions of row lists and
    no cycles, and its repeated full scans would otherwise take longer than the parsing itself.
    """
    path = Path(path)
    paused = gc.isenabled()
    gc.disable()
    try:
        with safety.open_regular_file(path) as source:
            return _read(source, header_score, max_bytes)
    finally:
        if paused:
            gc.enable()


def _read(source: RegularFile, header_score: HeaderScore | None, max_bytes: int) -> RawTable:
    path = source.path
    safety.check_size(source, max_bytes)
    kind = safety.sniff_kind(safety.read_head(source, 8))
    # Each workbook reader (openpyxl, xlrd, odf parsing) is imported only for its format: a CSV needs none.
    if kind == "zip":
        fmt = safety.check_zip_workbook(source).format
        if fmt == "ods":
            from panorama.reading.ods import open_ods as opener
        else:
            from panorama.reading.xlsx import open_xlsx as opener
        return _read_workbook(source, opener, header_score)
    if kind == "cfb":
        from panorama.reading.spreadsheet import open_xls

        safety.check_cfb(source)
        return _read_workbook(source, open_xls, header_score)
    if path.suffix.lower() in WORKBOOK_EXTENSIONS and safety.looks_binary(safety.read_head(source)):
        raise safety.unreadable(path, f"ce fichier nommé « {path.suffix} » n'est pas un classeur lisible.",
                                EXPECTED_WORKBOOK)
    return _read_csv(source, header_score)


def _read_csv(source: RegularFile, header_score: HeaderScore | None) -> RawTable:
    fmt = csv_reader.detect_format(source)
    findings = _encoding_findings(source.path, fmt.guess)
    built = assemble(source.path, csv_reader.iter_records(source, fmt), header_score, ragged=True, sheet=None,
                     capacity=fmt.estimated_records)
    return _table(source, built, findings, sheet=None, encoding=fmt.encoding, delimiter=fmt.delimiter)


def _encoding_findings(path: Path, guess: EncodingGuess) -> list[Finding]:
    out = []
    if guess.codec == "cp1252":
        out.append(_info(path, "encodage-windows-1252",
                         "fichier encodé en Windows-1252 (ANSI) et non en UTF-8 : il a été lu comme tel.",
                         "un fichier CSV enregistré en « UTF-8 »."))
    elif guess.codec not in ("utf-8", "utf-8-sig"):
        out.append(_info(path, "encodage-detecte",
                         f"fichier encodé en {guess.label} et non en UTF-8 : il a été lu comme tel.",
                         "un fichier CSV enregistré en « UTF-8 »."))
    if not guess.certain and guess.runner_up:
        example = ""
        if guess.example:
            example = f" ; par exemple « {guess.example[0]} » se lirait « {guess.example[1]} » en {LABELS[guess.runner_up]}"
        out.append(Finding("encodage-incertain", severity_of("encodage-incertain"), path.name,
                           f"encodage deviné : {guess.label}, mais {LABELS[guess.runner_up]} était presque aussi "
                           f"probable{example}. Vérifiez les lettres accentuées du rapport.",
                           "un fichier CSV enregistré en « UTF-8 » : l'encodage n'a alors plus à être deviné."))
    return out


def _read_workbook(source: RegularFile, opener: Opener, header_score: HeaderScore | None) -> RawTable:
    from panorama.reading import spreadsheet

    path = source.path
    try:
        with opener(source) as sheets:
            candidates = [SheetCandidate(s.name, _first_rows(bounded_rows(path, s.name, s.rows())), s.state)
                          for s in sheets]
            chosen = choose_sheet(candidates, header_score)
            if chosen is None:
                raise safety.unreadable(path, "classeur vide : aucune feuille ne contient de données.",
                                        "une feuille avec une ligne d'en-têtes puis une ligne par projet.")
            sheet = sheets[chosen]
            findings = _sheet_findings(path, candidates, chosen, header_score)
            built = assemble(path, bounded_rows(path, sheet.name, sheet.rows()), header_score, ragged=False,
                             sheet=sheet.name)
    except spreadsheet.CORRUPT_ERRORS as exc:
        raise safety.unreadable(path, "classeur corrompu : son contenu ne peut pas être lu.",
                                spreadsheet.EXPECTED_WORKBOOK) from exc
    except OSError as exc:
        raise safety.unreadable(path, f"classeur illisible ({exc.strerror or exc}).") from exc
    return _table(source, built, findings, sheet=sheet.name, encoding=None, delimiter=None)


def _first_rows(rows: Iterator[Row]) -> list[Row]:
    found: list[Row] = []
    try:
        for number, cells in rows:
            if not is_blank(cells):
                found.append((number, cells))
                if len(found) > HEADER_SEARCH_ROWS:
                    break
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # release the sheet (XLS unloads it, ODS/XLSX close their part) before the next one
    return found


def _sheet_findings(path: Path, candidates: list[SheetCandidate], chosen: int,
                    header_score: HeaderScore | None) -> list[Finding]:
    read = candidates[chosen]
    findings = [_info(path, "feuille-lue", f"feuille « {read.name} » lue : c'est elle qui porte les en-têtes du tableau.",
                      sheet=read.name)]
    if read.state != VISIBLE:
        findings.append(Finding("feuille-masquee-lue", severity_of("feuille-masquee-lue"), path.name,
                                f"la feuille lue, « {read.name} », est {_STATE_WORDS[read.state].split(' (')[0]} : "
                                "aucune feuille visible du classeur ne contient de données.",
                                "le tableau des projets dans une feuille visible.", sheet=read.name))
    for i, candidate in enumerate(candidates):
        if i == chosen:
            continue
        findings.append(_info(path, "feuille-ignoree", f"feuille « {candidate.name} » ignorée ({_why(candidate, header_score)}).",
                              "le tableau des projets dans une seule feuille, visible.", sheet=candidate.name))
    return findings


def _why(candidate: SheetCandidate, header_score: HeaderScore | None) -> str:
    if candidate.state != VISIBLE:
        state = _STATE_WORDS[candidate.state]
        return f"feuille {state}, jamais préférée à une feuille visible" + ("" if candidate.rows else " ; vide")
    if not candidate.rows:
        return "vide"
    choice = choose_header(candidate.rows, header_score)
    if choice.score == 0 or (not choice.scored and choice.score < MIN_TEXT_CELLS):
        return "aucune ligne d'en-têtes reconnue"
    return "en-têtes moins reconnus que ceux de la feuille lue"


def _info(path: Path, type_: str, message: str, expected: str = "", **where: object) -> Finding:
    return Finding(type_, Severity.INFO, path.name, message, expected, **where)  # type: ignore[arg-type]


def _table(source: RegularFile, built: Built, findings: list[Finding], *, sheet: str | None, encoding: str | None,
           delimiter: str | None) -> RawTable:
    return RawTable(path=source.path, sha256=safety.sha256(source), header=built.header, header_row=built.header_row,
                    columns=list(built.cells), row_numbers=built.numbers, sheet=sheet, encoding=encoding, delimiter=delimiter,
                    findings=findings + built.findings)
