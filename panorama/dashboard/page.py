"""The dashboard: one self-contained French HTML page (CSS, JS and SVG inline).

A Content-Security-Policy with hashes of the inline style and script lets the browser itself
refuse any request to another site, so self-containment is enforced, not only hoped for.
"""
from __future__ import annotations

import base64
import hashlib
from html import escape
from importlib import resources

import pandas as pd

from panorama import methodology
from panorama.dashboard import formatting as fr
from panorama.dashboard import sections, sheets
from panorama.dashboard.description import RESOURCES, latest_edition

PAGE_PATH = "tableau-de-bord/index.html"


def _asset(name: str) -> str:
    return resources.files("panorama.dashboard").joinpath("assets", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_dashboard(
    history: pd.DataFrame,
    indicators: pd.DataFrame,
    repartitions: pd.DataFrame,
    resource_links: dict[str, str] | None = None,
) -> dict[str, bytes]:
    """Render the page; the same inputs always give the same bytes (no clock is read)."""
    latest = latest_edition(indicators)
    history = sheets.drifted(history)  # once for the table and the sheets
    rows = sheets.page_rows(history, str(latest["edition"]))  # likewise, as plain rows
    css, script = _asset("style.css"), _asset("table.js")
    csp = (
        "default-src 'none'; img-src data:; "
        f"style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    title = fr.edition_title(int(latest["numero"]), latest["date_publication"])
    body = "\n".join(
        [
            sections.intro(latest, indicators),
            sections.key_figures(latest, indicators, history),
            sections.breakdowns(latest, repartitions),
            sections.evolution(indicators),
            sheets.projects_table(latest, history, rows),
            sheets.project_sheets(latest, history, rows),
            sections.methodology_section(methodology.INTRODUCTION, methodology.SECTIONS),
            sections.data_links(resource_links, RESOURCES, title),
        ]
    )
    html = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{escape(csp, quote=False)}">
<meta name="referrer" content="no-referrer">
<title>Panorama des grands projets numériques de l'État – {escape(title)}</title>
<style>{css}</style>
</head>
<body>
<a class="lien-evitement" href="#contenu">Aller au contenu</a>
<header class="bandeau"><div class="contenu">
<p class="republique">République française</p>
<h1>Panorama des grands projets numériques de l'État</h1>
<p class="sous-titre">{escape(title)}</p>
<nav class="sommaire" aria-label="Sommaire"><ul>
<li><a href="#titre-chiffres">Chiffres clés</a></li><li><a href="#titre-repartitions">Répartitions</a></li>
<li><a href="#titre-evolution">Évolution</a></li><li><a href="#titre-projets">Projets</a></li>
<li><a href="#titre-fiches">Fiches</a></li>
<li><a href="#titre-methodologie">Méthodologie</a></li><li><a href="#titre-donnees">Données</a></li>
</ul></nav>
</div></header>
<main id="contenu" tabindex="-1">
{body}
</main>
<footer><div class="contenu">
<p>Données : ministères, consolidées par la direction interministérielle du numérique (DINUM). Licence Ouverte 2.0.</p>
</div></footer>
<script>{script}</script>
</body>
</html>
"""
    return {PAGE_PATH: html.encode("utf-8")}
