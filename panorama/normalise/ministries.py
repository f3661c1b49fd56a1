"""The ministries reference: one code and one full name per ministry, renamings included.

Ministries write their own name in many ways (a code in one edition, a full name in the next,
with or without accents, articles or punctuation); a spelling-insensitive key matches each to the
bundled reference, which covers every government since 2016 and links each ministry to its
successor (the identity stage groups ministries into families along those links). The steward
extends or corrects it with `data/raw/ministeres.csv` (same columns), without touching code.

The world stays open: a name that matches nothing gets a provisional code derived from the name
(stable from run to run), a warning, and a line in `ministeres-a-verifier.csv`.
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from panorama.errors import SettingsError

REFERENCE_PATH = Path(__file__).resolve().parent.parent / "reference" / "ministeres.csv"
STEWARD_FILE = "ministeres.csv"  # in data/raw: extends and overrides the bundled reference
JOINT_SEPARATOR = re.compile(r"\s+/\s+")
CODE_PATTERN = re.compile(r"[A-Z][A-Za-z0-9-]{1,19}")
PROVISIONAL_PREFIX = "Prov"  # no hyphen: identity reads "A-B" as a joint ministry
# Words that never tell two ministries apart: articles, conjunctions, prepositions, "ministère".
_IGNORED = frozenset({
    "de", "du", "des", "d", "la", "le", "les", "l", "et", "a", "au", "aux", "en", "pour", "sur", "chez",
    "ministere", "ministeres",
})


@dataclass(frozen=True)
class Ministry:
    code: str
    nom: str
    aliases: tuple[str, ...]
    successeur: str | None
    provisional: bool = False


class MinistryReferenceError(SettingsError):
    """data/raw/ministeres.csv cannot be used (exit 2)."""


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return [w for w in re.split(r"[^a-z0-9]+", plain) if w and w not in _IGNORED]


def ministry_key(text: str) -> str:
    """Spelling-insensitive key: no case, accents, apostrophes, punctuation, articles or conjunctions."""
    return "".join(_words(text))


def provisional_code(name: str) -> str:
    """A code for a ministry the reference does not know: initials of its words and a short hash.

    Derived from the name's key only, so the same name gives the same code in every run and every
    edition ("Ministère de la Souveraineté numérique" → "ProvSN" + 4 hex digits); it fits the schema's
    pattern and holds no hyphen, which the identity stage would read as a joint ministry ("MTES-MAA").
    """
    words = _words(name)
    initials = "".join(w[0] for w in words).upper()[:8] or "X"
    digest = hashlib.sha1(ministry_key(name).encode("utf-8")).hexdigest()[:4]
    return f"{PROVISIONAL_PREFIX}{initials}{digest}"


def _read(path: Path, steward: bool) -> list[Ministry]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
            header = set(rows[0]) if rows else set()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise MinistryReferenceError(f"{path} : fichier illisible ({exc}). Attendu : un CSV UTF-8 aux colonnes "
                                     "code,nom,aliases,successeur.") from None
    if rows and not {"code", "nom"} <= header:
        raise MinistryReferenceError(f"{path}, ligne 1 : colonnes « code » et « nom » attendues (code,nom,aliases,successeur).")
    out = []
    for number, row in enumerate(rows, start=2):
        code, nom = (row.get("code") or "").strip(), (row.get("nom") or "").strip()
        if steward and not CODE_PATTERN.fullmatch(code):
            raise MinistryReferenceError(
                f"{path}, ligne {number} : code « {code} » invalide. Attendu : une majuscule puis 1 à 19 lettres, "
                "chiffres ou tirets, par exemple « MSN »."
            )
        if steward and not nom:
            raise MinistryReferenceError(f"{path}, ligne {number} : le nom du ministère est vide. Attendu : son nom "
                                         "complet, par exemple « Ministère de la Souveraineté numérique ».")
        out.append(Ministry(
            code=code, nom=nom,
            aliases=tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
            successeur=(row.get("successeur") or "").strip() or None,
        ))
    return out


@lru_cache(maxsize=2)
def load_ministries(path: Path = REFERENCE_PATH) -> tuple[Ministry, ...]:
    """The bundled reference (or one file of the same shape)."""
    return tuple(_read(path, steward=False))


class MinistryReference:
    """The bundled reference, extended and overridden by the steward's file of a raw folder."""

    def __init__(self, ministries: tuple[Ministry, ...], steward: tuple[Ministry, ...] = (),
                 source: str | None = None) -> None:
        by_code = {m.code: m for m in ministries}
        for m in steward:  # the steward's line wins: its name and successor, the aliases of both
            old = by_code.get(m.code)
            aliases = (*m.aliases, *(old.aliases if old else ()), *((old.nom,) if old and old.nom != m.nom else ()))
            by_code[m.code] = Ministry(m.code, m.nom, tuple(dict.fromkeys(aliases)), m.successeur or (old.successeur if old else None))
        self.ministries = tuple(by_code.values())
        self.source = source
        self._index: dict[str, Ministry] = {}
        for ministry in (*(by_code[m.code] for m in steward), *self.ministries):
            for spelling in (ministry.code, ministry.nom, *ministry.aliases):
                key = ministry_key(spelling)
                if key:
                    self._index.setdefault(key, ministry)

    def resolve(self, text: str | None) -> Ministry | None:
        """The ministry a cell names (code, full name or alias); a joint "A / B" gives "CODEA-CODEB"."""
        if text is None or not text.strip():
            return None
        found = self._index.get(ministry_key(text))
        if found is not None:
            return found
        parts = JOINT_SEPARATOR.split(text.strip())
        if len(parts) < 2:
            return None
        resolved = [self._index.get(ministry_key(p)) for p in parts]
        if any(m is None for m in resolved):
            return None
        return Ministry(
            code="-".join(m.code for m in resolved),  # type: ignore[union-attr]
            nom=" / ".join(m.nom for m in resolved),  # type: ignore[union-attr]
            aliases=(), successeur=None,
        )

    def resolve_open(self, text: str | None) -> Ministry | None:
        """`resolve`, or a provisional ministry for a name the reference does not know."""
        found = self.resolve(text)
        if found is not None or text is None or not ministry_key(text):
            return found
        name = " ".join(text.split())
        return Ministry(provisional_code(name), name, (), None, provisional=True)


