"""The edition diff in words: Markdown for the CHANGELOG and the run's artifact (French, no codes)."""
from __future__ import annotations

from typing import Any

from panorama.diff import EditionDiff


def fr(value: float, decimals: int) -> str:
    """French decimal comma; "-0" never shown."""
    text = f"{value:.{decimals}f}".replace(".", ",")
    return text[1:] if text.startswith("-") and float(text.replace(",", ".")) == 0 else text


def signed(value: float, decimals: int, unit: str = "") -> str:
    if round(value, decimals) == 0:
        return "="
    return f"{'+' if value > 0 else '−'}{fr(abs(value), decimals)}{unit}"


def figure_text(item: dict[str, Any]) -> str:
    """"2,56 → 2,63 Md€ (+0,07)" on the displayed values, so that the text adds up."""
    d, unit = item["decimales"], f" {item['unite']}" if item["unite"] else ""
    delta_unit = " pt" if item["unite"] == "%" else ""
    if item["apres"] is None:
        return "non disponible"
    if item["avant"] is None:
        return f"{fr(item['apres'], d)}{unit}"
    return f"{fr(item['avant'], d)} → {fr(item['apres'], d)}{unit} ({signed(item['ecart'], d, delta_unit)})"


def partial_sentence(diff: EditionDiff) -> str | None:
    """The words a reader needs first when an edition does not cover every ministry."""
    if not diff.edition_partielle:
        return None
    if diff.ministeres_absents:
        named = ", ".join(f"{m['ministere_nom']} ({m['ministere_code']})" for m in diff.ministeres_absents)
        return (f"Édition partielle : ces ministères n'y figurent pas : {named}. Leurs projets de l'édition "
                f"{diff.precedente} ne sont pas comptés comme sortants, et les chiffres clés ne les couvrent pas.")
    return "Édition partielle : certaines remontées n'ont pas été retenues ; les chiffres clés ne les couvrent pas."


def _who(item: dict[str, Any]) -> str:
    return item.get("ministere_nom") or item.get("ministere_code") or "ministère non renseigné"


def _md(text: object) -> str:
    """A Markdown list item's text: one line, no HTML."""
    return " ".join(str(text).split()).replace("<", "&lt;").replace(">", "&gt;")


def _rename_line(r: dict[str, Any]) -> str:
    how = ""
    if r.get("source"):
        how = f" — {r['source']}"
        if r.get("score") is not None:
            how += f", score {fr(r['score'], 2)}"
        if r.get("preuves"):
            how += f" ({_md(r['preuves'])})"
    return f"- {_md(r['ancien_nom'])} → {_md(r['nouveau_nom'])}{how}"


def _change_line(c: dict[str, Any], decimals: int, unit: str) -> str:
    return (f"- {_md(c['nom_projet'])} : {fr(c['avant'], decimals)} → {fr(c['apres'], decimals)}{unit} "
            f"({signed(c['ecart'], decimals)})")


def _sections(diff: EditionDiff) -> list[tuple[str, list[str], bool]]:
    """(title, list items, shown even when empty) in reading order."""
    before = diff.precedente
    project = lambda p: f"- {_md(p['nom_projet'])} ({_md(_who(p))})"  # noqa: E731
    absent = diff.ministeres_absents if not diff.edition_partielle else []
    return [
        (f"Ministères sans remontée (présents dans l'édition {before})",
         [f"- {_md(m['ministere_nom'])} ({m['ministere_code']}) : {m['projets_precedents']} projet(s) comptés "
          "comme sortants" for m in absent], False),
        ("Nouveaux ministères", [f"- {_md(m['ministere_nom'])} ({m['ministere_code']}) : {m['projets']} projet(s)"
                                 for m in diff.ministeres_nouveaux], False),
        (f"Projets entrants par rapport à l'édition {before} ({len(diff.entrants)})",
         [project(p) for p in diff.entrants], True),
        (f"Projets sortants par rapport à l'édition {before} ({len(diff.sortants)})",
         [project(p) for p in diff.sortants], True),
        (f"Projets non reçus (ministère absent de l'édition partielle) ({len(diff.non_recus)})",
         [project(p) for p in diff.non_recus], False),
        (f"Projets renommés ({len(diff.renommages)})", [_rename_line(r) for r in diff.renommages], False),
        (f"Changements de phase ({len(diff.changements_phase)})",
         [f"- {_md(c['nom_projet'])} : {c['avant'] or 'non renseignée'} → {c['apres'] or 'non renseignée'}"
          for c in diff.changements_phase], False),
        ("Plus fortes variations de coût estimé", [_change_line(c, 2, " M€") for c in diff.ecarts_cout], False),
        ("Plus fortes variations de durée prévisionnelle",
         [_change_line(c, 1, " ans") for c in diff.ecarts_duree], False),
    ]


def diff_markdown(diff: EditionDiff, level: int = 3, figures: bool = True) -> list[str]:
    """The diff as Markdown lines (sections at heading `level`)."""
    h = "#" * level
    lines: list[str] = []
    sentence = partial_sentence(diff)
    if sentence:
        lines += [f"**{sentence}**", ""]
    if diff.precedente is None:
        lines += ["Première édition publiée : pas de comparaison.", ""]
    else:
        for title, items, always in _sections(diff):
            if items or always:
                lines += [f"{h} {title}", "", *(items or ["- aucun"]), ""]
    if figures and diff.chiffres:
        lines += [f"{h} Chiffres clés", ""]
        lines += [f"- {c['libelle']} : {figure_text(c)}" for c in diff.chiffres]
        lines.append("")
    return lines
