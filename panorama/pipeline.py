"""The semester pipeline as plain functions: `run_pipeline` walks `panorama.stages.STAGES`.

The Prefect flow (`flows/build.py`) walks the same list, one task per stage; the CLI's `--direct`
mode and the benchmarks call this. No Prefect import here.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from panorama.edition import Edition
from panorama.progress import ProgressCallback, StageReport
from panorama.stages import (  # noqa: F401  (re-exported: callers and tests use these names)
    DESCRIPTION_FILE,
    FINGERPRINT_FILE,
    REVIEW_FILE,
    STAGES,
    Build,
    Measures,
    Stage,
    ensure_publishable,
    load_resource_links,
    outputs_current,
    record_fingerprint,
)

if TYPE_CHECKING:
    import pandas as pd

    from panorama.identity import IdentityResult
    from panorama.validation.submission import EditionValidation


@dataclass
class PipelineResult:
    editions: list[Edition]
    validations: list[EditionValidation]
    history: pd.DataFrame | None = None
    review: pd.DataFrame | None = None
    measures: Measures | None = None
    written: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    skipped_unchanged: bool = False

    @property
    def blocked(self) -> list[EditionValidation]:
        return [v for v in self.validations if not v.publishable]

    @classmethod
    def of(cls, build: Build) -> PipelineResult:
        identity = build.identity
        return cls(build.editions, build.validations, identity.history if identity else None,
                   identity.review if identity else None, build.measures, build.written, build.reports,
                   build.unchanged)


def run_stage(stage: Stage, build: Build, progress: ProgressCallback | None = None) -> StageReport:
    """Run one stage, tell `progress`, and stop the run when the stage is a gate and an edition is blocked."""
    start = time.perf_counter()
    detail = stage.run(build)
    report = StageReport(stage.name, stage.label, detail, time.perf_counter() - start)
    if progress is not None:
        progress(report)
    if stage.gate:
        ensure_publishable(build.validations)
    return report


def run_stages(build: Build, stages: Iterable[Stage] = STAGES,
               progress: ProgressCallback | None = None) -> Build:
    """Every stage in order; an unchanged input stops the run after the fingerprint."""
    for stage in stages:
        run_stage(stage, build, progress)
        if build.unchanged:
            break
    return build


def run_pipeline(
    raw_dir: Path,
    out_dir: Path,
    report_dir: Path,
    *,
    partial: set[str] | frozenset[str] = frozenset(),
    force: bool = False,
    state_file: Path | None = None,
    edition: str | None = None,
    allow_partial: bool = False,
    progress: ProgressCallback | None = None,
    code_roots: tuple[Path, ...] | None = None,
) -> PipelineResult:
    """Rebuild everything from `raw_dir`; raises BlockedEdition before writing any export.

    `progress` receives one StageReport after each stage; `code_roots` are the folders whose files
    count as code in the input fingerprint (tests point it at a copy)."""
    build = Build(raw_dir, out_dir, report_dir, edition=edition, allow_partial=allow_partial,
                  partial=frozenset(partial), force=force, state_file=state_file, code_roots=code_roots)
    return PipelineResult.of(run_stages(build, progress=progress))


# Single stages, for tests and notebooks that need one product without a whole run.

def validate_all(editions: list[Edition], partial: set[str] | frozenset[str] = frozenset()) -> list[EditionValidation]:
    """Validate every edition (the history needs them all); `partial` names editions allowed partial."""
    from panorama.validation.submission import EditionValidation
    from panorama.validation.targets import validate_groups

    return [o for o in validate_groups(editions, frozenset(partial)) if isinstance(o, EditionValidation)]


def build_history(validations: list[EditionValidation], raw_dir: Path) -> IdentityResult:
    """Identify projects across editions and assemble the cumulative history."""
    from panorama.identity import assign_identifiers, load_aliases
    from panorama.validation.rules import load_rules

    return assign_identifiers([(v.edition, v.table) for v in validations], load_aliases(raw_dir),
                              load_rules(raw_dir).ministries)


def measure(history: pd.DataFrame, editions: list[Edition]) -> Measures:
    from panorama.figures import compute_indicators, compute_repartitions

    indicators, notes = compute_indicators(history, editions)
    return Measures(indicators, compute_repartitions(history), notes)
