"""`dictionnaire-des-donnees.md`: the published tables explained in French for non-developers.

Generated from the same Table Schemas that type the files, so the dictionary cannot drift from
the data. No date inside: the text changes only when a schema changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from panorama.export.rounding import MEUR_DECIMALS, PERCENT_DECIMALS, RATE_DECIMALS, YEARS_DECIMALS
from panorama.export.schemas import CSV_FALSE, CSV_TRUE
from panorama.export.xlsx import XLSX_FILE

_TYPES = {
    "string": "texte",
    "number": "nombre décimal (point décimal)",
    "integer": "nombre entier",
    "date": "date (AAAA-MM-JJ)",
    "boolean": f"oui / non (écrit {CSV_TRUE} / {CSV_FALSE})",
}


@dataclass(frozen=True)
class TableDoc:
    """What the dictionary says about one published table."""

    schema: dict[str, Any]
    files: tuple[str, ...]


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# Patterns of the project schema said in words; any other pattern is shown as it is.
_PATTERNS = {
    r"^https?://\S+( https?://\S+)*$": "adresse(s) web commençant par http:// ou https://, séparées par une espace",
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "minuscules sans accent, chiffres et tirets simples (exemple : mi-france-titres)",
    r"^[A-Z][A-Za-z0-9-]{1,19}$": "sigle de 2 à 20 caractères commençant par une majuscule (exemple : MI ou MEF-MI)",
}


def _number(value: Any) -> str:
    # Same spelling as in the files (decimal point), so readers can compare.
    return str(value)


def constraints_in_words(field: dict[str, Any]) -> str:
    """The field's constraints as a French sentence fragment ("obligatoire ; au plus 200 caractères")."""
    c = field.get("constraints", {})
    words: list[str] = []
    words.append("obligatoire" if c.get("required") else "facultatif (peut être vide)")
    if c.get("unique"):
        words.append("unique dans le fichier")
    if "enum" in c:
        words.append("une des valeurs : " + ", ".join(f"« {v} »" for v in c["enum"]))
    if "minimum" in c and "maximum" in c:
        words.append(f"entre {_number(c['minimum'])} et {_number(c['maximum'])}")
    elif "minimum" in c:
        words.append(f"au moins {_number(c['minimum'])}")
    elif "maximum" in c:
        words.append(f"au plus {_number(c['maximum'])}")
    if "minLength" in c:
        words.append(f"au moins {c['minLength']} caractères")
    if "maxLength" in c:
        words.append(f"au plus {c['maxLength']} caractères")
    if "pattern" in c:
        words.append(_PATTERNS.get(c["pattern"], f"forme imposée (expression régulière `{c['pattern']}`)"))
    return " ; ".join(words)


def _primary_key(schema: dict[str, Any]) -> str:
    key = schema.get("primaryKey")
    if not key:
        return ""
    names = ", ".join(f"`{k}`" for k in key)
    if len(key) == 1:
        return f"Chaque ligne est identifiée par {names}, unique dans le fichier."
    return f"Chaque ligne est identifiée par la combinaison {names}, unique dans le fichier."


def _section(doc: TableDoc) -> list[str]:
    schema = doc.schema
    files = ", ".join(f"`{f}`" for f in doc.files)
    lines = [f"## {schema['title']}", "", schema.get("description", ""), "", f"Fichiers : {files}.", ""]
    key = _primary_key(schema)
    if key:
        lines += [key, ""]
    lines += [
        "| Nom | Libellé | Type | Description | Exemple | Contraintes |",
        "|---|---|---|---|---|---|",
    ]
    for field in schema["fields"]:
        lines.append("| " + " | ".join([
            f"`{field['name']}`",
            _cell(field.get("title", "")),
            _TYPES.get(field["type"], field["type"]),
            _cell(field.get("description", "")),
            _cell(field.get("example", "")),
            _cell(constraints_in_words(field)),
        ]) + " |")
    lines.append("")
    return lines


def render_dictionary(tables: list[TableDoc]) -> str:
    """The whole dictionary as Markdown text (ends with one newline)."""
    lines = [
        "# Dictionnaire des données : panorama des grands projets numériques de l'État",
        "",
        "Ce document décrit chaque fichier publié et chacune de ses colonnes. Les mêmes données sont "
        "publiées en trois formats : CSV (texte, encodé en UTF-8, séparateur virgule, point décimal), "
        "Parquet (format compact pour les outils d'analyse, colonnes typées) et un classeur "
        f"`{XLSX_FILE}` pour les tableurs (une feuille par table, cellules typées : Excel en français "
        "affiche la virgule décimale et les dates JJ/MM/AAAA).",
        "",
        "Conventions communes :",
        "",
        "- une cellule vide signifie que l'information n'est pas renseignée ;",
        "- les montants sont en millions d'euros (M€), les durées en années ;",
        "- les taux sont des fractions : 0.25 signifie 25 % ; les colonnes dont le nom finit par `_pct` "
        "sont en pourcentage : 25 signifie 25 % ;",
        f"- les nombres sont arrondis à la publication : montants à l'euro près ({MEUR_DECIMALS} décimales "
        f"en M€), durées à {YEARS_DECIMALS} décimales (moins d'un jour), taux à {RATE_DECIMALS} décimales, "
        f"pourcentages à {PERCENT_DECIMALS} décimales ; sommes et moyennes sont calculées sur les valeurs "
        "exactes puis arrondies de même ;",
        "- les dates sont écrites AAAA-MM-JJ (exemple : 2017-11-29) ;",
        f"- les valeurs oui / non sont écrites `{CSV_TRUE}` / `{CSV_FALSE}` ;",
        "- les descriptions peuvent contenir des sauts de ligne ; la cellule est alors entre guillemets.",
        "",
        "Les schémas (`schema.json` pour les tables de projets, `schema-indicateurs.json` et "
        "`schema-repartitions.json` pour les tables de chiffres) et la description des fichiers "
        "(`datapackage.json`) donnent les mêmes informations sous une forme lisible par les logiciels.",
        "",
    ]
    for doc in tables:
        lines += _section(doc)
    return "\n".join(lines).rstrip("\n") + "\n"
