"""CSV submissions: encoding, delimiter, and records numbered as a spreadsheet shows them.

Records are streamed (never the whole file in memory as text): the encoding is settled by a
chunked pre-scan, the delimiter by parsing the first records with each candidate, then the csv
module yields one record at a time. A record spanning several physical lines (a description with
line breaks) is one row, as in a spreadsheet.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from panorama.errors import UnreadableSubmission
from panorama.reading import encoding as encodings
from panorama.reading.encoding import EXPECTED_TEXT, EncodingGuess
from panorama.reading.header import HEADER_SEARCH_ROWS, Row, is_blank
from panorama.reading.safety import MAX_CELL_CHARS, RegularFile, looks_html, unreadable

DELIMITERS = (",", ";", "\t")
SNIFF_CHARS = 256 * 1024
MAX_FIELDS_PER_LINE = 65_536   # separators on one line of text beyond which it is no table
DELIMITER_NAMES = {",": "virgule", ";": "point-virgule", "\t": "tabulation"}


@dataclass(frozen=True)
class CsvFormat:
    guess: EncodingGuess
    delimiter: str  # ",", ";" or "\t"
    estimated_records: int = 1024  # from the sample's density: lets the reader allocate once

    @property
    def encoding(self) -> str:
        return self.guess.codec


def _text(source: RegularFile, encoding: str) -> TextIO:
    """A text stream of the file from its start (its own position: passes never share an offset)."""
    return io.TextIOWrapper(source.stream(), encoding=encoding, newline="")


def sniff_delimiter(sample: str, complete: bool) -> str | None:
    """The candidate whose field count is the most regular over the first non-blank records.

    Delimiters inside quotes do not count (the csv module parses each candidate), so commas in
    quoted descriptions cannot outvote the semicolons between fields. `complete` says whether
    `sample` is the whole file (else its last, possibly cut, record is ignored).
    """
    best: tuple[int, int, int] | None = None
    chosen: str | None = None
    for rank, delimiter in enumerate(DELIMITERS):
        counts = _field_counts(sample, delimiter, complete)
        positive = [c for c in counts if c > 0]
        if not positive:
            continue
        mode, frequency = Counter(positive).most_common(1)[0]
        key = (frequency, mode, -rank)
        if best is None or key > best:
            best, chosen = key, delimiter
    return chosen


def _field_counts(sample: str, delimiter: str, complete: bool) -> list[int]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            if not is_blank(record):
                records.append(record)
            if len(records) > HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        pass
    if not complete and len(records) <= HEADER_SEARCH_ROWS and len(records) > 1:
        records.pop()
    return [len(r) - 1 for r in records[:HEADER_SEARCH_ROWS]]


def _table_further_down(sample: str) -> bool:
    """Whether lines past the header search hold a delimited table (several lines of 3+ cells)."""
    lines = [line for line in sample.splitlines() if line.strip()][HEADER_SEARCH_ROWS:]
    return any(sum(1 for line in lines if line.count(d) >= 2) >= 2 for d in DELIMITERS)


def detect_format(source: RegularFile) -> CsvFormat:
    """Encoding and delimiter, or UnreadableSubmission when this is no delimited text."""
    path = source.path
    guess = encodings.detect(source)
    encoding = guess.codec
    try:
        with _text(source, encoding) as fh:
            sample = fh.read(SNIFF_CHARS)
            complete = not fh.read(1)
    except (OSError, UnicodeDecodeError) as exc:
        raise unreadable(path, "fichier illisible.", EXPECTED_TEXT) from exc
    if not sample.strip():
        raise unreadable(path, "fichier vide (seulement des espaces ou des lignes vides).",
                         "une ligne d'en-têtes puis une ligne par projet.")
    if looks_html(sample):
        raise unreadable(path, "c'est une page web (HTML) et non un tableau, même si son nom le laisse croire.",
                         "le tableau enregistré au format CSV, XLSX ou ODS depuis le tableur.")
    delimiter = sniff_delimiter(sample, complete)
    if delimiter is None and any(not _field_counts(sample, d, complete=True) for d in DELIMITERS):
        raise unreadable(path, "fichier vide : aucune cellule remplie.",
                         "une ligne d'en-têtes puis une ligne par projet.")
    if delimiter is None and _table_further_down(sample):
        raise unreadable(path, f"aucun tableau dans les {HEADER_SEARCH_ROWS} premières lignes non vides : le "
                         "tableau commence plus bas, sous des lignes de texte.",
                         f"la ligne d'en-têtes parmi les {HEADER_SEARCH_ROWS} premières lignes non vides "
                         "(supprimez les lignes de texte au-dessus du tableau).")
    if delimiter is None:
        raise unreadable(path, "aucun séparateur de colonnes trouvé (ni virgule, ni point-virgule, ni tabulation) "
                         "dans les premières lignes.", EXPECTED_TEXT)
    return CsvFormat(guess, delimiter, _estimate_records(source, sample, complete, encoding, delimiter))


def _estimate_records(source: RegularFile, sample: str, complete: bool, encoding: str, delimiter: str) -> int:
    """Records in the file, extrapolated from the sample (a 10 % margin avoids regrowing)."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
    try:
        records = sum(1 for _ in reader)
    except csv.Error:
        records = sample.count("\n") + 1
    if complete:
        return records + 1
    sample_bytes = max(len(sample.encode(encoding, errors="replace")), 1)
    return int(source.size * records / sample_bytes * 1.1) + 16


