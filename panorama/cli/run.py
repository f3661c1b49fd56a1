"""`panorama run` and `panorama republish`: the flows for people, with a readable summary."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from panorama.errors import BlockedEdition, PanoramaError


class PublicationFailed(PanoramaError):
    """The publication step already printed its French message; carry its exit code."""

    def __init__(self, code: int) -> None:
        super().__init__("la publication n'a pas abouti (voir ci-dessus).")
        self.exit_code = code

# Not a terminal (CI, logs): wide enough that file names stay whole.
console = Console() if sys.stdout.isatty() else Console(width=160)


def _figures_table(indicators_csv: Path) -> Table | None:
    """The latest edition's headline figures, read back from the published CSV."""
    from panorama.dashboard.formatting import format_duration, format_md_eur, format_rate

    if not indicators_csv.is_file():
        return None
    ind = pd.read_csv(indicators_csv)
    if ind.empty:
        return None
    last = ind.iloc[-1]
    table = Table(title=f"Édition {last['edition']} : indicateurs", show_header=False)
    table.add_row("Projets", str(last["nombre_projets"]))
    table.add_row("Projets interministériels", str(last["nombre_projets_interministeriels"]))
    table.add_row("Coût total", format_md_eur(last["cout_total_meur"]))
    table.add_row("Durée moyenne", format_duration(last["duree_moyenne_annees"]))
    source = str(last.get("source_taux", ""))
    table.add_row("Écart budgétaire", f"{format_rate(last['taux_ecart_budgetaire'])} ({source})")
    table.add_row("Écart calendaire", f"{format_rate(last['taux_ecart_calendaire'])} ({source})")
    entering, leaving = last.get("projets_entrants"), last.get("projets_sortants")
    table.add_row("Entrants / sortants", f"{'' if pd.isna(entering) else int(entering)} / {'' if pd.isna(leaving) else int(leaving)}")
    return table


def _print_summary(out: Path, reports: Path, unchanged: bool, preview: list[dict] | None, published: list[dict] | None) -> None:
    if unchanged:
        console.print("[green]Données brutes inchangées[/] : les fichiers publiés sont déjà à jour.")
    table = _figures_table(out / "panorama-indicateurs.csv")
    if table is not None:
        console.print(table)
    console.print(f"Fichiers publiés : [bold]{out}[/]  (tableau de bord : {out / 'tableau-de-bord' / 'index.html'})")
    console.print(f"Rapports de validation : [bold]{reports}[/]")
    if preview is not None:
        console.print("Aucune cible data.gouv.fr : rien n'a été envoyé. Ce qui serait publié :")
        t = Table("fichier", "ressource", "type", "taille (octets)")
        for row in preview:
            t.add_row(row["fichier"], row["titre"], row["type"], str(row["octets"]))
        console.print(t)
    if published is not None:
        from panorama.cli.publish import summary_table

        console.print(summary_table(published, "Publication"))


def _guarded(start: Callable[[], Any], out: Path, reports: Path) -> int:
    """Run a flow or the direct pipeline; typed errors become a French message and an exit code."""
    try:
        summary = start()
    except BlockedEdition as exc:
        console.print(f"[bold red]{exc.message}[/]")
        console.print(f"Rapports de validation : [bold]{reports}[/]")
        return 1
    except PanoramaError as exc:
        console.print(f"[bold red]Erreur :[/] {exc.message}")
        return exc.exit_code
    _print_summary(out, reports, summary.get("inchange", False), summary.get("apercu"), summary.get("publication"))
    return 0


def run_command(
    raw: Path, out: Path, reports: Path, edition: str | None, target: str | None,
    dry_run: bool, partial: bool, force: bool, yes: bool, direct: bool,
) -> int:
    def start() -> Any:  # a flow's RunSummary, or the direct run's dict: both read by key
        if direct:
            from panorama.lock import build_lock

            with build_lock(out, lambda line: console.print(line, markup=False, highlight=False)):
                return _run_direct(raw, out, reports, edition, target, dry_run, partial, force, yes)
        from flows.semestre import publication_semestrielle

        with console.status("Publication semestrielle en cours (Prefect)…"):
            return publication_semestrielle(
                edition=edition, target=target, dry_run=dry_run, allow_partial=partial, force=force, yes=yes,
                raw_dir=str(raw), out_dir=str(out), report_dir=str(reports),
            )

    return _guarded(start, out, reports)


def _run_direct(raw, out, reports, edition, target, dry_run, partial, force, yes) -> dict:
    """The same stages without Prefect: for quick local runs and the benchmarks."""
    from panorama import pipeline
    from panorama.edition import choose_edition, discover_editions
    from panorama.settings import load_settings

    chosen = choose_edition(discover_editions(raw), edition)
    state_file = load_settings().state_file(target) if target else None
    with console.status("Validation, historique, exports…"):
        result = pipeline.run_pipeline(
            raw, out, reports, partial=frozenset({chosen}) if partial else frozenset(),
            force=force, state_file=state_file,
        )
    summary: dict = {"inchange": result.skipped_unchanged}
    for note in result.measures.notes if result.measures else []:
        console.print(f"[yellow]Remarque :[/] {note}")
    if target:
        from panorama.cli.publish import publish_command

        code = publish_command(out, target, None, None, dry_run, force, yes, load_settings().state_dir)
        if code:
            raise PublicationFailed(code)
    else:
        from panorama.datagouv.resources import local_preview

        summary["apercu"] = local_preview(out)
    return summary


def republish_command(
    raw: Path, out: Path, reports: Path, edition: str, target: str | None, dry_run: bool, force: bool, yes: bool,
) -> int:
    def start() -> Any:  # a flow's RunSummary, or the direct run's dict: both read by key
        from flows.republication import republication

        with console.status("Republication en cours (Prefect)…"):
            return republication(
                edition=edition, force=force, target=target, dry_run=dry_run, yes=yes,
                raw_dir=str(raw), out_dir=str(out), report_dir=str(reports),
            )

    return _guarded(start, out, reports)
