"""The sections of the dashboard page, each a function from data to escaped HTML.

Every value from the data goes through `html.escape`: descriptions and names may hold `<`,
quotes or whole HTML anchors, and must show as text.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from html import escape

import pandas as pd

from panorama.dashboard import formatting as fr
from panorama.dashboard import svg
from panorama.dashboard.description import RATE_COLUMNS, coverage_since, rate_source
from panorama.errors import ExportError
from panorama.methodology import Section
from panorama.model import load_schema_descriptor

TOP_ZONES = 10
SOURCE_LABELS = {"calculé": "calculé", "déclaré": "déclaré", "absent": "non disponible"}
BADGE_CLASSES = {"calculé": "badge-calcule", "déclaré": "badge-declare"}


def enum(field: str) -> list[str]:
    """The allowed values of a schema field, in schema order (phases, cost brackets)."""
    for item in load_schema_descriptor()["fields"]:
        if item["name"] == field:
            return list(item.get("constraints", {}).get("enum", []))
    return []


def fold(text: str) -> str:
    """Accent- and case-insensitive key, so "Écoles" sorts beside "ecoles" as French readers expect."""
    return unicodedata.normalize("NFD", text).encode("ascii", "ignore").decode("ascii").casefold()


def _label(value: object) -> str:
    return "Non renseigné" if fr.is_missing(value) or not str(value).strip() else str(value)


def _int(value: object) -> int | None:
    return None if fr.is_missing(value) else int(value)  # type: ignore[call-overload]


def _float(value: object) -> float | None:
    return None if fr.is_missing(value) else float(value)  # type: ignore[arg-type]


def numero_label(numero: int) -> str:
    return f"n°{fr.NBSP}{numero}"


def intro(latest: pd.Series, indicators: pd.DataFrame) -> str:
    return f"""<section aria-labelledby="titre-intro">
<h2 id="titre-intro">Qu'est-ce que le panorama ?</h2>
<p class="chapo">Le panorama recense les grands projets numériques de l'État : les projets informatiques
des ministères dont le coût dépasse 9 millions d'euros, ou dont l'impact ou la complexité est élevé.
Chaque ministère déclare ses projets ; la direction interministérielle du numérique (DINUM) les consolide
et publie le panorama chaque semestre. Ces données couvrent les éditions publiées depuis {escape(coverage_since(indicators))}.</p>
<p>Chaque projet y est décrit par son nom, ses objectifs, son ministère porteur, sa date de début,
sa durée prévue, sa phase en cours, son coût estimé, sa zone fonctionnelle et son financement.
Cette page présente la dernière édition ({escape(numero_label(int(latest["numero"])))}), son évolution
depuis la première, et la liste des projets. Les données complètes sont publiées en données ouvertes.</p>
</section>"""


def _card(label: str, value: str, detail: str = "", badge: str = "") -> str:
    extra = f'<span class="precision">{detail}</span>' if detail else ""
    return (
        f'<li class="chiffre"><span class="libelle">{escape(label)}</span>'
        f'<span class="valeur">{escape(value)}{badge}</span>{extra}</li>'
    )


def _badge(source: object) -> str:
    key = str(source) if not fr.is_missing(source) else "absent"
    css = BADGE_CLASSES.get(key, "badge-absent")
    return f' <span class="badge {css}">{escape(SOURCE_LABELS.get(key, key))}</span>'


def _previous(latest: pd.Series, indicators: pd.DataFrame) -> pd.Series | None:
    earlier = indicators[indicators["numero"] < latest["numero"]].sort_values("numero", kind="stable")
    return None if earlier.empty else earlier.iloc[-1]


def _names(history: pd.DataFrame, edition: str, ids: set[str]) -> list[str]:
    rows = history[(history["edition"] == edition) & history["identifiant"].isin(sorted(ids))]
    return sorted((str(n) for n in rows["nom_projet"].dropna()), key=fold)


def _moves(latest: pd.Series, previous: pd.Series | None, history: pd.DataFrame) -> str:
    """The names of the entering and leaving projects, from the history, in a disclosure."""
    if previous is None or history.empty:
        return ""
    now = set(history.loc[history["edition"] == latest["edition"], "identifiant"].dropna())
    before = set(history.loc[history["edition"] == previous["edition"], "identifiant"].dropna())
    if not before:
        return ""
    blocks = []
    for title, edition, ids in (
        ("Projets entrants", latest["edition"], now - before),
        ("Projets sortants", previous["edition"], before - now),
    ):
        items = "".join(f"<li>{escape(n)}</li>" for n in _names(history, str(edition), ids))
        blocks.append(f"<h3>{title}</h3>" + (f"<ul>{items}</ul>" if items else "<p>Aucun.</p>"))
    return f'<details><summary>Voir les projets entrants et sortants</summary>{"".join(blocks)}</details>'


def key_figures(latest: pd.Series, indicators: pd.DataFrame, history: pd.DataFrame) -> str:
    previous = _previous(latest, indicators)
    notes = {
        "calculé": "calculé à partir des coûts et durées de chaque projet",
        "déclaré": "déclaré lors de la publication, non recalculable",
    }
    budget, schedule = (rate_source(latest, c) for c in RATE_COLUMNS)
    inter = _int(latest["nombre_projets_interministeriels"])
    count = _int(latest["nombre_projets"]) or 0
    if previous is None:
        moves_detail = "sans objet : première édition"
    else:
        moves_detail = escape(f"par rapport à l'édition {numero_label(int(previous['numero']))}")
    cards = [
        _card("Projets", fr.format_integer(count), escape(f"dont {fr.format_integer(inter)} interministériels" if inter is not None else "")),
        _card("Coût total estimé", fr.format_md_eur(_float(latest["cout_total_meur"])), "hors projets en cadrage"),
        _card("Durée moyenne prévue", fr.format_years(_float(latest["duree_moyenne_annees"])), "moyenne simple des durées"),
        _card("Écart budgétaire moyen", fr.format_percent(_float(latest["taux_ecart_budgetaire"])),
              escape(notes.get(budget, "non disponible pour cette édition")), _badge(budget)),
        _card("Écart calendaire moyen", fr.format_percent(_float(latest["taux_ecart_calendaire"])),
              escape(notes.get(schedule, "non disponible pour cette édition")), _badge(schedule)),
        _card("Projets interministériels", fr.format_integer(inter), "portés par plusieurs ministères"),
        *(
            _card(label, fr.format_integer(value), moves_detail if value is not None or previous is None else "non disponible")
            for label, value in (("Projets entrants", _int(latest.get("projets_entrants"))),
                                 ("Projets sortants", _int(latest.get("projets_sortants"))))
        ),
    ]
    partial = ""
    if latest.get("edition_partielle") is True or str(latest.get("edition_partielle")).lower() == "true":
        absent = latest.get("ministeres_absents")
        absent = absent if isinstance(absent, str) and absent else "certaines remontées"
        partial = (f'<p role="note"><strong>Édition partielle</strong> : {escape(absent)} n\'y figure(nt) pas ; '
                   "les chiffres ne les couvrent pas et leurs projets ne sont pas comptés comme sortants.</p>")
    return f"""<section aria-labelledby="titre-chiffres">
