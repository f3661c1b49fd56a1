"""Score every (current row, earlier project) pair and take a one-to-one assignment.

The score is a weighted mean of the evidence in `features`: name, description and start date
weigh most; near-equal cost and duration help; the ministry family and the functional zone only
tip close calls, since ministries are renamed. A missing signal counts as half-way evidence, so
that a blank cell neither proves nor refutes a link; two filled descriptions with almost no word
in common cost a penalty. Thresholds were set on the five real editions 2016-11…2018-07: the
weakest true link scored 0.58 (same name, start date rewritten), the strongest false pair 0.54
(two MEF purchasing systems starting the same month), which goes to review. Pairs are taken greedily from the highest score, each side at
most once: only scores ≥ `T_HIGH` become links; scores in [`T_LOW`, `T_HIGH`) go to the steward's
review and the row becomes a new project — an unsure link is never silently taken.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from panorama.identity import features as ft

WEIGHTS = {"nom": 0.27, "description": 0.28, "debut": 0.25, "profil": 0.10, "ministere": 0.05, "zone": 0.05}
MISSING_SIGNAL = 0.5
# Each edition a project skipped lowers its score a little: prefer continuity.
SKIP_PENALTY = 0.03
# Two filled descriptions sharing almost no word contradict a link (same month and ministry are common).
UNRELATED_DESCRIPTION = 0.10
CONTRADICTION_PENALTY = 0.10
T_HIGH = 0.55
T_LOW = 0.40

PAIR_COLUMNS = [
    "courant", "candidat", "identifiant", "score", "nom", "description", "debut", "profil", "ministere", "zone", "preuves",
]


@dataclass(frozen=True)
class Assignment:
    """Sure links (current row label → identifiant) and the unsure pairs left to the steward."""

    links: dict[object, str]
    pairs: pd.DataFrame  # every scored pair, PAIR_COLUMNS, with a "decision" column
    review: pd.DataFrame  # subset of pairs the steward should look at


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


def score_pairs(current: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Every pair's signals and score; `candidates` needs an `identifiant` and a `_saut` (skips)."""
    if current.empty or candidates.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PAIR_COLUMNS})
    vectors = ft.description_vectors([*current["description"], *candidates["description"]])
    cur_vec, cand_vec = vectors[: len(current)], vectors[len(current):]
    rows: list[dict[str, object]] = []
    cur_records = current.to_dict("records")
    cand_records = candidates.to_dict("records")
    for i, (cur_label, cur) in enumerate(zip(current.index, cur_records)):
        for j, (cand_label, cand) in enumerate(zip(candidates.index, cand_records)):
            signals: dict[str, float | None] = {
                "nom": ft.name_similarity(cur["nom_projet"], cand["nom_projet"]),
                "description": ft.cosine(cur_vec[i], cand_vec[j]),
                "debut": ft.date_similarity(cur["date_debut"], cand["date_debut"]),
                "profil": ft.profile_similarity(
                    cur["cout_estime_meur"], cur["duree_previsionnelle_annees"],
                    cand["cout_estime_meur"], cand["duree_previsionnelle_annees"],
                ),
                "ministere": ft.ministry_similarity(
                    cur["ministere_code"], cur["ministere_nom"], cand["ministere_code"], cand["ministere_nom"]
                ),
                "zone": ft.zone_similarity(cur["zone_fonctionnelle"], cand["zone_fonctionnelle"]),
            }
            score = sum(w * (MISSING_SIGNAL if signals[k] is None else signals[k]) for k, w in WEIGHTS.items())
            score -= SKIP_PENALTY * int(cand.get("_saut", 0) or 0)
            if signals["description"] is not None and signals["description"] < UNRELATED_DESCRIPTION:
                score -= CONTRADICTION_PENALTY
            rows.append(
                {"courant": cur_label, "candidat": cand_label, "identifiant": cand["identifiant"],
                 "score": round(float(score), 6), **signals,
                 "preuves": _evidence(signals, cur, cand) if score >= T_LOW else None}
            )
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def assign(current: pd.DataFrame, candidates: pd.DataFrame) -> Assignment:
    """Greedy one-to-one assignment on the scored pairs, highest score first.

    Ties are broken by identifiant then row label so the result never depends on row order.
    """
    pairs = score_pairs(current, candidates)
    decisions = ["" for _ in range(len(pairs))]
    links: dict[object, str] = {}
    if not pairs.empty:
        currents, idents, scores = list(pairs["courant"]), list(pairs["identifiant"]), list(pairs["score"])
        order = sorted(range(len(pairs)), key=lambda k: (-scores[k], str(idents[k]), str(currents[k])))
        taken_cur: set[object] = set()
        taken_id: set[str] = set()
        for k in order:
            cur, ident, score = currents[k], idents[k], scores[k]
            if cur in taken_cur or ident in taken_id:
                continue
            if score >= T_HIGH:
                links[cur] = ident
                decisions[k] = "lien retenu"
                taken_cur.add(cur)
                taken_id.add(ident)
            elif score >= T_LOW:
                # Unsure: the row becomes a new project and the candidate stays free.
                decisions[k] = "nouveau projet"
                taken_cur.add(cur)
    pairs = pairs.assign(decision=decisions)
    review = pairs[pairs["decision"] == "nouveau projet"]
    return Assignment(links=links, pairs=pairs, review=review.reset_index(drop=True))
