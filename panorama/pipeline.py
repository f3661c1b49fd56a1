"""The semester pipeline as plain functions, one per stage of the design picture.

Prefect flows (`flows/`) call these same functions task by task; the CLI's `--direct` mode and
the benchmarks call `run_pipeline` straight. No Prefect import here.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from panorama import __version__
from panorama.edition import ALIASES_FILE, Edition, discover_editions, input_files
from panorama.errors import BlockedEdition
from panorama.model import SCHEMA_PATH, schema_version

FINGERPRINT_FILE = ".empreinte-entrees.json"
DESCRIPTION_FILE = "description-jeu-de-donnees.md"
REVIEW_FILE = "identifiants-a-verifier.csv"


@dataclass
class Measures:
    indicators: pd.DataFrame
    repartitions: pd.DataFrame
    notes: list[str]


@dataclass
class PipelineResult:
    editions: list[Edition]
    validations: list  # list[EditionValidation]
    history: pd.DataFrame | None = None
    review: pd.DataFrame | None = None
    measures: Measures | None = None
    written: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    skipped_unchanged: bool = False

    @property
    def blocked(self) -> list:
        return [v for v in self.validations if not v.publishable]


def inputs_fingerprint(raw_dir: Path, partial: set[str] | frozenset[str] = frozenset()) -> str:
    """A hash of everything the outputs depend on: raw files, schema, code version, options.

    Equal fingerprints mean the history would be rebuilt byte for byte, so a re-run may stop early.
    """
    digest = hashlib.sha256()
    digest.update(f"panorama {__version__} schema {schema_version()} partial {sorted(partial)}\n".encode())
    digest.update(SCHEMA_PATH.read_bytes())
    for path in input_files(raw_dir):  # the checked listing: never a link, a pipe or a hidden file
        digest.update(str(path.relative_to(raw_dir)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def outputs_current(raw_dir: Path, out_dir: Path, fingerprint: str | None = None) -> bool:
    """True when out_dir was built from exactly these inputs and its files are still intact."""
    marker = out_dir / FINGERPRINT_FILE
    if not marker.is_file():
        return False
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    if recorded.get("entrees") != (fingerprint or inputs_fingerprint(raw_dir)):
        return False
    for name, sha in recorded.get("fichiers", {}).items():
        target = out_dir / name
        if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != sha:
            return False
    return True


def record_fingerprint(out_dir: Path, fingerprint: str, written: list[Path]) -> None:
    from panorama.export.atomic import write_bytes_atomic

    files = {
        str(p.relative_to(out_dir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(written)
    }
    payload = json.dumps({"entrees": fingerprint, "fichiers": files}, indent=1, sort_keys=True)
    write_bytes_atomic(out_dir / FINGERPRINT_FILE, payload.encode("utf-8"))


def validate_all(editions: list[Edition], partial: set[str] | frozenset[str] = frozenset()) -> list:
    """Validate every edition (the history needs them all); `partial` names editions allowed partial."""
    from panorama.validation.rules import rules_for
    from panorama.validation.submission import validate_edition

    rules = rules_for(editions[0]) if editions else None  # the raw folder's rules, read once for the run
    return [validate_edition(e, partial=e.id in partial, rules=rules) for e in editions]


def ensure_publishable(validations: list) -> None:
    blocked = [v for v in validations if not v.publishable]
    if blocked:
        first = blocked[0]
        raise BlockedEdition(first.edition.id, list(first.blocking_files))


def build_history(validations: list, raw_dir: Path):
    """Identify projects across editions and assemble the cumulative history."""
    from panorama.identity import assign_identifiers, load_aliases

    tables = [(v.edition, v.table) for v in validations]
    return assign_identifiers(tables, load_aliases(raw_dir))


def measure(history: pd.DataFrame, editions: list[Edition]) -> Measures:
    from panorama.figures import compute_indicators, compute_repartitions

    indicators, notes = compute_indicators(history, editions)
    return Measures(indicators, compute_repartitions(history), notes)


def dropped_files(validations: list) -> dict[str, list[str]]:
    return {v.edition.id: list(v.dropped_files) for v in validations if v.dropped_files}


def render_documents(
    history: pd.DataFrame,
    measures: Measures,
    editions: list[Edition],
    validations: list,
    resource_links: dict[str, str] | None = None,
) -> tuple[str, dict[str, bytes]]:
    """The changelog text and every generated document (dashboard, charts, description)."""
    from panorama.changelog import render_changelog
    from panorama.dashboard import dataset_description, render_charts_png, render_dashboard
    from panorama.export.validation_summary import SUMMARY_FILE, summary_bytes

    changelog = render_changelog(history, measures.indicators, editions, dropped_files(validations))
    extra: dict[str, bytes] = {}
    extra.update(render_dashboard(history, measures.indicators, measures.repartitions, resource_links))
    extra.update(render_charts_png(measures.indicators, measures.repartitions))
    extra[DESCRIPTION_FILE] = dataset_description(measures.indicators, len(editions)).encode("utf-8")
    extra[SUMMARY_FILE] = summary_bytes(validations)  # for the resources' metadata on data.gouv.fr
    return changelog, extra


def export(history: pd.DataFrame, measures: Measures, out_dir: Path, changelog: str, extra: dict[str, bytes]) -> list[Path]:
    from panorama.export import export_all

    result = export_all(
        history, measures.indicators, measures.repartitions, out_dir, changelog_md=changelog, extra_files=extra
    )
    return [f.path for f in result.files]


def write_all_reports(validations: list, report_dir: Path) -> list[Path]:
    from panorama.validation.ministry_review import write_ministry_review
    from panorama.validation.report import write_reports

    paths: list[Path] = []
    for v in validations:
        paths.extend(write_reports(v, report_dir / v.edition.id))
    paths.append(write_ministry_review(validations, report_dir))
    return paths


def write_review(review: pd.DataFrame, report_dir: Path) -> Path:
    """The identity links the matcher was unsure of, for the steward to settle in identifiants.csv."""
    from panorama.export.atomic import write_bytes_atomic

    path = report_dir / REVIEW_FILE
    write_bytes_atomic(path, review.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return path


def load_resource_links(state_file: Path | None) -> dict[str, str] | None:
    """Stable URLs (`/api/1/datasets/r/<id>`) of resources already published, for the dashboard."""
    if state_file is None or not state_file.is_file():
        return None
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    api_url = str(state.get("api_url") or "").rstrip("/")
    resources = state.get("resources") or {}
    if not api_url.startswith(("http://", "https://")) or not resources:
        return None
    return {str(key): f"{api_url}/datasets/r/{rid}" for key, rid in sorted(resources.items())}


def run_pipeline(
    raw_dir: Path,
    out_dir: Path,
    report_dir: Path,
    *,
    partial: set[str] | frozenset[str] = frozenset(),
    force: bool = False,
    state_file: Path | None = None,
) -> PipelineResult:
    """Rebuild everything from `raw_dir`; raises BlockedEdition before writing any export."""
    editions = discover_editions(raw_dir)  # first: refuses links and special files before any read
    fingerprint = inputs_fingerprint(raw_dir, partial)
    if not force and outputs_current(raw_dir, out_dir, fingerprint):
        return PipelineResult(editions, [], skipped_unchanged=True)
    validations = validate_all(editions, partial)
    result = PipelineResult(editions, validations)
    result.reports = write_all_reports(validations, report_dir)
    ensure_publishable(validations)
    identity = build_history(validations, raw_dir)
    result.history, result.review = identity.history, identity.review
    result.reports.append(write_review(identity.review, report_dir))
    result.measures = measure(identity.history, editions)
    result.measures.notes[:0] = list(identity.warnings)
    changelog, extra = render_documents(
        identity.history, result.measures, editions, validations, load_resource_links(state_file)
    )
    result.written = export(identity.history, result.measures, out_dir, changelog, extra)
    record_fingerprint(out_dir, fingerprint, result.written)
    return result
