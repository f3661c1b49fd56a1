"""The semester pipeline's stages, listed once: the plain run, the Prefect flow and the benchmarks
all walk `STAGES` in order.

Each stage is a plain function over a `Build` (the run's inputs and what earlier stages produced)
that does its work, stores its result on the build and returns a French detail line for the
person running it. No Prefect import here: `flows/build.py` wraps each stage in a task, and runs
the one stage that fans out (reading and validation, one task per file) through `Build.map_files`.
Heavy libraries are imported inside the stage that needs them (`Stage.needs`); on the plain run
they are imported ahead while a child process validates the files and writes their reports
(`panorama.forked`).
"""
from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from panorama.edition import Edition, choose_edition, discover_editions
from panorama.errors import BlockedEdition
from panorama.fingerprint import code_fingerprint, inputs_fingerprint

if TYPE_CHECKING:
    import pandas as pd

    from panorama.export.writer import TableFiles
    from panorama.identity import IdentityResult
    from panorama.validation.submission import EditionValidation
    from panorama.validation.targets import MapFiles

FINGERPRINT_FILE = ".empreinte-entrees.json"
DESCRIPTION_FILE = "description-jeu-de-donnees.md"
REVIEW_FILE = "identifiants-a-verifier.csv"


@dataclass
class Measures:
    indicators: pd.DataFrame
    repartitions: pd.DataFrame
    notes: list[str]


@dataclass
class Build:
    """One run: its inputs (set by the caller) and each stage's product (set by the stages)."""

    raw_dir: Path
    out_dir: Path
    report_dir: Path
    edition: str | None = None          # the edition published (default: the latest)
    allow_partial: bool = False         # the chosen edition may go out without its blocked files
    partial: frozenset[str] = frozenset()  # editions allowed partial by the caller
    force: bool = False                 # rebuild even when the inputs did not change
    state_file: Path | None = None      # the target's publication record (stable resource links)
    map_files: MapFiles | None = None   # how files are validated (the flow: one task per file)
    code_roots: tuple[Path, ...] | None = None  # what counts as code (default: fingerprint.CODE_ROOTS)
    forks: bool = False                 # set by validation: a fresh plain run, whose work may go to children
    # products
    chosen: str = ""
    fingerprint: str = ""
    unchanged: bool = False
    editions: list[Edition] = field(default_factory=list)
    validations: list[EditionValidation] = field(default_factory=list)
    identity: IdentityResult | None = None
    measures: Measures | None = None
    resource_links: dict[str, str] | None = None
    changelog: str = ""
    documents: dict[str, bytes] = field(default_factory=dict)
    tables: TableFiles | None = None    # the export's table files, when made beside the documents
    written: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)

    @property
    def blocked(self) -> list[EditionValidation]:
        return [v for v in self.validations if not v.publishable]


@dataclass(frozen=True)
class Stage:
    name: str                       # stable, as in StageReport.stage
    label: str                      # French, shown to people
    run: Callable[[Build], str]     # does the work; returns the French detail line
    fans_out: bool = False          # runs its files through Build.map_files (the flow: in the flow body)
    gate: bool = False              # after it, a blocked edition stops the run (BlockedEdition)
    needs: tuple[str, ...] = ()     # heavy modules it imports: loaded ahead while the files are validated


def french_int(n: int) -> str:
    """12345 → "12 345" (narrow no-break space), as French typography writes numbers."""
    return f"{n:,}".replace(",", "\u202f")


def plural(n: int, one: str, many: str) -> str:
    return f"{french_int(n)} {one if n < 2 else many}"


# ---- helpers the stages share with other callers (CLI, tests) ---------------------------------

def prepare_imports(modules: Iterable[str]) -> None:
    """Import `modules` ahead of their stages; one that fails waits for its stage, and its message there."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:
            return


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


def outputs_current(out_dir: Path, fingerprint: str) -> bool:
    """True when out_dir was built from exactly these inputs and its files are still intact."""
    import hashlib

    marker = out_dir / FINGERPRINT_FILE
    if not marker.is_file():
        return False
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    if recorded.get("entrees") != fingerprint:
        return False
    for name, sha in recorded.get("fichiers", {}).items():
        target = out_dir / name
        if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != sha:
            return False
    return True


def record_fingerprint(out_dir: Path, fingerprint: str, written: list[Path]) -> None:
    import hashlib

    from panorama.export.atomic import write_bytes_atomic

    files = {
        str(p.relative_to(out_dir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(written)
    }
    payload = json.dumps({"entrees": fingerprint, "fichiers": files}, indent=1, sort_keys=True)
    write_bytes_atomic(out_dir / FINGERPRINT_FILE, payload.encode("utf-8"))


def blocked_message(validations: list[EditionValidation]) -> list[str]:
    """The files at fault, each with its edition and ministries: what a failed run names."""
    parts = []
    for v in validations:
        if v.publishable:
            continue
        for sub in v.submissions:
            if sub.file in v.blocking_files:
                codes = sub.column("ministere_code") if sub.rows_accepted else []
                ministries = ", ".join(sorted({c for c in codes if isinstance(c, str) and c})) or "ministère non lu"
                parts.append(f"{v.edition.id}/{sub.file} ({ministries})")
    return parts


def ensure_publishable(validations: list[EditionValidation]) -> None:
    blocked = [v for v in validations if not v.publishable]
    if blocked:
        raise BlockedEdition(blocked[0].edition.id, blocked_message(validations))


class StageOrderError(RuntimeError):
    """A stage ran before the one producing what it needs: a programming error, never a person's."""


