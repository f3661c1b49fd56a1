"""Edition folders: `data/raw/<edition>/edition.toml` plus the ministries' files.

The raw folder is the source of truth and is never modified.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from panorama.errors import InvalidEdition, toml_error_text
from panorama.listing import CLUTTER_NOTE, describe_unusable, list_folder

SUBMISSION_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"})
EDITION_FILE = "edition.toml"
ALIASES_FILE = "identifiants.csv"
EDITION_ID = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
FIRST_YEAR, LAST_YEAR = 2000, 2200  # the panorama began in 2016; the tables hold dates up to 2262
# Steward's data and notes allowed at the top of the raw folder beside the edition folders.
RAW_TOP_FILES = frozenset({ALIASES_FILE, "politique.toml", "ministeres.csv", "valeurs-non-communiquees.csv", "figures.csv"})
NOTE_PREFIXES = ("readme", "lisezmoi")
NOTE_SUFFIXES = frozenset({".md", ".pdf"})
SUFFIXES_TEXT = "CSV, TSV, TXT, XLSX, XLSM, XLS ou ODS"
RAW_ALLOWED_TEXT = (
    "Admis à la racine du dossier des éditions : un dossier AAAA-MM par édition (avec son edition.toml), "
    f"{', '.join(sorted(RAW_TOP_FILES))} et README ; {CLUTTER_NOTE}."
)


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


def _is_note(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(NOTE_PREFIXES) or Path(lower).suffix in NOTE_SUFFIXES


def submission_files(folder: Path, *, edition: bool) -> tuple[Path, ...]:
    """The submission files of a folder, by name; every other entry is refused with its reason.

    The one listing of submissions (editions, `panorama validate DIR`, the validation flow). Only
    regular files are read; a link, a named pipe, a sub-folder or a file in another format is an
    `InvalidEdition` naming it, so that nothing outside the folder is read and no submission is
    silently left out. Notes (README…, *.md, *.pdf) and system clutter are allowed and ignored.
    """
    files: list[Path] = []
    problems: list[str] = []
    for entry in list_folder(folder):
        reason = describe_unusable(entry)
        name, suffix = entry.name, entry.path.suffix.lower()
        if reason:
            problems.append(reason)
        elif entry.kind == "folder":
            problems.append(f"« {name} » est un sous-dossier : son contenu n'est pas lu. "
                            "Attendu : les remontées directement dans le dossier.")
        elif edition and name == EDITION_FILE:
            continue
        elif name == ALIASES_FILE:
            problems.append(f"« {name} » n'est lu qu'à la racine du dossier des éditions (data/raw/{ALIASES_FILE}) : "
                            "déplacez-le.")
        elif suffix in SUBMISSION_SUFFIXES:
            files.append(entry.path)
        elif not _is_note(name):
            problems.append(f"« {name} » : format non pris en charge. Attendu : {SUFFIXES_TEXT} "
                            "(ou retirez ce fichier du dossier).")
    if problems:
        error = InvalidEdition(f"{folder} : " + _bullets(problems) + f"\n({CLUTTER_NOTE}.)")
        error.details = tuple(f"{folder.name} : {line}" for line in problems)  # for the raw folder's summary
        raise error
    return tuple(files)


def _bullets(lines: list[str]) -> str:
    return lines[0] if len(lines) == 1 else "\n" + "\n".join(f"  - {line}" for line in lines)


def load_edition(folder: Path) -> Edition:
    """Read one edition folder; a malformed edition.toml is an `InvalidEdition` in French."""
    toml_path = folder / EDITION_FILE
    files = submission_files(folder, edition=True)
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
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        raise InvalidEdition(
            f"{toml_path} : « date_publication » {date.isoformat()} est hors des années possibles : une faute de "
            f"frappe ? Attendu : une date entre {FIRST_YEAR} et {LAST_YEAR} (exemple : date_publication = 2017-11-29)."
        )
    libelle = meta.get("libelle")
    if not isinstance(libelle, str) or not libelle.strip():
        raise InvalidEdition(f"{toml_path} : « libelle » doit être un texte (exemple : libelle = \"4e édition (novembre 2017)\").")
    if not files:
        raise InvalidEdition(
            f"{folder} : aucune remontée dans ce dossier d'édition ; publiée ainsi, l'édition compterait "
            f"0 projet et tous les projets de l'édition précédente sortiraient. Attendu : les fichiers des "
            f"ministères ({SUFFIXES_TEXT}) à côté de {EDITION_FILE}."
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
    """Every edition under the raw folder, ordered by number.

    Nothing is skipped silently: a folder without edition.toml or not named AAAA-MM, an
    unexpected file, a link or a special file is an `InvalidEdition` naming each of them; the
    numbers, folder names and dates must all follow the same order.
    """
    if not raw_dir.is_dir():
        raise InvalidEdition(f"{raw_dir} : dossier des éditions introuvable.")
    problems: list[str] = []  # entries of the raw folder itself
    inside: list[str] = []  # editions that cannot be read
    editions: list[Edition] = []
    for entry in list_folder(raw_dir):
        name = entry.name
        reason = describe_unusable(entry)
        if reason:
            problems.append(reason)
        elif entry.kind == "file":
            if name not in RAW_TOP_FILES and not name.lower().startswith(NOTE_PREFIXES):
                problems.append(f"« {name} » : fichier inattendu à la racine (une remontée se place dans "
                                "le dossier AAAA-MM de son édition).")
        elif not EDITION_ID.match(name):
            problems.append(f"« {name} » : nom de dossier d'édition invalide. Attendu : AAAA-MM "
                            "(année et mois de l'édition, exemple : 2025-06).")
        elif not (entry.path / EDITION_FILE).exists() and not (entry.path / EDITION_FILE).is_symlink():
            problems.append(f"« {name} » : dossier d'édition sans {EDITION_FILE} ; l'édition serait ignorée. "
                            "Attendu : numero, date_publication et libelle (voir le README).")
        else:
            try:
                editions.append(load_edition(entry.path))
            except InvalidEdition as exc:
                inside.extend(exc.details or [exc.message])
    if problems or inside:
        raise InvalidEdition(f"{raw_dir} : dossier des éditions incorrect : " + _bullets(problems + inside)
                             + "\n" + (RAW_ALLOWED_TEXT if problems else f"({CLUTTER_NOTE}.)"))
    problems = [f"{raw_dir} : {text}" for text in order_problems(editions)]
    if problems:
        raise InvalidEdition(problems[0] if len(problems) == 1 else _bullets(problems).lstrip("\n"))
    editions.sort(key=lambda e: e.numero)
    return editions


def order_problems(editions: list[Edition]) -> list[str]:
    """Numbers unique and increasing with the folder names (AAAA-MM) and the publication dates."""
    problems: list[str] = []
    ordered = sorted(editions, key=lambda e: (e.numero, e.id))
    for before, after in zip(ordered, ordered[1:]):
        if before.numero == after.numero:
            problems.append(f"les éditions {before.id} et {after.id} portent le même numéro {after.numero}.")
        elif after.id < before.id:
            problems.append(f"l'édition {after.id} porte le numéro {after.numero}, supérieur à celui de "
                            f"{before.id} ({before.numero}), mais son dossier est antérieur : numéros et "
                            "dossiers AAAA-MM doivent suivre le même ordre.")
        elif after.date_publication <= before.date_publication:
            problems.append(f"l'édition {after.id} (n° {after.numero}) a une date_publication "
                            f"{after.date_publication.isoformat()} qui n'est pas postérieure à celle de l'édition "
                            f"précédente {before.id} ({before.date_publication.isoformat()}) : corrigez "
                            f"{after.id}/{EDITION_FILE}.")
    return problems


def edition_warnings(editions: list[Edition], today: dt.date | None = None) -> list[str]:
    """Plausible but worth a look (not blocking): a publication date still to come."""
    today = today or dt.date.today()
    return [
        f"Édition {e.id} : date_publication {e.date_publication.isoformat()} est postérieure à aujourd'hui "
        f"({today.isoformat()}) ; publication anticipée ? Sinon corrigez {e.id}/{EDITION_FILE}."
        for e in editions if e.date_publication > today
    ]


def input_files(raw_dir: Path) -> list[Path]:
    """Every file the outputs depend on, from the same listing (links, clutter and notes left out):
    the steward's files at the top, then each edition's edition.toml and submissions."""
    files: list[Path] = []
    for entry in list_folder(raw_dir):
        if entry.kind == "file" and entry.name in RAW_TOP_FILES:
            files.append(entry.path)
        elif entry.kind == "folder" and EDITION_ID.match(entry.name):
            files += [entry.path / EDITION_FILE, *submission_files(entry.path, edition=True)]
    return sorted(files)


def edition_ids(raw_dir: Path) -> list[str]:
    """The names of the edition folders (AAAA-MM) of the raw folder, without reading them."""
    return [e.name for e in list_folder(raw_dir) if e.kind == "folder" and EDITION_ID.match(e.name)]


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
