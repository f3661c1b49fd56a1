"""The findings of the content, cross-field, schema and duplicate checks, built in one place.

Both check paths call these helpers: the vectorised one (pandas, big tables: `checks.py`,
`tableschema.py`) and the list one (small tables: `checks_cells.py`, `schema_cells.py`), so a
message is written once and both paths report the same words. No pandas here.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from panorama.findings.catalog import brief, severity_of
from panorama.findings.core import Finding, clip
from panorama.validation.context import CellContext
from panorama.validation.schema_spec import CONSTRAINT_TEXT, expected

FORMULA = r"^[ \t]*[=+@-][A-Za-z(]"
CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
CONTROL_RE = re.compile(CONTROL)
FORMULA_RE = re.compile(FORMULA)
DURATION_FIELDS = ("duree_previsionnelle_annees", "duree_initiale_annees", "duree_actualisee_annees")
COST_FIELDS = ("cout_estime_meur", "cout_initial_meur", "cout_actualise_meur")


def cell_finding(kind: str, where: CellContext, pos: int, name: str, value: str | None, message: str,
                 expected_text: str) -> Finding:
    """A finding on one cell: severity from the catalogue, position as the person sees it."""
    return Finding(kind, severity_of(kind, name), where.file, sheet=where.sheet, row=where.row(pos),
                   column=where.labels.get(name, name), field=name, value=value, message=message,
                   expected=expected_text)


def formula(where: CellContext, pos: int, name: str, text: str) -> Finding:
    label, value = where.labels.get(name, name), clip(text)
    return cell_finding(
        "formule-tableur", where, pos, name, value,
        f"La cellule de la colonne « {label} », ligne {where.row(pos)}, commence par « {brief(value, 30)} » "
        "suivi de lettres : un tableur l'exécuterait comme une formule.",
        "du texte qui ne commence pas par =, +, - ou @ (ajoutez une espace ou une apostrophe devant)")


def control(where: CellContext, pos: int, name: str, text: str) -> Finding:
    label = where.labels.get(name, name)
    char = CONTROL_RE.search(text)
    code = f"U+{ord(char.group()):04X}" if char else "?"
    return cell_finding(
        "caractere-de-controle", where, pos, name, clip(CONTROL_RE.sub("\ufffd", text)),
        f"La cellule de la colonne « {label} », ligne {where.row(pos)}, contient un caractère "
        f"de contrôle invisible ({code}).",
        "du texte sans caractère de contrôle (seuls la tabulation et le saut de ligne sont admis)")


def in_cadrage(where: CellContext, pos: int, name: str, shown: str | None) -> Finding:
    kind = "duree-en-cadrage" if name in DURATION_FIELDS else "cout-en-cadrage"
    label = where.labels.get(name, name)
    return cell_finding(
        kind, where, pos, name, shown,
        f"« En cadrage » est indiqué dans la colonne « {label} », ligne {where.row(pos)}, "
        "alors que la phase du projet n'est pas « Cadrage » : la valeur est laissée vide.",
        "un nombre (par exemple « 12,5 »), ou la phase « Cadrage »")


# Cross-field rules: (kind, field, message, expected) for a row; `cross_checks` and its list twin add them.
def start_blank_in_cadrage(row: int) -> tuple[str, str, str, str]:
    return ("date-debut-en-cadrage", "date_debut",
            f"La date de début est vide, ligne {row}, pour un projet en phase de cadrage.",
            "une date dès qu'elle est connue, par exemple « 2013-07-01 » ou « juillet 2013 »")


def start_missing(row: int) -> tuple[str, str, str, str]:
    return ("date-debut-manquante", "date_debut",
            (f"La date de début est vide, ligne {row}, alors que le projet n'est pas en phase "
             "de cadrage (seul un projet en cadrage peut ne pas en avoir)."),
            "une date, par exemple « 2013-07-01 », « 01/07/2013 » ou « juillet 2013 »")


def start_future(row: int, start: Any, edition_date: dt.date) -> tuple[str, str, str, str]:
    return ("date-debut-future", "date_debut",
            (f"La date de début {start:%d/%m/%Y}, ligne {row}, est postérieure "
             f"à la date de l'édition ({edition_date:%d/%m/%Y})."),
            f"une date antérieure ou égale au {edition_date:%d/%m/%Y}, par exemple « 2013-07-01 »")


def duration_not_positive(row: int, name: str, label: str) -> tuple[str, str, str, str]:
    return ("duree-non-positive", name,
            f"La durée de la colonne « {label} », ligne {row}, est nulle ou négative.",
            "une durée positive en années, par exemple « 3,5 »")


def bracket_outside(row: int, bracket: str, cost: float) -> tuple[str, str, str, str]:
    return ("tranche-incoherente", "tranche_cout",
            f"La tranche « {bracket} », ligne {row}, ne correspond pas au coût estimé de {cost:g} M€.",
            "la tranche qui contient le coût estimé, par exemple « entre 20 et 100 M€ » pour 52,4 M€")


def bracket_cadrage(row: int, cost: float) -> tuple[str, str, str, str]:
    return ("tranche-incoherente", "tranche_cout",
            f"La tranche « en cadrage », ligne {row}, accompagne un coût estimé de {cost:g} M€.",
            "la tranche qui contient le coût estimé, ou un coût vide pour un projet en cadrage")


def schema_cell(ctx: CellContext, f: Any, kind: str, constraint: str | None, pos: int, raw: str | None,
                note: str | None = None) -> Finding:
    """type-error, constraint-error or unique-error on field `f` (a schema_spec field) at row position `pos`;
    `raw` is the cell as written ("" or None: an empty cell)."""
    label = ctx.labels.get(f.name, f.name)
    value = None if raw is None or raw == "" else str(raw)
    if kind == "type-error":
        what = f"n'est pas du type attendu ({f.type})"
    elif kind == "unique-error":
        what = f"est déjà utilisée {note or 'sur une ligne précédente'}"
    else:
        what = CONSTRAINT_TEXT.get(constraint or "", "ne respecte pas le schéma")
    cell = "La cellule" if value is None else f"La valeur « {brief(value)} »"
    row = int(ctx.row_numbers[pos])
    return Finding(
        kind, severity_of(kind, f.name), ctx.file, sheet=ctx.sheet, row=row, column=label,
        field=f.name, value=clip(value),
        message=f"{cell} de la colonne « {label} », ligne {row}, {what}.",
        expected="une valeur différente sur chaque ligne" if kind == "unique-error" else expected(f, constraint),
    )


def duplicate_project(file: str, sheet: str | None, row: int, label: str, name: object, ministry: object,
                      where_first: str) -> Finding:
    """`projet-en-double`: the project of `row` was already declared at `where_first`."""
    return Finding(
        "projet-en-double", severity_of("projet-en-double", "nom_projet"), file, sheet=sheet, row=row, column=label,
        field="nom_projet", value=clip(name),
        message=f"Le projet « {brief(name)} » ({ministry}), ligne {row}, est déjà déclaré {where_first}.",
        expected="une seule ligne par projet et par édition : fusionnez ou supprimez le doublon",
    )


def first_place(first_row: int, first_file: str, file: str) -> str:
    """"ligne 12" or "ligne 12 du fichier « X »": where a duplicated project was first declared."""
    return f"ligne {first_row}" + ("" if first_file == file else f" du fichier « {first_file} »")


def no_rows(file: str, sheet: str | None, header_row: int) -> Finding:
    """`fichier-sans-donnees`: a header and no project row."""
    return Finding(
        "fichier-sans-donnees", severity_of("fichier-sans-donnees"), file, sheet=sheet, row=header_row,
        message="Le fichier ne contient qu'une ligne d'en-tête et aucune ligne de projet.",
        expected="une ligne par projet sous l'en-tête, par exemple « FRANCE CONNECT;SPM;Oui;2013-07-01;… »",
    )
