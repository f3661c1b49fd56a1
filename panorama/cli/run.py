"""`panorama run` and `panorama republish`: the flows for people, one French line per stage, a summary.

Every text that comes from files or errors is printed without rich markup (`markup=False`
consoles, `Text` for styles), so a `[/]` in a file name or a cell is shown as it is.
"""
from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from rich.console import Console
from rich.text import Text

from panorama.cli.journal import current_journal
from panorama.cli.stages import StageLines
from panorama.errors import BlockedEdition, PanoramaError, PrefectUnavailable, os_error_text
from panorama.progress import StageReport

if TYPE_CHECKING:
    from rich.table import Table


class PublicationFailed(PanoramaError):
    """The publication step already printed its French message; carry its exit code."""

    def __init__(self, code: int) -> None:
        super().__init__("la publication n'a pas abouti (voir ci-dessus).")
        self.exit_code = code


# Not a terminal (CI, logs): wide enough that file names stay whole.
console = (Console(markup=False, highlight=False) if sys.stdout.isatty()
           else Console(markup=False, highlight=False, width=160))


def _figures_table(indicators_csv: Path) -> Table | None:
    """The latest edition's headline figures, read back from the published CSV."""
    import pandas as pd
    from rich.table import Table

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


class _Summary(Protocol):
    """What the command reads of a run's result: a flow's `RunSummary` or the direct run's dict, by key."""

    def __getitem__(self, key: str, /) -> Any: ...

    def __contains__(self, key: object, /) -> bool: ...

    def get(self, key: str, default: Any = None, /) -> Any: ...


_S = TypeVar("_S", bound=_Summary)


def _bold(label: str, value: object) -> Text:
    return Text.assemble(label, (str(value), "bold"))


def _print_summary(out: Path, reports: Path, unchanged: bool, preview: list[dict] | None, published: list[dict] | None) -> None:
    if unchanged:
        console.print(Text.assemble(("Données brutes inchangées", "green"), " : les fichiers publiés sont déjà à jour."))
    table = _figures_table(out / "panorama-indicateurs.csv")
    if table is not None:
        console.print(table)
    console.print(Text.assemble(_bold("Fichiers publiés : ", out),
                                f"  (tableau de bord : {out / 'tableau-de-bord' / 'index.html'})"))
    console.print(_bold("Rapports de validation : ", reports))
    if preview is not None:
        from rich.table import Table

        console.print("Aucune cible data.gouv.fr : rien n'a été envoyé. Ce qui serait publié :")
        t = Table("fichier", "ressource", "type", "taille (octets)")
        for row in preview:
            t.add_row(str(row["fichier"]), str(row["titre"]), str(row["type"]), str(row["octets"]))
        console.print(t)
    if published is not None:
        from panorama.cli.publish import summary_table

        console.print(summary_table(published, "Publication"))


def _print_journal() -> None:
    journal = current_journal()
    if journal is not None and journal.exists():
        console.print(Text.assemble("Journal détaillé : ", (str(journal), "dim")))


def _error(message: str) -> None:
    console.print(Text.assemble(("Erreur : ", "bold red"), message), soft_wrap=True)


def _clean_staging(out: Path) -> None:
    """After an interruption: drop this process's half-written staging folder (published files are whole)."""
    from panorama.export.atomic import clean_stale_staging

    try:
        clean_stale_staging(out)
    except OSError:
        pass


def _guarded(start: Callable[[], _Summary], out: Path, reports: Path) -> int:
    """Run a flow or the direct pipeline; typed errors become a French message and an exit code."""
    try:
        summary = start()
    except BlockedEdition as exc:
        console.print(Text(exc.message, style="bold red"), soft_wrap=True)
        console.print(_bold("Rapports de validation : ", reports))
        _print_journal()
        return 1
    except PanoramaError as exc:
        _error(exc.message)
        _print_journal()
        return exc.exit_code
    except OSError as exc:  # a folder or file the run needs cannot be read or written
        _error(f"{os_error_text(exc)}. Vérifiez le dossier, ses droits et la place disponible.")
        _print_journal()
        return 2
    except KeyboardInterrupt:
        _clean_staging(out)
        raise
    except Exception as exc:
        if not _prefect_settings_error(exc):
            raise
        from panorama.cli.prefect_api import settings_error

        _error(settings_error(exc).message)
        _print_journal()
        return 2
    _print_summary(out, reports, summary.get("inchange", False), summary.get("apercu"), summary.get("publication"))
    _print_journal()
    return 0


def _prefect_settings_error(exc: BaseException) -> bool:
    """Prefect refusing a PREFECT_* setting, raised at its import: a pydantic ValidationError.

    pydantic is looked up, not imported (0.1 s at every start): before something imported it, no
    error of it can exist.
    """
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(exc, pydantic.ValidationError)


def _check_key(target: str | None) -> None:
    """Fail before the build when the target has no API key (environment or Secret block)."""
    if not target:
        return
    from panorama.cli.apikey import api_key_for
    from panorama.settings import load_settings

    api_key_for(load_settings().target(target))


