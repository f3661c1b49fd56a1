"""`panorama publish`: plan, show, confirm (production), apply, summarise.

Exit codes: 0 done (or dry run), 1 publication refused or failed, 2 settings error.
"""
from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.console import Console

from panorama.cli.apikey import api_key_for
from panorama.datagouv.apply import apply_plan, check_production, summary_rows
from panorama.datagouv.client import DatagouvClient
from panorama.datagouv.plan import LABELS, Plan, build_plan
from panorama.datagouv.state import load_state, state_path
from panorama.errors import PanoramaError, SettingsError, os_error_text
from panorama.folders import check_publish_folders
from panorama.lock import build_lock, publication_lock
from panorama.settings import Target, load_settings

if TYPE_CHECKING:
    from rich.table import Table

DATASET_ID = re.compile(r"^[0-9a-f]{24}$")


def resolve_target(target_name: str | None, api_url: str | None, dataset_id: str | None) -> Target:
    """A configured target, or an ad-hoc one from --api-url and --dataset."""
    if dataset_id is not None and not DATASET_ID.match(dataset_id):
        raise SettingsError(
            f"Identifiant de jeu de données « {dataset_id} » invalide : 24 caractères hexadécimaux attendus "
            "(exemple : 5b7ffc618b4c4169d30727e0), pas le slug de l'adresse."
        )
    if target_name and api_url:
        raise SettingsError("Indiquez soit --target, soit --api-url avec --dataset, pas les deux.")
    if target_name:
        target = load_settings().target(target_name)
        return dataclasses.replace(target, dataset_id=dataset_id) if dataset_id else target
    if api_url:
        if not dataset_id:
            raise SettingsError("Avec --api-url, indiquez aussi --dataset (identifiant du jeu de données).")
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(f"Adresse d'API « {api_url} » invalide (exemple : https://demo.data.gouv.fr/api/1).")
        parts = urlsplit(api_url)
        name = "adresse-" + re.sub(r"[^a-z0-9]+", "-", f"{parts.hostname}-{parts.port or ''}".lower()).strip("-")
        return Target(name=name, api_url=api_url.rstrip("/"), dataset_id=dataset_id)
    raise SettingsError("Indiquez la cible : --target NOM (réglée dans panorama.toml) ou --api-url URL --dataset ID.")


def plan_table(plan: Plan) -> Table:
    from rich.table import Table

    table = Table(title=f"Plan de publication — cible « {plan.target} »")
    for column in ("Fichier", "Action", "Détail"):
        table.add_column(column)
    for step in plan.files:
        detail = step.reason
        if step.metadata_changes and step.action != "create":
            detail = "; ".join(filter(None, [detail, "métadonnées : " + ", ".join(sorted(step.metadata_changes))]))
        table.add_row(step.key, LABELS[step.action], detail)
    return table


def summary_table(rows: list[dict[str, str]], title: str) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for column in ("Ressource", "Fichier", "Action", "sha1", "URL stable"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["ressource"], row["fichier"], row["action"], row["sha1"], row["url"])
    return table


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    from rich.prompt import Confirm

    return Confirm.ask(question, default=False)


def publish_command(out_dir: Path, target_name: str | None, api_url: str | None, dataset_id: str | None,
                    dry_run: bool, force: bool, yes: bool, state_dir: Path) -> int:
    """Publish the output folder on a data.gouv.fr target; see the module docstring for exit codes."""
    # Not a terminal (CI, logs, captured): wide enough that URLs and sha1 stay on one line.
    console = Console(highlight=False, markup=False) if sys.stdout.isatty() else Console(highlight=False, markup=False, width=250)
    errors = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
    try:
        target = resolve_target(target_name, api_url, dataset_id)
        key = api_key_for(target)
        check_publish_folders(out_dir, state_dir)
        # Another run on the same folder or target: wait for it, then plan from what it recorded.
        with (DatagouvClient.for_target(target, key) as client, build_lock(out_dir, errors.print),
              publication_lock(state_dir, target.name, errors.print)):
            state_file = state_path(state_dir, target.name)
            state = load_state(state_file, target)
            plan = build_plan(client, target, out_dir, state, force)
            for line in plan.lines()[:2]:
                console.print(line)
            console.print(plan_table(plan))
            for note in plan.notes:
                console.print(f"Note : {note}")
            if dry_run:
                plan_file = state_dir / f"{target.name}-plan.json"
                plan.write_json(plan_file)
                console.print(summary_table(summary_rows(plan), "Simulation : rien n'a été écrit sur data.gouv.fr"))
                console.print(f"Plan écrit dans {plan_file}")
                return 0
            check_production(target, yes, _ask)
            result = apply_plan(client, plan, out_dir, state, state_file)
            console.print(summary_table(result.rows, f"Publié sur {target.api_url} — jeu de données {result.dataset_id}"))
            console.print(f"{result.stats['requests']} requêtes, {result.stats['uploads']} fichier(s) envoyé(s), "
                          f"{result.stats['bytes_uploaded']} octets.")
            return 0
    except PanoramaError as exc:
        errors.print(f"Erreur : {exc.message}")
        return exc.exit_code
    except OSError as exc:  # a local file or folder unreadable / unwritable
        errors.print(f"Erreur : {os_error_text(exc, out_dir)}. Vérifiez le dossier et ses droits.")
        return 1
