"""Minting project identifiers: readable, stable, and valid against the schema's pattern.

An identifier is minted once, at a project's first appearance, from its ministry code and its
name ("spm-france-connect"); it never changes afterwards even when the name does, which is the
whole point. Collisions take "-2", "-3"… in the order projects are met, which the caller makes
deterministic.
"""
from __future__ import annotations

import re

from panorama.identity.features import fold

IDENTIFIER_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_LENGTH = 80


def is_valid_identifier(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_LENGTH and bool(IDENTIFIER_PATTERN.match(value))


def slugify(text: object) -> str:
    """ASCII-folded, lowercase words joined by hyphens ("SÉGUR-FONTENOY" → "segur-fontenoy")."""
    return "-".join(w for w in re.split(r"[^a-z0-9]+", fold(text)) if w)


def base_identifier(ministere_code: object, nom_projet: object) -> str:
    """The identifier a project would get without collision: ministry code then name, ≤ 80 chars."""
    ministry = slugify(ministere_code) or "ministere"
    name = slugify(nom_projet) or "projet"
    slug = f"{ministry}-{name}"
    if len(slug) > MAX_LENGTH - 4:  # keep room for a "-NNN" suffix
        slug = slug[: MAX_LENGTH - 4].rstrip("-")
    return slug


def mint(ministere_code: object, nom_projet: object, taken: set[str]) -> str:
    """A new identifier not in `taken`; the caller adds it to `taken`."""
    base = base_identifier(ministere_code, nom_projet)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
