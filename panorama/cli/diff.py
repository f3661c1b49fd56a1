"""`panorama diff`: before publishing, what changed against the previous edition (terminal or JSON)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from panorama.diff import EditionDiff
from panorama.diff_text import figure_text, fr, partial_sentence, signed

console = Console() if sys.stdout.isatty() else Console(width=160)


def compute_diff(raw: Path, wanted: str | None, partial: bool) -> tuple[EditionDiff, list[str]]:
    """Run the stages up to the figures (nothing written) and compare; plus French warnings."""
    from panorama.diff import edition_diff
    from panorama.edition import choose_edition, discover_editions
    from panorama.figures import compute_indicators
    from panorama.pipeline import build_history, validate_all

    editions = discover_editions(raw)
    chosen = choose_edition(editions, wanted)
    allowed = frozenset({chosen}) if partial else frozenset()
    validations = validate_all(editions, allowed)
    identity = build_history(validations, raw)
    indicators, _ = compute_indicators(identity.history, editions, allowed)
    diff = edition_diff(identity.history, indicators, editions, chosen, identity.links, allowed)
    warnings = [f"L'édition {v.edition.id} n'est pas publiable en l'état : constats bloquants dans "
                f"{', '.join(v.blocking_files)} (voir « panorama validate »)."
                for v in validations if v.edition.id == chosen and not v.publishable]
    warnings += [f"Le ministère {m['ministere_nom']} ({m['ministere_code']}), présent dans l'édition "
                 f"{diff.precedente} avec {m['projets_precedents']} projet(s), n'a rien envoyé pour {diff.edition}."
                 for m in diff.ministeres_absents]
    return diff, warnings


def _projects(title: str, items: list[dict]) -> Table:
    table = Table("Projet", "Ministère", title=title, title_justify="left")
    for p in items:
        table.add_row(escape(str(p["nom_projet"])), escape(str(p.get("ministere_nom") or p.get("ministere_code") or "")))
    return table


def _changes(title: str, items: list[dict], decimals: int, unit: str) -> Table:
    table = Table("Projet", "Avant", "Après", "Écart", title=title, title_justify="left")
    for c in items:
        table.add_row(escape(str(c["nom_projet"])), f"{fr(c['avant'], decimals)}{unit}",
                      f"{fr(c['apres'], decimals)}{unit}", signed(c["ecart"], decimals))
    return table


def print_diff(diff: EditionDiff, warnings: list[str]) -> None:
    console.print(f"[bold]{escape(diff.libelle)}[/] ({escape(diff.edition)}) comparée à "
                  + (f"{escape(diff.libelle_precedente or '')} ({escape(diff.precedente)})" if diff.precedente
                     else "rien : première édition"))
    sentence = partial_sentence(diff)
    if sentence:
        console.print(f"[bold yellow]{escape(sentence)}[/]")
    for text in warnings:
        console.print(f"[yellow]Attention :[/] {escape(text)}")
    if diff.ministeres_nouveaux:
        console.print("Nouveaux ministères : " + ", ".join(
            escape(f"{m['ministere_nom']} ({m['ministere_code']}, {m['projets']} projet(s))") for m in diff.ministeres_nouveaux))
    if diff.precedente:
        console.print(_projects(f"Projets entrants ({len(diff.entrants)})", diff.entrants))
        console.print(_projects(f"Projets sortants ({len(diff.sortants)})", diff.sortants))
        if diff.non_recus:
            console.print(_projects(f"Projets non reçus, ministère absent ({len(diff.non_recus)})", diff.non_recus))
        renames = Table("Ancien nom", "Nouveau nom", "Lien", title=f"Projets renommés ({len(diff.renommages)})",
                        title_justify="left")
        for r in diff.renommages:
            how = r.get("source") or ""
            if r.get("score") is not None:
                how += f", score {fr(r['score'], 2)}"
            if r.get("preuves"):
                how += f" ({r['preuves']})"
            renames.add_row(escape(str(r["ancien_nom"])), escape(str(r["nouveau_nom"])), escape(how))
        console.print(renames)
        phases = Table("Projet", "Avant", "Après", title=f"Changements de phase ({len(diff.changements_phase)})",
                       title_justify="left")
        for c in diff.changements_phase:
            phases.add_row(escape(str(c["nom_projet"])), escape(str(c["avant"] or "")), escape(str(c["apres"] or "")))
        console.print(phases)
        console.print(_changes("Plus fortes variations de coût estimé", diff.ecarts_cout, 2, " M€"))
        console.print(_changes("Plus fortes variations de durée prévisionnelle", diff.ecarts_duree, 1, " ans"))
    figures = Table("Chiffre clé", "Évolution", title="Chiffres clés", title_justify="left")
    for item in diff.chiffres:
        figures.add_row(item["libelle"], figure_text(item))
    console.print(figures)


def diff_command(raw: Path, edition: str | None, fmt: str, partial: bool) -> int:
    if fmt not in ("text", "json"):
        Console(stderr=True).print(f"[bold red]Erreur :[/] format « {escape(fmt)} » inconnu : « text » ou « json ».")
        return 2
    diff, warnings = compute_diff(raw, edition, partial)
    if fmt == "json":
        sys.stdout.write(json.dumps({**diff.to_dict(), "avertissements": warnings}, ensure_ascii=False, indent=2) + "\n")
    else:
        print_diff(diff, warnings)
    return 0
