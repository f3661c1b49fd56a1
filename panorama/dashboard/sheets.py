"""The projects of the latest edition: a filterable table and one sheet per project.

Each sheet has a stable anchor (`#projet-<identifiant>`, a link reusers can share) and the
project's trajectory over every edition it appears in, as a small chart with its data table.
The rows the table shows can be downloaded as CSV: the page embeds them as JSON (escaped for
the HTML context) and the script builds the file in the browser.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from panorama.dashboard import formatting as fr
from panorama.dashboard import svg
from panorama.dashboard.sections import enum, fold, numero_label
from panorama.history import drift_column, with_drift

# Columns of the downloaded CSV: published field names, the published spelling of values.
CSV_FIELDS: tuple[str, ...] = (
    "identifiant", "nom_projet", "ministere_code", "ministere_nom", "phase", "cout_estime_meur", "tranche_cout",
    "duree_previsionnelle_annees", "date_debut", "zone_fonctionnelle", "projet_interministeriel",
    "ecart_cout_depuis_premiere_edition_meur", "ecart_cout_depuis_premiere_edition_pct",
    "ecart_duree_depuis_premiere_edition_annees", "ecart_duree_depuis_premiere_edition_pct",
)
COST_DRIFT = drift_column("cout", "depuis_premiere_edition", True)
COST_STEP = drift_column("cout", "depuis_edition_precedente", False)
DURATION_STEP = drift_column("duree", "depuis_edition_precedente", False)


def anchor(identifiant: str) -> str:
    """`projet-<identifiant>`: identifiers are lowercase letters, digits and dashes (schema pattern)."""
    return "projet-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in str(identifiant))


def _text(value: object) -> str:
    return "" if fr.is_missing(value) else str(value).strip()


def _float(value: object) -> float | None:
    return None if fr.is_missing(value) else float(value)  # type: ignore[arg-type]


def _json_value(value: object, field: str) -> Any:
    """The CSV spelling of a cell: numbers rounded as published, dates ISO, booleans true/false."""
    from panorama.export.rounding import decimals_for, round_number

    if fr.is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if bool(value) else "false"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return round_number(value, decimals_for(field))
    return value if isinstance(value, (int, str)) else str(value)


def embedded_json(rows: list[dict[str, Any]]) -> str:
    """JSON safe inside `<script type="application/json">`: no `<`, `>`, `&` or line separators."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                       ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


def _signed_percent(value: float | None) -> str:
    if value is None:
        return fr.MISSING
    sign = "+" if value > 0.0049 else ""
    return sign + fr.format_number(value, 1) + fr.NBSP + "%"


def _signed_m_eur(value: float | None) -> str:
    if value is None:
        return fr.MISSING
    sign = "+" if value > 0.0049 else ""
    return sign + fr.format_m_eur(value, 2)


def _options(label: str, name: str, values: list[str]) -> str:
    items = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
    return (f'<label for="filtre-{name}">{escape(label)}</label>'
            f'<select id="filtre-{name}" data-filtre="{name}"><option value="">Tous</option>{items}</select>')


def _cell(text: str, sort_key: str, *, numeric: bool = False, css: str = "") -> str:
    classes = " ".join(c for c in ("nombre" if numeric else "", css) if c)
    attr = f' class="{classes}"' if classes else ""
    return f'<td{attr} data-tri="{escape(sort_key)}">{escape(text)}</td>'


def _header(name: str, kind: str, css: str) -> str:
    classes = " ".join(c for c in (kind, css) if c)
    attrs = (f' class="{classes}"' if classes else "") + (' data-type="nombre"' if kind else "")
    # The button sorts on screen; print shows the plain text (Chromium leaves buttons blank in
    # table headers repeated on each printed page).
    return (f'<th scope="col"{attrs}><button type="button">{escape(name)}</button>'
            f'<span class="texte-imprime" aria-hidden="true">{escape(name)}</span></th>')


def _records(frame: pd.DataFrame) -> list[SimpleNamespace]:
    """Rows as plain objects: one conversion, instead of pandas row access per cell (slow)."""
    return [SimpleNamespace(**row) for row in frame.to_dict("records")]


@dataclass(frozen=True)
class PageRows:
    """The history's rows as plain objects, converted once per page for the table and the sheets."""

    latest: list[SimpleNamespace]                    # the latest edition's projects, by name
    by_project: dict[str, list[SimpleNamespace]]     # every project's rows, by edition number


