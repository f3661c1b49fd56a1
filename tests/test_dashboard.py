"""The dashboard page: French content, escaping, accessibility hooks, self-containment, determinism."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from panorama.dashboard import formatting as fr
from panorama.dashboard import render_dashboard
from panorama.errors import ExportError
from panorama.model import history_columns, load_schema_descriptor

NB, NN = "\u00a0", "\u202f"
PAGE = "tableau-de-bord/index.html"
HOSTILE_NAME = 'Outil <script>alert("x")</script> & « Co »'
ZONES = [
    "Gestion et contrôle des accès", "Fiscalité", "Ressources humaines", "Justice", "Sécurité", "Défense",
    "Santé", "Éducation", "Transports", "Agriculture", "Environnement", "Culture", "Logement",
]
MINISTRIES = {
    "SPM": "Services du Premier ministre", "MI": "Ministère de l'Intérieur",
    "MEF": "Ministère de l'Économie et des Finances", "MINARM": "Ministère des Armées",
    "MJ": "Ministère de la Justice", "MEAE": "Ministère de l'Europe et des Affaires étrangères",
}
# id, name, ministry, phase, cost (M€), duration (years), start, interministerial, zone
LATEST = [
    ("rie", "RIE", "SPM", "Déploiement", 412.5, 6.0, "2012-01-01", True, ZONES[0]),
    ("franceconnect-2", "FRANCE CONNECT PHASE II", "SPM", "Conception / Réalisation", 180.0, 8.0, "2017-01-01", True, ZONES[0]),
    ("sirhius", "SIRHIUS", "MEF", "Déploiement", 95.2, 4.5, "2014-07-01", False, ZONES[2]),
    ("pas", "Prélèvement à la source", "MEF", "Terminé", 310.0, 7.0, "2015-03-01", False, ZONES[1]),
    ("portalis", "PORTALIS", "MJ", "Expérimentation", 57.4, 5.0, "2014-09-01", False, ZONES[3]),
    ("hostile", HOSTILE_NAME, "MJ", "Cadrage", 23.1, 3.0, "2020-02-01", False, ZONES[4]),
    ("source-solde", "Source Solde", "MINARM", "Déploiement", 640.0, 9.0, "2010-01-01", False, ZONES[5]),
    ("sante-num", "Système d'information santé", "MINARM", "Révision de trajectoire", 12.8, 2.5, "2019-05-01", False, ZONES[6]),
    ("cyclades", "CYCLADES", "MI", "Conception / Réalisation", 150.0, 6.0, "2016-09-01", False, ZONES[7]),
    ("siv", "SIV Transports", "MI", "Déploiement", 88.3, 5.5, "2013-04-01", False, ZONES[8]),
    ("expadon", "Expadon 2", "MEF", "Conception / Réalisation", 270.0, 7.5, "2018-01-01", False, ZONES[9]),
    ("ecoles", "Écoles connectées", "MI", "Déploiement", 9.6, 3.0, "2019-01-01", True, ZONES[10]),
    ("diplomatie", "Diplomatie numérique", "MEAE", "Conception / Réalisation", 366.4, 12.0, "2011-06-01", False, ZONES[11]),
    ("logement", "Logement en ligne", "MEAE", "Cadrage", None, None, "2021-09-01", False, ZONES[12]),
]
LEAVING = ("igc", "Offre IGC", "SPM", "Terminé", 14.0, 3.0, "2013-01-01", False, ZONES[0])
ENTERING = {"ecoles", "logement"}
EDITIONS = [("2017-06", 3, "2017-06-30"), ("2017-11", 4, "2017-11-29"), ("2021-11", 14, "2021-11-18")]


def _tranche(cost: float | None) -> str:
    if cost is None:
        return "en cadrage"
    for limit, label in ((5, "moins de 5 M€"), (9, "entre 5 et 9 M€"), (20, "entre 9 et 20 M€"), (100, "entre 20 et 100 M€")):
        if cost < limit:
            return label
    return "plus de 100 M€"


def build_history() -> pd.DataFrame:
    """The canonical history shape (history_columns, dtypes of the contract), three editions."""
    rows = []
    for edition, numero, date in EDITIONS:
        projects = [p for p in LATEST if p[0] not in ENTERING] + [LEAVING] if numero < 14 else LATEST
        for ident, name, code, phase, cost, duration, start, inter, zone in projects:
            rows.append({
                "edition": edition, "numero_edition": numero, "date_edition": pd.Timestamp(date),
                "identifiant": ident, "ministere_code": code, "ministere_nom": MINISTRIES[code], "nom_projet": name,
                "description": f"Description de {name} : « objectifs » <b>non balisés</b>.",
                "liens_projet": None, "projet_interministeriel": inter, "date_debut": pd.Timestamp(start),
                "duree_previsionnelle_annees": duration, "phase": phase, "cout_estime_meur": cost,
                "tranche_cout": _tranche(cost), "zone_fonctionnelle": zone, "programme_financement": "P129",
                "lien_pap": None, "cout_initial_meur": cost, "cout_actualise_meur": cost,
                "duree_initiale_annees": duration, "duree_actualisee_annees": duration,
            })
    frame = pd.DataFrame(rows)
    for field in load_schema_descriptor()["fields"]:
        name, kind = field["name"], field["type"]
        if kind == "number":
            frame[name] = frame[name].astype("float64")
        elif kind == "boolean":
            frame[name] = frame[name].astype("boolean")
        elif kind == "string":
            frame[name] = pd.Series([None if v is None else str(v) for v in frame[name]], dtype=object)
    for name in ("date_edition", "date_debut"):
        frame[name] = frame[name].astype("datetime64[ns]")
    frame = frame[history_columns()]
    return frame.sort_values(["numero_edition", "identifiant"], kind="stable").reset_index(drop=True)


def build_repartitions(history: pd.DataFrame) -> pd.DataFrame:
    """Counts and costs per value of each dimension, as the figures stage publishes them."""
    parts = []
    for dimension, column in (("ministere", "ministere_nom"), ("phase", "phase"),
                              ("tranche_cout", "tranche_cout"), ("zone_fonctionnelle", "zone_fonctionnelle")):
        grouped = history.groupby(["edition", column], dropna=False).agg(
            nombre_projets=("identifiant", "size"), cout_total_meur=("cout_estime_meur", "sum")).reset_index()
        parts.append(grouped.rename(columns={column: "valeur"}).assign(dimension=dimension))
    frame = pd.concat(parts, ignore_index=True)
    return frame[["edition", "dimension", "valeur", "nombre_projets", "cout_total_meur"]]


def build_indicators(latest_source: str = "calculé") -> pd.DataFrame:
    """Two declared older editions (modelled on the real ones), the latest one matching the history."""
    return pd.DataFrame({
        "edition": ["2017-06", "2017-11", "2021-11"],
        "numero": [3, 4, 14],
        "date_publication": [dt.date(2017, 6, 30), dt.date(2017, 11, 29), dt.date(2021, 11, 18)],
        "nombre_projets": [13, 13, 14],
        "nombre_projets_interministeriels": [2, 2, 3],
        "cout_total_meur": [2264.3, 2264.3, 2615.3],
        "duree_moyenne_annees": [6.2, 6.2, 79 / 13],
        "taux_ecart_budgetaire": [0.25, 0.25, 0.135],
        "taux_ecart_calendaire": [0.21, 0.22, 0.154],
        "source_taux": ["déclaré", "déclaré", latest_source],
        "projets_entrants": [None, 0, 2],
        "projets_sortants": [None, 0, 1],
    }).astype({"projets_entrants": "Int64", "projets_sortants": "Int64"})


@pytest.fixture(scope="module")
def inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    history = build_history()
    return history, build_indicators(), build_repartitions(history)


@pytest.fixture(scope="module")
def page(inputs) -> str:
    return render_dashboard(*inputs)[PAGE].decode("utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


class _Collector(HTMLParser):
    """Collects every attribute and checks that non-void elements open and close in order."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "rect", "circle", "line", "polyline", "path"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[tuple[str, str, str]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return collector


