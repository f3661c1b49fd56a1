"""Mis-encoded text ("CrÃ©ation", "lâ€™État"): found in any cell, with the text probably meant.

Why in reading: it sees every cell with its row and column label. UTF-8 read as Windows-1252 (or
Latin-1) turns each accented letter into a lead character (Â…ô) followed by what a continuation
byte (0x80–0xBF) looks like in Windows-1252. A cheap regular expression over a whole chunk finds
candidates at C speed; only those are checked cell by cell, and a cell is reported only when
undoing the wrong decoding (ftfy, or a Windows-1252 → UTF-8 round trip) changes it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from panorama.findings.catalog import brief, severity_of
from panorama.findings.core import Finding, clip

MAX_REPORTED = 50
_CONTINUATION = "\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_SUSPECT = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]")
# What UTF-8 read as Windows-1252 starts with for French text: Ã (é è à ç…), Â (nbsp « » °), â€ (’ “ ” … –),
# â‚ (€), Å (œ Œ), Æ, Ä, Ë, Î, Ï, Ð, Ñ, ð (other scripts, emoji).
_MARKERS = ("Ã", "Â", "â€", "â‚", "â„", "Å", "Æ", "Ä", "Ë", "Î", "Ï", "Ð", "Ñ", "ð")


def column_suspects(values: Sequence[str]) -> list[int]:
    """Positions in one column's chunk of values whose text is mis-encoded.

    The whole chunk is tested at C speed first (ASCII only? none of the usual lead characters?),
    so a clean column costs one join and a few substring searches.
    """
    blob = "\x1f".join(values)
    if blob.isascii() or not any(marker in blob for marker in _MARKERS) or not _SUSPECT.search(blob):
        return []
    return [i for i, value in enumerate(values) if value and _SUSPECT.search(value) and fixed(value) != value]


def fixed(text: str) -> str:
    """The text probably meant: ftfy's encoding repair, else one Windows-1252 → UTF-8 round trip."""
    try:
        import ftfy
    except ImportError:  # pragma: no cover - ftfy is a declared dependency; the round trip is the fallback
        return _round_trip(text)
    return str(ftfy.fix_encoding(text))


def _round_trip(text: str) -> str:
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def findings(path: Path, sheet: str | None, suspects: list[tuple[int, int, str]], keep: list[int],
             labels: list[str], row_numbers: Sequence[int]) -> list[Finding]:
    """One warning per mis-encoded cell of a kept column (the first MAX_REPORTED, then a count)."""
    label_of = {column: labels[i] for i, column in enumerate(keep)}
    kept = [(r, c, v) for r, c, v in suspects if c in label_of]
    out = []
    for position, column, value in kept[:MAX_REPORTED]:
        row = int(row_numbers[position])
        label = label_of[column] or f"colonne {column + 1}"
        meant = fixed(value)
        out.append(Finding(
            "texte-mal-encode", severity_of("texte-mal-encode"), path.name,
            f"ligne {row}, colonne « {label} » : « {brief(value)} » contient des caractères abîmés par un mauvais "
            f"encodage ; texte probablement voulu : « {brief(meant)} ».",
            f"le texte tel qu'il doit s'afficher, ex. « {brief(meant)} » (fichier enregistré en UTF-8, "
            "sans conversion entre Windows-1252 et UTF-8).",
            sheet=sheet, row=row, column=labels[keep.index(column)] or None, value=clip(value)))
    if len(kept) > MAX_REPORTED:
        out.append(Finding("texte-mal-encode", severity_of("texte-mal-encode"), path.name,
                           f"{len(kept) - MAX_REPORTED} autre(s) cellule(s) contiennent aussi des caractères abîmés "
                           "par un mauvais encodage.", "des textes enregistrés en UTF-8.", sheet=sheet))
    return out


def header_findings(path: Path, sheet: str | None, header_row: int, labels: list[str]) -> list[Finding]:
    """A mis-encoded column label ("MinistÃ¨re porteur") is why a column goes unrecognised: said too."""
    out = []
    for i in column_suspects(labels):
        meant = fixed(labels[i])
        out.append(Finding(
            "texte-mal-encode", severity_of("texte-mal-encode"), path.name,
            f"ligne {header_row} (en-têtes), colonne {i + 1} : l'intitulé « {brief(labels[i])} » contient des caractères "
            f"abîmés par un mauvais encodage ; intitulé probablement voulu : « {brief(meant)} ».",
            f"l'intitulé tel qu'il doit s'afficher, ex. « {brief(meant)} » (fichier enregistré en UTF-8).",
            sheet=sheet, row=header_row, column=labels[i], value=clip(labels[i])))
    return out