@lru_cache(maxsize=1)
def bundled_reference() -> MinistryReference:
    return MinistryReference(load_ministries())


def load_reference(raw_dir: Path | None) -> MinistryReference:
    """The reference of a run: bundled, plus `ministeres.csv` of the raw folder when present."""
    path = Path(raw_dir) / STEWARD_FILE if raw_dir is not None else None
    if path is None or not path.is_file():
        return bundled_reference()
    steward = tuple(_read(path, steward=True))
    known = {m.code for m in load_ministries()} | {m.code for m in steward}
    for number, m in enumerate(steward, start=2):
        if m.successeur and m.successeur not in known:
            raise MinistryReferenceError(f"{path}, ligne {number} : successeur « {m.successeur} » inconnu. Attendu : "
                                         "le code d'un ministère de la table de référence, par exemple « MTE ».")
    return MinistryReference(load_ministries(), steward, str(path))


def resolve_ministry(text: str | None) -> Ministry | None:
    """The ministry a cell names in the bundled reference; None when unknown."""
    return bundled_reference().resolve(text)


def known_examples(count: int = 4) -> str:
    """A few accepted spellings, for the "expected" part of a finding."""
    picks = ("MI", "MJ", "MEF", "SPM")
    by_code = {m.code: m for m in load_ministries()}
    shown = [f"« {c} » ou « {by_code[c].nom} »" for c in picks[:count] if c in by_code]
    return "un sigle ou un nom de la table des ministères, par exemple " + ", ".join(shown)