def page_rows(history: pd.DataFrame, edition: str) -> PageRows:
    """The rows of `history` (with its drift columns) the table and the sheets of `edition` show."""
    history = drifted(history)
    records = _records(history)
    latest = sorted((r for r in records if r.edition == edition),
                    key=lambda r: (fold(_text(r.nom_projet) or "Non renseigné"), str(r.identifiant)))
    by_project: dict[str, list[SimpleNamespace]] = {}
    order = history["numero_edition"].argsort(kind="mergesort") if len(records) else []  # NaN last, stable
    for position in order:
        row = records[position]
        by_project.setdefault(str(row.identifiant), []).append(row)
    return PageRows(latest, by_project)


def drifted(history: pd.DataFrame) -> pd.DataFrame:
    """The history with its drift columns (computed once per page, shared by table and sheets)."""
    return with_drift(history) if not history.empty and COST_DRIFT not in history.columns else history


def projects_table(latest: pd.Series, history: pd.DataFrame, rows_of_page: PageRows | None = None) -> str:
    """The table with its filters (ministry, phase, cost bracket, free text) and the CSV download."""
    rows = (rows_of_page or page_rows(history, str(latest["edition"]))).latest
    lines, data = [], []
    for r in rows:
        cost, duration, start = _float(r.cout_estime_meur), _float(r.duree_previsionnelle_annees), r.date_debut
        drift = _float(getattr(r, COST_DRIFT))
        cadrage = str(r.tranche_cout) == "en cadrage" or str(r.phase) == "Cadrage"
        cost_text = fr.format_number(cost, 1) if cost is not None else ("en cadrage" if cadrage else fr.MISSING)
        name = _text(r.nom_projet) or "Non renseigné"
        lines.append(
            f'<tr data-id="{escape(str(r.identifiant))}" data-ministere="{escape(_text(r.ministere_nom))}" '
            f'data-phase="{escape(_text(r.phase))}" data-tranche="{escape(_text(r.tranche_cout))}">'
            f'<td data-tri="{escape(fold(name))}"><a href="#{escape(anchor(r.identifiant))}">{escape(name)}</a></td>'
            + _cell(_text(r.ministere_nom) or "Non renseigné", fold(_text(r.ministere_nom)), css="col-secondaire")
            + _cell(_text(r.phase) or "Non renseigné", fold(_text(r.phase)))
            + _cell(cost_text, "" if cost is None else repr(cost), numeric=True, css="col-cout")
            + _cell(fr.format_number(duration, 1), "" if duration is None else repr(duration), numeric=True,
                    css="col-secondaire")
            + _cell(_signed_percent(drift), "" if drift is None else repr(drift), numeric=True, css="col-secondaire")
            + _cell(fr.format_month(start), "" if fr.is_missing(start) else pd.Timestamp(start).strftime("%Y-%m-%d"),
                    css="col-secondaire")
            + "</tr>"
        )
        data.append({f: _json_value(getattr(r, f), f) for f in CSV_FIELDS})
    columns = (("Nom du projet", "", ""), ("Ministère", "", "col-secondaire"), ("Phase", "", ""),
               ("Coût estimé (M€)", "nombre", "col-cout"), ("Durée prévue (années)", "nombre", "col-secondaire"),
               ("Coût depuis la 1re édition", "nombre", "col-secondaire"), ("Début", "", "col-secondaire"))
    head = "".join(_header(name, kind, css) for name, kind, css in columns)
    ministries = sorted({_text(r.ministere_nom) for r in rows if _text(r.ministere_nom)}, key=fold)
    known_phases = enum("phase")
    phases = sorted({_text(r.phase) for r in rows if _text(r.phase)},
                    key=lambda p: (known_phases.index(p) if p in known_phases else len(known_phases), fold(p)))
    known_brackets = enum("tranche_cout")
    brackets = sorted({_text(r.tranche_cout) for r in rows if _text(r.tranche_cout)},
                      key=lambda b: (known_brackets.index(b) if b in known_brackets else len(known_brackets), fold(b)))
    count = fr.plural(len(lines), "projet")
    shown = "affiché" if len(lines) < 2 else "affichés"
    return f"""<section aria-labelledby="titre-projets">
<h2 id="titre-projets">Les projets de la dernière édition</h2>
<p class="interface">Filtrez par ministère, phase ou tranche de coût, ou cherchez un mot ; cliquez sur un titre de
colonne pour trier (un second clic inverse l'ordre) et sur un nom pour ouvrir la fiche du projet.</p>
<div class="filtre" role="search">
<div class="champ"><label for="filtre-projets">Rechercher (nom, ministère, phase…)</label>
<input type="search" id="filtre-projets" autocomplete="off" aria-controls="table-projets" aria-describedby="compte-projets"></div>
<div class="champ">{_options("Ministère", "ministere", ministries)}</div>
<div class="champ">{_options("Phase", "phase", phases)}</div>
<div class="champ">{_options("Tranche de coût", "tranche", brackets)}</div>
<div class="actions"><span id="compte-projets" role="status">{escape(count)} {shown}</span>
<button type="button" id="telecharger-selection">Télécharger la sélection (CSV)</button></div>
</div>
<div class="table-defilante"><table id="table-projets">
<caption class="visuellement-cache">Projets de la dernière édition ({escape(count)})</caption>
<thead><tr>{head}</tr></thead>
<tbody>{"".join(lines)}</tbody></table></div>
<script type="application/json" id="donnees-projets">{embedded_json(data)}</script>
</section>"""


