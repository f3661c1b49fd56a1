"""The edition summary a steward forwards: per ministry, its status, counts, and who sent nothing.

"Who sent nothing" needs the previous edition's ministries; the summary JSON records each
edition's ministries so that the next edition's summary can compare without re-reading files.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from panorama.validation.submission import EditionValidation, SubmissionResult

SUMMARY_JSON = "synthese.json"


def ministries_of(results: list[SubmissionResult]) -> dict[str, str]:
    """Ministry code → name, over every readable submission (rejected rows are not in the tables)."""
    found: dict[str, str] = {}
    for r in results:
        if not r.rows_accepted:
            continue
        for code, name in zip(r.column("ministere_code"), r.column("ministere_nom")):
            if isinstance(code, str) and code:
                found.setdefault(code, name if isinstance(name, str) and name else code)
    return dict(sorted(found.items()))


def previous_ministries(validation: EditionValidation, report_dir: Path) -> dict[str, str] | None:
    """The previous edition's ministries, from its summary beside this edition's report folder."""
    wanted = validation.edition.numero - 1
    parent = Path(report_dir).resolve().parent
    if wanted < 1 or not parent.is_dir():
        return None
    for folder in sorted(p for p in parent.iterdir() if p.is_dir()):
        path = folder / SUMMARY_JSON
        if not path.is_file() or folder.name == validation.edition.id:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        edition = data.get("edition") or {}
        if edition.get("numero") == wanted and isinstance(data.get("ministeres"), dict):
            return {str(k): str(v) for k, v in data["ministeres"].items()}
    return None


def ministry_rows(validation: EditionValidation) -> list[dict[str, Any]]:
    """One line per submission file with its ministries, status and counts."""
    rows = []
    for r in validation.submissions:
        blocking = sum(1 for f in r.findings if f.blocking)
        warnings = sum(1 for f in r.findings if str(f.severity) == "avertissement")
        if r.file in validation.dropped_files:
            status = "écarté de l'édition partielle"
        elif r.unreadable:
            status = "illisible : à renvoyer"
        elif blocking:
            status = "à corriger (points bloquants)"
        else:
            status = "accepté"
        rows.append({"fichier": r.file, "ministeres": ", ".join(ministries_of([r])) or "non lu",
                     "statut": status, "projets_retenus": r.rows_accepted, "bloquants": blocking,
                     "avertissements": warnings})
    return rows


def missing_lines(missing: dict[str, str], previous_id: str | None = None) -> list[str]:
    where = "l'édition précédente" if previous_id is None else f"l'édition {previous_id}"
    return [f"{name} ({code}) : présent dans {where}, aucune remontée reçue." for code, name in missing.items()]


def summary_extra_markdown(rows: list[dict[str, Any]], missing: dict[str, str]) -> list[str]:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")

    lines = ["", "## Par ministère", "", "| Ministère(s) | Fichier | Statut | Projets retenus | Bloquants | Avertissements |",
             "|---|---|---|---:|---:|---:|"]
    lines += [f"| {cell(r['ministeres'])} | {cell(r['fichier'])} | {r['statut']} | {r['projets_retenus']} | "
              f"{r['bloquants']} | {r['avertissements']} |" for r in rows]
    if missing:
        lines += ["", "## Ce qui manque", ""] + [f"- **Avertissement** : {cell(t)}" for t in missing_lines(missing)]
    return lines


def summary_html(summary: dict[str, Any], rows: list[dict[str, Any]], missing: dict[str, str]) -> str:
    """The same summary as a self-contained page (A4), for a steward to forward."""
    from panorama.validation.report_html import CSS

    e = lambda v: html.escape("" if v is None else str(v), quote=False)  # noqa: E731
    edition = summary.get("edition")
    title = f"Synthèse de validation : {edition['libelle']}" if edition else "Synthèse de validation"
    parts = [f"<h1>{e(title)}</h1>"]
    if edition:
        state = "publiable" if summary.get("publiable") else "non publiable en l'état (points bloquants)"
        parts.append(f"<p>Édition {e(edition['numero'])} ({e(edition['id'])}) : {e(state)} ; "
                     f"{e(summary.get('nombre_de_projets'))} projet(s) retenu(s).</p>")
    if missing:
        parts.append("<h2>Ce qui manque</h2><ul>" + "".join(f"<li>{e(t)}</li>" for t in missing_lines(missing)) + "</ul>")
    parts.append("<h2>Par ministère</h2><table><thead><tr><th>Ministère(s)</th><th>Fichier</th><th>Statut</th>"
                 "<th>Projets retenus</th><th>Bloquants</th><th>Avertissements</th></tr></thead><tbody>")
    parts += [f"<tr><td>{e(r['ministeres'])}</td><td>{e(r['fichier'])}</td><td>{e(r['statut'])}</td>"
              f"<td>{r['projets_retenus']}</td><td>{r['bloquants']}</td><td>{r['avertissements']}</td></tr>" for r in rows]
    parts.append("</tbody></table>")
    return ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")
