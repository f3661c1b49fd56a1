"""`panorama validate PATH...`: validate ministry files or edition folders, print a French summary.

Exit codes: 0 nothing blocking, 1 something blocking, 2 cannot run (missing path, unreadable file,
malformed edition). On exit 2 nothing is written; otherwise the reports go to `report_dir`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from panorama.errors import PanoramaError, os_reason
from panorama.findings.core import Severity
from panorama.folders import check_validate_folders
from panorama.validation.report import DEFAULT_LIMIT, submission_report, write_reports
from panorama.validation.submission import EditionValidation, SubmissionResult
from panorama.validation.targets import group_paths, is_blocking, report_folder, results_of, validate_groups

SHOWN_PER_FILE = 20


# The grouping, the checks across files and the report folders are the `validation` flow's too.
_groups = group_paths
_results = results_of
_blocking = is_blocking


def _print_result(console: Console, r: SubmissionResult) -> None:
    counts = {s: sum(1 for f in r.findings if f.severity is s) for s in Severity}
    mark = "[red]✗[/red]" if r.blocking else "[green]✓[/green]"
    console.print(f"{mark} [bold]{escape(r.file)}[/bold] : {r.rows_read} ligne(s) lue(s), {r.rows_accepted} acceptée(s) ; "
                  f"{counts[Severity.BLOCKING]} bloquant(s), {counts[Severity.WARNING]} avertissement(s), "
                  f"{counts[Severity.INFO]} information(s)", markup=True, highlight=False, soft_wrap=True)
    shown = [f for f in r.findings if f.severity is not Severity.INFO]
    for f in shown[:SHOWN_PER_FILE]:
        where = ", ".join(x for x in (f"ligne {f.row}" if f.row is not None else "",
                                      f"colonne « {f.column} »" if f.column else "") if x)
        line = Text(f"  [{f.severity}] ", style="red" if f.blocking else "yellow")
        line.append(f"{where} : " if where else "")
        line.append(f.message)
        if f.expected:
            line.append(f" Attendu : {f.expected.rstrip('.')}.", style="dim")
        console.print(line, soft_wrap=True)
    if len(shown) > SHOWN_PER_FILE:
        console.print(f"  … et {len(shown) - SHOWN_PER_FILE} autre(s) constat(s) : voir le rapport complet.", highlight=False)


_report_folder = report_folder


def validate_command(paths: list[Path], report_dir: Path | None, fmt: str = "text", partial: bool = False) -> int:
    """Validate, write the reports, print the summary; return 0, 1 or 2 (never a traceback)."""
    out = Console(file=sys.stdout, highlight=False, soft_wrap=True)
    err = Console(file=sys.stderr, highlight=False, soft_wrap=True)
    try:
        groups = _groups([Path(p) for p in paths])
        check_validate_folders([Path(p) for p in paths], Path(report_dir) if report_dir is not None else None)
        outcomes = validate_groups(groups, partial)
    except PanoramaError as error:
        err.print(f"[red]Erreur[/red] : {escape(error.message)}", highlight=False)
        return 2
    unreadable = [f for o in outcomes for r in _results(o) if r.unreadable for f in r.findings]
    if unreadable:
        for f in unreadable:
            err.print(f"[red]Fichier illisible[/red] : {escape(f.message)}", highlight=False)
        err.print("Aucun rapport écrit : corrigez ou retirez les fichiers illisibles.", highlight=False)
        return 2
    written: list[Path] = []
    if report_dir is not None:
        try:
            for o in outcomes:
                written += write_reports(o, _report_folder(Path(report_dir), o, len(outcomes) > 1))
        except OSError as error:
            err.print(f"[red]Erreur[/red] : impossible d'écrire les rapports dans « {escape(str(report_dir))} » "
                      f"({escape(os_reason(error))}).",
                      highlight=False)
            return 2
    code = 1 if any(_blocking(o) for o in outcomes) else 0
    if fmt == "json":
        payload = {"code_sortie": code, "rapports": [str(p) for p in written],
                   "fichiers": [submission_report(r, DEFAULT_LIMIT) for o in outcomes for r in _results(o)]}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return code
    for o in outcomes:
        if isinstance(o, EditionValidation):
            out.print(f"[bold]Édition {escape(o.edition.id)}[/bold] ({escape(o.edition.libelle)}) : "
                      f"{len(o.table)} projet(s) retenu(s)",
                      highlight=False)
            if o.dropped_files:
                out.print("Fichiers écartés (publication partielle) : " + escape(", ".join(o.dropped_files)),
                          highlight=False)
        for r in _results(o):
            _print_result(out, r)
    if written:
        out.print(f"Rapports écrits dans « {escape(str(report_dir))} » ({len(written)} fichier(s)).", highlight=False)
    out.print("[red]Résultat : constats bloquants à corriger.[/red]" if code else
              "[green]Résultat : aucun constat bloquant.[/green]", highlight=False)
    return code
