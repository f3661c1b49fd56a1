"""Rows of any format → header + object columns, within limits that follow the data really present.

Why limits here: every format ends in the same grid, so the budget on what a file may make us
materialise (the area of its rows, the cells of the table, its width) is enforced once, BEFORE
the memory is taken, and a hostile file gets a French refusal instead of an out-of-memory death.
Columns beyond the header's last label that hold something are kept sparsely: a stray cell far to
the right costs its own value, not a column of a million empty cells per row.
"""
from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence
from itertools import chain, compress, zip_longest
from pathlib import Path
from typing import Any

from panorama.errors import UnreadableSubmission
from panorama.findings.core import Finding, Severity, clip
from panorama.reading import mojibake
from panorama.reading.header import (
    HEADER_SEARCH_ROWS,
    HeaderScore,
    Row,
    choose_header,
    is_blank,
)
from panorama.reading.safety import unreadable

LIST_ROWS = 8_192              # a table up to this many rows is held in lists: a small file never imports numpy
CHUNK_ROWS = 2_048             # small enough for a chunk's fresh strings to stay in CPU cache
SHARED_STRINGS_LIMIT = 50_000   # a column with more distinct values stops sharing them
_EMPTY_TO_NONE: dict[str, str | None] = {"": None}
MAX_REPORTED_EXTRA = 100        # extra-cell findings listed one by one, then summed up

MAX_READ_COLUMNS = 1_024        # a non-empty cell further right is refused (the schema has ~25 fields)
MAX_SHEET_AREA = 25_000_000     # cells a reader may hand over for one sheet (row widths summed: a million rows of 25)
MAX_TABLE_CELLS = 40_000_000    # rows × kept columns of the table (a million rows of 40 columns)
EXPECTED_SMALLER = "le seul tableau des projets : une ligne d'en-têtes puis une ligne par projet, sans cellule remplie loin du tableau."


