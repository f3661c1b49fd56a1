"""Table Schemas of the four published tables.

The two project tables are derived from the project schema (`schemas/panorama-grands-projets/
schema.json`) so that a field changed there changes in every published file; the figure tables
are described here because no submission carries them. Every descriptor is a plain dict, built
fresh on each call (callers may mutate it), with fields in the published column order.
"""
from __future__ import annotations

import copy
from typing import Any

from panorama.history import DRIFT_MEASURES, SINCE_FIRST, SINCE_PREVIOUS, drift_column
from panorama.model import EDITION_COLUMNS, load_schema_descriptor

HISTORY = "panorama-historique"
LATEST = "panorama-derniere-edition"
INDICATORS = "panorama-indicateurs"
REPARTITIONS = "panorama-repartitions"
TABLE_NAMES: tuple[str, ...] = (HISTORY, LATEST, INDICATORS, REPARTITIONS)

# Published CSVs write booleans as true/false; a derived schema must always accept them.
CSV_TRUE, CSV_FALSE = "true", "false"

_EDITION_FIELDS: dict[str, dict[str, Any]] = {
    "edition": {
        "name": "edition",
        "title": "Édition",
        "description": "Identifiant de l'édition du panorama : année et mois des données (AAAA-MM).",
        "example": "2017-11",
        "type": "string",
        "constraints": {"required": True},
    },
    "numero_edition": {
        "name": "numero_edition",
        "title": "Numéro de l'édition",
        "description": "Numéro d'ordre de l'édition (1 pour la première édition, novembre 2016).",
        "example": "4",
        "type": "integer",
        "constraints": {"required": True, "minimum": 1},
    },
    "date_edition": {
        "name": "date_edition",
        "title": "Date de publication de l'édition",
        "description": "Date à laquelle l'édition a été publiée, au format AAAA-MM-JJ.",
        "example": "2017-11-29",
        "type": "date",
        "format": "default",
        "constraints": {"required": True},
    },
}

_INDICATOR_FIELDS: tuple[dict[str, Any], ...] = (
    {
        "name": "edition",
        "title": "Édition",
        "description": "Identifiant de l'édition du panorama : année et mois des données (AAAA-MM).",
        "example": "2017-11",
        "type": "string",
        "constraints": {"required": True, "unique": True},
    },
    {
        "name": "numero",
        "title": "Numéro de l'édition",
        "description": "Numéro d'ordre de l'édition (1 pour la première édition, novembre 2016).",
        "example": "4",
        "type": "integer",
        "constraints": {"required": True, "unique": True, "minimum": 1},
    },
    {
        "name": "date_publication",
        "title": "Date de publication",
        "description": "Date à laquelle l'édition a été publiée, au format AAAA-MM-JJ.",
        "example": "2017-11-29",
        "type": "date",
        "format": "default",
        "constraints": {"required": True},
    },
    {
        "name": "nombre_projets",
        "title": "Nombre de projets",
        "description": "Nombre de projets de l'édition.",
        "example": "61",
        "type": "integer",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "nombre_projets_interministeriels",
        "title": "Nombre de projets interministériels",
        "description": "Nombre de projets de l'édition déclarés interministériels.",
        "example": "21",
        "type": "integer",
        "constraints": {"minimum": 0},
    },
    {
        "name": "cout_total_meur",
        "title": "Coût total estimé (M€)",
        "description": "Somme des coûts estimés des projets, en millions d'euros, hors projets en cadrage "
        "(dont le coût n'est pas encore chiffré).",
        "example": "2630.5",
        "type": "number",
        "constraints": {"minimum": 0},
    },
    {
        "name": "duree_moyenne_annees",
        "title": "Durée moyenne des projets (années)",
        "description": "Moyenne simple des durées prévisionnelles des projets, en années.",
        "example": "6.2",
        "type": "number",
        "constraints": {"minimum": 0},
    },
    {
        "name": "taux_ecart_budgetaire",
        "title": "Taux d'écart budgétaire",
        "description": "Moyenne, sur les projets ayant un coût initial et un coût actualisé, de l'écart relatif "
        "entre coût actualisé et coût initial "
        "(0.25 signifie 25 %). Calculé ou déclaré selon la colonne source_taux.",
        "example": "0.25",
        "type": "number",
    },
    {
        "name": "taux_ecart_calendaire",
        "title": "Taux d'écart calendaire",
        "description": "Moyenne des écarts entre durées actualisées et initiales, pondérée par la durée "
        "initiale : somme des écarts divisée par la somme des durées initiales (0.22 signifie 22 %). "
        "Calculé ou déclaré selon la colonne source_taux.",
        "example": "0.22",
        "type": "number",
    },
    {
        "name": "source_taux",
        "title": "Origine des taux d'écart",
        "description": "D'où viennent les deux taux d'écart : « calculé » à partir des coûts et durées "
        "initiaux et actualisés des projets, « déclaré » lorsqu'ils reprennent les chiffres publiés par "
        "la DINUM pour l'édition (les premières éditions ne détaillent pas ces valeurs par projet), "
        "« mixte » lorsqu'un taux est calculé et l'autre déclaré, « absent » lorsqu'aucun n'est connu.",
        "example": "calculé",
        "type": "string",
        "constraints": {"enum": ["calculé", "déclaré", "mixte", "absent"]},
    },
    {
        "name": "projets_entrants",
        "title": "Projets entrants",
        "description": "Nombre de projets présents dans cette édition et absents de la précédente. "
        "Vide pour la première édition.",
        "example": "1",
        "type": "integer",
        "constraints": {"minimum": 0},
    },
    {
        "name": "projets_sortants",
        "title": "Projets sortants",
        "description": "Nombre de projets présents dans l'édition précédente et absents de celle-ci. "
        "Vide pour la première édition.",
        "example": "1",
        "type": "integer",
        "constraints": {"minimum": 0},
    },
    {
        "name": "edition_partielle",
        "title": "Édition partielle",
        "description": "L'édition a été publiée sans les remontées de certains ministères (non reçues ou "
        "écartées pour constats bloquants) : ses chiffres ne couvrent pas tous les ministères, et les projets "
        "des ministères absents ne sont pas comptés comme sortants.",
        "example": "false",
        "type": "boolean",
    },
    {
        "name": "ministeres_absents",
        "title": "Ministères absents",
        "description": "Codes des ministères présents dans l'édition précédente et sans aucun projet dans "
        "celle-ci, séparés par une virgule et une espace (exemple : « MEF, MI »). Dans une édition partielle, "
        "leurs projets ne sont pas comptés comme sortants ; sinon, ils le sont. Vide lorsqu'aucun ne manque.",
        "example": "MEF, MI",
        "type": "string",
    },
    {
        "name": "taux_ecart_budgetaire_declare",
        "title": "Taux d'écart budgétaire déclaré",
        "description": "Taux d'écart budgétaire tel que publié par la DINUM pour cette édition "
        "(0.25 signifie 25 %), lorsqu'il est connu.",
        "example": "0.25",
        "type": "number",
    },
    {
        "name": "taux_ecart_calendaire_declare",
        "title": "Taux d'écart calendaire déclaré",
        "description": "Taux d'écart calendaire tel que publié par la DINUM pour cette édition "
        "(0.22 signifie 22 %), lorsqu'il est connu.",
        "example": "0.22",
        "type": "number",
    },
)

