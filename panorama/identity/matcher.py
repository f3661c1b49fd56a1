"""Score every (current row, earlier project) pair and take a one-to-one assignment.

The score is a weighted mean of the evidence in `features`: name, description and start date
weigh most; near-equal cost and duration help; the ministry family and the functional zone only
tip close calls, since ministries are renamed. A missing signal counts as half-way evidence, so
that a blank cell neither proves nor refutes a link; two filled descriptions with almost no word
in common cost a penalty. Thresholds were set on the five real editions 2016-11…2018-07: the
weakest true link scored 0.58 (same name, start date rewritten), the strongest false pair 0.54
(two MEF purchasing systems starting the same month), which goes to review. Pairs are taken greedily from the highest score, each side at
most once: only scores ≥ `T_HIGH` become links; scores in [`T_LOW`, `T_HIGH`) go to the steward's
review and the row becomes a new project — an unsure link is never silently taken. A pair below
`T_LOW` plays no part, so `assign` scores in full only the pairs an upper bound of their score
(`screen`'s matrices, then the name's own bound) lets reach `T_LOW`; `score_pairs` scores them all.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from panorama.identity import features as ft
from panorama.identity import screen
from panorama.identity.screen import Record

WEIGHTS = {"nom": 0.27, "description": 0.28, "debut": 0.25, "profil": 0.10, "ministere": 0.05, "zone": 0.05}
MISSING_SIGNAL = 0.5
# Each edition a project skipped lowers its score a little: prefer continuity.
SKIP_PENALTY = 0.03
# Two filled descriptions sharing almost no word contradict a link (same month and ministry are common).
UNRELATED_DESCRIPTION = 0.10
CONTRADICTION_PENALTY = 0.10
T_HIGH = 0.55
T_LOW = 0.40
# Allowance of the screen's bound: the cosine's rounding and the score's rounding to 6 decimals.
SCREEN_SLACK = 1e-6

PAIR_COLUMNS = [
    "courant", "candidat", "identifiant", "score", "nom", "description", "debut", "profil", "ministere", "zone", "preuves",
]


@dataclass(frozen=True)
class Assignment:
    """Sure links (current row label → identifiant) and the unsure pairs left to the steward."""

    links: dict[object, str]
    pairs: list[dict[str, object]]  # the pairs scoring T_LOW or more: PAIR_COLUMNS and a "decision"


def _evidence(signals: dict[str, float | None], current: dict, candidate: dict) -> str:
    """A short French account of which signals agree, for the review file."""
    parts: list[str] = []
    if signals["debut"] == 1.0:
        parts.append(f"même mois de début ({pd.Timestamp(current['date_debut']).strftime('%Y-%m')})")
    elif signals["debut"] is None:
        parts.append("date de début manquante")
    else:
        parts.append(f"début différent ({_month(current['date_debut'])} / {_month(candidate['date_debut'])})")
    desc = signals["description"]
    if desc is None:
        parts.append("description absente")
    elif desc < UNRELATED_DESCRIPTION:
        parts.append(f"descriptions sans rapport ({desc:.2f})")
    else:
        parts.append(f"description similaire à {desc:.2f}")
    parts.append(f"nom similaire à {signals['nom']:.2f}")
    if signals["profil"] is not None and signals["profil"] >= 0.75:
        parts.append("coût et durée proches")
    if signals["ministere"] == 1.0:
        parts.append("même ministère")
    if signals["zone"] is not None and signals["zone"] >= 0.5:
        parts.append("même zone fonctionnelle")
    return ", ".join(parts)


def _month(value: object) -> str:
    return "?" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m")


def _pair(cur_label: object, cur: Record, cur_vec: dict[str, float],
          cand_label: object, cand: Record, cand_vec: dict[str, float],
          families: ft.Families | None = None) -> dict[str, object]:
    """One pair's signals, score and evidence, from the scalar functions of `features`."""
    signals: dict[str, float | None] = {
        "nom": ft.name_similarity(cur["nom_projet"], cand["nom_projet"]),
        "description": ft.cosine(cur_vec, cand_vec),
        "debut": ft.date_similarity(cur["date_debut"], cand["date_debut"]),
        "profil": ft.profile_similarity(
            cur["cout_estime_meur"], cur["duree_previsionnelle_annees"],
            cand["cout_estime_meur"], cand["duree_previsionnelle_annees"],
        ),
        "ministere": ft.ministry_similarity(
            cur["ministere_code"], cur["ministere_nom"], cand["ministere_code"], cand["ministere_nom"], families
        ),
        "zone": ft.zone_similarity(cur["zone_fonctionnelle"], cand["zone_fonctionnelle"]),
    }
    score = sum(w * (MISSING_SIGNAL if signals[k] is None else signals[k]) for k, w in WEIGHTS.items())
    score -= SKIP_PENALTY * int(cand.get("_saut", 0) or 0)
    if signals["description"] is not None and signals["description"] < UNRELATED_DESCRIPTION:
        score -= CONTRADICTION_PENALTY
    return {"courant": cur_label, "candidat": cand_label, "identifiant": cand["identifiant"],
            "score": round(float(score), 6), **signals,
            "preuves": _evidence(signals, cur, cand) if score >= T_LOW else None}


