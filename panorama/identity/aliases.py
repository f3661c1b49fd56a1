"""The steward's table of forced identifiers, `data/raw/identifiants.csv`.

When the matcher cannot be sure (or is wrong), the steward writes one line per project:
`edition,ministere,nom_projet,identifiant`. That line always wins over a carried identifier and
over the matcher. `ministere` is the code or the name as the ministry submitted it; it may be
left blank when the name alone is unambiguous in that edition.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pandas as pd

from panorama.edition import ALIASES_FILE, edition_ids
from panorama.errors import InvalidEdition
from panorama.identity.features import words
from panorama.identity.ids import MAX_LENGTH, is_valid_identifier

ALIAS_COLUMNS = ["edition", "ministere", "nom_projet", "identifiant"]
EXAMPLE = "2017-11,SPM,RIE,spm-reseau-interministeriel-de-l-etat"


def empty_aliases() -> pd.DataFrame:
    """No forced identifier: the four columns plus `_ligne` (the file's line, for messages)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in [*ALIAS_COLUMNS, "_ligne"]})


def match_key(text: object) -> str:
    """How alias cells are compared with submitted cells: accents, case and punctuation ignored."""
    return _match_key(text) if isinstance(text, str) else " ".join(words(text))


@lru_cache(maxsize=16384)  # every name is keyed again at each edition (ordering, aliases)
def _match_key(text: str) -> str:
    return " ".join(words(text))


def _check_editions_exist(path: Path, raw_dir: Path, records: list[dict[str, object]]) -> None:
    """A line for an edition that has no folder would never apply: name each such line."""
    known = edition_ids(raw_dir)
    unknown = [r for r in records if r["edition"] not in known]
    if not unknown:
        return
    present = ", ".join(known) or "aucune"
    lines = [f"{path}, ligne {r['_ligne']}, colonne « edition » : l'édition « {r['edition']} » n'existe pas "
             f"(projet « {r['nom_projet']} »)" for r in unknown]
    raise InvalidEdition(
        "\n".join(lines) + f"\nÉditions présentes dans {raw_dir} : {present}. Attendu : le nom du dossier "
        "de l'édition (AAAA-MM, exemple : 2017-11) ; corrigez la ligne ou supprimez-la."
    )


def load_aliases(raw_dir: Path) -> pd.DataFrame:
    """Read `identifiants.csv` (UTF-8, comma-separated); absent file → empty table.

    Each malformed line, and each line naming an edition without a folder, is an
    `InvalidEdition` naming the line as a spreadsheet shows it.
    """
    path = raw_dir / ALIASES_FILE
    if not path.is_file():
        return empty_aliases()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidEdition(f"{path} : le fichier doit être encodé en UTF-8.") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return empty_aliases()
    header = [h.strip() for h in rows[0]]
    if header != ALIAS_COLUMNS:
        raise InvalidEdition(
            f"{path}, ligne 1 : en-tête « {','.join(rows[0])} » inattendu. "
            f"Attendu : {','.join(ALIAS_COLUMNS)} (exemple de ligne : {EXAMPLE})."
        )
    records: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str], int] = {}
    used: dict[tuple[str, str], int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(ALIAS_COLUMNS):
            raise InvalidEdition(
                f"{path}, ligne {line_no} : {len(row)} colonnes au lieu de {len(ALIAS_COLUMNS)}. "
                f"Attendu : {','.join(ALIAS_COLUMNS)} (exemple : {EXAMPLE})."
            )
        edition, ministere, nom, ident = (cell.strip() for cell in row)
        for column, value in (("edition", edition), ("nom_projet", nom), ("identifiant", ident)):
            if not value:
                raise InvalidEdition(
                    f"{path}, ligne {line_no}, colonne « {column} » : valeur manquante (exemple : {EXAMPLE})."
                )
        if not is_valid_identifier(ident):
            raise InvalidEdition(
                f"{path}, ligne {line_no}, colonne « identifiant » : « {ident} » n'est pas un identifiant valide. "
                f"Attendu : minuscules non accentuées, chiffres et tirets, {MAX_LENGTH} caractères au plus "
                "(exemple : spm-france-connect)."
            )
        key = (edition, match_key(ministere), match_key(nom))
        if key in seen:
            raise InvalidEdition(
                f"{path}, ligne {line_no} : le projet « {nom} » de l'édition {edition} figure déjà ligne {seen[key]}."
            )
        seen[key] = line_no
        if (edition, ident) in used:
            raise InvalidEdition(
                f"{path}, ligne {line_no} : l'identifiant « {ident} » est déjà attribué dans l'édition {edition} "
                f"ligne {used[(edition, ident)]} ; un identifiant désigne un seul projet par édition."
            )
        used[(edition, ident)] = line_no
        records.append({"edition": edition, "ministere": ministere or None, "nom_projet": nom,
                        "identifiant": ident, "_ligne": line_no})
    _check_editions_exist(path, raw_dir, records)
    if not records:
        return empty_aliases()
    return pd.DataFrame(records, columns=[*ALIAS_COLUMNS, "_ligne"], dtype=object)
