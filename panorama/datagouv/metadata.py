"""The dataset's metadata on data.gouv.fr: title, description, licence, frequency, coverage, tags.

The description comes from `description-jeu-de-donnees.md` written by the export stage; its
placeholders `{{lien:<file name>}}` become the resources' stable URLs, which exist only once the
resources do, so the description is computed again after the uploads.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from panorama.datagouv.resources import DESCRIPTION_FILE, INDICATORS_FILE

DATASET_TITLE = "Panorama des grands projets numériques de l'État"
LICENSE = "lov2"
FREQUENCY = "semiannual"
TAGS = ("grands-projets-numeriques", "transformation-numerique", "projets-informatiques", "etat",
        "budget", "numerique")
DEFAULT_DESCRIPTION = (
    "Le panorama des grands projets numériques de l'État recense, à chaque édition, les projets "
    "informatiques de l'État de plus de 9 millions d'euros : coût, calendrier, avancement et ministère."
)
# National coverage: data.gouv.fr's zone id for France and its "country" granularity (one of
# udata's quality criteria; the zone must exist on the platform, as it does on data.gouv.fr).
SPATIAL: dict[str, Any] = {"zones": ["country:fr"], "granularity": "country"}
PLACEHOLDER = re.compile(r"\{\{\s*lien\s*:\s*([^}]+?)\s*\}\}")
NOT_PUBLISHED = "(fichier non publié sur data.gouv.fr)"
PENDING = "(lien attribué à la publication)"


@dataclass(frozen=True)
class DatasetMetadata:
    title: str
    description: str
    license: str
    frequency: str
    temporal_coverage: dict[str, str] | None
    tags: tuple[str, ...]
    spatial: dict[str, Any] | None = None

    def as_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"title": self.title, "description": self.description, "license": self.license,
                   "frequency": self.frequency, "temporal_coverage": self.temporal_coverage,
                   "tags": list(self.tags)}
        if self.spatial is not None:
            payload["spatial"] = {"zones": list(self.spatial["zones"]), "granularity": self.spatial["granularity"]}
        return payload


def _parse_day(text: str) -> date | None:
    text = text.strip()
    for parse in (lambda t: date.fromisoformat(t[:10]), lambda t: datetime.strptime(t[:10], "%d/%m/%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def temporal_coverage(out_dir: Path) -> dict[str, str] | None:
    """From the first to the last `date_publication` of the indicators table; None without it."""
    path = out_dir / INDICATORS_FILE
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        sample = fh.readline()
        fh.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        days = [d for row in csv.DictReader(fh, delimiter=delimiter)
                if (d := _parse_day(row.get("date_publication") or "")) is not None]
    if not days:
        return None
    return {"start": min(days).isoformat(), "end": max(days).isoformat()}


def render_description(out_dir: Path, links: Mapping[str, str | None]) -> str:
    """The Markdown description with each `{{lien:x}}` replaced by x's stable URL.

    `links` maps a file name (or path relative to the output folder) to its URL, or to None when
    the file will get one during this publication; files absent from `links` are not published.
    """
    path = out_dir / DESCRIPTION_FILE
    text = path.read_text(encoding="utf-8").strip() if path.is_file() else DEFAULT_DESCRIPTION

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in links:
            return NOT_PUBLISHED
        return links[name] or PENDING

    return PLACEHOLDER.sub(replace, text)


def dataset_metadata(out_dir: Path, links: Mapping[str, str | None]) -> DatasetMetadata:
    return DatasetMetadata(
        title=DATASET_TITLE,
        description=render_description(out_dir, links),
        license=LICENSE,
        frequency=FREQUENCY,
        temporal_coverage=temporal_coverage(out_dir),
        tags=TAGS,
        spatial=SPATIAL,
    )


def _coverage(value: Any) -> dict[str, str] | None:
    if not isinstance(value, Mapping) or not value.get("start"):
        return None
    return {"start": str(value["start"])[:10], "end": str(value.get("end") or "")[:10]}


def _comparable(field: str, value: Any) -> Any:
    if field == "tags":
        return sorted(str(t).lower() for t in (value or []))
    if field == "temporal_coverage":
        return _coverage(value)
    if field == "description":
        return (value or "").strip()
    if field == "spatial":  # the server adds "geom" and may give zones as objects
        if not isinstance(value, Mapping):
            return None
        zones = [z.get("id") if isinstance(z, Mapping) else z for z in value.get("zones") or []]
        return {"zones": sorted(str(z) for z in zones), "granularity": value.get("granularity") or None}
    return value


def metadata_changes(current: Mapping[str, Any], wanted: DatasetMetadata) -> dict[str, dict[str, Any]]:
    """Field → {"avant", "apres"} for each field the server holds differently."""
    changes = {}
    for name, value in wanted.as_payload().items():
        before = current.get(name)
        if _comparable(name, before) != _comparable(name, value):
            changes[name] = {"avant": before, "apres": value}
    return changes


def updated_whole(current: Mapping[str, Any], wanted: DatasetMetadata) -> dict[str, Any]:
    """The whole dataset object with our fields changed: udata's PUT wipes what is omitted."""
    whole = dict(current)
    whole.update(wanted.as_payload())
    return whole
