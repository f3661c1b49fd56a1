"""`panorama new-edition`: the next edition's folder and one pre-filled template per ministry.

Everything is computed before anything is written, so a refusal (bad name, existing edition,
month before the latest edition, unreadable earlier edition) leaves no file behind.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from panorama.edition import EDITION_FILE, Edition, discover_editions
from panorama.errors import InvalidEdition

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


@dataclass
class NewEdition:
    id: str
    numero: int
    date_publication: dt.date
    libelle: str
    previous: Edition | None
    projects: dict[str, pd.DataFrame] = field(default_factory=dict)  # ministry code → its latest projects
    zones: list[str] = field(default_factory=list)

    def toml(self) -> str:
        lines = [
            f"# {self.libelle} : créée par « panorama new-edition » ; déposez les remontées dans ce dossier.",
            f"numero = {self.numero}",
            f"date_publication = {self.date_publication.isoformat()}",
            f'libelle = "{self.libelle}"',
            "# Pour publier sans les remontées bloquantes ou manquantes : publication_partielle = true",
        ]
        return "\n".join(lines) + "\n"


def ordinal(number: int) -> str:
    """1 → "1re", 22 → "22e" (French abbreviated ordinals)."""
    return f"{number}re" if number == 1 else f"{number}e"


def edition_label(numero: int, year: int, month: int) -> str:
    return f"{ordinal(numero)} édition ({MONTHS[month - 1]} {year})"


def _month_of(edition: Edition) -> tuple[int, int]:
    found = MONTH_PATTERN.match(edition.id)
    if found:
        return int(found.group(1)), int(found.group(2))
    return edition.date_publication.year, edition.date_publication.month


def _latest_projects(editions: list[Edition], raw_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """The latest edition's projects with their identifiers, and every functional zone seen so far."""
    from panorama.pipeline import build_history, validate_all

    identity = build_history(validate_all(editions), raw_dir)
    history = identity.history
    zones = sorted({str(z).strip() for z in history["zone_fonctionnelle"].dropna() if str(z).strip()},
                   key=str.casefold)
    latest = history[history["edition"] == editions[-1].id]
    latest = latest.sort_values(["ministere_code", "nom_projet"], kind="mergesort", key=lambda s: s.str.casefold())
    return latest.reset_index(drop=True), zones


def plan_new_edition(raw_dir: Path, month: str) -> NewEdition:
    """What `new-edition` will write; an `InvalidEdition` in French when it must refuse."""
    found = MONTH_PATTERN.match(month or "")
    if not found:
        raise InvalidEdition(
            f"« {month} » n'est pas un nom d'édition valide : attendu AAAA-MM, l'année puis le mois "
            "sur deux chiffres (exemple : 2025-12)."
        )
    year, number = int(found.group(1)), int(found.group(2))
    if not raw_dir.is_dir():
        raise InvalidEdition(f"{raw_dir} : dossier des éditions introuvable (option --raw).")
    if (raw_dir / month).exists():
        raise InvalidEdition(f"{raw_dir / month} existe déjà : l'édition {month} a déjà été créée.")
    editions = discover_editions(raw_dir)
    previous = editions[-1] if editions else None
    if previous is not None and (year, number) <= _month_of(previous):
        raise InvalidEdition(
            f"L'édition {month} précéderait la dernière édition, {previous.id} ({previous.libelle}) : "
            f"une nouvelle édition doit porter un mois postérieur à {previous.id}."
        )
    numero = previous.numero + 1 if previous else 1
    plan = NewEdition(month, numero, dt.date(year, number, calendar.monthrange(year, number)[1]),
                      edition_label(numero, year, number), previous)
    if previous is not None:
        latest, plan.zones = _latest_projects(editions, raw_dir)
        for code, rows in latest.groupby("ministere_code", sort=True):
            plan.projects[str(code)] = rows.reset_index(drop=True)
    return plan


def template_name(code: str, month: str) -> str:
    from panorama.validation.report import safe_name

    return f"{safe_name(code)}_panorama_{month}.xlsx"


def write_new_edition(plan: NewEdition, raw_dir: Path, templates_dir: Path) -> list[Path]:
    """Write the templates, then `edition.toml` (last: its presence means the edition exists)."""
    from panorama.export.atomic import write_bytes_atomic
    from panorama.gabarits.workbook import template_bytes

    written: list[Path] = []
    for code, projects in plan.projects.items():
        data = template_bytes(code, plan.id, projects, plan.previous.id if plan.previous else None, plan.zones)
        written.append(write_bytes_atomic(templates_dir / template_name(code, plan.id), data))
    written.append(write_bytes_atomic(raw_dir / plan.id / EDITION_FILE, plan.toml().encode("utf-8")))
    return written
