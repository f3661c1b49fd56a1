"""Validation reports: per submission (JSON, and Markdown + HTML for the ministry) and per edition (summary).

Reports are deterministic (no timestamps, stable order) and written atomically; a file name from
a ministry never decides where a report lands outside the report folder. When a report stops
listing findings, it says how many it left out.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from panorama.export.atomic import write_files_atomic
from panorama.findings.catalog import title_of
from panorama.findings.core import Severity
from panorama.validation.submission import EditionValidation, SubmissionResult

DEFAULT_LIMIT = 1000
SUMMARY_NAME = "synthese"
_SEVERITIES = (Severity.BLOCKING, Severity.WARNING, Severity.INFO)


def safe_name(name: str) -> str:
    """A plain file name: no folder part, accents dropped, odd characters replaced, never hidden."""
    base = re.split(r"[\\/]", name)[-1]
    decomposed = unicodedata.normalize("NFKD", base)
    ascii_name = "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._-")
    return cleaned[:120] or "fichier"


def _report_names(results: list[SubmissionResult]) -> list[str]:
    seen: Counter[str] = Counter()
    names = []
    for r in results:
        base = safe_name(r.file)
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def _counts(result: SubmissionResult) -> dict[str, Any]:
    by_severity = Counter(str(f.severity) for f in result.findings)
    by_type = Counter(f.type for f in result.findings)
    return {
        "par_gravite": {str(s): by_severity.get(str(s), 0) for s in _SEVERITIES},
        "par_type": dict(sorted(by_type.items())),
    }


def _finding_row(f) -> dict[str, Any]:
    return {
        "type": f.type, "titre": title_of(f.type), "gravite": str(f.severity), "fichier": f.file,
        "feuille": f.sheet, "ligne": f.row, "colonne": f.column, "champ": f.field, "valeur": f.value,
        "message": f.message, "attendu": f.expected,
    }


def submission_report(result: SubmissionResult, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    listed = result.findings[:limit]
    return {
        "fichier": result.file, "sha256": result.sha256, "encodage": result.encoding,
        "separateur": result.delimiter, "feuille": result.sheet, "illisible": result.unreadable,
        "lignes_lues": result.rows_read, "lignes_acceptees": result.rows_accepted,
        "bloquant": result.blocking, "colonnes_inconnues": list(result.unknown_columns),
        "nombre_de_constats": len(result.findings), **_counts(result),
        "constats": [_finding_row(f) for f in listed],
        "constats_non_listes": len(result.findings) - len(listed),
    }


def _md(value: object) -> str:
    """A Markdown table cell: no pipe, no line break, no HTML."""
    if value is None:
        return ""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*[\r\n]+\s*", " ", text).replace("`", "'")


def submission_markdown(result: SubmissionResult, limit: int = DEFAULT_LIMIT) -> str:
    """The ministry's Markdown report: blocking findings first, each naming project, row and column."""
    from panorama.validation.report_html import person_findings

    items = person_findings(result)
    listed = items[:limit]
    counts = _counts(result)["par_gravite"]
    verdict = ("**Bloquant** : ce fichier ne peut pas être publié tant que les constats bloquants ne sont pas corrigés."
               if result.blocking else "**Publiable** : aucun constat bloquant.")
    lines = [
        f"# Rapport de validation : {_md(result.file)}", "",
        f"- Lignes de projet lues : {result.rows_read} ; acceptées : {result.rows_accepted}",
        f"- Constats : {counts['bloquant']} bloquant(s), {counts['avertissement']} avertissement(s), "
        f"{counts['information']} information(s)",
        f"- Verdict : {verdict}",
    ]
    if result.sheet:
        lines.insert(2, f"- Feuille lue : {_md(result.sheet)}")
    if result.unknown_columns:
        lines.append("- Colonnes ignorées : " + ", ".join(f"« {_md(c)} »" for c in result.unknown_columns))
    lines += ["", "## Constats", ""]
    if not listed:
        lines.append("Aucun constat.")
    else:
        lines += ["| Gravité | Projet | Ligne | Colonne | Valeur | Problème | Forme attendue | Suggestion |",
                  "|---|---|---|---|---|---|---|---|"]
        for f in listed:
            where = f"{f['ligne']}" if f["ligne"] is not None else ""
            if f["feuille"]:
                where = f"{_md(f['feuille'])} : {where}"
            lines.append(f"| {f['libelle_gravite']} | {_md(f['projet'])} | {where} | {_md(f['colonne'])} | "
                         f"{_md(f['valeur'])} | {_md(f['probleme'])} : {_md(f['message'])} | {_md(f['attendu'])} | "
                         f"{_md(f['suggestion'])} |")
    if len(items) > len(listed):
        lines += ["", f"{len(items) - len(listed)} autre(s) constat(s) non listé(s) ici (limite de {limit} "
                      "par fichier) ; les comptes ci-dessus les incluent tous."]
    lines += ["", f"Empreinte SHA-256 du fichier reçu : `{result.sha256 or 'inconnue'}`"]
    return "\n".join(lines) + "\n"


