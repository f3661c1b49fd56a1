"""`datapackage.json`: the machine-readable description of the published folder.

Reusers (and `frictionless validate datapackage.json`) find there every data file with its size,
sha256, format and Table Schema, the licence and the source. The descriptor holds no timestamp so
that it only changes when the data or the schema change.

Version: `<schema version>+<latest edition>` (e.g. `1.0.0+2018-07`), a valid semantic version
whose build part names the newest edition: it moves when the schema changes and when an edition
is added, and is a pure function of the inputs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PACKAGE_NAME = "panorama-grands-projets-numeriques"
LICENSE: dict[str, str] = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "title": "Licence Ouverte / Open Licence version 2.0",
}
SOURCE: dict[str, str] = {
    "title": "DINUM, Panorama des grands projets numériques de l'État",
    "path": "https://www.numerique.gouv.fr/publications/panorama-grands-projets-numeriques/",
}
CSV_DIALECT: dict[str, Any] = {
    "delimiter": ",",
    "lineTerminator": "\n",
    "quoteChar": '"',
    "doubleQuote": True,
    "header": True,
}
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
MEDIATYPES = {"parquet": PARQUET_MEDIATYPE,
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class DataFile:
    """One published data file as the package lists it."""

    name: str          # resource name, unique in the package
    path: str          # relative to the package folder
    format: str        # "csv" or "parquet"
    title: str
    description: str
    bytes: int
    sha256: str
    schema: dict[str, Any]


def package_version(schema_version: str, latest_edition: str | None) -> str:
    """`<schema version>+<latest edition>`; the build part keeps only semver-safe characters."""
    if not latest_edition:
        return schema_version
    build = "".join(c if c.isalnum() or c in "-." else "-" for c in latest_edition).strip(".")
    return f"{schema_version}+{build}" if build else schema_version


def _resource(item: DataFile) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "name": item.name,
        "path": item.path,
        "title": item.title,
        "description": item.description,
        "format": item.format,
    }
    if item.format == "csv":
        resource.update({"type": "table", "mediatype": "text/csv", "encoding": "utf-8",
                         "dialect": dict(CSV_DIALECT)})
    else:
        # frictionless 5.21 reads Parquet through pandas and mistakes NaN for numbers and nullable
        # integers for floats, so Parquet is listed as a plain file (size and sha256 still checked);
        # its Table Schema is the CSV's, also stored in the file under the key "table_schema".
        # The XLSX workbook is listed the same way: one file, several tables.
        resource.update({"type": "file", "mediatype": MEDIATYPES.get(item.format, "application/octet-stream")})
    resource.update({"bytes": item.bytes, "hash": f"sha256:{item.sha256}"})
    if item.format == "csv":
        resource["schema"] = item.schema
    resource["licenses"] = [dict(LICENSE)]
    return resource


def build_descriptor(files: list[DataFile], *, version: str, latest_edition: str | None) -> dict[str, Any]:
    """The Data Package descriptor listing `files` in the given order."""
    description = (
        "Les grands projets numériques de l'État (coût supérieur à 9 M€ ou fort impact), tels que "
        "déclarés par les ministères et consolidés par la DINUM à chaque édition du panorama : "
        "l'historique de toutes les éditions, la dernière édition, les chiffres clés et les "
        "répartitions par édition. Voir dictionnaire-des-donnees.md pour le détail des champs."
    )
    if latest_edition:
        description += f" Dernière édition incluse : {latest_edition}."
    return {
        "name": PACKAGE_NAME,
        "title": "Panorama des grands projets numériques de l'État",
        "description": description,
        "version": version,
        "homepage": "https://www.numerique.gouv.fr/publications/panorama-grands-projets-numeriques/",
        "keywords": ["numérique", "projets informatiques", "État", "DINUM", "panorama"],
        "licenses": [dict(LICENSE)],
        "sources": [dict(SOURCE)],
        "contributors": [{"title": "DINUM", "role": "author",
                          "organization": "Direction interministérielle du numérique"}],
        "resources": [_resource(item) for item in files],
    }


def descriptor_bytes(descriptor: dict[str, Any]) -> bytes:
    """Stable JSON text (key order as built, 2-space indent, UTF-8, final newline)."""
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
