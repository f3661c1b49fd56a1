"""`export_all`: write every published file into the output folder, atomically and reproducibly.

Published files (in `out_dir`, `data/published/` by default) and why each exists:

- `panorama-historique.csv` / `.parquet`: every project of every edition, one row per project per
  edition; the stable `identifiant` lets reusers follow a project across editions.
- `panorama-derniere-edition.csv` / `.parquet`: the rows of the newest edition only, same columns;
  what most reusers want without filtering the history.
- `panorama-indicateurs.csv` / `.parquet`: the headline figures of each edition (counts, total
  cost, mean duration, deviation rates and where they come from, entering and leaving projects).
- `panorama-repartitions.csv` / `.parquet`: counts and costs per edition and dimension (ministry,
  phase, cost bracket...), the figures behind the dashboard's charts.
  CSV is for everyone (spreadsheets, data.gouv.fr preview); Parquet keeps real types for analysts.
- `schema.json`: the project Table Schema, as published on schema.data.gouv.fr.
- `datapackage.json`: every data file with size, sha256, format and Table Schema, licence and source,
  so that `frictionless validate datapackage.json` checks the whole folder.
- `dictionnaire-des-donnees.md`: the tables and their fields explained in French for non-developers.
- `CHANGELOG.md`: what changed from one publication to the next (text given by the caller).
- `extra_files`: whatever else the caller publishes beside the data (dashboard, charts...).

Every file is built in memory, written to a staging folder inside `out_dir`, then moved into place
(see `atomic`); `datapackage.json` moves last so that it never lists a file that is not there yet.
The same inputs always give the same bytes: no timestamps, fixed row and column order.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from panorama.errors import ExportError, os_reason
from panorama.export import atomic, xlsx
from panorama.export.datapackage import DataFile, build_descriptor, descriptor_bytes, package_version
from panorama.export.dictionary import TableDoc, render_dictionary
from panorama.export.schemas import (
    HISTORY,
    INDICATORS,
    LATEST,
    REPARTITIONS,
    history_schema,
    indicators_schema,
    latest_schema,
    repartitions_schema,
)
from panorama.export.tables import Value, check_columns, csv_bytes, parquet_bytes, typed_columns
from panorama.export.xlsx import XLSX_FILE
from panorama.history import with_drift
from panorama.model import SCHEMA_PATH, schema_version

SCHEMA_FILE = "schema.json"
# The figure tables' own Table Schemas (`schema.json` describes project rows only), so that every
# tabular resource on data.gouv.fr points to the schema of its own columns.
TABLE_SCHEMA_FILES = {INDICATORS: "schema-indicateurs.json", REPARTITIONS: "schema-repartitions.json"}
DATAPACKAGE_FILE = "datapackage.json"
DICTIONARY_FILE = "dictionnaire-des-donnees.md"
CHANGELOG_FILE = "CHANGELOG.md"
FORMATS: tuple[str, ...] = ("csv", "parquet")
# Sheet of each table in the XLSX workbook (Excel allows 31 characters).
SHEET_NAMES = {HISTORY: "historique", LATEST: "derniere-edition", INDICATORS: "indicateurs",
               REPARTITIONS: "repartitions"}


@dataclass(frozen=True)
class WrittenFile:
    """One file now in place in the output folder."""

    path: Path
    sha256: str
    bytes: int


@dataclass(frozen=True)
class ExportResult:
    """What `export_all` wrote, in the order it was moved into place."""

    out_dir: Path
    version: str
    files: tuple[WrittenFile, ...]

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.files]


def data_file_names() -> list[str]:
    """The eight data file names, tables in publication order, CSV before Parquet."""
    return [f"{table}.{fmt}" for table in (HISTORY, LATEST, INDICATORS, REPARTITIONS) for fmt in FORMATS]


def reserved_names() -> set[str]:
    return {*data_file_names(), XLSX_FILE, SCHEMA_FILE, *TABLE_SCHEMA_FILES.values(), DATAPACKAGE_FILE,
            DICTIONARY_FILE, CHANGELOG_FILE}


def _sorted_history(history: pd.DataFrame) -> pd.DataFrame:
    order = history.sort_values(["numero_edition", "identifiant"], kind="mergesort", na_position="last")
    return order.reset_index(drop=True)


def _latest(history: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    numbers = history["numero_edition"].dropna()
    if numbers.empty:
        return history.iloc[0:0], None
    newest = numbers.max()
    rows = history[history["numero_edition"] == newest].reset_index(drop=True)
    return rows, str(rows["edition"].iloc[0])


def _edition_date(latest: pd.DataFrame) -> dt.date | None:
    """The newest edition's date: the workbook's fixed creation date (no wall clock)."""
    if latest.empty or "date_edition" not in latest.columns or pd.isna(latest["date_edition"].iloc[0]):
        return None
    return pd.Timestamp(latest["date_edition"].iloc[0]).date()


def _sorted_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators.sort_values("numero", kind="mergesort").reset_index(drop=True)


def _sorted_repartitions(repartitions: pd.DataFrame, indicators: pd.DataFrame,
                         history: pd.DataFrame) -> pd.DataFrame:
    """Editions in publication order; within an edition the producer's order (it carries meaning)."""
    numbers: dict[str, float] = {}
    for frame, column in ((history, "numero_edition"), (indicators, "numero")):
        if {"edition", column} <= set(frame.columns):
            for edition, numero in zip(frame["edition"].tolist(), frame[column].tolist()):
                if not pd.isna(numero):
                    numbers.setdefault(str(edition), float(numero))
    keys = pd.DataFrame({
        "numero": [numbers.get(str(e), float("inf")) for e in repartitions["edition"].tolist()],
        "edition": [str(e) for e in repartitions["edition"].tolist()],
    })
    order = keys.sort_values(["numero", "edition"], kind="mergesort").index
    return repartitions.iloc[list(order)].reset_index(drop=True)


