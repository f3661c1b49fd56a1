"""The evidence that two rows of different editions describe the same project.

Names change a lot between editions (30 of 61 from 2017-06 to 2017-11: "Réseau Interministériel
de l'Etat" → "RIE", "FRANCECONNECT PHASE II" → "FRANCE CONNECT PHASE II"), while descriptions and
start dates are mostly stable. Each function here turns one kind of evidence into a similarity in
[0, 1], or `None` when one side lacks the data, so that the matcher can weigh what is known.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

import pandas as pd

from panorama.normalise.ministries import Ministry, load_ministries, ministry_key

# Words that carry no identity: French articles and prepositions, plus generic project words.
STOPWORDS = frozenset(
    """a au aux avec ce ces dans de des du d en et l la le les leur leurs par pour sur sous un une
    ou qui que se sa son ses est sont the of and projet projets si systeme information
    informations savoir plus""".split()
)
# Name words that mark a version or a stage rather than the project itself.
NAME_NOISE = frozenset({"v1", "v2", "v3", "cycle", "phase", "etape", "ng", "2017", "2018"})

_COMBINING = re.compile(r"[\u0300-\u036f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HTML_TAG = re.compile(r"<[^>]*>")
_URL = re.compile(r"https?://\S+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NAME_PARTS = re.compile(r"\s[–—-]\s|\s*[():/]\s*")


def fold(text: object) -> str:
    """Lowercase ASCII with accents stripped and "@" read as "a" ("OP@LE" → "opale")."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    value = unicodedata.normalize("NFKD", str(text).replace("@", "a").replace("œ", "oe").replace("Œ", "oe"))
    # Accents (combining marks) vanish; any other non-ASCII character (’, ø…) separates words.
    return _NON_ASCII.sub(" ", _COMBINING.sub("", value)).lower()


def _as_text(value: object) -> str:
    """A cell as text; a missing one (None, NaN, NA, NaT: a frame built from records turns None into
    NaN) is empty, never the word "nan"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def words(text: object) -> list[str]:
    """Accent-folded alphanumeric words, HTML tags and URLs removed."""
    cleaned = _URL.sub(" ", _HTML_TAG.sub(" ", _as_text(text)))
    return [w for w in _NON_ALNUM.split(fold(cleaned)) if w]


def name_tokens(name: object) -> list[str]:
    """The significant words of a project name (underscores, hyphens and dots split words)."""
    return list(_name_tokens(_as_text(name)))


@lru_cache(maxsize=16384)
def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(w for w in words(name) if w not in STOPWORDS)


def acronyms(name: object) -> set[str]:
    return set(_acronyms(_as_text(name)))


@lru_cache(maxsize=16384)
def _acronyms(name: str) -> frozenset[str]:
    """Acronyms a name may be known by: initials of its words, and parenthesised parts.

    "Réseau Interministériel de l'Etat" → "rie"; "SI Paie des EPLE (OPERA)" → "opera".
    """
    found: set[str] = set()
    text = name
    for inner in re.findall(r"\(([^)]*)\)", text):
        found.add("".join(words(inner)))
    # The initials of the whole name, and of each part when a name joins an acronym and its long form
    # ("HCDM – Hébergement et centres de données du ministère", "Long name (ACR)", "ACR : long name").
    parts = [text, *_NAME_PARTS.split(text)]
    for part in parts:
        significant = [w for w in words(part) if w not in STOPWORDS or w == "si"]
        if len(significant) >= 2:
            found.add("".join(w[0] for w in significant))
    return frozenset(a for a in found if len(a) >= 2)


def _tokens_match(a: str, b: str) -> bool:
    """Equal words, or one an abbreviation (prefix of at least 3 letters) of the other."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 3 and long_.startswith(short)


def name_similarity(left: object, right: object) -> float:
    """Similarity of two project names in [0, 1], tolerant of acronyms, splits and versions."""
    return _name_similarity(_as_text(left), _as_text(right))