# --- French formatting -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (2615.3, f"2,62{NB}Md€"), (3604.0, f"3,60{NB}Md€"), (None, "–"), (float("nan"), "–"),
])
def test_costs_in_billions_with_two_decimals(value, expected):
    assert fr.format_md_eur(value) == expected


def test_numbers_use_decimal_comma_and_narrow_space_between_thousands():
    assert fr.format_number(1234567.8, 1) == f"1{NN}234{NN}567,8"
    assert fr.format_integer(2615) == f"2{NN}615"
    assert fr.format_number(-2.5, 1) == "\u22122,5"
    assert fr.format_number(-0.04, 1) == "0,0"  # no "−0,0"
    assert fr.format_m_eur(183.25, 0) == f"183{NB}M€"


def test_durations_rates_and_dates_read_as_in_french():
    assert fr.format_years(79 / 13) == f"6,1{NB}ans"
    assert fr.format_years(1.5) == f"1,5{NB}an"
    assert fr.format_percent(0.135) == f"13,5{NB}%"
    assert fr.format_percent(0.309) == f"30,9{NB}%"
    assert fr.format_date(dt.date(2017, 11, 29)) == "29 novembre 2017"
    assert fr.format_date(pd.Timestamp("2020-01-01")) == "1er janvier 2020"
    assert fr.format_month(pd.Timestamp("2011-07-01")) == "juillet 2011"
    assert fr.format_month(pd.NaT) == "–"
    assert fr.plural(1, "projet") == f"1{NB}projet" and fr.plural(3, "projet") == f"3{NB}projets"


