"""The catalogue of published files: what each file of the output folder becomes on data.gouv.fr.

Order matters: `schema.json` comes first so its stable URL exists before the tables that point to
it. The dashboard folder is not published (data.gouv.fr refuses HTML).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA_FILE = "schema.json"
DESCRIPTION_FILE = "description-jeu-de-donnees.md"
INDICATORS_FILE = "panorama-indicateurs.csv"
CHARTS_DIR = "graphiques"


@dataclass(frozen=True)
class ResourceSpec:
    """One published file. `key` is its path relative to the output folder (the state's key)."""

    key: str
    title: str
    description: str
    type: str  # "main" or "documentation"
    format: str
    schema: bool = False  # the project tables point to the Table Schema
    fallback_extension: str | None = None  # sent under this extension when the platform refuses ours

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
    ), True),
    ("panorama-derniere-edition", "Dernière édition du panorama", (
        "Les projets de la dernière édition publiée, une ligne par projet, mêmes colonnes que l'historique."
    ), True),
    ("panorama-indicateurs", "Indicateurs par édition", (
        "Chiffres clés de chaque édition : nombre de projets, coût total estimé, écarts budgétaire et calendaire."
    ), False),
    ("panorama-repartitions", "Répartitions par édition", (
        "Répartition des projets et des coûts par ministère, phase et autres catégories, pour chaque édition."
    ), False),
)

_FORMATS = (("csv", "CSV"), ("parquet", "Parquet"))

_DOCUMENTS = (
    ResourceSpec(SCHEMA_FILE, "Schéma des données (Table Schema)",
                 "Schéma Table Schema décrivant les colonnes des tables de projets : nom, type, libellé, exemple.",
                 "documentation", "json"),
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
            # The Table Schema describes the CSV files (validata and data.gouv.fr validate CSV).
            specs.append(ResourceSpec(f"{stem}.{ext}", f"{title} ({label})", description, "main", ext,
                                      schema and ext == "csv"))
    return specs


def _chart(key: str) -> ResourceSpec:
    label = Path(key).stem.replace("-", " ").replace("_", " ").strip()
    return ResourceSpec(key, f"Graphique : {label}", f"Graphique ({Path(key).name}) tiré des indicateurs du panorama.",
                        "documentation", "png")


def catalogue(out_dir: Path) -> list[ResourceSpec]:
    """The specs of the files present in `out_dir`, schema first, in a stable order."""
    fixed = [_DOCUMENTS[0], *_tables(), *_DOCUMENTS[1:]]
    present = [spec for spec in fixed if (out_dir / spec.key).is_file()]
    charts = out_dir / CHARTS_DIR
    if charts.is_dir():
        present += [_chart(f"{CHARTS_DIR}/{p.name}") for p in sorted(charts.glob("*.png")) if p.is_file()]
    return present


def all_known_keys() -> list[str]:
    """Every fixed key of the catalogue (charts excluded), for documentation and checks."""
    return [spec.key for spec in (_DOCUMENTS[0], *_tables(), *_DOCUMENTS[1:])]


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