def _identity(build: Build) -> IdentityResult:
    if build.identity is None:
        raise StageOrderError("identity_stage must run first")
    return build.identity


def _measures(build: Build) -> Measures:
    if build.measures is None:
        raise StageOrderError("figures_stage must run first")
    return build.measures


# ---- the stages ------------------------------------------------------------------------------

def fingerprint_stage(build: Build) -> str:
    """Find the editions, hash the inputs; stop early when the outputs were built from the same."""
    from panorama.validation.rules import load_rules

    build.editions = discover_editions(build.raw_dir)  # first: refuses links and special files before any read
    load_rules(build.raw_dir)  # the steward's rule files (politique.toml…), checked before any work
    build.chosen = choose_edition(build.editions, build.edition)
    if build.allow_partial:
        build.partial = build.partial | {build.chosen}
    build.resource_links = load_resource_links(build.state_file)
    build.fingerprint = inputs_fingerprint(
        build.raw_dir, build.partial, {"liens": build.resource_links}, code_fingerprint(build.code_roots)
    )
    build.unchanged = not build.force and outputs_current(build.out_dir, build.fingerprint)
    files = sum(len(e.files) for e in build.editions)
    state = "entrées inchangées, rien à reconstruire" if build.unchanged else "entrées nouvelles ou modifiées"
    return f"{plural(len(build.editions), 'édition', 'éditions')}, {plural(files, 'fichier', 'fichiers')} : {state}"


def validation_stage(build: Build) -> str:
    """Read and validate every file of every edition (the history needs them all).

    On a fresh plain run (`Build.forks`), a forked child validates and writes the reports while
    this process imports what the later stages need; the reports stage then only says so."""
    from panorama.forked import call_beside
    from panorama.validation.targets import fits_beside

    ahead = [m for s in STAGES for m in s.needs if m not in sys.modules]
    build.forks = build.map_files is None and bool(ahead)  # a fresh process (the command), not a notebook or flow
    if build.forks and fits_beside(build.editions):
        build.validations, reports = call_beside(lambda: _validated_and_reported(build),
                                                 lambda: prepare_imports(ahead))
        build.reports.extend(reports or [])
    else:
        if build.forks:
            prepare_imports(ahead)
        build.validations = _validated(build)
    subs = [s for v in build.validations for s in v.submissions]
    rows = sum(s.rows_read for s in subs)
    detail = f"{plural(len(subs), 'fichier', 'fichiers')}, {plural(rows, 'ligne', 'lignes')}, " \
             f"{plural(len(build.validations), 'édition', 'éditions')}"
    blocking = sum(1 for s in subs if s.blocking)
    return detail + (f", {plural(blocking, 'fichier bloquant', 'fichiers bloquants')}" if blocking else "")


def _validated(build: Build) -> list[EditionValidation]:
    from panorama.validation.submission import EditionValidation
    from panorama.validation.targets import sequential, validate_groups

    outcomes = validate_groups(build.editions, build.partial, build.map_files or sequential)
    return [o for o in outcomes if isinstance(o, EditionValidation)]


def _validated_and_reported(build: Build) -> tuple[list[EditionValidation], list[Path] | None]:
    """In the validation's child: the validations, and the reports' paths (None when they could
    not be written: the reports stage writes them again and says why in its own name)."""
    validations = _validated(build)
    try:
        return validations, write_validation_reports(validations, build.report_dir)
    except Exception:  # noqa: BLE001 - any failure is the reports stage's to raise, in this process
        return validations, None


def write_validation_reports(validations: list[EditionValidation], report_dir: Path) -> list[Path]:
    """Each submission's report, each edition's summary and the ministries to review."""
    from panorama.validation.ministry_review import write_ministry_review
    from panorama.validation.report import write_reports

    written = [path for v in validations for path in write_reports(v, report_dir / v.edition.id)]
    return [*written, write_ministry_review(validations, report_dir)]


def reports_stage(build: Build) -> str:
    """Write each submission's report and each edition's summary (before any blocking stop); on a
    fresh plain run the validation's child wrote them already, unless it could not."""
    if not build.reports:  # nothing before this stage writes a report but the validation's child
        build.reports.extend(write_validation_reports(build.validations, build.report_dir))
    return f"{plural(len(build.reports), 'rapport écrit', 'rapports écrits')} dans {build.report_dir}"