def edition_summary(validation: EditionValidation | list[SubmissionResult]) -> dict[str, Any]:
    results = validation.submissions if isinstance(validation, EditionValidation) else list(validation)
    names = _report_names(results)
    totals_severity: Counter[str] = Counter()
    totals_type: Counter[str] = Counter()
    files = []
    for r, name in zip(results, names):
        counts = _counts(r)
        totals_severity.update(counts["par_gravite"])
        totals_type.update(counts["par_type"])
        files.append({"fichier": r.file, "rapport": f"{name}.rapport.md", "sha256": r.sha256,
                      "lignes_lues": r.rows_read, "lignes_acceptees": r.rows_accepted, "bloquant": r.blocking,
                      **counts})
    summary: dict[str, Any] = {"edition": None}
    if isinstance(validation, EditionValidation):
        e = validation.edition
        summary["edition"] = {"id": e.id, "numero": e.numero, "libelle": e.libelle,
                              "date_publication": e.date_publication.isoformat()}
        summary.update(publiable=validation.publishable, publication_partielle=validation.partial,
                       nombre_de_projets=validation.projects)
    summary.update(
        fichiers_bloquants=[r.file for r in results if r.blocking],
        fichiers_ecartes=list(validation.dropped_files) if isinstance(validation, EditionValidation) else [],
        fichiers=files,
        totaux={"par_gravite": {str(s): totals_severity.get(str(s), 0) for s in _SEVERITIES},
                "par_type": dict(sorted(totals_type.items()))},
    )
    return summary


def summary_markdown(summary: dict[str, Any]) -> str:
    e = summary["edition"]
    title = f"# Synthèse de validation : {_md(e['libelle'])}" if e else "# Synthèse de validation"
    lines = [title, ""]
    if e:
        state = "publiable" if summary["publiable"] else "non publiable (constats bloquants)"
        lines.append(f"- Édition {e['numero']} ({e['id']}) : {state} ; {summary['nombre_de_projets']} projet(s) retenu(s)")
    if summary["fichiers_ecartes"]:
        lines.append("- Fichiers écartés (publication partielle) : " + ", ".join(_md(f) for f in summary["fichiers_ecartes"]))
    t = summary["totaux"]["par_gravite"]
    lines += [f"- Constats : {t['bloquant']} bloquant(s), {t['avertissement']} avertissement(s), "
              f"{t['information']} information(s)", "",
              "| Fichier | SHA-256 | Lignes lues | Lignes acceptées | Bloquants | Avertissements | Informations | Rapport |",
              "|---|---|---|---|---|---|---|---|"]
    for f in summary["fichiers"]:
        g = f["par_gravite"]
        lines.append(f"| {_md(f['fichier'])} | `{f['sha256'] or ''}` | {f['lignes_lues']} | {f['lignes_acceptees']} | "
                     f"{g['bloquant']} | {g['avertissement']} | {g['information']} | {_md(f['rapport'])} |")
    if summary["totaux"]["par_type"]:
        lines += ["", "| Type de constat | Nombre |", "|---|---|"]
        lines += [f"| {k} ({_md(title_of(k))}) | {v} |" for k, v in summary["totaux"]["par_type"].items()]
    return "\n".join(lines) + "\n"


def _inside(folder: Path, name: str) -> Path:
    target = (folder / name).resolve()
    if target.parent != folder:
        raise ValueError(f"report name escapes the report folder: {name!r}")  # safe_name makes this unreachable
    return target


def write_reports(validation: EditionValidation | list[SubmissionResult], report_dir: Path,
                  limit: int = DEFAULT_LIMIT, previous: dict[str, str] | None = None) -> list[Path]:
    """Write `<file>.rapport.json/.md/.html` per submission and `synthese.json/.md/.html`; return the paths.

    `previous` (ministry code → name of the previous edition) names the ministries that sent
    nothing; by default it comes from the previous edition's summary beside this folder.
    """
    from panorama.validation import edition_summary as es
    from panorama.validation.report_html import submission_html

    folder = Path(report_dir)
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    results = validation.submissions if isinstance(validation, EditionValidation) else list(validation)
    texts: dict[str, str] = {}  # written together at the end: one flush of the folder
    for result, name in zip(results, _report_names(results)):
        data = submission_report(result, limit)
        edition_id = validation.edition.id if isinstance(validation, EditionValidation) else None
        for suffix, text in ((".rapport.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"),
                             (".rapport.md", submission_markdown(result, limit)),
                             (".rapport.html", submission_html(result, limit, edition_id))):
            texts[_inside(folder, name + suffix).name] = text
    summary = edition_summary(validation)
    rows: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    if isinstance(validation, EditionValidation):
        now = es.ministries_of(validation.submissions)
        before = previous if previous is not None else es.previous_ministries(validation, folder)
        missing = {c: n for c, n in (before or {}).items() if c not in now}
        rows = es.ministry_rows(validation)
        summary.update(ministeres=now, ministeres_manquants=missing,
                       avertissements=es.missing_lines(missing))
    markdown = summary_markdown(summary) + ("\n".join(es.summary_extra_markdown(rows, missing)) + "\n" if rows else "")
    for suffix, text in ((".json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n"),
                         (".md", markdown), (".html", es.summary_html(summary, rows, missing))):
        texts[_inside(folder, SUMMARY_NAME + suffix).name] = text
    return write_files_atomic(folder, {name: text.encode("utf-8") for name, text in texts.items()})