# --- content ----------------------------------------------------------------------------------

def test_page_is_french_and_shows_the_latest_key_figures(page):
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert f"Édition n°{NB}14 du 18 novembre 2021" in page
    for text in (f"2,62{NB}Md€", f"6,1{NB}ans", f"13,5{NB}%", f"15,4{NB}%", "hors projets en cadrage",
                 "dont 3 interministériels", f"par rapport à l'édition n°{NB}4"):
        assert text in html.unescape(page), text
    cards = re.findall(r'<li class="chiffre">(.*?)</li>', page)
    assert len(cards) == 8
    rates = [c for c in cards if "Écart" in c]
    assert len(rates) == 2 and all("calculé" in c for c in rates)


def test_declared_rates_are_labelled_declared(inputs):
    history, _, repartitions = inputs
    page = render_dashboard(history, build_indicators("déclaré"), repartitions)[PAGE].decode()
    rates = [c for c in re.findall(r'<li class="chiffre">(.*?)</li>', page) if "Écart" in c]
    assert all('badge-declare">déclaré' in c for c in rates) and not any("calculé" in c for c in rates)


def test_mixed_rates_are_labelled_one_by_one(inputs):
    """"mixte": the rate equal to its `_declare` column is the declared one."""
    history, _, repartitions = inputs
    indicators = build_indicators("mixte").assign(
        taux_ecart_budgetaire_declare=[0.25, 0.25, 0.2], taux_ecart_calendaire_declare=[0.21, 0.22, 0.154])
    page = render_dashboard(history, indicators, repartitions)[PAGE].decode()
    cards = re.findall(r'<li class="chiffre">(.*?)</li>', page)
    budget = next(c for c in cards if "Écart budgétaire" in c)
    schedule = next(c for c in cards if "Écart calendaire" in c)
    assert 'badge-calcule">calculé' in budget and 'badge-declare">déclaré' in schedule
    assert "budgétaire calculé, calendaire déclaré" in page  # the table of all editions


def test_entering_and_leaving_projects_are_named_from_the_history(page):
    moves = page[page.index("Voir les projets entrants"):page.index("</details>", page.index("Voir les projets entrants"))]
    entering = moves[moves.index("Projets entrants"):moves.index("Projets sortants")]
    assert "Écoles connectées" in entering and "Logement en ligne" in entering and "RIE" not in entering
    assert "Offre IGC" in moves[moves.index("Projets sortants"):]


def test_data_is_escaped_everywhere(page):
    assert "<script>alert" not in page
    assert "Outil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; « Co »" in page
    assert page.count("<script>") == 1  # only the page's own script
    assert not _parse(page).errors


def test_table_lists_every_project_of_the_latest_edition_with_sortable_buttons(page):
    table = page[page.index('<table id="table-projets">'):]
    table = table[:table.index("</table>")]
    body = table[table.index("<tbody>"):]
    assert body.count("<tr data-id=") == len(LATEST)
    headers = re.findall(r'<th scope="col"[^>]*><button type="button">([^<]+)</button>', table)
    assert headers == ["Nom du projet", "Ministère", "Phase", "Coût estimé (M€)", "Durée prévue (années)",
                       "Coût depuis la 1re édition", "Début"]
    assert '<label for="filtre-projets">' in page and 'id="filtre-projets"' in page
    for name in ("ministere", "phase", "tranche"):
        assert f'<select id="filtre-{name}" data-filtre="{name}">' in page
    assert f"14{NB}projets affichés" in page
    # a project in framing: "en cadrage", sorted last (empty key); a real cost keeps its exact value
    assert '<td class="nombre col-cout" data-tri="">en cadrage</td>' in body
    assert '<td class="nombre col-cout" data-tri="640.0">640,0</td>' in body
    assert '<td class="col-secondaire" data-tri="2011-06-01">juin 2011</td>' in body
    assert '<a href="#projet-source-solde">Source Solde</a>' in body  # each name opens its sheet


