"""Identity over a long chain: precision and recall of the matcher's links, entering and leaving.

Usage: python bench/identity_chain.py [--editions 16] [--projects 55] [--seed N] [--other-seeds 6] [--no-real]

On the synthetic chain of bench/identity_synthetic.py (known truth: 16 semestrial editions, three
of them missing from the chain, ministries renamed, names rewritten, successors entering as their
predecessor leaves) and on the five real editions of ../shared/real-editions read together, prints
(JSON, kept in bench/results/) the links' precision and recall, and per edition the projects
entering and leaving found vs the truth. The real editions' truth is what DINUM published: 2017-11
had one project entering and one leaving; the others have no published truth and are shown as found.
`--other-seeds N` also runs N other chains (seeds 1..N) and prints their figures, to show the matcher
was not tuned to one draw.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.identity_synthetic import SEED, TRUTH, Chain, build_chain

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-editions"
VISIBLE = ["ministere_code", "nom_projet", "description", "cout_estime_meur", "duree_previsionnelle_annees"]
REAL_TRUTH = {"2017-11": (1, 1)}  # published moves (figures.csv)


def evaluate(chain: Chain, history) -> dict:
    """Links and moves of a history built from `chain.inputs()`, against the chain's truth."""
    truth: dict[tuple, str] = {}  # a row's visible fields → its true project (the history keeps no row number)
    for edition, table in zip(chain.editions, chain.tables):
        for key, *fields in zip(table[TRUTH], *(table[c] for c in VISIBLE)):
            if (edition.id, *fields) in truth:
                raise ValueError(f"two rows of {edition.id} look the same: the truth cannot be read back")
            truth[(edition.id, *fields)] = key
    owner: dict[str, str] = {}  # identifiant → the true project of its latest row (a link joins two rows)
    seen_ids: set[str] = set()
    seen_keys: set[str] = set()
    predicted = correct = expected = 0
    moves = []
    previous_ids: set[str] | None = None
    previous_keys: set[str] | None = None
    for edition in chain.editions:
        rows = history[history["edition"] == edition.id]
        ids, keys = set(), set()
        for ident, *fields in zip(rows["identifiant"], *(rows[c] for c in VISIBLE)):
            key = truth[(edition.id, *fields)]
            ids.add(ident)
            keys.add(key)
            if ident in seen_ids:
                predicted += 1
                correct += owner[ident] == key
            if key in seen_keys:
                expected += 1
            owner[ident] = key
        if previous_ids is not None:
            moves.append({
                "edition": edition.id, "numero": edition.numero,
                "entrants": len(ids - previous_ids), "entrants_vrais": len(keys - previous_keys),
                "sortants": len(previous_ids - ids), "sortants_vrais": len(previous_keys - keys),
            })
        seen_ids |= ids
        seen_keys |= keys
        previous_ids, previous_keys = ids, keys
    exact = all(m["entrants"] == m["entrants_vrais"] and m["sortants"] == m["sortants_vrais"] for m in moves)
    return {
        "liens_trouves": predicted, "liens_justes": correct, "liens_attendus": expected,
        "precision": round(correct / predicted, 4) if predicted else 1.0,
        "rappel": round(correct / expected, 4) if expected else 1.0,
        "mouvements_exacts": exact, "mouvements": moves,
    }


def run_chain(chain: Chain) -> tuple[dict, object]:
    from panorama.identity import assign_identifiers
    from panorama.identity.aliases import empty_aliases

    started = time.perf_counter()
    result = assign_identifiers(chain.inputs(), empty_aliases())
    seconds = time.perf_counter() - started
    out = evaluate(chain, result.history)
    out["secondes_identite"] = round(seconds, 2)
    out["a_verifier"] = len(result.review)
    return out, result


def run_real() -> dict:
    from panorama.edition import discover_editions
    from panorama.history import transitions
    from panorama.identity import assign_identifiers, load_aliases
    from panorama.validation.submission import validate_edition

    if not (REAL / "figures.csv").is_file():
        return {"absent": str(REAL)}
    editions = discover_editions(REAL)
    tables = [(e, validate_edition(e).table) for e in editions]
    started = time.perf_counter()
    result = assign_identifiers(tables, load_aliases(REAL))
    seconds = time.perf_counter() - started
    moves = transitions(result.history)
    out = []
    for edition in editions[1:]:
        sub = moves[moves["edition"] == edition.id]
        entering = sorted(sub.loc[sub["mouvement"] == "entrant", "nom_projet"])
        leaving = sorted(sub.loc[sub["mouvement"] == "sortant", "nom_projet"])
        row = {"edition": edition.id, "entrants": len(entering), "sortants": len(leaving),
               "noms_entrants": entering, "noms_sortants": leaving}
        if edition.id in REAL_TRUTH:
            row["entrants_publies"], row["sortants_publies"] = REAL_TRUTH[edition.id]
        out.append(row)
    exact = all((r["entrants"], r["sortants"]) == (r["entrants_publies"], r["sortants_publies"])
                for r in out if "entrants_publies" in r)
    return {"mouvements_publies_exacts": exact, "secondes_identite": round(seconds, 2), "a_verifier": len(result.review),
            "mouvements": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, default=16)
    parser.add_argument("--projects", type=int, default=55)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--other-seeds", type=int, default=6)
    parser.add_argument("--no-real", action="store_true")
    args = parser.parse_args()
    chain = build_chain(args.editions, args.projects, seed=args.seed)
    synthetic, _ = run_chain(chain)
    result = {"chaine_synthetique": {"editions_dans_la_chaine": len(chain.editions), "editions_absentes": chain.missing,
                                     "graine": args.seed, **synthetic}}
    others = []
    for seed in range(1, args.other_seeds + 1):
        figures, _ = run_chain(build_chain(args.editions, args.projects, seed=seed))
        wrong_moves = sum(m["entrants"] != m["entrants_vrais"] or m["sortants"] != m["sortants_vrais"]
                          for m in figures["mouvements"])
        others.append({"graine": seed, **{k: figures[k] for k in ("liens_attendus", "precision", "rappel",
                                                                     "mouvements_exacts", "a_verifier")},
                       "editions_aux_mouvements_inexacts": wrong_moves})
    if others:
        result["autres_graines"] = others
    if not args.no_real:
        result["editions_reelles"] = run_real()
    from bench.common import write_result
    write_result("identity_chain", result)


if __name__ == "__main__":
    main()
