"""The `panorama` command: one entry point for people, running the same flows as Prefect.

Every person's mistake ends in a French message and an exit code, never a traceback:
0 done / publishable, 1 blocking findings or refused publication, 2 cannot run, 3 unexpected
internal error (a French message naming the journal where the details are), 130 interrupted
(Ctrl-C). Logs, library warnings and tracebacks go to the run's journal (`panorama.cli.journal`).
"""
from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from panorama.cli import french
from panorama.cli.journal import ensure_journal, quiet_prefect_settings, start_journal
from panorama.errors import PanoramaError, os_error_text

if TYPE_CHECKING:
    from typer._click.exceptions import ClickException

INTERNAL_ERROR_EXIT = 3
INTERRUPTED_EXIT = 130

app = typer.Typer(
    name="panorama",
    help="Panorama des grands projets numériques de l'État : valider, construire et publier.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    cls=french.FrenchGroup,
    subcommand_metavar=french.SUBCOMMAND_METAVAR,
    options_metavar=french.OPTIONS_METAVAR,
)
console = Console(stderr=False, markup=False, highlight=False)
errors = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)

RawOpt = Annotated[Path | None, typer.Option("--raw", metavar="DOSSIER", help="Dossier des éditions brutes (défaut : réglages, data/raw).")]
OutOpt = Annotated[Path | None, typer.Option("--out", metavar="DOSSIER", help="Dossier des fichiers publiés (défaut : data/published).")]
ReportOpt = Annotated[Path | None, typer.Option("--report-dir", metavar="DOSSIER", help="Dossier des rapports de validation (défaut : data/rapports).")]
TargetOpt = Annotated[str | None, typer.Option("--target", metavar="CIBLE", help="Cible data.gouv.fr configurée (demo, prod…). Sans cible : rien n'est publié.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", metavar="", help="Montrer le plan de publication sans rien écrire sur data.gouv.fr.")]
YesOpt = Annotated[bool, typer.Option("--yes", metavar="", help="Confirmer la publication en production sans question.")]


def _folders(raw: Path | None, out: Path | None, reports: Path | None) -> tuple[Path, Path, Path]:
    """The run's folders, checked before anything is written (FolderError / InvalidEdition: exit 2)."""
    from panorama.edition import discover_editions, edition_warnings
    from panorama.folders import check_run_folders
    from panorama.settings import load_settings

    settings = load_settings()
    from panorama.validation.rules import load_rules

    raw, out, reports = raw or settings.raw_dir, out or settings.out_dir, reports or settings.report_dir
    # Everything a person may have got wrong is checked before the first byte is written in these
    # folders (the journal included: until then it stays in the default reports folder).
    check_run_folders(raw, out, reports, settings.state_dir)
    editions = discover_editions(raw)
    load_rules(raw)  # the steward's politique.toml, ministeres.csv…: exit 2 when malformed
    start_journal(reports)
    for note in edition_warnings(editions):
        errors.print(Text.assemble(("Remarque : ", "yellow"), note))
    return raw, out, reports


@app.command("validate", cls=french.FrenchCommand)
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="CHEMIN", help="Fichiers de remontée ou dossiers d'édition.")],
    report_dir: ReportOpt = None,
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help="« text » (lisible) ou « json ».")] = "text",
    partial: Annotated[bool, typer.Option("--partial", metavar="", help="Écarter les fichiers bloquants au lieu de bloquer l'édition.")] = False,
) -> None:
    """Valider des remontées de ministères et écrire leurs rapports."""
    from panorama.cli.validate import validate_command

    ensure_journal()  # the default reports folder's: the report folder holds only what ministries receive
    raise typer.Exit(validate_command(paths, report_dir, fmt, partial))


@app.command("run", cls=french.FrenchCommand)
def run(
    raw: RawOpt = None,
    out: OutOpt = None,
    report_dir: ReportOpt = None,
    edition: Annotated[str | None, typer.Option("--edition", metavar="ÉDITION", help="Édition publiée (défaut : la plus récente).")] = None,
    target: TargetOpt = None,
    dry_run: DryRunOpt = False,
    partial: Annotated[bool, typer.Option("--partial", metavar="", help="Autoriser une édition partielle : les remontées bloquantes sont écartées.")] = False,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Tout reconstruire et republier même si rien n'a changé.")] = False,
    yes: YesOpt = False,
    direct: Annotated[bool, typer.Option("--direct", metavar="", help="Sans Prefect : les mêmes étapes en fonctions simples.")] = False,
) -> None:
    """Lancer la publication semestrielle : valider, construire l'historique, exporter, publier."""
    from panorama.cli.run import run_command

    raw, out, report_dir = _folders(raw, out, report_dir)
    raise typer.Exit(run_command(raw, out, report_dir, edition, target, dry_run, partial, force, yes, direct))