# Columns the indicators table may omit (the declared rates exist only for some pipelines).
OPTIONAL_INDICATOR_COLUMNS: tuple[str, ...] = ("taux_ecart_budgetaire_declare", "taux_ecart_calendaire_declare",
                                               "edition_partielle", "ministeres_absents")

_REPARTITION_FIELDS: tuple[dict[str, Any], ...] = (
    _EDITION_FIELDS["edition"],
    {
        "name": "dimension",
        "title": "Dimension de répartition",
        "description": "Critère selon lequel les projets de l'édition sont répartis : ministere (ministère "
        "porteur), phase, tranche_cout (tranche de coût) ou zone_fonctionnelle.",
        "example": "phase",
        "type": "string",
        "constraints": {"required": True},
    },
    {
        "name": "valeur",
        "title": "Valeur",
        "description": "Valeur du critère pour ce groupe de projets, telle qu'écrite dans la table des "
        "projets (« Non renseigné » lorsque le champ est vide).",
        "example": "Déploiement",
        "type": "string",
    },
    {
        "name": "nombre_projets",
        "title": "Nombre de projets",
        "description": "Nombre de projets de l'édition ayant cette valeur.",
        "example": "12",
        "type": "integer",
        "constraints": {"required": True, "minimum": 0},
    },
    {
        "name": "cout_total_meur",
        "title": "Coût total estimé (M€)",
        "description": "Somme des coûts estimés de ces projets, en millions d'euros, hors projets en cadrage.",
        "example": "412.3",
        "type": "number",
        "constraints": {"minimum": 0},
    },
)


_DRIFT_WORDS = {
    "cout": ("coût", "du coût estimé", "cout_estime_meur", "M€", "en millions d'euros", "12.5"),
    "duree": ("durée", "de la durée prévisionnelle", "duree_previsionnelle_annees", "années", "en années", "1.5"),
}
_SINCE_WORDS = {
    SINCE_FIRST: ("depuis la première édition",
                  "par rapport à la première édition où le projet figure avec cette valeur renseignée "
                  "(0 pour cette édition-là ; vide tant que la valeur n'est pas connue)"),
    SINCE_PREVIOUS: ("depuis l'édition précédente",
                     "par rapport à l'édition précédente où le projet figure (en général l'édition juste "
                     "avant ; vide à la première apparition du projet ou si l'une des deux valeurs manque)"),
}