def _table_files(table: str, columns: dict[str, list[Value]], schema: dict[str, Any]) -> dict[str, bytes]:
    try:
        parquet = parquet_bytes(columns, schema)
    except (pa.ArrowException, OSError) as exc:
        raise ExportError(
            f"Table {table} : écriture du fichier Parquet impossible ({exc}). "
            "Les fichiers déjà publiés n'ont pas été modifiés."
        ) from exc
    return {f"{table}.csv": csv_bytes(columns), f"{table}.parquet": parquet}


def _check_extra_names(extra_files: dict[str, bytes]) -> None:
    reserved = reserved_names()
    for name, data in extra_files.items():
        try:
            atomic.check_relative_name(name)
        except ValueError:
            raise ExportError(
                f"Fichier supplémentaire « {name} » : nom refusé. Attendu : un nom de fichier, "
                "éventuellement précédé d'un sous-dossier (exemple : graphiques/couts.png), sans « .. » "
                "ni nom commençant par un point."
            ) from None
        if name in reserved:
            raise ExportError(f"Fichier supplémentaire « {name} » : ce nom est réservé aux exports du panorama.")
        if not isinstance(data, (bytes, bytearray)):
            raise ExportError(f"Fichier supplémentaire « {name} » : contenu attendu en octets (bytes).")


@dataclass(frozen=True)
class TableFiles:
    """The files made from the three tables alone (data files, workbook, schemas, dictionary), in the
    order they are moved into place, with what the data package describes: the part of an export
    that does not wait for the documents (the plain run builds it beside them, `panorama.stages`)."""

    files: dict[str, bytes]
    data_files: list[DataFile]
    latest_edition: str | None


def build_files(history: pd.DataFrame, indicators: pd.DataFrame, repartitions: pd.DataFrame, *,
                changelog_md: str, extra_files: dict[str, bytes] | None = None,
                tables: TableFiles | None = None) -> tuple[dict[str, bytes], str]:
    """Every published file as name → bytes, in the order they are moved into place, and the version.

    `tables`: `build_table_files` of the same three tables, already made."""
    extra = dict(extra_files or {})
    _check_extra_names(extra)
    tables = tables or build_table_files(history, indicators, repartitions)
    files = dict(tables.files)
    files[CHANGELOG_FILE] = changelog_md.encode("utf-8")
    for name in sorted(extra):
        files[name] = bytes(extra[name])
    version = package_version(schema_version(), tables.latest_edition)
    descriptor = build_descriptor(tables.data_files, version=version, latest_edition=tables.latest_edition)
    files[DATAPACKAGE_FILE] = descriptor_bytes(descriptor)
    return files, version


