"""The `panorama` command: one entry point for people, running the same flows as Prefect.

Every person's mistake ends in a French message and an exit code, never a traceback:
0 done / publishable, 1 blocking findings or refused publication, 2 cannot run, 3 unexpected
internal error (a French message naming the journal where the details are), 130 interrupted
(Ctrl-C). Logs, library warnings and tracebacks go to the run's journal (`panorama.cli.journal`).
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from panorama.cli import french
from panorama.cli.forward import forward
from panorama.cli.journal import ensure_journal, quiet_prefect_settings, start_journal
from panorama.errors import PanoramaError, os_error_text

if TYPE_CHECKING:
    from rich.console import Console

INTERNAL_ERROR_EXIT = 3
INTERRUPTED_EXIT = 130

french.install()  # before the options below are built: their type names are French too

_errors: Console | None = None


def forget_consoles() -> None:
    """In a run forked by `panorama service`: consoles are made again for the terminal it was given.

    The error console and the modules that make theirs at import decided colours and width for the
    service's own output; dropped, they are made again at first use for this run's terminal."""
    global _errors
    _errors = None
    for name in ("panorama.cli.run", "panorama.cli.diff", "panorama.cli.new_edition"):
        sys.modules.pop(name, None)


def _error_console() -> Console:
    """The terminal's error stream, built at the first message (rich is not imported to start)."""
    global _errors
    if _errors is None:
        from rich.console import Console

        _errors = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
    return _errors


def _print_labelled(label: str, message: str, style: str = "bold red") -> None:
    from rich.text import Text

    _error_console().print(Text.assemble((label, style), message))


_PATH = click.Path(path_type=Path)
raw_option = click.option("--raw", type=_PATH, metavar="DOSSIER", help="Dossier des éditions brutes (défaut : réglages, data/raw).")
out_option = click.option("--out", type=_PATH, metavar="DOSSIER", help="Dossier des fichiers publiés (défaut : data/published).")
report_option = click.option("--report-dir", "report_dir", type=_PATH, metavar="DOSSIER",
                             help="Dossier des rapports de validation (défaut : data/rapports).")
target_option = click.option("--target", metavar="CIBLE", help="Cible data.gouv.fr configurée (demo, prod…). Sans cible : rien n'est publié.")
dry_run_option = click.option("--dry-run", "dry_run", is_flag=True, help="Montrer le plan de publication sans rien écrire sur data.gouv.fr.")
yes_option = click.option("--yes", is_flag=True, help="Confirmer la publication en production sans question.")


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from panorama import __version__

        click.echo(f"panorama {__version__}")
        ctx.exit(0)


@click.group(
    name="panorama",
    cls=french.FrenchGroup,
    no_args_is_help=True,
    context_settings={"show_default": True},
)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Afficher la version de panorama et quitter.")
def app() -> None:
    """Panorama des grands projets numériques de l'État : valider, construire et publier."""


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
        _print_labelled("Remarque : ", note, "yellow")
    return raw, out, reports


@app.command("validate")
@click.argument("paths", metavar="CHEMIN...", nargs=-1, required=True, type=_PATH,
                help="Fichiers de remontée ou dossiers d'édition.")
@report_option
@click.option("--format", "fmt", metavar="FORMAT", default="text", help="« text » (lisible) ou « json ».")
@click.option("--partial", is_flag=True, help="Écarter les fichiers bloquants au lieu de bloquer l'édition.")
def validate(paths: tuple[Path, ...], report_dir: Path | None, fmt: str, partial: bool) -> int:
    """Valider des remontées de ministères et écrire leurs rapports."""
    from panorama.cli.validate import validate_command

    ensure_journal()  # the default reports folder's: the report folder holds only what ministries receive
    return validate_command(list(paths), report_dir, fmt, partial)


@app.command("run")
@raw_option
@out_option
@report_option
@click.option("--edition", metavar="ÉDITION", help="Édition publiée (défaut : la plus récente).")
@target_option
@dry_run_option
@click.option("--partial", is_flag=True, help="Autoriser une édition partielle : les remontées bloquantes sont écartées.")
@click.option("--force", is_flag=True, help="Tout reconstruire et republier même si rien n'a changé.")
@yes_option
@click.option("--direct", is_flag=True, help="Sans Prefect : les mêmes étapes en fonctions simples.")
def run(raw: Path | None, out: Path | None, report_dir: Path | None, edition: str | None, target: str | None,
        dry_run: bool, partial: bool, force: bool, yes: bool, direct: bool) -> int:
    """Lancer la publication semestrielle : valider, construire l'historique, exporter, publier."""
    from panorama.cli.run import run_command

    raw, out, report_dir = _folders(raw, out, report_dir)
    return run_command(raw, out, report_dir, edition, target, dry_run, partial, force, yes, direct)


@app.command("republish")
@click.option("--edition", metavar="ÉDITION", default="all", help="Édition corrigée, ou « all » pour toutes.")
@target_option
@dry_run_option
@click.option("--force", is_flag=True, help="Téléverser de nouveau tous les fichiers, même inchangés.")
@yes_option
@raw_option
@out_option
@report_option
def republish(edition: str, target: str | None, dry_run: bool, force: bool, yes: bool,
              raw: Path | None, out: Path | None, report_dir: Path | None) -> int:
    """Republier : reconstruire depuis les données brutes et téléverser ce qui a changé."""
    from panorama.cli.run import republish_command

    raw, out, report_dir = _folders(raw, out, report_dir)
    return republish_command(raw, out, report_dir, edition, target, dry_run, force, yes)


