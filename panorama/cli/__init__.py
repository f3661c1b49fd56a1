"""The `panorama` command: one entry point for people, running the same flows as Prefect.

Every person's mistake ends in a French message and an exit code, never a traceback:
0 done / publishable, 1 blocking findings or refused publication, 2 cannot run.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from panorama.errors import PanoramaError

app = typer.Typer(
    name="panorama",
    help="Panorama des grands projets numériques de l'État : valider, construire et publier.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console(stderr=False)
errors = Console(stderr=True)

RawOpt = Annotated[Path | None, typer.Option("--raw", help="Dossier des éditions brutes (défaut : réglages, data/raw).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Dossier des fichiers publiés (défaut : data/published).")]
ReportOpt = Annotated[Path | None, typer.Option("--report-dir", help="Dossier des rapports de validation (défaut : data/rapports).")]
TargetOpt = Annotated[str | None, typer.Option("--target", help="Cible data.gouv.fr configurée (demo, prod…). Sans cible : rien n'est publié.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Montrer le plan de publication sans rien écrire sur data.gouv.fr.")]
YesOpt = Annotated[bool, typer.Option("--yes", help="Confirmer la publication en production sans question.")]


def _quiet_prefect() -> None:
    """Prefect settings for a person's run: no telemetry, quiet logs (set before prefect is imported)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")


def _folders(raw: Path | None, out: Path | None, reports: Path | None) -> tuple[Path, Path, Path]:
    """The run's folders, checked before anything is written (FolderError / InvalidEdition: exit 2)."""
    from panorama.edition import discover_editions, edition_warnings
    from panorama.folders import check_run_folders
    from panorama.settings import load_settings

    settings = load_settings()
    raw, out, reports = raw or settings.raw_dir, out or settings.out_dir, reports or settings.report_dir
    check_run_folders(raw, out, reports, settings.state_dir)
    for note in edition_warnings(discover_editions(raw)):
        errors.print(f"[yellow]Remarque :[/] {note}", highlight=False)
    return raw, out, reports


@app.command("validate")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Fichiers de remontée ou dossiers d'édition.")],
    report_dir: ReportOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="« text » (lisible) ou « json ».")] = "text",
    partial: Annotated[bool, typer.Option("--partial", help="Écarter les fichiers bloquants au lieu de bloquer l'édition.")] = False,
) -> None:
    """Valider des remontées de ministères et écrire leurs rapports."""
    from panorama.cli.validate import validate_command

    raise typer.Exit(validate_command(paths, report_dir, fmt, partial))


@app.command("run")
def run(
    raw: RawOpt = None,
    out: OutOpt = None,
    report_dir: ReportOpt = None,
    edition: Annotated[str | None, typer.Option("--edition", help="Édition publiée (défaut : la plus récente).")] = None,
    target: TargetOpt = None,
    dry_run: DryRunOpt = False,
    partial: Annotated[bool, typer.Option("--partial", help="Autoriser une édition partielle : les remontées bloquantes sont écartées.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Tout reconstruire et republier même si rien n'a changé.")] = False,
    yes: YesOpt = False,
    direct: Annotated[bool, typer.Option("--direct", help="Sans Prefect : les mêmes étapes en fonctions simples.")] = False,
) -> None:
    """Lancer la publication semestrielle : valider, construire l'historique, exporter, publier."""
    from panorama.cli.run import run_command

    raw, out, report_dir = _folders(raw, out, report_dir)
    _quiet_prefect()
    raise typer.Exit(run_command(raw, out, report_dir, edition, target, dry_run, partial, force, yes, direct))


@app.command("republish")
def republish(
    edition: Annotated[str, typer.Option("--edition", help="Édition corrigée, ou « all » pour toutes.")] = "all",
    target: TargetOpt = None,
    dry_run: DryRunOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Téléverser de nouveau tous les fichiers, même inchangés.")] = False,
    yes: YesOpt = False,
    raw: RawOpt = None,
    out: OutOpt = None,
    report_dir: ReportOpt = None,
) -> None:
    """Republier : reconstruire depuis les données brutes et téléverser ce qui a changé."""
    from panorama.cli.run import republish_command

    raw, out, report_dir = _folders(raw, out, report_dir)
    _quiet_prefect()
    raise typer.Exit(republish_command(raw, out, report_dir, edition, target, dry_run, force, yes))


@app.command("publish")
def publish(
    target: TargetOpt = None,
    api_url: Annotated[str | None, typer.Option("--api-url", help="Adresse d'une API data.gouv.fr ponctuelle (avec --dataset).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Identifiant du jeu de données (avec --api-url).")] = None,
    dry_run: DryRunOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Téléverser même les fichiers inchangés.")] = False,
    out: OutOpt = None,
    yes: YesOpt = False,
) -> None:
    """Publier le dossier de sortie sur data.gouv.fr (plan, puis application pas à pas)."""
    from panorama.cli.publish import publish_command
    from panorama.settings import load_settings

    settings = load_settings()
    raise typer.Exit(
        publish_command(
            out or settings.out_dir, target, api_url, dataset, dry_run, force, yes, settings.state_dir
        )
    )


@app.command("new-edition")
def new_edition(
    month: Annotated[str, typer.Argument(metavar="AAAA-MM", help="Mois de la nouvelle édition, au format AAAA-MM (exemple : 2025-12).")],
    raw: RawOpt = None,
    templates: Annotated[Path | None, typer.Option("--templates", help="Dossier des gabarits (défaut : data/gabarits/AAAA-MM).")] = None,
) -> None:
    """Créer une édition : son edition.toml et un gabarit XLSX pré-rempli par ministère."""
    from panorama.cli.new_edition import new_edition_command

    raw, _, _ = _folders(raw, None, None)
    raise typer.Exit(new_edition_command(month, raw, templates))


@app.command("diff")
def diff(
    edition: Annotated[str | None, typer.Argument(metavar="ÉDITION", help="Édition comparée à la précédente (défaut : la plus récente).")] = None,
    raw: RawOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="« text » (lisible) ou « json ».")] = "text",
    partial: Annotated[bool, typer.Option("--partial", help="Traiter l'édition comme partielle : les ministères absents ne comptent pas comme sortants.")] = False,
) -> None:
    """Avant de publier : ce qui change par rapport à l'édition précédente."""
    from panorama.cli.diff import diff_command

    raw, _, _ = _folders(raw, None, None)
    raise typer.Exit(diff_command(raw, edition, fmt, partial))


def main() -> None:
    """Console entry point: typed errors become French messages and exit codes."""
    try:
        app()
    except PanoramaError as exc:
        errors.print(f"[bold red]Erreur :[/] {exc.message}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        errors.print("Interrompu.")
        sys.exit(130)
