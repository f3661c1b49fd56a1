"""The report a ministry acts on: French, blocking findings first, each naming project, row and column.

`person_findings` is the one view of a submission's findings for people (the Markdown and the
HTML reports both use it): no internal codes, no English, the spreadsheet's column letter, the
value, what is expected and a suggestion. The codes stay in the JSON report. Everything read
from a file is HTML-escaped; the page is self-contained and prints on A4.
"""
from __future__ import annotations

import html
import re
from typing import Any

from panorama.findings.catalog import title_of
from panorama.findings.core import Finding, Severity
from panorama.reading.assemble import column_letters
from panorama.validation.submission import SubmissionResult
from panorama.validation.suggestions import suggest

ORDER = (Severity.BLOCKING, Severity.WARNING, Severity.INFO)
SEVERITY_LABELS = {Severity.BLOCKING: "Bloquant", Severity.WARNING: "Avertissement", Severity.INFO: "Information"}
SECTION_TITLES = {
    Severity.BLOCKING: "À corriger avant publication",
    Severity.WARNING: "À vérifier",
    Severity.INFO: "Pour information",
}
# Table Schema type names that may appear in a check's message, as a person reads them.
_TYPE_WORDS = {"boolean": "Oui ou Non", "number": "nombre", "integer": "nombre entier", "date": "date",
               "string": "texte", "datetime": "date et heure", "year": "année"}
_TYPE_IN_MESSAGE = re.compile(r"\((" + "|".join(_TYPE_WORDS) + r")\)")

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Marianne", Arial, sans-serif; font-size: 10.5pt; color: #161616; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 16pt; margin: 0 0 4mm; } h2 { font-size: 13pt; margin: 6mm 0 2mm; }
.verdict { padding: 2mm 3mm; border-left: 4px solid; margin: 3mm 0; }
.bloquant { border-color: #ce0500; background: #fee9e9; } .ok { border-color: #18753c; background: #e3f3e8; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #ccc; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #eef1f6; } tr { page-break-inside: avoid; }
.suggestion { color: #18753c; font-weight: bold; } .muted { color: #555; font-size: 9pt; }
"""


def column_letter(result: SubmissionResult, label: str | None) -> str | None:
    """The spreadsheet letter of a column, found by its label in the header as read."""
    if not label:
        return None
    for i, written in enumerate(result.columns):
        if written == label or written.strip() == label.strip():
            return column_letters(i)
    return None


def french_message(message: str) -> str:
    return _TYPE_IN_MESSAGE.sub(lambda m: f"({_TYPE_WORDS[m.group(1)]})", message or "")


def where_column(result: SubmissionResult, finding: Finding) -> str:
    if not finding.column:
        return ""
    letter = column_letter(result, finding.column)
    return f"colonne {letter} « {finding.column} »" if letter else f"colonne « {finding.column} »"


def person_findings(result: SubmissionResult) -> list[dict[str, Any]]:
    """Every finding as a person reads it, blocking first, then by row and column."""
    rank = {s: i for i, s in enumerate(ORDER)}
    ordered = sorted(result.findings, key=lambda f: (rank.get(f.severity, 9), f.row is not None, f.row or 0))
    return [{
        "gravite": f.severity, "libelle_gravite": SEVERITY_LABELS.get(f.severity, str(f.severity)),
        "probleme": title_of(f.type), "message": french_message(f.message),
        "projet": result.project_names.get(f.row) if f.row is not None else None,
        "feuille": f.sheet, "ligne": f.row, "colonne": where_column(result, f), "valeur": f.value,
        "attendu": f.expected, "suggestion": suggest(f),
    } for f in ordered]


def _e(value: object) -> str:
    return "" if value is None else html.escape(str(value), quote=False)


def _rows(items: list[dict[str, Any]]) -> str:
    out = []
    for item in items:
        where = f"ligne {item['ligne']}" if item["ligne"] is not None else "fichier"
        if item["feuille"]:
            where = f"feuille « {item['feuille']} », {where}"
        suggestion = f'<div class="suggestion">{_e(item["suggestion"])}</div>' if item["suggestion"] else ""
        out.append(
            f"<tr><td>{_e(item['projet'] or '—')}</td><td>{_e(where)}<br>{_e(item['colonne'])}</td>"
            f"<td>{_e(item['valeur'])}</td><td><strong>{_e(item['probleme'])}</strong><br>{_e(item['message'])}</td>"
            f"<td>{_e(item['attendu'])}{suggestion}</td></tr>"
        )
    return "\n".join(out)


def submission_html(result: SubmissionResult, limit: int, edition: str | None = None) -> str:
    """The self-contained French HTML report of one submission."""
    items = person_findings(result)
    listed = items[:limit]
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in ORDER}
    verdict = ('<p class="verdict bloquant"><strong>À corriger</strong> : ce fichier ne peut pas être publié tant que '
               "les points bloquants ci-dessous ne sont pas corrigés.</p>" if result.blocking else
               '<p class="verdict ok"><strong>Publiable</strong> : aucun point bloquant.</p>')
    head = [f"<h1>Rapport de validation : {_e(result.file)}</h1>"]
    facts = [f"Lignes de projet lues : {result.rows_read} ; retenues : {result.rows_accepted}."]
    if edition:
        facts.insert(0, f"Édition : {_e(edition)}.")
    if result.sheet:
        facts.append(f"Feuille lue : « {_e(result.sheet)} ».")
    facts.append(f"{counts[Severity.BLOCKING]} point(s) bloquant(s), {counts[Severity.WARNING]} avertissement(s), "
                 f"{counts[Severity.INFO]} information(s).")
    head += [f"<p>{' '.join(facts)}</p>", verdict]
    body = []
    for severity in ORDER:
        chosen = [i for i in listed if i["gravite"] is severity]
        if not chosen:
            continue
        body += [f"<h2>{SECTION_TITLES[severity]} ({counts[severity]})</h2>",
                 '<table><colgroup><col style="width:18%"><col style="width:18%"><col style="width:16%">'
                 '<col style="width:26%"><col style="width:22%"></colgroup>',
                 "<thead><tr><th>Projet</th><th>Où</th><th>Valeur</th><th>Problème</th><th>Attendu</th></tr></thead>",
                 f"<tbody>{_rows(chosen)}</tbody></table>"]
    if not items:
        body.append("<p>Aucun constat : rien à corriger.</p>")
    if len(items) > len(listed):
        body.append(f"<p>{len(items) - len(listed)} autre(s) constat(s) non listé(s) ici (limite de {limit} par "
                    "fichier) ; les comptes ci-dessus les incluent tous.</p>")
    body.append(f'<p class="muted">Empreinte SHA-256 du fichier reçu : {_e(result.sha256 or "inconnue")}</p>')
    return ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
            f"<title>Rapport de validation : {_e(result.file)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(head + body) + "\n</body></html>\n")
