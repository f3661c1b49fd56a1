"""The rules of one cell, without pandas: patterns, vocabularies and per-cell conversions.

Shared by the vectorised column functions of `values.py` and the list path of `cells.py`, so that
validating a small file never imports pandas or Arrow (one source for both paths).
"""
from __future__ import annotations

import html
import re
import unicodedata

# Pattern strings for whole columns: pandas hands them to Arrow's RE2 kernels only when they avoid
# \s, \d, \w, $, lookarounds and \u escapes (else it loops in Python), hence the spelled-out classes.
_SPACES = "[ \t\n\u00a0\u202f\u2009\u2007']+"
_NUMBER_UNIT = "(?i)(?:m€|meur|m ?eur|€|millions?(?:d.?euros)?|années?|ans?)\\Z"
STRICT_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

PHASES = {
    "cadrage": "Cadrage",
    "conceptionrealisation": "Conception / Réalisation",
    "conception": "Conception / Réalisation",
    "realisation": "Conception / Réalisation",
    "experimentation": "Expérimentation",
    "deploiement": "Déploiement",
    "termine": "Terminé",
    "terminee": "Terminé",
    "revisiondetrajectoire": "Révision de trajectoire",
    "revisiontrajectoire": "Révision de trajectoire",
}
BRACKETS = {
    "<5": "moins de 5 M€", "moinsde5": "moins de 5 M€", "inferieura5": "moins de 5 M€",
    "entre5et9": "entre 5 et 9 M€", "5a9": "entre 5 et 9 M€",
    "entre9et20": "entre 9 et 20 M€", "9a20": "entre 9 et 20 M€",
    "entre20et100": "entre 20 et 100 M€", "20a100": "entre 20 et 100 M€",
    ">100": "plus de 100 M€", "plusde100": "plus de 100 M€", "superieura100": "plus de 100 M€",
    "encadrage": "en cadrage",
}
BRACKET_BOUNDS = {
    "moins de 5 M€": (0.0, 5.0), "entre 5 et 9 M€": (5.0, 9.0), "entre 9 et 20 M€": (9.0, 20.0),
    "entre 20 et 100 M€": (20.0, 100.0), "plus de 100 M€": (100.0, float("inf")),
}
TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1", "x"})
FALSE_WORDS = frozenset({"non", "n", "no", "false", "faux", "0"})

_ANCHOR = re.compile(r"<a\b[^>]*?>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_MORE_LINK = re.compile(
    r"\(?\s*<a\b[^>]*>\s*en savoir plus\s*</a\s*>\s*\)?", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]+>")
_URL = re.compile(r"(?:https?://|(?<![\w/.@])www\.)[^\s;<>\"']+", re.IGNORECASE)


TEXT = "string[pyarrow]"  # Arrow-backed text: string kernels run in C++ instead of a Python loop
STRICT_URLS = r"https?://[^ \t\n\r\f\v]+( https?://[^ \t\n\r\f\v]+)*"


def plain_key(text: str) -> str:
    """Lowercase, accentless, alphanumerics only (plus < and >): the key of a spelling."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9<>]", "", plain)


def urls_of(text: str) -> list[str]:
    """The web addresses of a text; "www.x.fr" gets the "http://" the schema asks for."""
    found = [u.rstrip(".,)") for u in _URL.findall(text)]
    return [u if u.lower().startswith("http") else "http://" + u for u in found]


def strip_html(text: str) -> tuple[str, list[str]]:
    """Text without tags, and the addresses of its links ("en savoir plus" links removed)."""
    if "<" not in text:
        return text, []
    links = [u for m in _HREF.finditer(text) for u in urls_of(m[1] or m[2] or "")]
    plain = _MORE_LINK.sub("", text)
    plain = _ANCHOR.sub(lambda m: m[1], plain)
    plain = html.unescape(_TAG.sub("", plain))
    plain = re.sub(r"[ \t]+\n", "\n", plain).strip()
    return plain, list(dict.fromkeys(links))
