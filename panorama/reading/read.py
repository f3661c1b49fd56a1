"""read_submission: any submission file → a RawTable of text cells with spreadsheet row numbers.

The format is decided by content first (a zip is a workbook whatever its name), then the rows
of every format go through the same assembly: header found below title rows, blank rows and
empty columns dropped (and said), ragged CSV records reported. Columns are built chunk by chunk
and repeated values share one string, so a million-row file fits in a few hundred megabytes.
"""
from __future__ import annotations

import gc
import hashlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from panorama.errors import UnreadableSubmission
from panorama.findings.core import Finding, Severity, clip
from panorama.reading import csv_reader, safety, spreadsheet
from panorama.reading.header import (
    HEADER_SEARCH_ROWS,
    HeaderScore,
    Row,
    SheetCandidate,
    choose_header,
    choose_sheet,
    is_blank,
)
from panorama.reading.table import RawTable

CHUNK_ROWS = 2_048             # small enough for a chunk's fresh strings to stay in CPU cache
SHARED_STRINGS_LIMIT = 50_000   # a column with more distinct values stops sharing them
_EMPTY_TO_NONE: dict[str, str | None] = {"": None}
MAX_REPORTED_EXTRA = 100        # extra-cell findings listed one by one, then summed up
WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}


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
        return _read(path, header_score, max_bytes)
    finally:
        if paused:
            gc.enable()


def _read(path: Path, header_score: HeaderScore | None, max_bytes: int) -> RawTable:
    safety.check_file(path, max_bytes)
    kind = safety.sniff_kind(safety.read_head(path, 8))
    if kind == "zip":
        fmt = safety.check_zip_workbook(path).format
        opener = spreadsheet.open_ods if fmt == "ods" else spreadsheet.open_xlsx
        table = _read_workbook(path, opener, header_score)
    elif kind == "cfb":
        safety.check_cfb(path)
        table = _read_workbook(path, spreadsheet.open_xls, header_score)
    else:
        if path.suffix.lower() in WORKBOOK_EXTENSIONS and safety.looks_binary(safety.read_head(path)):
            raise safety.unreadable(path, f"ce fichier nommé « {path.suffix} » n'est pas un classeur lisible.",
                                    spreadsheet.EXPECTED_WORKBOOK)
        table = _read_csv(path, header_score)
    return table


def _read_csv(path: Path, header_score: HeaderScore | None) -> RawTable:
    fmt = csv_reader.detect_format(path)
    findings: list[Finding] = []
    if fmt.encoding == "cp1252":
        findings.append(_info(path, "encodage-windows-1252",
                              "fichier encodé en Windows-1252 (ANSI) et non en UTF-8 : il a été lu comme tel.",
                              "un fichier CSV enregistré en « UTF-8 »."))
    built = _assemble(path, csv_reader.iter_records(path, fmt), header_score, ragged=True, sheet=None,
                      capacity=fmt.estimated_records)
    return _table(path, built, findings, sheet=None, encoding=fmt.encoding, delimiter=fmt.delimiter)


def _read_workbook(path: Path, opener: Callable[[Path], AbstractContextManager[list[spreadsheet.Sheet]]],
                   header_score: HeaderScore | None) -> RawTable:
    try:
        with opener(path) as sheets:
            candidates = [SheetCandidate(s.name, _first_rows(s.rows())) for s in sheets]
            chosen = choose_sheet(candidates, header_score)
            if chosen is None:
                raise safety.unreadable(path, "classeur vide : aucune feuille ne contient de données.",
                                        "une feuille avec une ligne d'en-têtes puis une ligne par projet.")
            sheet = sheets[chosen]
            findings = _sheet_findings(path, candidates, chosen)
            built = _assemble(path, sheet.rows(), header_score, ragged=False, sheet=sheet.name)
    except spreadsheet.CORRUPT_ERRORS as exc:
        raise safety.unreadable(path, "classeur corrompu : son contenu ne peut pas être lu.",
                                spreadsheet.EXPECTED_WORKBOOK) from exc
    except OSError as exc:
        raise safety.unreadable(path, f"classeur illisible ({exc.strerror or exc}).") from exc
    return _table(path, built, findings, sheet=sheet.name, encoding=None, delimiter=None)


def _first_rows(rows: Iterator[Row]) -> list[Row]:
    found: list[Row] = []
    for number, cells in rows:
        if not is_blank(cells):
            found.append((number, cells))
            if len(found) > HEADER_SEARCH_ROWS:
                break
    return found