def test_breakdown_charts_have_text_alternatives_and_follow_schema_order(page):
    for chart_id in ("graphique-ministeres", "graphique-phases", "graphique-tranches", "graphique-zones"):
        figure = page[page.index(f'<figure id="{chart_id}">'):]
        figure = figure[:figure.index("</figure>")]
        assert 'role="img"' in figure and f'aria-labelledby="{chart_id}-titre {chart_id}-desc"' in figure
        assert f'<title id="{chart_id}-titre">' in figure and "<details>" in figure and "<table>" in figure
    zones = page[page.index('<figure id="graphique-zones">'):]
    zones = zones[:zones.index("</figure>")]
    assert zones.count("<rect ") == 11 and "Autres zones (3)" in zones
    phases = page[page.index('<figure id="graphique-phases">'):]
    phases = phases[phases.index("<tbody>"):phases.index("</tbody>")]
    shown = re.findall(r'<th scope="row">([^<]+)</th>', phases)
    schema_phases = next(f for f in load_schema_descriptor()["fields"] if f["name"] == "phase")["constraints"]["enum"]
    assert shown == [p for p in schema_phases if p in {row[3] for row in LATEST}]


def test_evolution_charts_cover_every_edition(page):
    section = page[page.index('id="titre-evolution"'):page.index('id="titre-projets"')]
    assert section.count('class="chart chart-line"') == 8
    # every edition labelled once per chart, the declared rates drawn hollow
    assert section.count(f">n°{NB}3</text>") == 8
    budget = section[section.index('<title id="evolution-taux-ecart-budgetaire-titre">'):]
    budget = budget[:budget.index("</svg>")]
    assert budget.count('fill="#ffffff" stroke="#000091"') == 2


def test_chart_colours_contrast_at_least_3_to_1_on_white(page):
    # Gridlines (class "grille") are exempt, as WCAG 1.4.11 allows: the tick labels give the values.
    without_grid = re.sub(r'<line class="grille"[^>]*/>', "", page)
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', without_grid)) - {"#ffffff"}
    assert colours
    for colour in colours:
        assert (1.05) / (_luminance(colour) + 0.05) >= 3, colour


def test_links_to_published_resources_or_a_note(inputs):
    note = render_dashboard(*inputs)[PAGE].decode()
    assert "ne sont pas encore publiées" in note
    links = {"panorama-historique.csv": "https://www.data.gouv.fr/api/1/datasets/r/1f0e-csv",
             "autre.txt": "https://www.data.gouv.fr/api/1/datasets/r/zz"}
    page = render_dashboard(*inputs, resource_links=links)[PAGE].decode()
    assert '<a href="https://www.data.gouv.fr/api/1/datasets/r/1f0e-csv">panorama-historique.csv</a>' in page
    assert page.index("panorama-historique.csv</a>") < page.index("autre.txt</a>")
    assert "pas encore publiées" not in page
    with pytest.raises(ExportError, match="javascript"):
        render_dashboard(*inputs, resource_links={"x.csv": "javascript:alert(1)"})


def test_page_loads_nothing_from_elsewhere(inputs):
    links = {"panorama-historique.csv": "https://www.data.gouv.fr/api/1/datasets/r/abc"}
    page = render_dashboard(*inputs, resource_links=links)[PAGE].decode()
    for tag, name, value in _parse(page).attributes:
        if "http" in value.lower() or "//" in value:
            # links are navigation (the data's own "en savoir plus" links), never loads
            allowed = (tag == "a" and name == "href" and value.startswith(("https://", "http://"))) or (
                tag == "svg" and name == "xmlns")
            assert allowed, (tag, name, value)
    assert "url(" not in page and "@import" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    style = page[page.index("<style>") + 7:page.index("</style>")]
    start = page.index("<script>") + 8
    script = page[start:page.index("</script>", start)]
    assert _csp_hash(style) in csp and _csp_hash(script) in csp  # else the browser blocks them


def test_render_is_deterministic(inputs):
    assert render_dashboard(*inputs) == render_dashboard(*inputs)