def identity_stage(build: Build) -> str:
    """Identify projects across editions, assemble the history, list the unsure links."""
    from panorama.export.atomic import write_bytes_atomic
    from panorama.identity import assign_identifiers, load_aliases
    from panorama.validation.rules import load_rules

    identity = assign_identifiers([(v.edition, v.table) for v in build.validations], load_aliases(build.raw_dir),
                                  load_rules(build.raw_dir).ministries)  # the reference validation used
    build.identity = identity
    review = build.report_dir / REVIEW_FILE
    write_bytes_atomic(review, identity.review.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    build.reports.append(review)
    projects = int(identity.history["identifiant"].nunique()) if len(identity.history) else 0
    return (f"{plural(projects, 'projet', 'projets')}, {plural(len(identity.history), 'ligne', 'lignes')} d'historique, "
            f"{plural(len(identity.review), 'lien', 'liens')} à vérifier")


def figures_stage(build: Build) -> str:
    """The headline figures per edition and the breakdowns."""
    from panorama.figures import compute_indicators, compute_repartitions

    history = _identity(build).history
    indicators, notes = compute_indicators(history, build.editions, build.partial)
    build.measures = Measures(indicators, compute_repartitions(history), [*_identity(build).warnings, *notes])
    detail = f"{plural(len(indicators), 'édition mesurée', 'éditions mesurées')}, " \
             f"{plural(len(build.measures.repartitions), 'ligne', 'lignes')} de répartition"
    return detail + (f", {plural(len(build.measures.notes), 'remarque', 'remarques')}" if build.measures.notes else "")


def dropped_files(validations: list[EditionValidation]) -> dict[str, list[str]]:
    return {v.edition.id: list(v.dropped_files) for v in validations if v.dropped_files}


def documents_stage(build: Build) -> str:
    """The changelog, the dashboard, the PNG charts and the dataset description.

    On the plain command's run (`Build.forks`), a forked child builds the export's table files and
    the changelog meanwhile (`panorama.forked`): neither waits for the other, and the export stage
    then only writes."""
    from panorama.forked import call_beside

    if build.forks:
        build.tables, build.changelog = call_beside(lambda: (_export_tables(build), _changelog(build)),
                                                    lambda: _render_documents(build))
    else:
        build.changelog = _changelog(build)
        _render_documents(build)
    return f"journal des modifications et {plural(len(build.documents), 'document', 'documents')} " \
           "(tableau de bord, graphiques)"


def _changelog(build: Build) -> str:
    from panorama.changelog import render_changelog

    history, measures = _identity(build).history, _measures(build)
    return render_changelog(history, measures.indicators, build.editions, dropped_files(build.validations))


def _render_documents(build: Build) -> None:
    from panorama.dashboard import dataset_description, render_charts_png, render_dashboard
    from panorama.export.validation_summary import SUMMARY_FILE, summary_bytes

    history, measures = _identity(build).history, _measures(build)
    docs: dict[str, bytes] = {}
    docs.update(render_dashboard(history, measures.indicators, measures.repartitions, build.resource_links))
    docs.update(render_charts_png(measures.indicators, measures.repartitions))
    docs[DESCRIPTION_FILE] = dataset_description(measures.indicators, len(build.editions)).encode("utf-8")
    docs[SUMMARY_FILE] = summary_bytes(build.validations)  # for the resources' metadata on data.gouv.fr
    build.documents = docs


def _export_tables(build: Build) -> TableFiles | None:
    """The export's table files; None when the tables are refused, so that the export stage builds
    them again and says why in its own name."""
    from panorama.errors import ExportError
    from panorama.export.writer import build_table_files

    measures = _measures(build)
    try:
        return build_table_files(_identity(build).history, measures.indicators, measures.repartitions)
    except ExportError:
        return None


def export_stage(build: Build) -> str:
    """CSV, Parquet, schemas, data package, dictionary and documents, atomically; then the fingerprint."""
    from panorama.export import export_all

    measures = _measures(build)
    result = export_all(_identity(build).history, measures.indicators, measures.repartitions,
                        build.out_dir, changelog_md=build.changelog, extra_files=build.documents,
                        tables=build.tables)
    build.written = [f.path for f in result.files]
    record_fingerprint(build.out_dir, build.fingerprint, build.written)
    return f"{plural(len(build.written), 'fichier écrit', 'fichiers écrits')} dans {build.out_dir}"


STAGES: tuple[Stage, ...] = (
    Stage("empreinte", "Empreinte des entrées", fingerprint_stage),
    Stage("validation", "Lecture et validation", validation_stage, fans_out=True),
    Stage("rapports", "Rapports de validation", reports_stage, gate=True),
    Stage("identite", "Identification des projets", identity_stage, needs=("panorama.identity",)),
    Stage("indicateurs", "Indicateurs", figures_stage, needs=("panorama.figures",)),
    Stage("documents", "Documents", documents_stage, needs=("panorama.changelog", "panorama.dashboard")),
    Stage("export", "Export", export_stage, needs=("panorama.export",)),
)


def stage(name: str) -> Stage:
    """The stage called `name` (benchmarks time or profile one by name)."""
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(name)
