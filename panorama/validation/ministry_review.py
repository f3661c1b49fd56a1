"""`ministeres-a-verifier.csv`: the ministries a run accepted under a provisional code.

One line per provisional code, in the columns of `data/raw/ministeres.csv` (code, nom, aliases,
successeur) so that the steward can copy it there once the code is chosen, followed by where the
name was seen. It sits beside `identifiants-a-verifier.csv`; an empty list still has its header.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TypedDict

from panorama.export.atomic import write_bytes_atomic
from panorama.normalise.ministries import provisional_code

REVIEW_FILE = "ministeres-a-verifier.csv"
COLUMNS = ("code", "nom", "aliases", "successeur", "editions", "fichiers", "lignes")


class _Seen(TypedDict):
    """One provisional code: its name as first written and where it was seen."""

    nom: str
    editions: set[str]
    fichiers: set[str]
    lignes: list[str]


def _provisional(finding) -> tuple[str, str] | None:
    """(code, name as written) of a `ministere-inconnu` finding: the code is derived from the name."""
    if finding.type != "ministere-inconnu" or not finding.value:
        return None
    name = " ".join(str(finding.value).split())
    return provisional_code(name), name


def ministry_review_rows(validations: list) -> list[dict[str, str]]:
    """The provisional ministries of every validated edition, sorted by code."""
    seen: dict[str, _Seen] = {}
    for v in validations:
        for s in v.submissions:
            for f in s.findings:
                found = _provisional(f)
                if found is None:
                    continue
                code, name = found
                entry = seen.setdefault(code, {"nom": name, "editions": set(), "fichiers": set(), "lignes": []})
                entry["editions"].add(v.edition.id)
                entry["fichiers"].add(f"{v.edition.id}/{s.file}")
                entry["lignes"].append(f"{v.edition.id}/{s.file}:{f.row}")
    return [{"code": code, "nom": str(e["nom"]), "aliases": "", "successeur": "",
             "editions": " ".join(sorted(e["editions"])), "fichiers": " ".join(sorted(e["fichiers"])),
             "lignes": " ".join(e["lignes"])}
            for code, e in sorted(seen.items())]


def write_ministry_review(validations: list, report_dir: Path) -> Path:
    """Write the review file atomically (deterministic bytes)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(ministry_review_rows(validations))
    path = Path(report_dir) / REVIEW_FILE
    write_bytes_atomic(path, buffer.getvalue().encode("utf-8"))
    return path