def _without_heartbeats() -> AbstractContextManager[object]:
    """No flow-run heartbeat for a run the command watches itself.

    Heartbeats let a server mark as crashed a run whose process vanished (a worker's deployment run
    keeps them: it does not come through here). Prefect sends them from a thread that sleeps in
    one-second steps and joins it when the flow ends, so every command run waited up to 1 s for
    nothing (0.6 s on average, measured on the samples against a running server). The settings are
    copied without validation: Prefect's `temporary_settings` reads the environment again (0.2 s)."""
    from prefect.context import SettingsContext, get_settings_context

    context = get_settings_context()
    flows = context.settings.flows.model_copy(update={"heartbeat_frequency": None})
    return SettingsContext(profile=context.profile, settings=context.settings.model_copy(update={"flows": flows}))


def _in_prefect(call: Callable[[], _S], lines: StageLines, label: str) -> _S:
    """Start or check Prefect's API, then run the flow with its stage records rendered."""
    import httpx

    from panorama.cli.forward import serving_service
    from panorama.cli.journal import ensure_journal
    from panorama.cli.prefect_api import ensure_prefect_api

    started = time.monotonic()
    with lines.status("Démarrage de Prefect…"):
        where = ensure_prefect_api(ensure_journal())
    if (service := serving_service()) is not None:
        where += f", par le service panorama (processus {service})"
    lines(StageReport("prefect", "Démarrage de Prefect", where, time.monotonic() - started))
    try:
        before, started = len(lines.reports), time.monotonic()
        with lines.listen(), lines.status(label), _without_heartbeats():
            summary = call()
        if len(lines.reports) == before:  # a flow that logs no stage reports: one line for the whole run
            detail = ("entrées inchangées, rien à reconstruire" if summary.get("inchange") else
                      f"{len(summary['fichiers'])} fichier(s) écrit(s)" if "fichiers" in summary else "terminé")
            lines(StageReport("flux", "Flux Prefect", detail, time.monotonic() - started))
        return summary
    except httpx.HTTPError as exc:
        raise PrefectUnavailable(
            f"La liaison avec le serveur Prefect a été perdue pendant l'exécution ({type(exc).__name__}). "
            "Relancez, ou lancez sans Prefect avec --direct."
        ) from exc


def run_command(
    raw: Path, out: Path, reports: Path, edition: str | None, target: str | None,
    dry_run: bool, partial: bool, force: bool, yes: bool, direct: bool,
) -> int:
    lines = StageLines(console)

    def start() -> _Summary:  # a flow's RunSummary, or the direct run's dict: both read by key
        _check_key(target)
        if direct:
            from panorama.lock import build_lock

            with build_lock(out, lambda line: console.print(line, markup=False, highlight=False)):
                return _run_direct(raw, out, reports, edition, target, dry_run, partial, force, yes, lines)
        from flows.semestre import publication_semestrielle

        return _in_prefect(lambda: publication_semestrielle(
            edition=edition, target=target, dry_run=dry_run, allow_partial=partial, force=force, yes=yes,
            raw_dir=str(raw), out_dir=str(out), report_dir=str(reports),
        ), lines, "Publication semestrielle en cours (Prefect)…")

    return _guarded(start, out, reports)


def _with_progress(function: Callable, progress: Callable[[StageReport], None]) -> dict:
    """`progress=` for a pipeline function that accepts it (the stage-by-stage pipeline), else nothing."""
    return {"progress": progress} if "progress" in inspect.signature(function).parameters else {}


def _run_direct(raw, out, reports, edition, target, dry_run, partial, force, yes, lines: StageLines) -> dict[str, Any]:
    """The same stages without Prefect: for quick local runs and the benchmarks."""
    from panorama import pipeline
    from panorama.edition import choose_edition, discover_editions
    from panorama.settings import load_settings

    chosen = choose_edition(discover_editions(raw), edition)
    state_file = load_settings().state_file(target) if target else None
    progress = _with_progress(pipeline.run_pipeline, lines)
    started = time.monotonic()
    with lines.status("Validation, historique, exports…"):
        result = pipeline.run_pipeline(
            raw, out, reports, partial=frozenset({chosen}) if partial else frozenset(),
            force=force, state_file=state_file, **progress,
        )
    if not progress:  # a pipeline without stage reports: one line for the whole build
        detail = ("entrées inchangées, rien à reconstruire" if result.skipped_unchanged else
                  f"{len(result.editions)} édition(s), {len(result.written)} fichier(s) écrit(s)")
        lines(StageReport("construction", "Construction", detail, time.monotonic() - started))
    summary: dict[str, Any] = {"inchange": result.skipped_unchanged}
    for note in result.measures.notes if result.measures else []:
        console.print(Text.assemble(("Remarque : ", "yellow"), str(note)), soft_wrap=True)
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
    lines = StageLines(console)

    def start() -> _Summary:  # a flow's RunSummary, or the direct run's dict: both read by key
        _check_key(target)
        from flows.republication import republication

        return _in_prefect(lambda: republication(
            edition=edition, force=force, target=target, dry_run=dry_run, yes=yes,
            raw_dir=str(raw), out_dir=str(out), report_dir=str(reports),
        ), lines, "Republication en cours (Prefect)…")

    return _guarded(start, out, reports)