def drift_fields() -> list[dict[str, Any]]:
    """The eight drift fields of the project tables (`panorama.history.with_drift`), in order."""
    fields = []
    for measure, _, _ in DRIFT_MEASURES:
        noun, of_what, source, unit, in_unit, example = _DRIFT_WORDS[measure]
        for since in (SINCE_FIRST, SINCE_PREVIOUS):
            since_title, since_text = _SINCE_WORDS[since]
            fields.append({
                "name": drift_column(measure, since, False),
                "title": f"Écart de {noun} {since_title} ({unit})",
                "description": f"Variation {of_what} ({source}) {since_text}, {in_unit} : valeur de "
                f"l'édition moins valeur de référence (négative en cas de baisse).",
                "example": example,
                "type": "number",
            })
            fields.append({
                "name": drift_column(measure, since, True),
                "title": f"Écart de {noun} {since_title} (%)",
                "description": f"La même variation {of_what} en pourcentage de la valeur de référence "
                "(25 signifie +25 %, −10 signifie une baisse de 10 %) ; vide lorsque la référence est "
                "vide ou nulle.",
                "example": "25",
                "type": "number",
            })
    return fields


def project_schema() -> dict[str, Any]:
    """A private copy of the project schema descriptor (the cached one must stay untouched)."""
    return copy.deepcopy(load_schema_descriptor())


def _with_csv_booleans(field: dict[str, Any]) -> dict[str, Any]:
    if field.get("type") == "boolean":
        field["example"] = CSV_TRUE  # the published spelling, not the submissions' "Oui"
        field["description"] = str(field.get("description", "")).replace(
            "« Oui » ou « Non »", f"« {CSV_TRUE} » (oui) ou « {CSV_FALSE} » (non)")
        for key, value in (("trueValues", CSV_TRUE), ("falseValues", CSV_FALSE)):
            values = field.get(key)
            if values is not None and value not in values:
                field[key] = [*values, value]
    return field


def _project_table(history: bool) -> dict[str, Any]:
    base = project_schema()
    fields = [copy.deepcopy(_EDITION_FIELDS[name]) for name in EDITION_COLUMNS]
    for field in base["fields"]:
        field = _with_csv_booleans(copy.deepcopy(field))
        if history and field["name"] == "identifiant":
            # A project appears once per edition: unique only together with the edition.
            field.get("constraints", {}).pop("unique", None)
        fields.append(field)
    fields += drift_fields()
    if history:
        name, title = HISTORY, "Historique du panorama des grands projets numériques de l'État"
        description = ("Tous les projets de toutes les éditions : une ligne par projet et par édition. "
                       "L'identifiant permet de suivre un projet d'une édition à l'autre.")
        primary_key = ["edition", "identifiant"]
    else:
        name, title = LATEST, "Dernière édition du panorama des grands projets numériques de l'État"
        description = "Les projets de la dernière édition publiée : une ligne par projet."
        primary_key = ["identifiant"]
    return {
        "name": name,
        "title": title,
        "description": description,
        "fields": fields,
        "missingValues": list(base.get("missingValues", [""])),
        "primaryKey": primary_key,
    }


def history_schema() -> dict[str, Any]:
    """Schema of `panorama-historique`: edition columns then the project fields."""
    return _project_table(history=True)


def latest_schema() -> dict[str, Any]:
    """Schema of `panorama-derniere-edition`: same columns, one row per project."""
    return _project_table(history=False)


def indicators_schema(columns: list[str] | None = None) -> dict[str, Any]:
    """Schema of `panorama-indicateurs`; optional declared-rate fields only when `columns` has them."""
    present = set(columns) if columns is not None else {f["name"] for f in _INDICATOR_FIELDS}
    fields = [
        copy.deepcopy(f) for f in _INDICATOR_FIELDS
        if f["name"] not in OPTIONAL_INDICATOR_COLUMNS or f["name"] in present
    ]
    return {
        "name": INDICATORS,
        "title": "Indicateurs par édition du panorama des grands projets numériques de l'État",
        "description": "Les chiffres clés de chaque édition : nombre de projets, coût total, durée "
        "moyenne, taux d'écart budgétaire et calendaire, projets entrants et sortants.",
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["edition"],
    }


def repartitions_schema() -> dict[str, Any]:
    """Schema of `panorama-repartitions`: counts and costs per edition, dimension and value."""
    return {
        "name": REPARTITIONS,
        "title": "Répartitions des projets par édition du panorama des grands projets numériques de l'État",
        "description": "Pour chaque édition, le nombre de projets et leur coût total par ministère, "
        "phase, tranche de coût ou autre dimension.",
        "fields": [copy.deepcopy(f) for f in _REPARTITION_FIELDS],
        "missingValues": [""],
        "foreignKeys": [
            {"fields": ["edition"], "reference": {"resource": INDICATORS, "fields": ["edition"]}},
        ],
    }


def required_columns(schema: dict[str, Any]) -> list[str]:
    """Field names in schema order: the exact columns of the published table."""
    return [f["name"] for f in schema["fields"]]
