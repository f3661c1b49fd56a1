"""The ministries reference table: one code and one full name per ministry, renamings included.

Ministries write their own name in many ways (a code in one edition, a full name in the next,
with or without accents, singular or plural); every spelling found in a real edition is an
alias here, so that `ministere_code` and `ministere_nom` are always filled the same way.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_PATH = Path(__file__).resolve().parent.parent / "reference" / "ministeres.csv"
JOINT_SEPARATOR = re.compile(r"\s+/\s+")


@dataclass(frozen=True)
class Ministry:
    code: str
    nom: str
    aliases: tuple[str, ...]
    successeur: str | None


def ministry_key(text: str) -> str:
    """Spelling-insensitive key: no accents, no case, no spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]", "", plain)


@lru_cache(maxsize=2)
def load_ministries(path: Path = REFERENCE_PATH) -> tuple[Ministry, ...]:
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Ministry(
                code=row["code"].strip(),
                nom=row["nom"].strip(),
                aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                successeur=(row.get("successeur") or "").strip() or None,
            )
            for row in csv.DictReader(fh)
        )


@lru_cache(maxsize=2)
def _index(path: Path = REFERENCE_PATH) -> dict[str, Ministry]:
    index: dict[str, Ministry] = {}
    for ministry in load_ministries(path):
        for spelling in (ministry.code, ministry.nom, *ministry.aliases):
            index.setdefault(ministry_key(spelling), ministry)
    return index


def resolve_ministry(text: str | None) -> Ministry | None:
    """The ministry a cell names (code, full name or alias); a joint "A / B" gives "CODEA-CODEB"."""
    if text is None or not text.strip():
        return None
    found = _index().get(ministry_key(text))
    if found is not None:
        return found
    parts = JOINT_SEPARATOR.split(text.strip())
    if len(parts) < 2:
        return None
    resolved = [_index().get(ministry_key(p)) for p in parts]
    if any(m is None for m in resolved):
        return None
    return Ministry(
        code="-".join(m.code for m in resolved),  # type: ignore[union-attr]
        nom=" / ".join(m.nom for m in resolved),  # type: ignore[union-attr]
        aliases=(),
        successeur=None,
    )


def known_examples(count: int = 4) -> str:
    """A few accepted spellings, for the "expected" part of a finding."""
    picks = ("MI", "MJ", "MEF", "SPM")
    by_code = {m.code: m for m in load_ministries()}
    shown = [f"« {c} » ou « {by_code[c].nom} »" for c in picks[:count] if c in by_code]
    return "un sigle ou un nom de la table des ministères, par exemple " + ", ".join(shown)