def _links(value: object) -> str:
    urls = [u for u in _text(value).split() if u.lower().startswith(("https://", "http://"))]
    return " ".join(f'<a href="{escape(u)}">{escape(u)}</a>' for u in urls)


def _definition(term: str, html_value: str) -> str:
    return f"<dt>{escape(term)}</dt><dd>{html_value}</dd>" if html_value else ""


def _trajectory(rows: list[SimpleNamespace], ident: str, name: str) -> str:
    """Chart (cost per edition) and data table of one project over its editions."""
    labels = [numero_label(int(r.numero_edition)) for r in rows]
    points = [svg.Point(label, _float(r.cout_estime_meur)) for label, r in zip(labels, rows, strict=True)]
    known = [p for p in points if p.value is not None]
    if known:
        text = "; ".join(f"édition {p.label} : {fr.format_m_eur(p.value, 2)}" for p in known)  # type: ignore[arg-type]
    else:
        text = "coût non chiffré dans toutes ses éditions"
    chart = svg.line_chart(points, chart_id=f"trajectoire-{anchor(ident)}", title=f"Coût estimé de {name} par édition",
                           description=f"Coût estimé par édition : {text}.", fmt=lambda v: fr.format_m_eur(v, 1),
                           tick_fmt=lambda v: fr.format_short(v, "M€", 1), width=300, height=170)
    initial = any(not fr.is_missing(getattr(r, c)) for c in ("cout_initial_meur", "cout_actualise_meur",
                                                             "duree_initiale_annees", "duree_actualisee_annees")
                  for r in rows)
    head = ["Édition", "Phase", "Coût estimé", "Écart de coût depuis l'édition précédente", "Durée prévue",
            "Écart de durée depuis l'édition précédente"]
    if initial:
        head += ["Coût initial → actualisé", "Durée initiale → actualisée"]
    body = []
    for label, row in zip(labels, rows, strict=True):
        cost, duration = _float(row.cout_estime_meur), _float(row.duree_previsionnelle_annees)
        step, dstep = _float(getattr(row, COST_STEP)), _float(getattr(row, DURATION_STEP))
        cells = [
            f'<th scope="row">{escape(label)}</th>',
            f"<td>{escape(_text(row.phase) or fr.MISSING)}</td>",
            f'<td class="nombre" data-champ="cout_estime_meur" data-valeur="{_raw(cost, "cout_estime_meur")}">{escape(fr.format_m_eur(cost, 2))}</td>',
            f'<td class="nombre">{escape(_signed_m_eur(step))}</td>',
            f'<td class="nombre" data-champ="duree_previsionnelle_annees" data-valeur="{_raw(duration, "duree_previsionnelle_annees")}">'
            f"{escape(fr.format_years(duration, 2))}</td>",
            f'<td class="nombre">{escape(_signed_years(dstep))}</td>',
        ]
        if initial:
            cells.append(f'<td class="nombre">{escape(_pair(row.cout_initial_meur, row.cout_actualise_meur, lambda v: fr.format_m_eur(v, 2)))}</td>')
            cells.append(f'<td class="nombre">{escape(_pair(row.duree_initiale_annees, row.duree_actualisee_annees, lambda v: fr.format_years(v, 2)))}</td>')
        body.append(f'<tr data-edition="{escape(str(row.edition))}">{"".join(cells)}</tr>')
    header = "".join(f'<th scope="col"{" class=" + chr(34) + "nombre" + chr(34) if i > 1 else ""}>{escape(h)}</th>'
                     for i, h in enumerate(head))
    return (f'<figure class="trajectoire"><figcaption>Trajectoire : coût estimé à chaque édition</figcaption>{chart}</figure>'
            f'<p class="titre-table" aria-hidden="true">Trajectoire de {escape(name)}, édition par édition</p>'
            f'<div class="table-defilante"><table class="table-trajectoire"><caption class="visuellement-cache">'
            f'Trajectoire de {escape(name)}, édition par édition</caption><thead><tr>{header}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def _raw(value: float | None, field: str) -> str:
    """The value as the published CSV writes it (same rounding), for reusers and tests to compare."""
    from panorama.export.rounding import decimals_for, round_number
    from panorama.export.tables import format_number

    return "" if value is None else format_number(round_number(value, decimals_for(field)))


def _signed_years(value: float | None) -> str:
    if value is None:
        return fr.MISSING
    return ("+" if value > 0.0049 else "") + fr.format_years(value, 2)


def _pair(first: object, second: object, fmt: Any) -> str:
    a, b = _float(first), _float(second)
    if a is None and b is None:
        return fr.MISSING
    return f"{fmt(a) if a is not None else fr.MISSING} → {fmt(b) if b is not None else fr.MISSING}"


def project_sheets(latest: pd.Series, history: pd.DataFrame, rows_of_page: PageRows | None = None) -> str:
    """One `<details>` sheet per project of the latest edition, anchored `#projet-<identifiant>`."""
    rows = rows_of_page or page_rows(history, str(latest["edition"]))
    by_project = rows.by_project
    sheets = []
    for r in rows.latest:
        ident = str(r.identifiant)
        name = _text(r.nom_projet) or "Non renseigné"
        trajectory = by_project[ident]
        count = fr.plural(len(trajectory), "édition")
        description = "".join(f"<p>{escape(p.strip())}</p>" for p in _text(r.description).split("\n") if p.strip())
        start, interministerial = r.date_debut, r.projet_interministeriel
        financing = escape(_text(r.programme_financement))
        if _text(r.lien_pap).lower().startswith(("https://", "http://")):
            financing += (" – " if financing else "") + (
                f'<a href="{escape(_text(r.lien_pap))}">projet annuel de performances</a>')
        facts = "".join([
            _definition("Ministère porteur", escape(" ".join(x for x in (_text(r.ministere_nom),
                        f"({_text(r.ministere_code)})" if _text(r.ministere_code) else "") if x))),
            _definition("Phase en cours", escape(_text(r.phase))),
            _definition("Coût estimé", escape(fr.format_m_eur(_float(r.cout_estime_meur), 2)
                                              if _float(r.cout_estime_meur) is not None else _text(r.tranche_cout))),
            _definition("Tranche de coût", escape(_text(r.tranche_cout))),
            _definition("Début", escape(fr.format_month(start) if not fr.is_missing(start) else "")),
            _definition("Durée prévue", escape(fr.format_years(_float(r.duree_previsionnelle_annees), 2)
                                               if _float(r.duree_previsionnelle_annees) is not None else "")),
            _definition("Projet interministériel", "" if fr.is_missing(interministerial)
                        else ("Oui" if bool(interministerial) else "Non")),
            _definition("Zone fonctionnelle", escape(_text(r.zone_fonctionnelle))),
            _definition("Financement", financing),
            _definition("En savoir plus", _links(r.liens_projet)),
            _definition("Identifiant", f'<a href="#{escape(anchor(ident))}">{escape(ident)}</a>'),
        ])
        sheets.append(
            f'<details class="fiche" id="{escape(anchor(ident))}"><summary><h3>{escape(name)}</h3>'
            f'<span class="fiche-resume">{escape(_text(r.ministere_nom))} – {escape(count)}</span></summary>'
            f'<div class="fiche-corps"><dl class="faits">{facts}</dl>'
            f'{description or "<p>Pas de description publiée.</p>"}'
            f"{_trajectory(trajectory, ident, name)}</div></details>"
        )
    return f"""<section aria-labelledby="titre-fiches" class="fiches">
<h2 id="titre-fiches">Fiches des projets</h2>
<p class="interface">Une fiche par projet de la dernière édition : description, liens, financement et trajectoire
(coût, durée et phase à chaque édition où le projet figure). Le lien de chaque fiche peut être partagé.</p>
{"".join(sheets)}
</section>"""
