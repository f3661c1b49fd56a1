"""Run artifacts: what a steward reads in the Prefect UI after a run."""
from __future__ import annotations

import re

import pandas as pd
from prefect.artifacts import create_markdown_artifact, create_table_artifact


def _key(text: str) -> str:
    """Artifact keys accept lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")


def validation_summary(validation) -> str:
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
        ministries = ", ".join(sorted(set(sub.table["ministere_code"].dropna()))) if len(sub.table) else "—"
        blocking = sum(1 for f in sub.findings if f.blocking)
        warnings = sum(1 for f in sub.findings if str(f.severity) == "avertissement")
        status = "écarté" if sub.file in validation.dropped_files else ("bloquant" if blocking else "accepté")
        lines.append(
            f"| {sub.file} | {ministries} | {status} | {sub.rows_read} | {sub.rows_accepted} | {blocking} | {warnings} |"
        )
    lines += ["", f"Rapports : `rapports/{validation.edition.id}/`."]
    return "\n".join(lines)


def publish_validation(validations: list) -> None:
    for v in validations:
        create_markdown_artifact(
            key=_key(f"validation-{v.edition.id}"),
            markdown=validation_summary(v),
            description=f"Validation de l'édition {v.edition.id}",
        )


def publish_figures(indicators: pd.DataFrame, notes: list[str]) -> None:
    rows = []
    for rec in indicators.to_dict(orient="records"):
        rows.append({k: ("" if pd.isna(v) else str(v)) for k, v in rec.items()})
    create_table_artifact(key="indicateurs", table=rows, description="Indicateurs par édition")
    if notes:
        create_markdown_artifact(
            key="indicateurs-remarques", markdown="\n".join(f"- {n}" for n in notes), description="Remarques"
        )


def publish_publication(rows: list[dict], target: str) -> None:
    create_table_artifact(
        key=_key(f"publication-{target}"), table=rows, description=f"Ce qui a été publié sur la cible {target}"
    )