def iter_records(source: RegularFile, fmt: CsvFormat) -> Iterator[Row]:
    """Every record with its 1-based record number (blank records included, as "" cells).

    Raises UnreadableSubmission for an unclosed quote (naming the row where it opened), a cell
    over 16 Mio, or any decoding/parsing failure.
    """
    # Process-wide setting, deliberately not restored afterwards: restoring would race with a read
    # in another thread. frictionless (which sets 2 Gio at import) then gets the same 16 Mio rule.
    csv.field_size_limit(MAX_CELL_CHARS)
    path = source.path
    number = 0
    try:
        with _text(source, fmt.encoding) as fh:
            lines = _Lines(fh, fmt.delimiter)
            reader = csv.reader(lines, delimiter=fmt.delimiter, quotechar='"', doublequote=True, strict=False)
            start_line = 1
            for record in reader:
                number += 1
                if lines.eof:
                    raise _unclosed_quote(path, number, start_line, len(record))
                start_line = reader.line_num + 1
                yield number, record
    except _TooManyFields as exc:
        raise unreadable(
            path, f"la ligne {exc.line} du texte compte plus de {MAX_FIELDS_PER_LINE:,} séparateurs "
            f"« {DELIMITER_NAMES[fmt.delimiter]} » : ce n'est pas un tableau de remontée.".replace(",", "\u202f"),
            EXPECTED_TEXT) from exc
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise unreadable(
                path,
                f"une cellule de la ligne {number + 1} dépasse {MAX_CELL_CHARS // (1024 * 1024)} Mio "
                "(souvent un guillemet ouvert et jamais refermé).",
                "des cellules de taille raisonnable ; un guillemet ouvrant une cellule doit être refermé.",
            ) from exc
        raise unreadable(path, f"structure CSV invalide à la ligne {number + 1} ({exc}).", EXPECTED_TEXT) from exc
    except UnicodeDecodeError as exc:
        raise unreadable(path, "texte illisible dans l'encodage détecté.", EXPECTED_TEXT) from exc
    except OSError as exc:
        raise unreadable(path, f"fichier illisible ({exc.strerror or exc}).") from exc


def _unclosed_quote(path: Path, row: int, line: int, column: int) -> UnreadableSubmission:
    where = f"ligne {row}, colonne {column}"
    if line != row:
        where += f" (ligne physique {line} du texte)"
    return unreadable(
        path,
        f"guillemet ouvert à la {where} et jamais refermé : tout le reste du fichier tomberait dans cette cellule.",
        "chaque cellule commençant par un guillemet (\") se termine par un guillemet ; "
        "un guillemet à l'intérieur d'une cellule est doublé (\"\"), ex. \"le projet \"\"RIE\"\"\".",
    )


class _Lines:
    """Line iterator that notes when the file is exhausted.

    The csv module only asks for another line while a record is open; if it reaches the end of
    the file that way and still returns a record, that record's quote was never closed.
    """

    def __init__(self, fh: Iterable[str], delimiter: str) -> None:
        self._it = iter(fh)
        self._delimiter = delimiter
        self.eof = False
        self.line = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._it)
        except StopIteration:
            self.eof = True
            raise
        self.line += 1
        if len(line) > MAX_FIELDS_PER_LINE and line.count(self._delimiter) > MAX_FIELDS_PER_LINE:
            raise _TooManyFields(self.line)  # before the csv module makes millions of strings of it
        return line


class _TooManyFields(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line