def _sheet_findings(path: Path, candidates: list[SheetCandidate], chosen: int) -> list[Finding]:
    name = candidates[chosen].name
    findings = [_info(path, "feuille-lue", f"feuille « {name} » lue : c'est elle qui porte les en-têtes du tableau.",
                      sheet=name)]
    for i, candidate in enumerate(candidates):
        if i == chosen:
            continue
        why = "vide" if not candidate.rows else "en-têtes moins reconnus que ceux de la feuille lue"
        findings.append(_info(path, "feuille-ignoree", f"feuille « {candidate.name} » ignorée ({why}).",
                              "le tableau des projets dans une seule feuille.", sheet=candidate.name))
    return findings


def _info(path: Path, type_: str, message: str, expected: str = "", **where: object) -> Finding:
    return Finding(type_, Severity.INFO, path.name, message, expected, **where)  # type: ignore[arg-type]


class _Built:
    """Result of the assembly (header, columns, row numbers, findings)."""

    def __init__(self, header: list[str], header_row: int, cells: list[np.ndarray], numbers: np.ndarray,
                 findings: list[Finding]) -> None:
        self.header, self.header_row, self.cells, self.numbers, self.findings = (
            header, header_row, cells, numbers, findings)


class _Grid:
    """Rows gathered into preallocated object columns, chunk by chunk.

    Transposing small chunks keeps the fresh strings in cache; columns with few distinct values
    (ministry, phase, yes/no...) share one str per value, which is most of the memory saved at a
    million rows. Empty cells become None on the way in, so no second pass over the data. One
    array per column (not one 2D block) lets validation release the columns it no longer needs.
    """

    def __init__(self, width: int, capacity: int) -> None:
        self.capacity = max(capacity, 16)
        self.columns = [np.empty(self.capacity, dtype=object) for _ in range(width)]
        self.size = 0
        self.shared: list[dict[str, str | None] | None] = [{"": None} for _ in range(width)]
        self.has_text = [False] * width
        self.pending: list[list[str]] = []

    @property
    def width(self) -> int:
        return len(self.columns)

    def widen(self, width: int) -> None:
        self.flush()
        self.columns += [np.empty(self.capacity, dtype=object) for _ in range(width - self.width)]
        self.shared += [{"": None} for _ in range(width - len(self.shared))]
        self.has_text += [False] * (width - len(self.has_text))

    def add(self, cells: list[str]) -> None:
        self.pending.append(cells)
        if len(self.pending) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        count = len(self.pending)
        if not count:
            return
        start, stop = self.size, self.size + count
        if stop > self.capacity:
            self.capacity = max(stop, self.capacity * 3 // 2)
            for i, old in enumerate(self.columns):
                grown = np.empty(self.capacity, dtype=object)
                grown[:start] = old[:start]
                self.columns[i] = grown
                del old
        for i, values in enumerate(zip(*self.pending)):
            shared = self.shared[i]
            if shared is not None:
                column: Sequence[str | None] = list(map(shared.setdefault, values, values))
                if len(shared) > SHARED_STRINGS_LIMIT:
                    self.shared[i] = None
            elif "" in values:
                column = list(map(_EMPTY_TO_NONE.get, values, values))
            else:
                column = values
            self.columns[i][start:stop] = column
            if not self.has_text[i]:
                self.has_text[i] = any(v and not v.isspace() for v in values)
        self.size = stop
        self.pending = []

    def result(self, keep: list[int]) -> list[np.ndarray]:
        self.flush()
        if self.size * 5 >= self.capacity * 4:
            return [self.columns[i][: self.size] for i in keep]
        trimmed = []
        for i in keep:  # much spare room: copy to size, releasing each full column as we go
            trimmed.append(self.columns[i][: self.size].copy())
            self.columns[i] = self.columns[i][:0]
        return trimmed


def _assemble(path: Path, rows: Iterator[Row], header_score: HeaderScore | None, *, ragged: bool,
              sheet: str | None, capacity: int = 1024) -> _Built:
    """Header, then data rows as columns. `ragged`: CSV rules (the header fixes the width)."""
    head: list[Row] = []
    non_blank = 0
    for number, cells in rows:
        head.append((number, cells))
        if not is_blank(cells):
            non_blank += 1
            if non_blank > HEADER_SEARCH_ROWS:
                break
    candidates = [(n, c) for n, c in head if not is_blank(c)]
    if not candidates:
        raise safety.unreadable(path, "fichier vide : aucune ligne ne contient de données.",
                                "une ligne d'en-têtes puis une ligne par projet.")
    choice = choose_header(candidates, header_score)
    header_row, header = candidates[choice.index]
    header = list(header)
    after = chain((r for r in head if r[0] > header_row), rows)
    findings: list[Finding] = []
    if choice.index > 0:
        findings.append(Finding("lignes-avant-en-tete-ignorees", Severity.INFO, path.name,
                                f"en-têtes lus à la ligne {header_row} ; {choice.index} ligne(s) non vide(s) "
                                "au-dessus (titre, notes) ignorée(s).",
                                "la ligne d'en-têtes en première ligne.", sheet=sheet, row=header_row))
    width = len(header)
    built = _Grid(width, capacity)
    numbers = array("q")
    blank = 0
    short: dict[int, list[int]] = {}       # cells in the record → [count, first row]
    extra: list[tuple[int, list[str]]] = []
    extra_count = 0
    for number, cells in after:
        if is_blank(cells):
            blank += 1
            continue
        n = len(cells)
        if n != width:
            if ragged:
                if n > width:
                    tail = cells[width:]
                    if not is_blank(tail):
                        extra_count += 1
                        if len(extra) < MAX_REPORTED_EXTRA:
                            extra.append((number, tail))
                    cells = cells[:width]
                else:
                    stat = short.setdefault(n, [0, number])
                    stat[0] += 1
                    cells = cells + [""] * (width - n)
            elif n > width:
                built.widen(n)
                header.extend([""] * (n - width))
                width = n
            else:
                cells = cells + [""] * (width - n)
        built.add(cells)
        numbers.append(number)
    built.flush()
    keep = [i for i in range(width) if header[i].strip() or built.has_text[i]]
    dropped = width - len(keep)
    findings += _shape_findings(path, sheet, blank, dropped, short, keep, extra, extra_count, width)
    return _Built([header[i] for i in keep], header_row, built.result(keep),
                  np.frombuffer(numbers, dtype=np.int64).copy(), findings)


def _shape_findings(path: Path, sheet: str | None, blank: int, dropped: int, short: dict[int, list[int]],
                    keep: list[int], extra: list[tuple[int, list[str]]], extra_count: int,
                    width: int) -> list[Finding]:
    name = path.name
    out: list[Finding] = []
    if blank:
        out.append(Finding("lignes-vides-ignorees", Severity.INFO, name,
                           f"{blank} ligne(s) vide(s) ignorée(s).", sheet=sheet))
    if dropped:
        out.append(Finding("colonnes-vides-ignorees", Severity.INFO, name,
                           f"{dropped} colonne(s) sans en-tête ni donnée ignorée(s).", sheet=sheet))
    needed = keep[-1] + 1 if keep else 0
    lacking = [stat for n, stat in short.items() if n < needed]
    if lacking:
        count = sum(s[0] for s in lacking)
        first = min(s[1] for s in lacking)
        out.append(Finding("missing-cell", Severity.WARNING, name,
                           f"{count} ligne(s) ont moins de cellules que d'en-têtes (première : ligne {first}) ; "
                           "les cellules manquantes en fin de ligne ont été lues comme vides.",
                           f"autant de séparateurs sur chaque ligne que sur la ligne d'en-têtes ({needed} colonnes).",
                           sheet=sheet, row=first))
    for number, tail in extra:
        values = [v for v in tail if v.strip()]
        out.append(Finding("extra-cell", Severity.BLOCKING, name,
                           f"ligne {number} : {len(values)} cellule(s) non vide(s) au-delà des {width} colonnes "
                           f"de la ligne d'en-têtes (« {clip(values[0])} »).",
                           "pas plus de cellules que d'en-têtes : un séparateur dans un texte impose "
                           "de l'entourer de guillemets, ex. \"Paris; Lyon\".",
                           sheet=sheet, row=number, value=clip(" | ".join(values))))
    if extra_count > len(extra):
        out.append(Finding("extra-cell", Severity.BLOCKING, name,
                           f"{extra_count - len(extra)} autre(s) ligne(s) ont aussi des cellules au-delà des "
                           f"{width} colonnes de la ligne d'en-têtes.",
                           "pas plus de cellules que d'en-têtes.", sheet=sheet))
    return out


def _table(path: Path, built: _Built, findings: list[Finding], *, sheet: str | None, encoding: str | None,
           delimiter: str | None) -> RawTable:
    width = len(built.header)
    data = pd.DataFrame(dict(zip(range(width), built.cells)), index=pd.RangeIndex(len(built.numbers)),
                        columns=pd.RangeIndex(width), dtype=object, copy=False)
    return RawTable(path=path, sha256=_sha256(path), header=built.header, header_row=built.header_row,
                    data=data, row_numbers=built.numbers, sheet=sheet, encoding=encoding, delimiter=delimiter,
                    findings=findings + built.findings)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise UnreadableSubmission(str(path), f"fichier illisible ({exc.strerror or exc}).") from exc
    return digest.hexdigest()