@lru_cache(maxsize=65536)
def _name_similarity(left: str, right: str) -> float:
    best, lj, rj, final = _name_evidence(left, right)
    if not final:
        # The character ratio only when it could be the best score: it costs most, and
        # `quick_ratio` (common letters) bounds it from above, so skipping it never changes the max.
        matcher = SequenceMatcher(None, lj, rj)
        if matcher.quick_ratio() * 0.8 > best:
            best = max(best, matcher.ratio() * 0.8)
    return float(min(1.0, best))


def name_may_reach(left: object, right: object, needed: float) -> bool:
    """False only when `name_similarity(left, right)` is surely below `needed`, found without the
    character ratio (its `quick_ratio` bound suffices): the matcher skips such pairs unscored."""
    best, lj, rj, final = _name_evidence(_as_text(left), _as_text(right))
    if best >= needed:
        return True
    if final or 2.0 * min(len(lj), len(rj)) / (len(lj) + len(rj)) * 0.8 < needed:  # real_quick_ratio
        return False
    return SequenceMatcher(None, lj, rj).quick_ratio() * 0.8 >= needed


@lru_cache(maxsize=65536)
def _name_evidence(left: str, right: str) -> tuple[float, str, str, bool]:
    """The best name score short of the character ratio, the joined tokens the ratio compares, and
    whether the score is final (the ratio cannot change it)."""
    lt, rt = name_tokens(left), name_tokens(right)
    if not lt or not rt:
        return 0.0, "", "", True
    lj, rj = "".join(lt), "".join(rt)
    if lj == rj:
        return 1.0, lj, rj, True
    core_l = [t for t in lt if t not in NAME_NOISE] or lt
    core_r = [t for t in rt if t not in NAME_NOISE] or rt
    if "".join(core_l) == "".join(core_r):
        return 0.95, lj, rj, True
    scores: list[float] = []
    # Token containment: every word of the shorter name found in the longer one.
    small, big = (core_l, core_r) if len(core_l) <= len(core_r) else (core_r, core_l)
    hits = sum(1 for t in small if any(_tokens_match(t, u) for u in big))
    containment = hits / len(small)
    jaccard = hits / (len(small) + len(big) - hits)
    scores.append(0.6 * containment + 0.4 * jaccard if hits else 0.0)
    if containment == 1.0:
        # A lone short word ("PAS") inside a longer name is weak: "3-PAS-S_DAE" is another project.
        scores.append(0.7 if len(small) == 1 and len(small[0]) <= 4 and len(big) > 1 else 0.9)
    # Acronyms: "RIE" ↔ "Réseau Interministériel de l'Etat", "OPERA" ↔ "SI Paie des EPLE (OPERA)".
    if set(core_l) & acronyms(right) or set(core_r) & acronyms(left) or lj in acronyms(right) or rj in acronyms(left):
        scores.append(0.9)
    return max(scores), lj, rj, False


