"""The French Markdown shown on the data.gouv.fr dataset page.

Resource links are left as `{{lien:<file name>}}` placeholders: only the publication step knows
the resource ids, and it replaces them with stable `/api/1/datasets/r/<id>` URLs.
"""
from __future__ import annotations

import pandas as pd

from panorama.dashboard import formatting as fr
from panorama.errors import ExportError
from panorama.methodology import methodology_markdown

# Published files in the order reusers should meet them, with what each holds.
RESOURCES: tuple[tuple[str, str], ...] = (
    ("panorama-historique.csv", "l'historique complet, une ligne par projet et par édition (CSV)"),
    ("panorama-historique.parquet", "le même historique au format Parquet"),
    ("panorama-derniere-edition.csv", "les projets de la dernière édition (CSV)"),
    ("panorama-derniere-edition.parquet", "les projets de la dernière édition au format Parquet"),
    ("panorama-indicateurs.csv", "les chiffres clés de chaque édition (CSV)"),
    ("panorama-indicateurs.parquet", "les chiffres clés de chaque édition au format Parquet"),
    ("panorama-repartitions.csv", "les répartitions par ministère, phase, tranche de coût et zone fonctionnelle, pour chaque édition (CSV)"),
    ("panorama-repartitions.parquet", "les mêmes répartitions au format Parquet"),
    ("panorama-historique.xlsx", "les quatre tables dans un classeur pour tableur (XLSX : une feuille par table, "
     "nombres et dates typés)"),
    ("schema.json", "le schéma des données (Table Schema) des lignes de projets"),
    ("datapackage.json", "la description Data Package de l'ensemble des fichiers"),
    ("dictionnaire-des-donnees.md", "le dictionnaire des données (sens et format de chaque colonne)"),
    ("CHANGELOG.md", "le journal des modifications des données et du schéma"),
)

COMPUTED, DECLARED, ABSENT, MIXED = "calculé", "déclaré", "absent", "mixte"
RATE_COLUMNS = ("taux_ecart_budgetaire", "taux_ecart_calendaire")


def rate_source(row: pd.Series, column: str) -> str:
    """Where one rate comes from: "calculé", "déclaré" or "absent".

    `source_taux` covers both rates; when it is "mixte" (one computed, one declared), the declared
    one is the rate equal to its `<rate>_declare` column, which the figures stage copies as is.
    """
    value = _value(row, column)
    if fr.is_missing(value):
        return ABSENT
    source = str(_value(row, "source_taux"))
    if source == MIXED:
        declared = _value(row, f"{column}_declare")
        return DECLARED if not fr.is_missing(declared) and float(declared) == float(value) else COMPUTED  # type: ignore[arg-type]
    return source if source in (COMPUTED, DECLARED) else ABSENT


def latest_edition(indicators: pd.DataFrame) -> pd.Series:
    """The row of the most recent edition (highest number)."""
    if indicators.empty:
        raise ExportError("Aucune édition dans les chiffres clés : rien à décrire ni à afficher.")
    return indicators.sort_values("numero", kind="stable").iloc[-1]


def coverage_since(indicators: pd.DataFrame) -> str:
    """"juin 2024 (édition n° 19)": the first edition the data hold, said the same way everywhere
    (dataset description, dashboard); computed from the data, never typed in."""
    if indicators.empty:
        raise ExportError("Aucune édition dans les chiffres clés : rien à décrire ni à afficher.")
    first = indicators.sort_values("numero", kind="stable").iloc[0]
    first_date = fr.as_date(first["date_publication"])
    number = f"édition n°{fr.NBSP}{int(first['numero'])}"
    return f"{fr.format_month(first_date)} ({number})" if first_date else number


def edition_title(row: pd.Series) -> str:
    return fr.edition_title(int(row["numero"]), row["date_publication"])


def link_placeholder(name: str) -> str:
    """`{{lien:panorama-historique.csv}}`, replaced at publication by the resource's stable URL."""
    return "{{lien:" + name + "}}"


def citation(latest: pd.Series) -> str:
    title = edition_title(latest)
    return (
        "DINUM, Panorama des grands projets numériques de l'État, "
        f"{title[0].lower()}{title[1:]}, data.gouv.fr, Licence Ouverte 2.0"
    )


def _value(row: pd.Series, column: str) -> object:
    return row[column] if column in row.index else None


def _rate(row: pd.Series, column: str) -> str:
    source = rate_source(row, column)
    if source == ABSENT:
        return "non disponible"
    return f"{fr.format_percent(float(row[column]))} ({source})"


