"""Texts that mean "nothing here" ("NC", "n.c.", "-", "néant", "à venir", "en attente …").

In an optional column such a text is read as a blank cell, with an information finding, instead
of failing the column's type ("NC" is not a cost) or being published as if it were a value. The
patterns are data: the bundled `panorama/reference/valeurs-non-communiquees.csv`, extended by the
steward's `data/raw/valeurs-non-communiquees.csv` (same columns: `motif`, a regular expression
matched against the whole cell once lowercased, without accents, punctuation as single spaces;
`exemple`, a spelling it covers).
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from panorama.errors import SettingsError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

REFERENCE_PATH = Path(__file__).resolve().parent.parent / "reference" / "valeurs-non-communiquees.csv"
STEWARD_FILE = "valeurs-non-communiquees.csv"
# A "nothing here" text is short and, unless a pattern says otherwise, holds no digit nor address:
# cells that cannot be one are skipped before the (slower) key and pattern (a 200,000-row file has
# as many distinct descriptions, costs and links as rows).
MAX_CHARS = 80
_CANNOT_BE = r"[0-9]|://|@"
_CANNOT_BE_RE = re.compile(_CANNOT_BE)


class PlaceholderListError(SettingsError):
    """A placeholder list cannot be used (exit 2)."""


def placeholder_key(text: str) -> str:
    """"N.C." → "n c", "Non communiqué(e)" → "non communique e", "—" → ""."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.split(r"[^a-z0-9]+", plain)).strip()


@dataclass(frozen=True)
class Placeholders:
    pattern: re.Pattern[str]
    sources: tuple[str, ...]
    digits: bool = False  # some pattern matches digits: the quick "cannot be one" filter is off

    def _possible(self, text: str) -> bool:
        return len(text) <= MAX_CHARS and (self.digits or _CANNOT_BE_RE.search(text) is None)

    def matches(self, text: str | None) -> bool:
        if text is None:
            return False
        stripped = text.strip()
        return bool(stripped) and self._possible(stripped) and self.pattern.fullmatch(placeholder_key(stripped)) is not None

    def positions(self, cells: list[str | None]) -> list[int]:
        """Positions of the placeholder cells of a column (each distinct text looked at once)."""
        seen: dict[str, bool] = {}
        out = []
        for pos, value in enumerate(cells):
            if value is None or len(value) > MAX_CHARS:
                continue
            hit = seen.get(value)
            if hit is None:
                hit = seen[value] = self.matches(value)
            if hit:
                out.append(pos)
        return out

    def mask(self, series: pd.Series) -> np.ndarray:
        """Boolean mask of the placeholder cells of a column (vectorised path)."""
        import numpy as np
        import pandas as pd

        out = np.zeros(len(series), dtype=bool)
        candidates = np.flatnonzero(series.str.len().le(MAX_CHARS).fillna(False).to_numpy(dtype=bool))
        if len(candidates) and not self.digits:  # long cells (descriptions) never reach the regex
            short = series.iloc[candidates]
            candidates = candidates[~short.str.contains(_CANNOT_BE, regex=True).fillna(True).to_numpy(dtype=bool)]
        if not len(candidates):
            return out
        codes, uniques = pd.factorize(series.iloc[candidates], use_na_sentinel=True)
        flags = np.array([self.matches(str(v)) for v in uniques] + [False], dtype=bool)
        out[candidates] = flags[codes]
        return out


def _patterns(path: Path, steward: bool) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PlaceholderListError(f"{path} : fichier illisible ({exc}). Attendu : un CSV UTF-8 aux colonnes motif,exemple.") from None
    out = []
    for number, row in enumerate(rows, start=2):
        motif = (row.get("motif") or "").strip()
        try:
            re.compile(motif)
        except re.error as exc:
            raise PlaceholderListError(f"{path}, ligne {number} : motif « {motif} » invalide ({exc}). Attendu : une "
                                       "expression régulière, par exemple « non communique[es]* ».") from None
        if steward and not motif:
            raise PlaceholderListError(f"{path}, ligne {number} : motif vide. Attendu : par exemple « a venir ».")
        example = (row.get("exemple") or "").strip()
        if example and re.fullmatch(motif, placeholder_key(example)) is None:
            raise PlaceholderListError(f"{path}, ligne {number} : l'exemple « {example} » ne suit pas le motif « {motif} ».")
        out.append(motif)
    return out


def _compile(motifs: list[str], sources: tuple[str, ...]) -> Placeholders:
    pattern = re.compile("|".join(f"(?:{m})" for m in dict.fromkeys(motifs)))
    bodies = [re.sub(r"\{[0-9]*,?[0-9]*\}", "", m) for m in motifs]  # quantifiers ("x{2,}") are no digits
    digits = any(re.search(r"[0-9]|\\d|\\w", b) for b in bodies)
    return Placeholders(pattern, sources, digits)


@lru_cache(maxsize=1)
def bundled_placeholders() -> Placeholders:
    return _compile(_patterns(REFERENCE_PATH, steward=False), (str(REFERENCE_PATH),))


def load_placeholders(raw_dir: Path | None) -> Placeholders:
    """The bundled patterns, plus the raw folder's `valeurs-non-communiquees.csv` when present."""
    path = Path(raw_dir) / STEWARD_FILE if raw_dir is not None else None
    if path is None or not path.is_file():
        return bundled_placeholders()
    motifs = _patterns(REFERENCE_PATH, steward=False) + _patterns(path, steward=True)
    return _compile(motifs, (str(REFERENCE_PATH), str(path)))