<h2 id="titre-chiffres">Chiffres clés de la dernière édition</h2>
{partial}<ul class="chiffres">{"".join(cards)}</ul>
{_moves(latest, previous, history)}
</section>"""


def _sorted(frame: pd.DataFrame, rank: Callable[[str], int] | None) -> pd.DataFrame:
    """Rows by (rank, decreasing count, folded label), stable; sorted in Python (tiny frames, pandas' sort costs more)."""
    counts = [math.inf if pd.isna(n) else -float(n) for n in frame["nombre_projets"].tolist()]
    values = frame["valeur"].tolist()
    keys = [fold(_label(v)) for v in values]
    ranks = [rank(str(v)) if rank is not None else 0 for v in values]
    order = sorted(range(len(values)), key=lambda i: (ranks[i], counts[i], keys[i]))
    return frame.iloc[order]


def ordered(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Known values in schema order first, then the others by decreasing count."""
    rank = {value: i for i, value in enumerate(order)}
    return _sorted(frame, lambda value: rank.get(value, len(order)))


def by_count(frame: pd.DataFrame) -> pd.DataFrame:
    return _sorted(frame, None)


def breakdown_rows(frame: pd.DataFrame, top: int | None = None, other_label: str = "Autres") -> list[tuple[str, float, float | None, bool]]:
    """(label, projects, cost, highlighted) rows; beyond `top`, one aggregated row."""
    rows = [(_label(r.valeur), float(r.nombre_projets), _float(r.cout_total_meur), True) for r in frame.itertuples()]
    if top is not None and len(rows) > top + 1:
        rest = rows[top:]
        costs = [c for _, _, c, _ in rest if c is not None]
        label = f"{other_label} ({len(rest)})"
        rows = [*rows[:top], (label, sum(n for _, n, _, _ in rest), sum(costs) if costs else None, False)]
    return rows


def _figure(chart_id: str, caption: str, header: str, rows: list[tuple[str, float, float | None, bool]]) -> str:
    total = sum(n for _, n, _, _ in rows)
    description = "; ".join(f"{label} : {fr.plural(int(n), 'projet')}" for label, n, _, _ in rows)
    bars = [svg.Bar(label, n, highlight) for label, n, _, highlight in rows]
    chart = svg.bar_chart(bars, chart_id=chart_id, title=caption, description=description or "Aucune donnée",
                          fmt=lambda v: fr.format_integer(v))
    lines = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td class="nombre">{escape(fr.format_integer(n))}</td>'
        f'<td class="nombre">{escape(fr.format_m_eur(cost) if cost else "non estimé")}</td></tr>'
        for label, n, cost, _ in rows
    )
    return f"""<figure id="{chart_id}">
<figcaption>{escape(caption)}</figcaption>
{chart}
<details><summary>Voir les chiffres ({escape(fr.plural(int(total), 'projet'))})</summary>
<table><caption class="visuellement-cache">{escape(caption)}</caption>
<thead><tr><th scope="col">{escape(header)}</th><th scope="col" class="nombre">Projets</th><th scope="col" class="nombre">Coût estimé</th></tr></thead>
<tbody>{lines}</tbody></table></details>
</figure>"""


def breakdowns(latest: pd.Series, repartitions: pd.DataFrame) -> str:
    mine = repartitions[repartitions["edition"] == latest["edition"]]

    def part(dimension: str) -> pd.DataFrame:
        return mine[mine["dimension"] == dimension]

    figures = [
        _figure("graphique-ministeres", "Projets par ministère", "Ministère", breakdown_rows(by_count(part("ministere")), None, "")),
        _figure("graphique-phases", "Projets par phase", "Phase", breakdown_rows(ordered(part("phase"), enum("phase")), None, "")),
        _figure("graphique-tranches", "Projets par tranche de coût", "Tranche de coût",
                breakdown_rows(ordered(part("tranche_cout"), enum("tranche_cout")), None, "")),
        _figure("graphique-zones", f"Projets par zone fonctionnelle ({TOP_ZONES} premières)", "Zone fonctionnelle",
                breakdown_rows(by_count(part("zone_fonctionnelle")), TOP_ZONES, "Autres zones")),
    ]
    return f"""<section aria-labelledby="titre-repartitions">
<h2 id="titre-repartitions">Répartition des projets de la dernière édition</h2>
<div class="graphiques">{"".join(figures)}</div>
</section>"""


Metric = tuple[str, str, Callable[[float], str], bool]
METRICS: tuple[Metric, ...] = (
    ("nombre_projets", "Nombre de projets", fr.format_integer, False),
    ("cout_total_meur", "Coût total estimé", fr.format_md_eur, False),
    ("duree_moyenne_annees", "Durée moyenne prévue", fr.format_years, False),
    ("taux_ecart_budgetaire", "Écart budgétaire moyen", fr.format_percent, True),
    ("taux_ecart_calendaire", "Écart calendaire moyen", fr.format_percent, True),
    ("nombre_projets_interministeriels", "Projets interministériels", fr.format_integer, False),
    ("projets_entrants", "Projets entrants", fr.format_integer, False),
    ("projets_sortants", "Projets sortants", fr.format_integer, False),
)


# Vertical axis of each evolution chart: tick label (value and unit) and whether steps are whole.
AXES: dict[str, tuple[Callable[[float], str], bool]] = {
    "nombre_projets": (fr.tick_integer, True),
    "cout_total_meur": (fr.tick_md_eur, False),
    "duree_moyenne_annees": (fr.tick_years, True),
    "taux_ecart_budgetaire": (fr.tick_percent, False),
    "taux_ecart_calendaire": (fr.tick_percent, False),
    "nombre_projets_interministeriels": (fr.tick_integer, True),
    "projets_entrants": (fr.tick_integer, True),
    "projets_sortants": (fr.tick_integer, True),
}


def _summary(title: str, points: Sequence[svg.Point], fmt: Callable[[float], str]) -> str:
    known = [p for p in points if p.value is not None]
    if not known:
        return f"{title} : aucune valeur disponible."
    first, last = known[0], known[-1]
    peak = max(known, key=lambda p: p.value)  # type: ignore[arg-type, return-value]
    return (
        f"{title} : {fmt(first.value)} à l'édition {first.label}, {fmt(last.value)} à l'édition {last.label} ; "  # type: ignore[arg-type]
        f"maximum {fmt(peak.value)} (édition {peak.label})."  # type: ignore[arg-type]
    )


def evolution(indicators: pd.DataFrame) -> str:
    ordered = indicators.sort_values("numero", kind="stable")
    labels = [numero_label(int(n)) for n in ordered["numero"]]
    charts = []
    for column, title, fmt, is_rate in METRICS:
        if column not in ordered.columns:
            continue
        points = [
            svg.Point(label, _float(row[column]), hollow=is_rate and rate_source(row, column) == "déclaré")
            for label, (_, row) in zip(labels, ordered.iterrows(), strict=True)
        ]
        tick_fmt, integer = AXES.get(column, (fmt, False))
        chart = svg.line_chart(points, chart_id=f"evolution-{column.replace('_', '-')}", title=title,
                               description=_summary(title, points, fmt), fmt=fmt, tick_fmt=tick_fmt,
                               integer=integer)
        charts.append(f"<figure><figcaption>{escape(title)}</figcaption>{chart}</figure>")
    head = "".join(f'<th scope="col" class="nombre">{escape(t)}</th>' for c, t, _, _ in METRICS if c in ordered.columns)
    body = []
    for (_, row), label in zip(ordered.iterrows(), labels, strict=True):
        cells = "".join(
            f'<td class="nombre">{escape(fmt(_float(row[c])))}</td>' for c, _, fmt, _ in METRICS if c in ordered.columns  # type: ignore[arg-type]
        )
        budget, schedule = (SOURCE_LABELS[rate_source(row, c)] for c in RATE_COLUMNS)
        source = budget if budget == schedule else f"budgétaire {budget}, calendaire {schedule}"
        body.append(f'<tr><th scope="row">{escape(label)}</th>{cells}<td>{escape(source)}</td></tr>')
    return f"""<section aria-labelledby="titre-evolution">
<h2 id="titre-evolution">Évolution d'une édition à l'autre</h2>
<p class="legende">En abscisse, le numéro de l'édition ; en ordonnée, la valeur dans son unité (axe partant de zéro).
La valeur de la dernière édition est écrite en gras. Pour les taux d'écart, un point plein est un taux calculé, un point
creux un taux déclaré. Une interruption de la ligne signale une valeur absente.</p>
<div class="graphiques-petits">{"".join(charts)}</div>
<details><summary>Voir les chiffres de toutes les éditions</summary>
<div class="table-defilante"><table><caption class="visuellement-cache">Chiffres clés de toutes les éditions</caption>
<thead><tr><th scope="col">Édition</th>{head}<th scope="col">Source des taux</th></tr></thead>
<tbody>{"".join(body)}</tbody></table></div></details>
</section>"""


def methodology_section(introduction: str, rules: Sequence[Section]) -> str:
    parts = [f"<p>{escape(introduction)}</p>"]
    for rule in rules:
        parts.append(f"<h3>{escape(rule.title)}</h3>" + "".join(f"<p>{escape(p)}</p>" for p in rule.paragraphs))
    return f"""<section class="methodologie" aria-labelledby="titre-methodologie">
<h2 id="titre-methodologie">Méthodologie</h2>
{"".join(parts)}
</section>"""


def data_links(resource_links: dict[str, str] | None, resources: Sequence[tuple[str, str]], edition: str) -> str:
    if not resource_links:
        content = ("<p>Les données de cette édition ne sont pas encore publiées sur data.gouv.fr. "
                   "Elles le seront avec les fichiers CSV et Parquet, leur schéma et leur dictionnaire.</p>")
    else:
        known = [name for name, _ in resources if name in resource_links]
        labels = dict(resources)
        others = sorted(name for name in resource_links if name not in labels)
        items = []
        for name in [*known, *others]:
            url = resource_links[name]
            if not url.startswith(("https://", "http://")):
                raise ExportError(f"Tableau de bord : le lien de « {name} » doit commencer par https:// (trouvé « {url} »).")
            text = f" – {escape(labels[name])}" if name in labels else ""
            items.append(f'<li><a href="{escape(url)}">{escape(name)}</a>{text}</li>')
        content = ("<p>Les données sont publiées sur data.gouv.fr sous Licence Ouverte 2.0. "
                   "Ces liens sont stables : ils pointent toujours vers la dernière version de chaque fichier.</p>"
                   f"<ul>{''.join(items)}</ul>")
    return f"""<section aria-labelledby="titre-donnees">
<h2 id="titre-donnees">Télécharger les données</h2>
{content}
<p>Pour citer ces données : DINUM, Panorama des grands projets numériques de l'État, {escape(edition.lower()[0] + edition[1:])}, data.gouv.fr, Licence Ouverte 2.0.</p>
</section>"""
