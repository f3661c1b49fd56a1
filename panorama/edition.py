"""Edition folders: `data/raw/<edition>/edition.toml` plus the ministries' files.

The raw folder is the source of truth and is never modified.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from panorama.errors import InvalidEdition, toml_error_text

SUBMISSION_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"})
EDITION_FILE = "edition.toml"
ALIASES_FILE = "identifiants.csv"


@dataclass(frozen=True)
class Edition:
    """One edition of the panorama as declared by its `edition.toml`."""

    id: str
    numero: int
    date_publication: dt.date
    libelle: str
    path: Path
    files: tuple[Path, ...] = field(default=())
    taux_ecart_budgetaire_declare: float | None = None
    taux_ecart_calendaire_declare: float | None = None


def _rate(meta: dict, key: str, where: Path) -> float | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
        raise InvalidEdition(
            f"{where} : « {key} » doit être un taux décimal (exemple : 0.25 pour 25 %), "
            f"trouvé {value!r}."
        )
    return float(value)


def load_edition(folder: Path) -> Edition:
    """Read one edition folder; a malformed edition.toml is an `InvalidEdition` in French."""
    toml_path = folder / EDITION_FILE
    if not toml_path.is_file():
        raise InvalidEdition(f"{folder} : fichier {EDITION_FILE} introuvable.")
    try:
        meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidEdition(f"{toml_path} : TOML illisible ({toml_error_text(exc)}).") from None
    numero = meta.get("numero")
    if isinstance(numero, bool) or not isinstance(numero, int) or numero < 1:
        raise InvalidEdition(f"{toml_path} : « numero » doit être un entier positif (exemple : numero = 4).")
    date = meta.get("date_publication")
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise InvalidEdition(
            f"{toml_path} : « date_publication » doit être une date TOML (exemple : date_publication = 2017-11-29)."
        )
    libelle = meta.get("libelle")
    if not isinstance(libelle, str) or not libelle.strip():
        raise InvalidEdition(f"{toml_path} : « libelle » doit être un texte (exemple : libelle = \"4e édition (novembre 2017)\").")
    files = tuple(
        sorted(
            p for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in SUBMISSION_SUFFIXES and not p.name.startswith((".", "~$"))
            and p.name != ALIASES_FILE
        )
    )
    return Edition(
        id=folder.name,
        numero=numero,
        date_publication=date,
        libelle=libelle.strip(),
        path=folder,
        files=files,
        taux_ecart_budgetaire_declare=_rate(meta, "taux_ecart_budgetaire_declare", toml_path),
        taux_ecart_calendaire_declare=_rate(meta, "taux_ecart_calendaire_declare", toml_path),
    )


def discover_editions(raw_dir: Path) -> list[Edition]:
    """Every edition under the raw folder, ordered by number; duplicate numbers are refused."""
    if not raw_dir.is_dir():
        raise InvalidEdition(f"{raw_dir} : dossier des éditions introuvable.")
    editions = [load_edition(p) for p in sorted(raw_dir.iterdir()) if p.is_dir() and (p / EDITION_FILE).exists()]
    editions.sort(key=lambda e: e.numero)
    seen: dict[int, str] = {}
    for e in editions:
        if e.numero in seen:
            raise InvalidEdition(f"{raw_dir} : les éditions {seen[e.numero]} et {e.id} portent le même numéro {e.numero}.")
        seen[e.numero] = e.id
    return editions


def choose_edition(editions: list[Edition], wanted: str | None) -> str:
    """The edition a run publishes: the one asked for, or the latest; an unknown one is refused."""
    if not editions:
        raise InvalidEdition("Aucune édition trouvée (un dossier par édition avec son edition.toml).")
    if wanted in (None, "", "derniere", "latest"):
        return editions[-1].id
    ids = [e.id for e in editions]
    if wanted not in ids:
        raise InvalidEdition(f"Édition « {wanted} » introuvable. Éditions présentes : {', '.join(ids)}.")
    return str(wanted)
