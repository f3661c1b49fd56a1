"""A stable project identifier across editions, and the cumulative history built on it.

Published files never carried an identifier and names change a lot, so each row of an edition
gets its identifier by, in order of authority:
1. the steward's table `identifiants.csv` (always wins);
2. an identifier carried by the submission itself;
3. a sure match against the projects of earlier editions (any earlier edition, so a project may
   skip one; the latest appearance is the one compared), see `matcher`;
4. otherwise a new identifier minted from the ministry code and the name, see `ids`.
Unsure matches are never taken: they go to `review` for the steward, who settles them with an
alias line. Everything is a pure function of the tables and the alias table.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from panorama.edition import Edition
from panorama.errors import InvalidEdition
from panorama.history import stack_editions
from panorama.identity import features, matcher
from panorama.identity.aliases import load_aliases, match_key
from panorama.identity.ids import is_valid_identifier, mint
from panorama.normalise.ministries import MinistryReference, resolve_ministry

__all__ = ["IdentityResult", "assign_identifiers", "load_aliases", "REVIEW_COLUMNS", "LINK_COLUMNS"]

REVIEW_COLUMNS = [
    "edition", "ministere_code", "nom_projet", "identifiant_candidat", "nom_candidat", "edition_candidat",
    "score", "preuves", "decision",
]
LINK_COLUMNS = [
    "edition", "identifiant", "ministere_code", "nom_projet", "source", "edition_precedente",
    "nom_precedent", "score", "preuves",
]
# The signals the matcher compares, kept for the latest appearance of every identifier.
_CANDIDATE_FIELDS = [
    "ministere_code", "ministere_nom", "nom_projet", "description", "date_debut",
    "duree_previsionnelle_annees", "cout_estime_meur", "zone_fonctionnelle",
]


@dataclass(frozen=True)
class IdentityResult:
    history: pd.DataFrame  # history_columns(), sorted by (numero_edition, identifiant)
    review: pd.DataFrame  # REVIEW_COLUMNS: unsure links the steward should settle
    links: pd.DataFrame  # LINK_COLUMNS: how every row got its identifier
    warnings: tuple[str, ...] = ()  # French notes, e.g. an alias line matching no project


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _ordered(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in a content-based order, so that ids never depend on file or row order."""
    n = len(table)
    keys = list(zip(
        [match_key(v) for v in table["ministere_code"]],
        [match_key(v) for v in table["nom_projet"]],
        [_text(v) for v in table["nom_projet"]],
        [_text(v) for v in table["_fichier"]] if "_fichier" in table else [""] * n,
        list(table["_ligne"]) if "_ligne" in table else [0] * n,
    ))
    order = sorted(range(n), key=keys.__getitem__)  # stable, as the tie-breaking needs
    return table.iloc[order].reset_index(drop=True)


def _alias_ministries(text: object) -> set[str]:
    """Keys an alias's ministry cell may match: as written, and its reference code when known."""
    written = match_key(text)
    if not written:
        return set()
    resolved = resolve_ministry(str(text))
    return {written} | ({match_key(resolved.code), match_key(resolved.nom)} if resolved else set())


def _apply_aliases(edition: Edition, table: pd.DataFrame, aliases: pd.DataFrame,
                   ids: list[str | None], sources: list[str], warnings: list[str]) -> None:
    lines = aliases[aliases["edition"] == edition.id] if not aliases.empty else aliases
    if lines.empty:
        return
    names = [match_key(v) for v in table["nom_projet"]]
    ministries = [{match_key(c), match_key(n)} for c, n in zip(table["ministere_code"], table["ministere_nom"])]
    for alias in lines.to_dict("records"):
        where = f"identifiants.csv, ligne {alias['_ligne']}" if "_ligne" in alias and alias["_ligne"] else "identifiants.csv"
        name, ministry = match_key(alias["nom_projet"]), _alias_ministries(alias["ministere"])
        hits = [i for i, n in enumerate(names) if n == name and (not ministry or ministry & ministries[i])]
        if not hits:
            warnings.append(
                f"{where} : aucun projet « {alias['nom_projet']} » ({alias['ministere'] or 'ministère non précisé'}) "
                f"dans l'édition {edition.id} ; la ligne est ignorée."
            )
            continue
        if len(hits) > 1:
            raise InvalidEdition(
                f"{where} : le nom « {alias['nom_projet']} » désigne {len(hits)} projets de l'édition {edition.id}. "
                "Précisez la colonne « ministere » (code ou nom, exemple : SPM)."
            )
        ids[hits[0]] = str(alias["identifiant"])
        sources[hits[0]] = "alias"


def _apply_carried(edition: Edition, table: pd.DataFrame, ids: list[str | None], sources: list[str]) -> None:
    for i, value in enumerate(table["identifiant"]):
        carried = _text(value).strip()
        if ids[i] is not None or not carried:
            continue
        if not is_valid_identifier(carried):
            raise InvalidEdition(
                f"Édition {edition.id}, {table['_fichier'].iat[i]} ligne {table['_ligne'].iat[i]}, colonne « identifiant » : "
                f"« {carried} » n'est pas un identifiant valide (exemple : spm-france-connect)."
            )
        ids[i] = carried
        sources[i] = "identifiant fourni"


