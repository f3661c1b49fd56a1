"""Run artifacts: what a steward reads in the Prefect UI after a run."""
from __future__ import annotations

import contextvars
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from panorama.validation.submission import EditionValidation


class Sender:
    """Artifacts sent while the next stages run: each is an API call (40 ms here, more on a busy
    server) the stages need not wait for. One thread, in order, with the flow run's context so the
    artifact is the run's; leaving the block waits for every one and raises the first failure, as
    a call in place would have."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="artefacts")
        self._sent: list[Future[None]] = []

    def send(self, publish: Callable[..., None], *args: Any) -> None:
        self._sent.append(self._pool.submit(contextvars.copy_context().run, publish, *args))

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool.shutdown(wait=True)
        if exc_info[0] is None:
            for sent in self._sent:
                sent.result()


def _key(text: str) -> str:
    """Artifact keys accept lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


def validation_summary(validation: EditionValidation, report_dir: Path) -> str:
    """Per ministry file: status, counts, where the report is."""
    lines = [
        f"# Validation de l'édition {validation.edition.id}",
        "",
        "Publiable." if validation.publishable else "**Non publiable : constats bloquants.**",
        "",
        "| fichier | ministère(s) | statut | lignes lues | lignes retenues | bloquants | avertissements |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for sub in validation.submissions:
        # the column, not the table: a small file's rows stay cells until the edition's table is built
        ministries = ", ".join(sorted({c for c in sub.column("ministere_code") if isinstance(c, str) and c})) or "—"
        blocking = sum(1 for f in sub.findings if f.blocking)
        warnings = sum(1 for f in sub.findings if str(f.severity) == "avertissement")
        status = "écarté" if sub.file in validation.dropped_files else ("bloquant" if blocking else "accepté")
        lines.append(
            f"| {sub.file} | {ministries} | {status} | {sub.rows_read} | {sub.rows_accepted} | {blocking} | {warnings} |"
        )
    lines += ["", f"Rapports : `{report_dir / validation.edition.id}`."]
    return "\n".join(lines)


def publish_validation(validations: list[EditionValidation], report_dir: Path) -> None:
    for v in validations:
        create_markdown_artifact(
            key=_key(f"validation-{v.edition.id}"),
            markdown=validation_summary(v, report_dir),
            description=f"Validation de l'édition {v.edition.id}",
        )


def _cell(value: object) -> str:
    """Readable in the UI: dates without time, floats rounded (the files keep full precision)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


def publish_figures(indicators: pd.DataFrame, notes: list[str]) -> None:
    rows = [{k: _cell(v) for k, v in rec.items()} for rec in indicators.to_dict(orient="records")]
    create_table_artifact(key="indicateurs", table=rows, description="Indicateurs par édition")
    if notes:
        create_markdown_artifact(
            key="indicateurs-remarques", markdown="\n".join(f"- {n}" for n in notes), description="Remarques"
        )


def publish_publication(rows: list[dict[str, str]], target: str) -> None:
    create_table_artifact(
        key=_key(f"publication-{target}"), table=rows, description=f"Ce qui a été publié sur la cible {target}"
    )


def publish_diff(history: pd.DataFrame, indicators: pd.DataFrame, editions: list, edition: str,
                 links: pd.DataFrame | None = None, partial: frozenset[str] = frozenset()) -> None:
    """What changed against the previous edition, as `panorama diff` and the CHANGELOG say it."""
    from panorama.diff import edition_diff
    from panorama.diff_text import diff_markdown

    diff = edition_diff(history, indicators, editions, edition, links, partial)
    markdown = "\n".join([f"# Édition {edition} : ce qui change", "", *diff_markdown(diff, level=2)])
    create_markdown_artifact(key=_key(f"changements-{edition}"), markdown=markdown,
                             description=f"Changements de l'édition {edition} par rapport à la précédente")