def description_vectors(texts: Iterable[object]) -> list[dict[str, float]]:
    """TF-IDF vectors (L2-normalised) of descriptions, IDF taken over the texts given together."""
    bags = [dict(_description_bag(_as_text(t))) for t in texts]
    n = len(bags)
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    # Each word's IDF and each count's TF once (the same expressions, so the same floats).
    idf = {w: math.log((1 + n) / (1 + d)) + 1 for w, d in df.items()}
    vectors: list[dict[str, float]] = []
    for bag in bags:
        vec = {w: _tf(c) * idf[w] for w, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        vectors.append({w: v / norm for w, v in vec.items()} if norm else {})
    return vectors


@lru_cache(maxsize=256)
def _tf(count: int) -> float:
    return 1 + math.log(count)


@lru_cache(maxsize=16384)
def _description_bag(text: str) -> tuple[tuple[str, int], ...]:
    """A description's significant words and their counts, in first-seen order (a project's
    description is compared again at every later edition, so it is read once)."""
    return tuple(Counter(w for w in words(text) if len(w) > 2 and w not in STOPWORDS).items())


def cosine(left: dict[str, float], right: dict[str, float]) -> float | None:
    """Cosine of two normalised sparse vectors; `None` when either description is empty."""
    if not left or not right:
        return None
    if len(left) > len(right):
        left, right = right, left
    return float(sum(v * right.get(w, 0.0) for w, v in left.items()))


def date_similarity(left: object, right: object) -> float | None:
    """1 for the same start month, decreasing with the gap; `None` when a date is missing."""
    if left is None or right is None or pd.isna(left) or pd.isna(right):
        return None
    a, b = pd.Timestamp(left), pd.Timestamp(right)
    months = abs((a.year - b.year) * 12 + a.month - b.month)
    if months == 0:
        return 1.0
    if months <= 3:
        return 0.6
    if months <= 12:
        return 0.3
    return 0.0


class Families:
    """Ministry code → the code at the end of its renaming chain (the reference's `successeur`).

    "MEF" and "MACP" (whose successor is "MEF") share a family, so a project that moved from one
    to the other keeps this (weak) evidence. Built from the run's reference: the bundled table
    plus the steward's `data/raw/ministeres.csv`, whose renamings count as the bundled ones do.
    Compared by identity (one per reference), so the similarity caches keep them apart.
    """

    def __init__(self, ministries: Iterable[Ministry]) -> None:
        parent: dict[str, str] = {}

        def find(code: str) -> str:
            while parent.setdefault(code, code) != code:
                code = parent[code]
            return code

        for ministry in ministries:
            root = find(ministry_key(ministry.code))
            if ministry.successeur:
                other = find(ministry_key(ministry.successeur))
                if other != root:
                    parent[max(root, other)] = min(root, other)
        self.roots = {code: find(code) for code in list(parent)}

    @lru_cache(maxsize=4096)  # noqa: B019 - a handful of Families per process, each kept for the run
    def of(self, code: str) -> frozenset[str]:
        """The families a ministry code belongs to; a joint code ("MTES-MAA") belongs to each part's."""
        parts = [code, *re.split(r"[-/]", code)] if code else []
        return frozenset(self.roots.get(ministry_key(p), ministry_key(p)) for p in parts if ministry_key(p))


@lru_cache(maxsize=8)
def families_of(ministries: tuple[Ministry, ...]) -> Families:
    """One `Families` per reference (its ministries, in order)."""
    return Families(ministries)


@lru_cache(maxsize=1)
def bundled_families() -> Families:
    return families_of(load_ministries())


def ministry_families(code: str, families: Families | None = None) -> frozenset[str]:
    """The families a ministry code belongs to (bundled reference unless `families` says otherwise)."""
    return (families or bundled_families()).of(code)


@lru_cache(maxsize=16384)  # a handful of ministries, compared for every pair of rows
def ministry_similarity(code_left: object, name_left: object, code_right: object, name_right: object,
                        families: Families | None = None) -> float | None:
    """1 for the same ministry or family (code or name), else 0; never decisive on its own."""
    if not (code_left or name_left) or not (code_right or name_right):
        return None
    if code_left and code_right and ministry_families(str(code_left), families) & ministry_families(str(code_right), families):
        return 1.0
    if name_left and name_right and " ".join(words(name_left)) == " ".join(words(name_right)):
        return 1.0
    return 0.0


def zone_similarity(left: object, right: object) -> float | None:
    return _zone_similarity(_as_text(left), _as_text(right))


@lru_cache(maxsize=16384)
def _zone_similarity(left: str, right: str) -> float | None:
    """Token overlap of functional zones ("Gestion et contrôle des accès" ⊂ "… / Identification")."""
    lt, rt = set(name_tokens(left)), set(name_tokens(right))
    if not lt or not rt:
        return None
    return len(lt & rt) / min(len(lt), len(rt))


def _closeness(left: object, right: object) -> float | None:
    if left is None or right is None or pd.isna(left) or pd.isna(right):
        return None
    a, b = float(left), float(right)
    if max(abs(a), abs(b)) == 0:
        return 1.0
    gap = abs(a - b) / max(abs(a), abs(b))
    return 1.0 if gap <= 0.05 else 0.5 if gap <= 0.25 else 0.0


def profile_similarity(cost_left: object, duration_left: object, cost_right: object, duration_right: object) -> float | None:
    """Closeness of estimated cost and planned duration (they drift, so only near-equality counts)."""
    known = [v for v in (_closeness(cost_left, cost_right), _closeness(duration_left, duration_right)) if v is not None]
    return sum(known) / len(known) if known else None