@app.command("republish", cls=french.FrenchCommand)
def republish(
    edition: Annotated[str, typer.Option("--edition", metavar="ÉDITION", help="Édition corrigée, ou « all » pour toutes.")] = "all",
    target: TargetOpt = None,
    dry_run: DryRunOpt = False,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Téléverser de nouveau tous les fichiers, même inchangés.")] = False,
    yes: YesOpt = False,
    raw: RawOpt = None,
    out: OutOpt = None,
    report_dir: ReportOpt = None,
) -> None:
    """Republier : reconstruire depuis les données brutes et téléverser ce qui a changé."""
    from panorama.cli.run import republish_command

    raw, out, report_dir = _folders(raw, out, report_dir)
    raise typer.Exit(republish_command(raw, out, report_dir, edition, target, dry_run, force, yes))


@app.command("publish", cls=french.FrenchCommand)
def publish(
    target: TargetOpt = None,
    api_url: Annotated[str | None, typer.Option("--api-url", metavar="URL", help="Adresse d'une API data.gouv.fr ponctuelle (avec --dataset).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", metavar="ID", help="Identifiant du jeu de données (avec --api-url).")] = None,
    dry_run: DryRunOpt = False,
    force: Annotated[bool, typer.Option("--force", metavar="", help="Téléverser même les fichiers inchangés.")] = False,
    out: OutOpt = None,
    yes: YesOpt = False,
) -> None:
    """Publier le dossier de sortie sur data.gouv.fr (plan, puis application pas à pas)."""
    from panorama.cli.publish import publish_command
    from panorama.settings import load_settings

    settings = load_settings()
    start_journal(settings.report_dir)
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


def _version(value: bool) -> None:
    if value:
        from panorama import __version__

        console.print(f"panorama {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", metavar="", is_eager=True, callback=_version,
                                          help="Afficher la version de panorama et quitter.")] = False,
) -> None:
    """Panorama des grands projets numériques de l'État : valider, construire et publier."""


def _usage_error(error: ClickException) -> int:
    """A usage error of the framework, worded in French: usage line, where the help is, what is wrong."""
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(error, NoArgsIsHelpError):  # the help was already shown
        return 2
    logging.getLogger("panorama.cli").info("erreur d'appel : %s", error)
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        errors.print(ctx.get_usage())
        errors.print(f"Aide : {ctx.command_path} --help")
    errors.print(Text.assemble(("Erreur : ", "bold red"), french.usage_error_text(error)))
    return getattr(error, "exit_code", 2)


def _internal_error(error: BaseException) -> int:
    """Last resort: the details go to the journal, the person gets a French message and exit 3."""
    journal = None
    try:
        journal = ensure_journal()
        logging.getLogger("panorama.cli").error("erreur interne inattendue", exc_info=error)
    except Exception:  # noqa: BLE001 - even a journal that cannot be written must not end in a traceback
        journal = None
    where = f"Les détails sont dans le journal : {journal}" if journal else "Le journal n'a pas pu être écrit"
    errors.print(Text.assemble(("Erreur interne inattendue", "bold red"), ". ", where,
                               ". Signalez-la à l'équipe du panorama avec ce fichier."))
    return INTERNAL_ERROR_EXIT


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM / SIGHUP end the run like Ctrl-C: cleanup and atexit run


def main() -> None:
    """Console entry point: typed errors become French messages and exit codes, never a traceback."""
    from typer._click.exceptions import ClickException
    from typer.exceptions import Abort

    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        quiet_prefect_settings()
        ensure_journal()  # before anything can log or warn: nothing from libraries on the terminal
        french.install()
        result = french.frenchify(typer.main.get_command(app))(standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except ClickException as error:
        code = _usage_error(error)
    except PanoramaError as error:
        errors.print(Text.assemble(("Erreur : ", "bold red"), error.message))
        code = error.exit_code
    except OSError as error:
        errors.print(Text.assemble(("Erreur : ", "bold red"), os_error_text(error), "."))
        code = 2
    except (KeyboardInterrupt, Abort):
        code = INTERRUPTED_EXIT
    except Exception as error:  # noqa: BLE001 - the last-resort handler: no traceback on a terminal
        code = _internal_error(error)
    if code == INTERRUPTED_EXIT:
        errors.print("Interrompu.")
    sys.exit(code)