def test_no_edition_is_a_french_error(inputs):
    history, indicators, repartitions = inputs
    with pytest.raises(ExportError, match="Aucune édition"):
        render_dashboard(history, indicators.iloc[0:0], repartitions)


@pytest.mark.slow
def test_real_editions_through_the_pipeline_show_the_published_figures(real_editions):
    """The five real editions, run through the real stages, give the figures DINUM published."""
    from panorama import pipeline
    from panorama.dashboard import dataset_description
    from panorama.edition import discover_editions

    editions = discover_editions(real_editions)
    validations = pipeline.validate_all(editions, partial={e.id for e in editions})
    history = pipeline.build_history(validations, real_editions).history
    measures = pipeline.measure(history, editions)
    page = html.unescape(render_dashboard(history, measures.indicators, measures.repartitions)[PAGE].decode())
    published = pd.read_csv(real_editions / "figures.csv").sort_values("numero").iloc[-1]
    expected = [
        str(published["nombre_projets"]),
        f"{published['cout_total_mdeur_publie']:.2f}".replace(".", ",") + f"{NB}Md€",
        f"{published['duree_moyenne_annees_publiee']:.1f}".replace(".", ",") + f"{NB}ans",
        f"{published['taux_ecart_budgetaire_publie'] * 100:.1f}".replace(".", ",") + f"{NB}%",
    ]
    cards = [c.strip() for c in re.findall(r'<span class="valeur">([^<]+)', page)]
    assert all(value in cards for value in expected), (expected, cards)
    rows = page[page.index('<table id="table-projets">'):]
    assert rows[:rows.index("</table>")].count("<tr data-id=") == published["nombre_projets"]
    text = dataset_description(measures.indicators, len(editions))
    assert f"| Projets | {published['nombre_projets']} |" in text and "(déclaré)" in text


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_colours_meet_wcag_aa(page):
    """Every text colour of the style sheet on the background it is used on: at least 4.5:1."""
    css = page[page.index("<style>") + 7:page.index("</style>")]
    var = dict(re.findall(r"--([a-z-]+): (#[0-9a-fA-F]{6})", css))
    pairs = [(var["texte"], var["fond"]), (var["attenue"], var["fond"]), (var["attenue"], var["fond-doux"]),
             (var["bleu"], var["fond"]), (var["texte"], var["fond-doux"]), ("#ffffff", var["bleu"])]
    pairs += re.findall(r"\.badge-[a-z]+ \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}", css)
    assert len(pairs) >= 9
    for text, background in pairs:
        assert _contrast(text, background) >= 4.5, (text, background)


def test_coverage_is_said_once_from_the_data(inputs, page):
    from panorama.dashboard import dataset_description
    from panorama.dashboard.description import coverage_since

    _, indicators, _ = inputs
    since = coverage_since(indicators)
    assert since == f"juin 2017 (édition n°{NB}3)"
    assert html.escape(since) in page and "novembre 2016" not in page
    assert f"publiées depuis {since}" in dataset_description(indicators, 3)


def test_sheet_links_and_embedded_data_cannot_carry_code():
    from panorama.dashboard.sheets import _links, anchor, embedded_json

    assert _links('javascript:alert(1) https://a.gouv.fr/x?a=1&b="2"') == (
        '<a href="https://a.gouv.fr/x?a=1&amp;b=&quot;2&quot;">https://a.gouv.fr/x?a=1&amp;b=&quot;2&quot;</a>')
    text = embedded_json([{"nom_projet": '</script><script>alert("x")</script> & \u2028'}])
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    import json as _json
    assert _json.loads(text)[0]["nom_projet"] == '</script><script>alert("x")</script> & \u2028'
    assert anchor('a"b<c') == "projet-a-b-c"


def test_every_project_of_the_latest_edition_has_a_sheet_with_its_trajectory(page, inputs):
    history, _, _ = inputs
    sheets = re.findall(r'<details class="fiche" id="projet-([^"]+)">(.*?)</details>', page, flags=re.S)
    assert sorted(i for i, _ in sheets) == sorted(p[0] for p in LATEST)
    rie = dict(sheets)["rie"]
    editions = history.loc[history["identifiant"] == "rie", "edition"].tolist()
    assert re.findall(r'<tr data-edition="([^"]+)">', rie) == sorted(editions)
    assert 'href="#projet-rie"' in rie and "Trajectoire" in rie
