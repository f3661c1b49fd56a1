"""Find the header row below title rows, and the sheet that holds the table.

Ministries put titles, logos and notes above the header and cover sheets before the table, so
neither "first row" nor "first sheet" is safe. A row is judged by how many of its cells are
recognised schema headers (the normaliser's `header_score`); without it, by a plain heuristic.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

HeaderScore = Callable[[Sequence[str]], int]
Row = tuple[int, list[str]]  # (row number as seen in the spreadsheet, cells as text, "" when empty)

HEADER_SEARCH_ROWS = 30      # header looked for among the first 30 non-blank rows
MIN_TEXT_CELLS = 3           # fallback: a header has at least 3 non-empty text cells
SCORED_CELLS = 1_024         # a candidate row is judged on its first cells…
SCORED_CHARS = 256           # …each cut to this length: a multi-megabyte cell is no label, and costs nothing

_NUMBER_LIKE = re.compile(r"^[\s\u00a0]*[-+]?[\d\s\u00a0.,/:%€]+[\s\u00a0]*$")


@dataclass(frozen=True)
class HeaderChoice:
    index: int   # position of the header among the candidate rows
    score: int   # recognised headers (header_score), or non-empty text cells (fallback)
    scored: bool # True when `score` comes from header_score


def is_blank(cells: Sequence[str]) -> bool:
    return not "".join(cells).strip()


def _text_cells(cells: Sequence[str]) -> int:
    """Non-empty cells that are not numbers or dates: a header is made of words."""
    return sum(1 for c in cells if c.strip() and not _NUMBER_LIKE.match(c))


def choose_header(rows: Sequence[Row], header_score: HeaderScore | None) -> HeaderChoice:
    """The header among `rows` (the first non-blank rows): best score, earliest on ties.

    When no row scores (or no scorer is given), the first row with at least three text cells that
    is followed by another row; failing that the first such row; failing that the first row.
    """
    if not rows:
        raise ValueError("no candidate rows")
    candidates = [(n, [c[:SCORED_CHARS] for c in cells[:SCORED_CELLS]]) for n, cells in rows[:HEADER_SEARCH_ROWS]]
    if header_score is not None:
        scores = [int(header_score(cells)) for _, cells in candidates]
        best = max(scores)
        if best > 0:
            return HeaderChoice(scores.index(best), best, True)
    texty = [i for i, (_, cells) in enumerate(candidates) if _text_cells(cells) >= MIN_TEXT_CELLS]
    followed = [i for i in texty if i + 1 < len(rows)]
    if followed:
        index = followed[0]
    elif texty:
        index = texty[0]
    else:
        index = 0
    return HeaderChoice(index, _text_cells(candidates[index][1]), False)


@dataclass(frozen=True)
class SheetCandidate:
    name: str
    rows: list[Row]   # its first non-blank rows (empty when the sheet is empty)
    state: str = "visible"   # "visible", "hidden" or "veryHidden", as the workbook declares it


def choose_sheet(sheets: Sequence[SheetCandidate], header_score: HeaderScore | None) -> int | None:
    """Index of the sheet whose header scores best (first on ties); None when all are empty.

    Scores from `header_score` outrank the fallback count, so a cover sheet full of words never
    beats a sheet with recognised headers. What a person sees is what is read: a hidden sheet is
    considered only when no visible sheet holds anything.
    """
    best_index: int | None = None
    best_key: tuple[int, int, int] | None = None
    any_visible = any(s.rows and s.state == "visible" for s in sheets)
    for i, sheet in enumerate(sheets):
        if not sheet.rows or (any_visible and sheet.state != "visible"):
            continue
        choice = choose_header(sheet.rows, header_score)
        data_rows = len(sheet.rows) - choice.index - 1
        key = (int(choice.scored), choice.score, min(data_rows, 1))
        if best_key is None or key > best_key:
            best_index, best_key = i, key
    return best_index
