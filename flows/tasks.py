"""Tasks: one per stage of the pipeline, each a thin call into `panorama`.

Retries sit on network steps only. Caching is keyed on content hashes (never on DataFrames:
prefect #17547, #16049), so an unchanged submission is not read twice.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

from panorama import __version__, pipeline
from panorama.edition import Edition, discover_editions
from panorama.model import schema_version
from panorama.validation.rules import rules_digest


def _submission_key(_context: object, parameters: dict) -> str:
    """File bytes + schema version + code version + the steward's rules: what a submission result depends on."""
    path = Path(parameters["path"])
    edition: Edition | None = parameters.get("edition")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    edition_key = f"{edition.id}:{edition.date_publication}" if edition else "-"
    rules = rules_digest(edition.path.parent if edition else None)  # politique.toml, ministeres.csv…
    return f"submission-{digest}-{edition_key}-{schema_version()}-{__version__}-{rules}"


@task(name="découvrir-les-éditions", cache_policy=NO_CACHE)
def discover(raw_dir: Path) -> list[Edition]:
    return discover_editions(raw_dir)


@task(name="empreinte-des-entrées", cache_policy=NO_CACHE)
def fingerprint(raw_dir: Path, partial: frozenset[str]) -> str:
    return pipeline.inputs_fingerprint(raw_dir, partial)


@task(
    name="lire-et-valider-une-remontée",
    cache_key_fn=_submission_key,
    cache_expiration=timedelta(days=400),
    persist_result=True,
    task_run_name="valider {path.name}",
)
def validate_submission(path: Path, edition: Edition | None):
    from panorama.validation.submission import validate_submission as run

    return run(path, edition)


@task(name="consolider-une-édition", cache_policy=NO_CACHE, task_run_name="consolider {edition.id}")
def combine_edition(edition: Edition, submissions: list, partial: bool):
    from panorama.validation.submission import combine_edition as run

    return run(edition, submissions, partial=partial)


@task(name="écrire-les-rapports", cache_policy=NO_CACHE)
def write_reports(validations: list, report_dir: Path) -> list[Path]:
    return pipeline.write_all_reports(validations, report_dir)


@task(name="identifier-les-projets", cache_policy=NO_CACHE)
def build_history(validations: list, raw_dir: Path):
    return pipeline.build_history(validations, raw_dir)


@task(name="liste-à-vérifier", cache_policy=NO_CACHE)
def write_review(review: pd.DataFrame, report_dir: Path) -> Path:
    return pipeline.write_review(review, report_dir)


@task(name="calculer-les-indicateurs", cache_policy=NO_CACHE)
def measure(history: pd.DataFrame, editions: list[Edition]) -> pipeline.Measures:
    return pipeline.measure(history, editions)


@task(name="rédiger-les-documents", cache_policy=NO_CACHE)
def render_documents(history, measures, editions, validations, links):
    return pipeline.render_documents(history, measures, editions, validations, links)


@task(name="exporter", cache_policy=NO_CACHE)
def export(history, measures, out_dir: Path, changelog: str, extra: dict[str, bytes], fingerprint: str) -> list[Path]:
    written = pipeline.export(history, measures, out_dir, changelog, extra)
    pipeline.record_fingerprint(out_dir, fingerprint, written)
    return written