def _plausible(current: Sequence[Record], candidates: Sequence[Record], cur_vec: Sequence[dict[str, float]],
               cand_vec: Sequence[dict[str, float]], floor: float,
               families: ft.Families | None = None) -> list[tuple[int, int, float]]:
    """The (current, candidate) positions whose score may reach `floor`, with the name similarity
    each would need: an upper bound of every pair's score, with the name taken as identical, from
    `screen`'s signal matrices. `SCREEN_SLACK` covers the cosine's rounding and the score's rounding
    to 6 decimals, so no pair scoring `floor` or more is ever left out (tests/test_identity_screen.py
    checks it on the chains)."""
    cosine = screen.cosine_matrix(cur_vec, cand_vec)
    signals = {
        "nom": np.ones((len(current), len(candidates))),
        "description": np.minimum(cosine + screen.COSINE_SLACK, 1.0),
        "debut": screen.date_matrix(current, candidates),
        "profil": screen.profile_matrix(current, candidates),
        "ministere": screen.ministry_matrix(current, candidates, families),
        "zone": screen.zone_matrix(current, candidates),
    }
    bound = sum(w * np.where(np.isnan(signals[k]), MISSING_SIGNAL, signals[k]) for k, w in WEIGHTS.items())
    skips = np.array([int(c.get("_saut", 0) or 0) for c in candidates], dtype=float)
    bound = bound - SKIP_PENALTY * skips[None, :]
    surely_unrelated = ~np.isnan(cosine) & (cosine + screen.COSINE_SLACK < UNRELATED_DESCRIPTION)
    bound = bound - np.where(surely_unrelated, CONTRADICTION_PENALTY, 0.0)
    rows, cols = np.nonzero(bound >= floor - SCREEN_SLACK)
    # The name similarity the pair needs to reach `floor`, the rest of its bound being known.
    needed = (floor - SCREEN_SLACK - (bound[rows, cols] - WEIGHTS["nom"])) / WEIGHTS["nom"]
    return list(zip(rows.tolist(), cols.tolist(), needed.tolist()))


def _scored(current: Mapping[object, Record], candidates: Mapping[object, Record], floor: float | None,
            families: ft.Families | None = None) -> list[dict[str, object]]:
    """Every pair scored (`floor` None), or only those scoring `floor` or more (screened first)."""
    cur_labels, cur_records = list(current), list(current.values())
    cand_labels, cand_records = list(candidates), list(candidates.values())
    vectors = ft.description_vectors([*(r["description"] for r in cur_records),
                                      *(r["description"] for r in cand_records)])
    cur_vec, cand_vec = vectors[: len(cur_records)], vectors[len(cur_records):]
    if floor is None:
        return [_pair(cur_labels[i], cur_records[i], cur_vec[i], cand_labels[j], cand_records[j], cand_vec[j],
                      families)
                for i in range(len(cur_records)) for j in range(len(cand_records))]
    pairs = []
    for i, j, needed in _plausible(cur_records, cand_records, cur_vec, cand_vec, floor, families):
        if ft.name_may_reach(cur_records[i]["nom_projet"], cand_records[j]["nom_projet"], needed):
            pair = _pair(cur_labels[i], cur_records[i], cur_vec[i], cand_labels[j], cand_records[j], cand_vec[j],
                         families)
            if pair["score"] >= floor:
                pairs.append(pair)
    return pairs


def score_pairs(current: pd.DataFrame, candidates: pd.DataFrame, families: ft.Families | None = None) -> pd.DataFrame:
    """Every pair's signals and score; `candidates` needs an `identifiant` and a `_saut` (skips).

    The reference the screened scoring of `assign` is checked against."""
    if current.empty or candidates.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PAIR_COLUMNS})
    rows = _scored(dict(zip(current.index, current.to_dict("records"))),
                   dict(zip(candidates.index, candidates.to_dict("records"))), None, families)
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def assign(current: Mapping[object, Record], candidates: Mapping[str, Record],
           families: ft.Families | None = None) -> Assignment:
    """Greedy one-to-one assignment on the pairs scoring `T_LOW` or more, highest score first.

    `current` maps a row label to its fields; `candidates` maps an identifiant to the fields of its
    latest appearance, with `identifiant` and `_saut` (editions skipped). A pair below `T_LOW`
    never takes part in the assignment, so it is neither scored in full nor kept. Ties are broken
    by identifiant then row label so the result never depends on row order. `families`: the
    run's ministry renamings (default: the bundled reference's).
    """
    pairs = _scored(current, candidates, T_LOW, families) if current and candidates else []
    links: dict[object, str] = {}
    order = sorted(pairs, key=lambda p: (-p["score"], str(p["identifiant"]), str(p["courant"])))
    taken_cur: set[object] = set()
    taken_id: set[str] = set()
    for pair in order:
        pair["decision"] = ""
        cur, ident, score = pair["courant"], pair["identifiant"], pair["score"]
        if cur in taken_cur or ident in taken_id:
            continue
        if score >= T_HIGH:
            links[cur] = ident
            pair["decision"] = "lien retenu"
            taken_cur.add(cur)
            taken_id.add(ident)
        elif score >= T_LOW:
            # Unsure: the row becomes a new project and the candidate stays free.
            pair["decision"] = "nouveau projet"
            taken_cur.add(cur)
    return Assignment(links=links, pairs=pairs)