def column_letters(index: int) -> str:
    """0 → "A", 16383 → "XFD": the column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def too_far_right(path: Path, sheet: str | None, row: int, column: int, value: str) -> Exception:
    """The refusal for a non-empty cell beyond MAX_READ_COLUMNS (0-based `column`)."""
    where = f"{column_letters(column)}{row}" if sheet is not None else f"ligne {row}, colonne {column + 1}"
    on = f" de la feuille « {sheet} »" if sheet else ""
    return unreadable(path, f"cellule remplie en {where}{on} (« {clip(value[:60])} »), au-delà de la colonne "
                      f"{column_letters(MAX_READ_COLUMNS - 1)} : un tableau de remontée a au plus "
                      f"{MAX_READ_COLUMNS} colonnes.", EXPECTED_SMALLER)


def bounded_rows(path: Path, sheet: str | None, rows: Iterator[Row]) -> Iterator[Row]:
    """`rows`, refusing a sheet whose rows add up to more than MAX_SHEET_AREA cells, or too wide a row."""
    area = 0
    for number, cells in rows:
        width = len(cells)
        if width > MAX_READ_COLUMNS and not is_blank(cells[MAX_READ_COLUMNS:]):
            far = next(i for i in range(MAX_READ_COLUMNS, width) if cells[i].strip())
            raise too_far_right(path, sheet, number, far, cells[far])
        area += width
        if area > MAX_SHEET_AREA:
            raise unreadable(path, f"tableau trop étendu{_on(sheet)} : plus de {MAX_SHEET_AREA:,} cellules à lire "
                             f"avant la ligne {number} (lignes très larges ou cellules éparpillées loin du tableau)."
                             .replace(",", "\u202f"), EXPECTED_SMALLER)
        yield number, cells


def _on(sheet: str | None) -> str:
    return f" (feuille « {sheet} »)" if sheet else ""


class Built:
    """Result of the assembly (header, columns, row numbers, findings)."""

    def __init__(self, header: list[str], header_row: int, cells: list[Any], numbers: Any,
                 findings: list[Finding]) -> None:
        self.header, self.header_row, self.cells, self.numbers, self.findings = (
            header, header_row, cells, numbers, findings)


class _Grid:
    """Rows gathered into preallocated object columns, chunk by chunk.

    Transposing small chunks keeps the fresh strings in cache; columns with few distinct values
    (ministry, phase, yes/no...) share one str per value, which is most of the memory saved at a
    million rows. Empty cells become None on the way in, so no second pass over the data. One
    array per column (not one 2D block) lets validation release the columns it no longer needs.
    A column without a label gets its array only when a value arrives in it, and cells right of
    the dense width are kept sparsely (position → value): memory follows the cells present.
    """

    def __init__(self, path: Path, sheet: str | None, labels: list[str], capacity: int) -> None:
        self.path, self.sheet = path, sheet
        width = len(labels)
        labelled = sum(1 for label in labels if label.strip())
        self.capacity = max(min(capacity, MAX_TABLE_CELLS // max(labelled, 1)), 16)
        self.arrays = self.capacity > LIST_ROWS  # numpy object arrays; lists for a small table (no numpy import)
        self.columns: list[Any] = [self._new(self.capacity) if label.strip() else None for label in labels]
        self.allocated = labelled
        self.size = 0
        self.shared: list[dict[str, str | None] | None] = [{"": None} for _ in range(width)]
        self.has_text = [False] * width
        self.pending: list[list[str]] = []
        self.sparse: dict[int, dict[int, str]] = {}   # column → {row position → value}
        self.suspects: list[tuple[int, int, str]] = []  # (row position, column, value) that look mis-encoded

    @property
    def width(self) -> int:
        return len(self.columns)

    def _new(self, size: int) -> Any:
        """An empty column (None everywhere): a numpy object array, or a list while the table is small."""
        if not self.arrays:
            return [None] * size
        import numpy as np

        return np.empty(size, dtype=object)

    def add(self, cells: list[str]) -> None:
        self.pending.append(cells)
        if len(self.pending) >= CHUNK_ROWS:
            self.flush()

    def add_sparse(self, row: int, column: int, value: str) -> None:
        cells = self.sparse.get(column)
        if cells is None:
            if column >= MAX_READ_COLUMNS:
                raise too_far_right(self.path, self.sheet, row, column, value)
            cells = self.sparse[column] = {}
        cells[self.size + len(self.pending)] = value

    def refuse_size(self, rows: int, width: int) -> Exception:
        return unreadable(self.path, f"tableau trop grand{_on(self.sheet)} : {rows:,} lignes × {width} colonnes "
                          f"remplies dépassent la limite de {MAX_TABLE_CELLS:,} cellules.".replace(",", "\u202f"),
                          EXPECTED_SMALLER)

    def _grow(self, stop: int) -> None:
        if stop * max(self.allocated, 1) > MAX_TABLE_CELLS:
            raise self.refuse_size(stop, self.allocated)
        self.capacity = min(max(stop, self.capacity * 3 // 2), MAX_TABLE_CELLS // max(self.allocated, 1))
        self.arrays = self.arrays or self.capacity > LIST_ROWS  # a table growing big goes over to numpy
        for i, old in enumerate(self.columns):
            if old is not None:
                grown = self._new(self.capacity)
                grown[: self.size] = old[: self.size]
                self.columns[i] = grown
                del old

    def flush(self) -> None:
        count = len(self.pending)
        if not count:
            return
        start, stop = self.size, self.size + count
        if stop > self.capacity:
            self._grow(stop)
        # Up to the longest row of the chunk only: short rows are not padded, a column no row of the
        # chunk reaches is left as allocated (None, i.e. empty).
        for i, values in enumerate(zip_longest(*self.pending, fillvalue="")):
            target = self.columns[i]
            if target is None:
                if not any(values):
                    continue  # still nothing in this unlabelled column: no array for it
                if self.capacity * (self.allocated + 1) > MAX_TABLE_CELLS:
                    raise self.refuse_size(stop, self.allocated + 1)
                target = self.columns[i] = self._new(self.capacity)
                self.allocated += 1
            shared = self.shared[i]
            if shared is not None:
                column: Sequence[str | None] = list(map(shared.setdefault, values, values))
                if len(shared) > SHARED_STRINGS_LIMIT:
                    self.shared[i] = None
            elif "" in values:
                column = list(map(_EMPTY_TO_NONE.get, values, values))
            else:
                column = values
            target[start:stop] = column
            if not self.has_text[i]:
                self.has_text[i] = any(v and not v.isspace() for v in values)
            for r in mojibake.column_suspects(values):
                self.suspects.append((start + r, i, values[r]))
        self.size = stop
        self.pending = []

    def result(self, keep: list[int]) -> list[Any]:
        self.flush()
        spare = self.size * 5 < self.capacity * 4
        out = []
        for i in keep:
            if i >= self.width:
                column = self._new(self.size)
                for position, value in self.sparse[i].items():
                    column[position] = value
            elif self.columns[i] is None:
                column = self._new(self.size)
            elif spare:  # much spare room: copy to size, releasing each full column as we go
                column = self.columns[i][: self.size].copy()
                self.columns[i] = None
            else:
                column = self.columns[i][: self.size]
            out.append(column)
        return out


def _fast_trim(cells: list[str], width: int) -> list[str]:
    """Cells cut to `width` when everything after is empty (a C-speed test, for trailing separators)."""
    if len(cells) > width and not "".join(cells[width:]).strip():
        return cells[:width]
    return cells


_ANY_SEPARATOR = re.compile(r"[;,\t]")
LATE_HEADER_ROWS = 1000  # rows after the search window where a missed header is looked for


def late_header(path: Path, sheet: str | None, row: int) -> UnreadableSubmission:
    where = f"feuille « {sheet} », " if sheet else ""
    return unreadable(path, f"aucune ligne d'en-têtes dans les {HEADER_SEARCH_ROWS} premières lignes non vides, "
                      f"où elle est cherchée ; les en-têtes semblent être à la {where}ligne {row}, sous des lignes "
                      "de texte.",
                      f"la ligne d'en-têtes parmi les {HEADER_SEARCH_ROWS} premières lignes non vides (supprimez "
                      "les lignes de titre ou de notes au-dessus du tableau).")


def assemble(path: Path, rows: Iterator[Row], header_score: HeaderScore | None, *, ragged: bool,
             sheet: str | None, capacity: int = 1024) -> Built:
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
        raise unreadable(path, "fichier vide : aucune ligne ne contient de données.",
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
    declared = len(header)                  # CSV: cells beyond it are extra cells
    dense = max((i + 1 for i, label in enumerate(header) if label.strip()), default=0)
    if dense > MAX_READ_COLUMNS:
        raise too_far_right(path, sheet, header_row, dense - 1, header[dense - 1])
    built = _Grid(path, sheet, header[:dense], capacity)
    numbers = array("q")
    blank = 0
    short: dict[int, list[int]] = {}       # cells in the record → [count, first row]
    extra: list[tuple[int, list[str]]] = []
    extra_count = 0
    widest = 0
    # No row of the search window looked like the schema's headers: a real header further down
    # (under a long preamble) is named, rather than reading the preamble as the header.
    lookout = LATE_HEADER_ROWS if header_score is not None and not choice.scored else 0
    for number, cells in after:
        if is_blank(cells):
            blank += 1
            continue
        if lookout:
            lookout -= 1
            # In a CSV the sniffed separator may be the preamble's: look at the cells split by any separator.
            probe = [p for c in cells[:64] for p in (_ANY_SEPARATOR.split(c) if ragged else (c,))]
            if header_score is not None and header_score([c[:80] for c in probe[:64]]) >= 2:
                raise late_header(path, sheet, number)
        n = len(cells)
        widest = max(widest, n)
        if ragged and n > declared:
            tail = cells[declared:]
            if not is_blank(tail):
                extra_count += 1
                if len(extra) < MAX_REPORTED_EXTRA:
                    extra.append((number, tail))
            cells = cells[:declared]
        elif ragged and n < declared:
            stat = short.setdefault(n, [0, number])
            stat[0] += 1
        cells = _fast_trim(cells, dense)
        if len(cells) > dense:
            for i in compress(range(dense, len(cells)), cells[dense:]):  # only the non-empty ones, at C speed
                built.add_sparse(number, i, cells[i])
            cells = cells[:dense]
        built.add(cells)
        numbers.append(number)
    built.flush()
    sparse = sorted(i for i, values in built.sparse.items() if any(v.strip() for v in values.values()))
    keep = [i for i in range(dense) if header[i].strip() or built.has_text[i]] + sparse
    if len(numbers) * len(keep) > MAX_TABLE_CELLS:
        raise built.refuse_size(len(numbers), len(keep))
    if ragged:
        dropped = declared - len(keep)
    else:
        dropped = max(declared, widest) - len(keep)
    labels = [header[i] if i < len(header) else "" for i in keep]
    findings += _shape_findings(path, sheet, blank, max(dropped, 0), short, keep, extra, extra_count, declared)
    if built.arrays:
        import numpy as np

        row_numbers: Any = np.frombuffer(numbers, dtype=np.int64).copy()
    else:
        row_numbers = numbers.tolist()
    findings += mojibake.header_findings(path, sheet, header_row, header[:dense])
    findings += mojibake.findings(path, sheet, built.suspects, keep, labels, row_numbers)
    return Built(labels, header_row, built.result(keep), row_numbers, findings)


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
