"""`panorama new-edition`: create the next edition's folder and the ministries' templates."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

console = Console()


def new_edition_command(month: str, raw: Path, templates: Path | None) -> int:
    """Plan everything first (refusals raise `InvalidEdition`, exit 2), then write."""
    from panorama.gabarits import plan_new_edition, write_new_edition

    plan = plan_new_edition(raw, month)
    folder = templates or raw.parent / "gabarits" / plan.id
    written = write_new_edition(plan, raw, folder)
    console.print(f"[green]Édition créée[/] : {escape(plan.libelle)}, numéro {plan.numero}, "
                  f"date {plan.date_publication.strftime('%d/%m/%Y')}.")
    console.print(f"  {escape(str(raw / plan.id / 'edition.toml'))}")
    if plan.projects:
        if plan.previous is None:  # plan_new_edition pre-fills templates only from a previous edition
            raise RuntimeError("gabarits pré-remplis sans édition précédente")
        total = sum(len(p) for p in plan.projects.values())
        console.print(f"{len(plan.projects)} gabarit(s) pré-rempli(s) ({total} projets de l'édition "
                      f"{escape(plan.previous.id)}) dans {escape(str(folder))} :")
        for path in written[:-1]:
            console.print(f"  {escape(path.name)}")
        console.print("Envoyez à chaque ministère son gabarit ; déposez les fichiers renvoyés dans "
                      f"{escape(str(raw / plan.id))}, puis « panorama validate » et « panorama diff ».")
    else:
        console.print("Aucune édition précédente : pas de gabarit pré-rempli.")
    return 0