@app.command("publish")
@target_option
@click.option("--api-url", "api_url", metavar="URL", help="Adresse d'une API data.gouv.fr ponctuelle (avec --dataset).")
@click.option("--dataset", metavar="ID", help="Identifiant du jeu de données (avec --api-url).")
@dry_run_option
@click.option("--force", is_flag=True, help="Téléverser même les fichiers inchangés.")
@out_option
@yes_option
def publish(target: str | None, api_url: str | None, dataset: str | None, dry_run: bool, force: bool,
            out: Path | None, yes: bool) -> int:
    """Publier le dossier de sortie sur data.gouv.fr (plan, puis application pas à pas)."""
    from panorama.cli.publish import publish_command
    from panorama.settings import load_settings

    settings = load_settings()
    start_journal(settings.report_dir)
    return publish_command(out or settings.out_dir, target, api_url, dataset, dry_run, force, yes, settings.state_dir)


@app.command("new-edition")
@click.argument("month", metavar="AAAA-MM", help="Mois de la nouvelle édition, au format AAAA-MM (exemple : 2025-12).")
@raw_option
@click.option("--templates", type=_PATH, help="Dossier des gabarits (défaut : data/gabarits/AAAA-MM).")
def new_edition(month: str, raw: Path | None, templates: Path | None) -> int:
    """Créer une édition : son edition.toml et un gabarit XLSX pré-rempli par ministère."""
    from panorama.cli.new_edition import new_edition_command

    raw, _, _ = _folders(raw, None, None)
    return new_edition_command(month, raw, templates)


@app.command("diff")
@click.argument("edition", metavar="[ÉDITION]", required=False,
                help="Édition comparée à la précédente (défaut : la plus récente).")
@raw_option
@click.option("--format", "fmt", default="text", help="« text » (lisible) ou « json ».")
@click.option("--partial", is_flag=True,
              help="Traiter l'édition comme partielle : les ministères absents ne comptent pas comme sortants.")
def diff(edition: str | None, raw: Path | None, fmt: str, partial: bool) -> int:
    """Avant de publier : ce qui change par rapport à l'édition précédente."""
    from panorama.cli.diff import diff_command

    raw, _, _ = _folders(raw, None, None)
    return diff_command(raw, edition, fmt, partial)


@app.command("service")
def service() -> int:
    """Garder Prefect et panorama chargés : les « run » sur un serveur Prefect lancé démarrent aussitôt."""
    from rich.console import Console

    from panorama.cli.service import serve

    return serve(Console(markup=False, highlight=False, soft_wrap=True))


def _usage_error(error: click.ClickException) -> int:
    """A usage error of the framework, worded in French: usage line, where the help is, what is wrong."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):  # no arguments: the help, as --help shows it
        click.echo(error.ctx.get_help())
        return 2
    logging.getLogger("panorama.cli").info("erreur d'appel : %s", error.format_message())
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        _error_console().print(ctx.get_usage())
        _error_console().print(f"Aide : {ctx.command_path} --help")
    _print_labelled("Erreur : ", french.usage_error_text(error))
    return error.exit_code


def _internal_error(error: BaseException) -> int:
    """Last resort: the details go to the journal, the person gets a French message and exit 3."""
    journal = None
    try:
        journal = ensure_journal()
        logging.getLogger("panorama.cli").error("erreur interne inattendue", exc_info=error)
    except Exception:  # noqa: BLE001 - even a journal that cannot be written must not end in a traceback
        journal = None
    where = f"Les détails sont dans le journal : {journal}" if journal else "Le journal n'a pas pu être écrit"
    _print_labelled("Erreur interne inattendue", f". {where}. Signalez-la à l'équipe du panorama avec ce fichier.")
    return INTERNAL_ERROR_EXIT


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM / SIGHUP end the run like Ctrl-C: cleanup and atexit run


def main() -> None:
    """Console entry point: typed errors become French messages and exit codes, never a traceback."""
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        quiet_prefect_settings()
        served = forward(sys.argv, os.environ)  # a warm `panorama service` takes the run if it can
        if served is not None:
            _exit(served)
        ensure_journal()  # before anything can log or warn: nothing from libraries on the terminal
        french.install()
        result = french.frenchify(app).main(prog_name="panorama", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except click.ClickException as error:
        code = _usage_error(error)
    except PanoramaError as error:
        _print_labelled("Erreur : ", error.message)
        code = error.exit_code
    except OSError as error:
        _print_labelled("Erreur : ", f"{os_error_text(error)}.")
        code = 2
    except (KeyboardInterrupt, click.exceptions.Abort):
        code = INTERRUPTED_EXIT
    except Exception as error:  # noqa: BLE001 - the last-resort handler: no traceback on a terminal
        code = _internal_error(error)
    if code == INTERRUPTED_EXIT:
        _error_console().print("Interrompu.")
    _exit(code)


def _exit(code: int) -> NoReturn:
    """Exit with `code` as the interpreter would, without its teardown of every module.

    With pandas, Arrow and Prefect loaded that teardown takes 0.15–0.3 s on a 2-core machine, for
    nothing. What an exit owes is kept, in the interpreter's order and with its own function for
    the first step: `threading._shutdown` (the handlers registered with threading, such as Prefect's
    log and event queues draining to the API, then every thread that is not a daemon joined), then
    the atexit handlers (journal, temporary server and folders), then the terminal is flushed.
    An interpreter without that function gets its normal exit."""
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None or threading.current_thread() is not threading.main_thread():
        sys.exit(code)
    try:
        shutdown()
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
                pass
        os._exit(code)
