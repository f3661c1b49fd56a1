"""The canonical shape of a project row, shared by every stage.

The schema file is the single source of the field list; this module only names the extra
columns the stages add (edition keys, provenance) so that they agree without importing each
other.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "panorama-grands-projets"
SCHEMA_PATH = SCHEMA_DIR / "schema.json"

# Columns the history adds in front of the project fields (one row per project per edition).
EDITION_COLUMNS: tuple[str, ...] = ("edition", "numero_edition", "date_edition")
# Provenance columns carried by a normalised submission table, never published.
PROVENANCE_COLUMNS: tuple[str, ...] = ("_fichier", "_feuille", "_ligne")

NUMBER_FIELDS = (
    "duree_previsionnelle_annees",
    "cout_estime_meur",
    "cout_initial_meur",
    "cout_actualise_meur",
    "duree_initiale_annees",
    "duree_actualisee_annees",
)
DATE_FIELDS = ("date_debut",)
BOOLEAN_FIELDS = ("projet_interministeriel",)
# Required in a ministry's submission although the published data may leave them blank (a value
# that cannot be read only warns and is left empty: see panorama/findings/policy.py).
SUBMISSION_REQUIRED_FIELDS = ("phase", "projet_interministeriel")


@lru_cache(maxsize=4)
def load_schema_descriptor(path: Path = SCHEMA_PATH) -> dict[str, Any]:
    """The Table Schema descriptor as a dict (cached: it is read on every stage)."""
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def schema_version() -> str:
    return str(load_schema_descriptor()["version"])


def project_fields() -> list[str]:
    """Field names in schema order: the column order of every published project table."""
    return [f["name"] for f in load_schema_descriptor()["fields"]]


def field_titles() -> dict[str, str]:
    return {f["name"]: f["title"] for f in load_schema_descriptor()["fields"]}


def history_columns() -> list[str]:
    return [*EDITION_COLUMNS, *project_fields()]
