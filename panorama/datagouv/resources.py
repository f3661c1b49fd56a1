"""The catalogue of published files: what each file of the output folder becomes on data.gouv.fr.

Order matters: the Table Schemas come first so that their stable URLs exist before the tables
that point to them. The dashboard folder is not published (data.gouv.fr refuses HTML).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_FILE = "schema.json"
DESCRIPTION_FILE = "description-jeu-de-donnees.md"
INDICATORS_FILE = "panorama-indicateurs.csv"
CHARTS_DIR = "graphiques"
XLSX_FILE = "panorama-historique.xlsx"
VALIDATION_SUMMARY_FILE = "resume-validation.json"  # written by the export, read here, not published
# Keys of the validation summary in each data resource's `extras`. Prefixed "panorama:" rather
# than data.gouv.fr's own "validation-report:*": the platform's consolidation writes those for
# resources it validates itself, and two writers of one key would make every republication a change.
EXTRA_VALID = "panorama:validation-valide"
EXTRA_ERRORS = "panorama:validation-nb-erreurs"
EXTRA_WARNINGS = "panorama:validation-nb-avertissements"
EXTRA_DATE = "panorama:validation-date"


@dataclass(frozen=True)
class ResourceSpec:
    """One published file. `key` is its path relative to the output folder (the state's key)."""

    key: str
    title: str
    description: str
    type: str  # "main" or "documentation"
    format: str
    schema: str | None = None  # key of the published Table Schema describing this table
    fallback_extension: str | None = None  # sent under this extension when the platform refuses ours
    extras: tuple[tuple[str, Any], ...] = ()  # the validation summary, on data resources only

    @property
    def file_name(self) -> str:
        """The name given to data.gouv.fr (udata also uses it as the title after an upload)."""
        return Path(self.key).name

    @property
    def extension(self) -> str:
        return Path(self.key).suffix.lstrip(".").lower()

    def upload_name(self, allowed: set[str]) -> str | None:
        """The file name to send given the platform's allowed extensions; None when refused."""
        if self.extension in allowed:
            return self.file_name
        if self.fallback_extension and self.fallback_extension in allowed:
            return f"{Path(self.key).stem}.{self.fallback_extension}"
        return None


_TABLES = (
    ("panorama-historique", "Historique des projets", (
        "Une ligne par projet et par édition du panorama, depuis la première édition : "
        "coûts, calendrier, avancement et ministère porteur. Identifiant de projet stable d'une édition à l'autre."
    ), SCHEMA_FILE),
    ("panorama-derniere-edition", "Dernière édition du panorama", (
        "Les projets de la dernière édition publiée, une ligne par projet, mêmes colonnes que l'historique."
    ), SCHEMA_FILE),
    ("panorama-indicateurs", "Indicateurs par édition", (
        "Chiffres clés de chaque édition : nombre de projets, coût total estimé, écarts budgétaire et calendaire."
    ), "schema-indicateurs.json"),
    ("panorama-repartitions", "Répartitions par édition", (
        "Répartition des projets et des coûts par ministère, phase et autres catégories, pour chaque édition."
    ), "schema-repartitions.json"),
)

_FORMATS = (("csv", "CSV"), ("parquet", "Parquet"))

_WORKBOOK = ResourceSpec(XLSX_FILE, "Toutes les tables pour tableur (XLSX)", (
    "Les quatre tables (historique, dernière édition, indicateurs, répartitions) dans un classeur : une "
    "feuille par table, nombres et dates typés (Excel en français affiche la virgule décimale), ligne "
    "d'en-tête figée et filtres."
), "main", "xlsx")

_SCHEMAS = (
    ResourceSpec(SCHEMA_FILE, "Schéma des données (Table Schema)",
                 "Schéma Table Schema décrivant les colonnes des tables de projets : nom, type, libellé, exemple.",
                 "documentation", "json"),
    ResourceSpec("schema-indicateurs.json", "Schéma des indicateurs (Table Schema)",
                 "Schéma Table Schema décrivant les colonnes de la table des indicateurs par édition.",
                 "documentation", "json"),
    ResourceSpec("schema-repartitions.json", "Schéma des répartitions (Table Schema)",
                 "Schéma Table Schema décrivant les colonnes de la table des répartitions par édition.",
                 "documentation", "json"),
)
_DOCUMENTS = (
    ResourceSpec("datapackage.json", "Description des fichiers (Data Package)",
                 "Descripteur Data Package de l'ensemble des fichiers publiés.", "documentation", "json"),
    ResourceSpec("dictionnaire-des-donnees.md", "Dictionnaire des données",
                 "Définition de chaque colonne, unités et règles de calcul des indicateurs.", "documentation", "md",
                 fallback_extension="txt"),
    ResourceSpec("CHANGELOG.md", "Journal des modifications",
                 "Évolutions des fichiers et du schéma d'une publication à l'autre.", "documentation", "md",
                 fallback_extension="txt"),
)


def _tables() -> list[ResourceSpec]:
    specs = []
    for stem, title, description, schema in _TABLES:
        for ext, label in _FORMATS:
            # The project Table Schema describes both formats of the project tables (data.gouv.fr
            # validates the CSV against it; the Parquet file holds the same columns and types).
            specs.append(ResourceSpec(f"{stem}.{ext}", f"{title} ({label})", description, "main", ext, schema))
    return specs


def _chart(key: str) -> ResourceSpec:
    name = Path(key).name
    from panorama.dashboard.charts_png import CHARTS  # the charts' French titles, said once

    known = CHARTS.get(f"{CHARTS_DIR}/{name}")
    label = known[0].lower() + known[1:] if known else Path(key).stem.replace("-", " ").replace("_", " ").strip()
    title = f"Graphique : {label}"
    return ResourceSpec(key, title, f"Graphique ({name}) tiré des indicateurs du panorama.",
                        "documentation", "png")


def validation_extras(out_dir: Path) -> tuple[tuple[str, Any], ...]:
    """The run's validation summary as resource extras; empty when the export wrote none."""
    path = out_dir / VALIDATION_SUMMARY_FILE
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    if not isinstance(summary, dict) or "valide" not in summary:
        return ()
    return ((EXTRA_VALID, bool(summary["valide"])), (EXTRA_ERRORS, int(summary.get("erreurs") or 0)),
            (EXTRA_WARNINGS, int(summary.get("avertissements") or 0)), (EXTRA_DATE, str(summary.get("date") or "")))


def _with_extras(spec: ResourceSpec, extras: tuple[tuple[str, Any], ...]) -> ResourceSpec:
    if spec.type != "main" or not extras:
        return spec
    return ResourceSpec(spec.key, spec.title, spec.description, spec.type, spec.format, spec.schema,
                        spec.fallback_extension, extras)


def catalogue(out_dir: Path) -> list[ResourceSpec]:
    """The specs of the files present in `out_dir`, schema first, in a stable order."""
    fixed = [*_SCHEMAS, *_tables(), _WORKBOOK, *_DOCUMENTS]
    extras = validation_extras(out_dir)
    present = [_with_extras(spec, extras) for spec in fixed if (out_dir / spec.key).is_file()]
    charts = out_dir / CHARTS_DIR
    if charts.is_dir():
        present += [_chart(f"{CHARTS_DIR}/{p.name}") for p in sorted(charts.glob("*.png")) if p.is_file()]
    return present


def all_known_keys() -> list[str]:
    """Every fixed key of the catalogue (charts excluded), for documentation and checks."""
    return [spec.key for spec in (*_SCHEMAS, *_tables(), _WORKBOOK, *_DOCUMENTS)]


def display_order(specs: Iterable[ResourceSpec]) -> list[ResourceSpec]:
    """The order on the dataset page: the data first (CSV before Parquet), then documentation."""
    specs = list(specs)
    return [s for s in specs if s.type == "main"] + [s for s in specs if s.type != "main"]


def local_preview(out_dir: Path) -> list[dict[str, object]]:
    """What a publication would send, read from the output folder only (no network)."""
    return [
        {"fichier": spec.key, "titre": spec.title, "type": spec.type, "octets": (out_dir / spec.key).stat().st_size}
        for spec in display_order(catalogue(out_dir))
    ]