RATE_NOTES = {
    (COMPUTED, COMPUTED): "Les taux d'écart de cette édition sont calculés à partir des coûts et durées initiaux "
    "et actualisés de chaque projet.",
    (DECLARED, DECLARED): "Les coûts et durées initiaux de chaque projet de cette édition n'ont pas été publiés : "
    "les taux d'écart sont ceux déclarés lors de sa publication.",
    (ABSENT, ABSENT): "Les taux d'écart de cette édition ne sont pas disponibles.",
}


def rate_note(row: pd.Series) -> str:
    """One French sentence saying where the latest rates come from."""
    pair = tuple(rate_source(row, c) for c in RATE_COLUMNS)
    return RATE_NOTES.get(pair) or (  # type: ignore[call-overload]
        f"Le taux d'écart budgétaire de cette édition est {pair[0]}, le taux d'écart calendaire est {pair[1]}."
    )


def _french_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _editions_by_source(indicators: pd.DataFrame) -> str:
    """"calculés pour l'édition n° 14 et déclarés pour les éditions n° 3 et 4": what reusers compare."""
    if "source_taux" not in indicators.columns:
        return ""
    parts = []
    for source, word in ((COMPUTED, "calculés"), (DECLARED, "déclarés"), (MIXED, "mixtes (l'un calculé, l'autre déclaré)"),
                         (ABSENT, "absents")):
        numbers = sorted(int(n) for n in indicators.loc[indicators["source_taux"] == source, "numero"])
        if numbers:
            plural = "l'édition" if len(numbers) == 1 else "les éditions"
            parts.append(f"{word} pour {plural} n°{fr.NBSP}{_french_list([str(n) for n in numbers])}")
    return ("Sur l'ensemble des éditions, les taux d'écart sont " + _french_list(parts) + ".") if parts else ""


def dataset_description(indicators: pd.DataFrame, editions_count: int) -> str:
    """The dataset page text: what, who, latest figures, files, methodology, how to cite."""
    latest = latest_edition(indicators)
    count = fr.plural(int(editions_count), "édition")
    inter = _value(latest, "nombre_projets_interministeriels")
    entering, leaving = _value(latest, "projets_entrants"), _value(latest, "projets_sortants")
    moves = (
        "sans objet (première édition)" if fr.is_missing(entering) and fr.is_missing(leaving)
        else f"{fr.format_integer(entering)} / {fr.format_integer(leaving)}"  # type: ignore[arg-type]
    )
    files = "\n".join(f"- [{name}]({link_placeholder(name)}) : {text}" for name, text in RESOURCES)
    lines = [
        "Le *Panorama des grands projets numériques de l'État* recense les projets informatiques des "
        "ministères dont le coût dépasse 9 millions d'euros, ou dont l'impact ou la complexité est élevé. "
        "Chaque ministère déclare ses projets (nom, objectifs, date de début, durée prévue, phase, coût "
        "estimé, zone fonctionnelle, financement) ; la direction interministérielle du numérique (DINUM) "
        "les consolide et publie le panorama chaque semestre.",
        f"Ce jeu de données réunit les {count} publiées depuis {coverage_since(indicators)}, sous une forme stable : un identifiant par projet, "
        "conservé d'une édition à l'autre, les mêmes colonnes pour toutes les éditions, et les chiffres "
        "clés recalculés selon une méthode écrite ci-dessous.",
        f"## Chiffres clés de la dernière édition ({edition_title(latest).removeprefix('Édition ')})",
        "| Indicateur | Valeur |\n|---|---|\n"
        f"| Projets | {fr.format_integer(_value(latest, 'nombre_projets'))} |\n"  # type: ignore[arg-type]
        f"| dont projets interministériels | {fr.format_integer(inter)} |\n"  # type: ignore[arg-type]
        f"| Coût total estimé (hors projets en cadrage) | {fr.format_md_eur(_value(latest, 'cout_total_meur'))} |\n"  # type: ignore[arg-type]
        f"| Durée moyenne prévue | {fr.format_years(_value(latest, 'duree_moyenne_annees'))} |\n"  # type: ignore[arg-type]
        f"| Écart budgétaire moyen | {_rate(latest, 'taux_ecart_budgetaire')} |\n"
        f"| Écart calendaire moyen | {_rate(latest, 'taux_ecart_calendaire')} |\n"
        f"| Projets entrants / sortants | {moves} |",
        " ".join(t for t in (rate_note(latest), _editions_by_source(indicators)) if t),
        "## Fichiers",
        "Les liens ci-dessous sont stables : ils mènent toujours à la dernière version de chaque fichier.",
        files,
        methodology_markdown(2).rstrip("\n"),
        "## Citer ces données",
        f"> {citation(latest)}.",
        "## Licence",
        "Licence Ouverte / Open Licence 2.0 (Etalab) : réutilisation libre, y compris commerciale, "
        "sous réserve de mentionner la source.",
    ]
    return "\n\n".join(lines) + "\n"