def build_table_files(history: pd.DataFrame, indicators: pd.DataFrame, repartitions: pd.DataFrame) -> TableFiles:
    """CSV, Parquet and XLSX of the tables, their schemas and the dictionary (checked columns first)."""
    indicators_table_schema = indicators_schema([str(c) for c in indicators.columns])
    history = with_drift(history)  # the per-project drift columns are computed here, never received
    check_columns(HISTORY, history, history_schema())
    check_columns(INDICATORS, indicators, indicators_table_schema)
    check_columns(REPARTITIONS, repartitions, repartitions_schema())
    history = _sorted_history(history)
    latest, latest_edition = _latest(history)
    sorted_indicators = _sorted_indicators(indicators)
    sorted_repartitions = _sorted_repartitions(repartitions, indicators, history)

    tables = [
        (HISTORY, history, history_schema()),
        (LATEST, latest, latest_schema()),
        (INDICATORS, sorted_indicators, indicators_table_schema),
        (REPARTITIONS, sorted_repartitions, repartitions_schema()),
    ]
    files: dict[str, bytes] = {}
    data_files: list[DataFile] = []
    typed: dict[str, dict[str, list[Value]]] = {}
    for table, frame, schema in tables:
        typed[table] = typed_columns(table, frame, schema)
        for name, data in _table_files(table, typed[table], schema).items():
            files[name] = data
            fmt = name.rsplit(".", 1)[1]
            data_files.append(DataFile(
                name=table if fmt == "csv" else f"{table}-{fmt}",
                path=name,
                format=fmt,
                title=f"{schema['title']} ({fmt.upper()})",
                description=schema["description"],
                bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                schema=schema,
            ))
    workbook = xlsx.workbook_bytes(
        [xlsx.Sheet(SHEET_NAMES[table], schema, typed[table]) for table, _, schema in tables],
        stamp=_edition_date(latest),
    )
    files[XLSX_FILE] = workbook
    data_files.append(DataFile(
        name=f"{HISTORY}-xlsx", path=XLSX_FILE, format="xlsx",
        title="Panorama des grands projets numériques de l'État (classeur XLSX)",
        description="Les quatre tables (historique, dernière édition, indicateurs, répartitions) dans un "
        "classeur pour tableur : une feuille par table, cellules typées, ligne d'en-tête figée et filtres, "
        "plus une feuille « colonnes » qui relie chaque libellé au nom de colonne des fichiers CSV.",
        bytes=len(workbook), sha256=hashlib.sha256(workbook).hexdigest(), schema={},
    ))
    try:
        files[SCHEMA_FILE] = SCHEMA_PATH.read_bytes()
    except OSError as exc:
        raise ExportError(f"Schéma du panorama illisible : {SCHEMA_PATH} ({os_reason(exc)}).") from None
    for table, _, schema in tables:
        if table in TABLE_SCHEMA_FILES:
            text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
            files[TABLE_SCHEMA_FILES[table]] = text.encode("utf-8")
    files[DICTIONARY_FILE] = render_dictionary(
        [TableDoc(schema, (f"{table}.csv", f"{table}.parquet", f"{XLSX_FILE} (feuille {SHEET_NAMES[table]})"))
         for table, _, schema in tables]
    ).encode("utf-8")
    return TableFiles(files, data_files, latest_edition)


def export_all(history: pd.DataFrame, indicators: pd.DataFrame, repartitions: pd.DataFrame, out_dir: Path, *,
               changelog_md: str, extra_files: dict[str, bytes] | None = None,
               tables: TableFiles | None = None) -> ExportResult:
    """Write every published file into `out_dir`; on any failure the previous files stay whole."""
    out_dir = Path(out_dir)
    files, version = build_files(history, indicators, repartitions,
                                 changelog_md=changelog_md, extra_files=extra_files, tables=tables)
    try:
        atomic.clean_stale_staging(out_dir)
        staging = atomic.staging_dir(out_dir)
    except OSError as exc:
        raise ExportError(f"Dossier de publication {out_dir} inutilisable : {os_reason(exc)}.") from None
    try:
        atomic.stage_all(staging, files)
    except OSError as exc:
        atomic.discard(staging)
        raise ExportError(
            f"Écriture impossible dans {staging} ({os_reason(exc)}). "
            "Les fichiers déjà publiés n'ont pas été modifiés."
        ) from None
    try:
        finals = atomic.promote(staging, out_dir, list(files))
    except OSError as exc:
        raise ExportError(
            f"Mise en place des fichiers dans {out_dir} interrompue ({os_reason(exc)}). Chaque fichier "
            "est entier, mais certains peuvent venir de l'export précédent : relancez l'export."
        ) from None
    written = tuple(
        WrittenFile(path=final, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
        for final, data in zip(finals, files.values())
    )
    return ExportResult(out_dir=out_dir, version=version, files=written)