def _check_unique(edition: Edition, table: pd.DataFrame, ids: list[str | None]) -> None:
    first: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident is None:
            continue
        if ident in first:
            j = first[ident]
            raise InvalidEdition(
                f"Édition {edition.id} : l'identifiant « {ident} » est attribué à deux projets, "
                f"« {table['nom_projet'].iat[j]} » ({table['_fichier'].iat[j]} ligne {table['_ligne'].iat[j]}) et "
                f"« {table['nom_projet'].iat[i]} » ({table['_fichier'].iat[i]} ligne {table['_ligne'].iat[i]}). "
                "Corrigez identifiants.csv ou la colonne identifiant des soumissions."
            )
        first[ident] = i


def assign_identifiers(tables: list[tuple[Edition, pd.DataFrame]], aliases: pd.DataFrame,
                       ministries: MinistryReference | None = None) -> IdentityResult:
    """Give every row of every edition its identifier and stack them into the history.

    `ministries`: the run's reference (`load_rules(raw_dir).ministries`, as validation used it),
    whose renamings make two codes one family for the matcher; the bundled one when not given."""
    families = features.families_of(ministries.ministries) if ministries is not None else None
    ordered = sorted(tables, key=lambda item: item[0].numero)
    latest: dict[str, tuple[int, str, dict[str, object]]] = {}  # id → (edition index, edition id, fields)
    taken: set[str] = set()
    parts: list[tuple[Edition, pd.DataFrame]] = []
    reviews: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    warnings: list[str] = []
    for index, (edition, raw) in enumerate(ordered):
        table = _ordered(raw)
        ids: list[str | None] = [None] * len(table)
        sources = ["" for _ in range(len(table))]
        _apply_aliases(edition, table, aliases, ids, sources, warnings)
        _apply_carried(edition, table, ids, sources)
        _check_unique(edition, table, ids)
        used = {i for i in ids if i is not None}
        records = table[_CANDIDATE_FIELDS].to_dict("records")
        candidates = {ident: {**latest[ident][2], "identifiant": ident, "_saut": index - latest[ident][0] - 1,
                              "_edition": latest[ident][1]}
                      for ident in sorted(ident for ident in latest if ident not in used)}
        result = matcher.assign({i: records[i] for i in range(len(table)) if ids[i] is None}, candidates, families)
        chosen = {int(pair["courant"]): pair for pair in result.pairs if pair["decision"] != ""}
        for label, ident in result.links.items():
            ids[int(label)] = ident
            sources[int(label)] = "rapprochement"
        for i in range(len(table)):
            if ids[i] is None:
                ids[i] = mint(records[i]["ministere_code"], records[i]["nom_projet"], taken | used)
                used.add(ids[i])
                sources[i] = "nouveau projet"
        for i in range(len(table)):
            _record(edition, records[i], ids[i], sources[i], chosen.get(i), latest, links, reviews)
        for i, ident in enumerate(ids):
            latest[ident] = (index, edition.id, records[i])
        taken |= used
        parts.append((edition, table.assign(identifiant=pd.Series(ids, dtype=object))))
    return IdentityResult(
        history=stack_editions(parts),
        review=_frame(reviews, REVIEW_COLUMNS, ["edition", "nom_projet", "identifiant_candidat"]),
        links=_frame(links, LINK_COLUMNS, ["edition", "identifiant"]),
        warnings=tuple(warnings),
    )


def _record(edition: Edition, row: Mapping[str, object], ident: str, source: str, pair: Mapping[str, object] | None,
            latest: dict[str, tuple[int, str, dict[str, object]]],
            links: list[dict[str, object]], reviews: list[dict[str, object]]) -> None:
    """One line of `links` for the row; one line of `review` when its best candidate was unsure."""
    matched = source == "rapprochement" and pair is not None
    previous = latest.get(ident) if source != "nouveau projet" else None
    links.append({
        "edition": edition.id, "identifiant": ident, "ministere_code": row["ministere_code"],
        "nom_projet": row["nom_projet"], "source": source,
        "edition_precedente": previous[1] if previous else None,
        "nom_precedent": previous[2]["nom_projet"] if previous else None,
        "score": float(pair["score"]) if matched else float("nan"),
        "preuves": pair["preuves"] if matched else None,
    })
    if pair is not None and pair["decision"] == "nouveau projet":
        candidate = latest[pair["identifiant"]]
        reviews.append({
            "edition": edition.id, "ministere_code": row["ministere_code"], "nom_projet": row["nom_projet"],
            "identifiant_candidat": pair["identifiant"], "nom_candidat": candidate[2]["nom_projet"],
            "edition_candidat": candidate[1], "score": float(pair["score"]), "preuves": pair["preuves"],
            "decision": "nouveau projet",
        })


def _frame(rows: list[dict[str, object]], columns: list[str], sort: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)  # text stays str or None (never NaN)
    frame["score"] = frame["score"].astype("float64")
    return frame.sort_values(sort, kind="mergesort").reset_index(drop=True)
