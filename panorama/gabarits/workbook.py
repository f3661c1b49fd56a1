"""One ministry's XLSX template: instructions, its projects pre-filled, the previous values.

Why each part is there:
- the `identifiant` column is what keeps a project's identity when its name changes, so it is
  locked (sheet protection without password: a guard against accidents, not a secret);
- drop-down lists come from the schema's enums, so that the values arrive in the expected form;
- the data sheet is the only one whose header row is made of the schema's titles, so the reader
  picks it over the instructions and the previous values (whose headers carry the edition id);
- empty formatted rows are left for new projects (a blank row is never read as a project).
"""
from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any, SupportsFloat, cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, load_schema_descriptor

INSTRUCTIONS_SHEET = "Mode d'emploi"
DATA_SHEET = "Projets"
PREVIOUS_SHEET = "Édition précédente"
LISTS_SHEET = "Listes"
NEW_ROWS = 30  # empty formatted rows left for new projects
YES_NO = ("Oui", "Non")
COST_FORMAT = '#,##0.00" M€"'
DURATION_FORMAT = '0.0#" an(s)"'
DATE_FORMAT = "DD/MM/YYYY"
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
_WIDTHS = {"description": 60, "nom_projet": 40, "ministere_nom": 35, "liens_projet": 40, "lien_pap": 40,
           "programme_financement": 40, "zone_fonctionnelle": 30, "identifiant": 34}


def _fields() -> list[dict[str, Any]]:
    return list(load_schema_descriptor()["fields"])


def _is_cost(name: str) -> bool:
    return name.endswith("_meur")


def _cell_value(name: str, value: object) -> object:
    """A history value as the spreadsheet should hold it: dates as dates, booleans as Oui/Non."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if name in DATE_FIELDS:
        return pd.Timestamp(value).date()
    if name in BOOLEAN_FIELDS:
        return YES_NO[0] if bool(value) else YES_NO[1]
    if name in NUMBER_FIELDS:
        number = float(cast("SupportsFloat | str", value))  # a number column's cell (or its text)
        return None if math.isnan(number) else number
    return str(value)


def _format(cell, name: str) -> None:
    if name in DATE_FIELDS:
        cell.number_format = DATE_FORMAT
    elif name in NUMBER_FIELDS:
        cell.number_format = COST_FORMAT if _is_cost(name) else DURATION_FORMAT
    elif name == "description":
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _instructions(ws: Worksheet, ministry: str, edition: str, previous: str | None) -> None:
    """The first sheet: what to do, then one line per column taken from the schema."""
    ws["A1"] = f"Panorama des grands projets numériques de l'État — remontée {edition} — {ministry}"
    ws["A1"].font = Font(bold=True, size=14)
    lines = [
        "Remplissez la feuille « Projets » : une ligne par projet, une colonne par information.",
        (f"Vos projets de l'édition {previous} y sont déjà inscrits : mettez leurs valeurs à jour."
         if previous else "Inscrivez vos projets dans la feuille « Projets »."),
        "Ne modifiez pas la colonne « Identifiant du projet » : elle relie chaque projet à ses éditions "
        "précédentes, même si son nom change. Elle est protégée pour éviter une modification par erreur.",
        "Projet nouveau : utilisez une ligne vide sous les projets existants et laissez l'identifiant vide.",
        "Projet terminé depuis plus d'un an ou abandonné : supprimez sa ligne (Révision > Ôter la protection "
        "de la feuille, sans mot de passe, puis supprimer la ligne).",
        "Les listes déroulantes donnent les valeurs admises (phase, tranche de coût, zone fonctionnelle, Oui/Non).",
        "Coûts en millions d'euros (12,5 pour 12 500 000 €), durées en années (3,5 pour trois ans et demi), "
        "dates au format JJ/MM/AAAA.",
        f"La feuille « {PREVIOUS_SHEET} » rappelle les valeurs publiées, pour comparaison ; elle n'est pas lue.",
        "Renvoyez ce fichier au format XLSX ou ODS, sans renommer les colonnes ni les feuilles.",
    ]
    for i, text in enumerate(lines, start=3):
        ws.cell(row=i, column=1, value=text)
    start = len(lines) + 4
    header = ("Colonne", "Obligatoire", "Description", "Exemple", "Valeurs admises")
    for j, text in enumerate(header, start=1):
        cell = ws.cell(row=start, column=j, value=text)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for i, f in enumerate(_fields(), start=start + 1):
        constraints = f.get("constraints", {})
        required = constraints.get("required") and f["name"] != "identifiant"
        allowed = " ; ".join(constraints.get("enum", [])) or ("Oui ; Non" if f["type"] == "boolean" else "")
        values = (f["title"], "Oui" if required else "Non", f["description"], str(f.get("example", "")), allowed)
        for j, text in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (34, 12, 80, 40, 40)):
        ws.column_dimensions[letter].width = width


def _lists(wb: Workbook, zones: list[str]) -> dict[str, str]:
    """A hidden sheet holding the drop-down values (an inline list cannot hold commas)."""
    ws = wb.create_sheet(LISTS_SHEET)
    enums = {f["name"]: list(f.get("constraints", {}).get("enum", [])) for f in _fields()}
    columns = {"phase": enums.get("phase", []), "tranche_cout": enums.get("tranche_cout", []),
               "projet_interministeriel": list(YES_NO), "zone_fonctionnelle": zones}
    refs: dict[str, str] = {}
    for j, (name, values) in enumerate(columns.items(), start=1):
        if not values:
            continue
        letter = get_column_letter(j)
        for i, value in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=value)
        refs[name] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return refs


def _validations(ws: Worksheet, refs: dict[str, str], letters: dict[str, str], last_row: int) -> None:
    for name, ref in refs.items():
        strict = name != "zone_fonctionnelle"  # the zone list is the one seen so far, not a closed list
        dv = DataValidation(type="list", formula1=f"={ref}", allow_blank=True, showDropDown=False,
                            showErrorMessage=True, errorStyle="stop" if strict else "warning",
                            errorTitle="Valeur non prévue",
                            error="Choisissez une valeur de la liste." if strict
                            else "Cette zone n'est pas dans la liste ; vérifiez avant de valider.",
                            promptTitle="Valeurs admises", prompt="Choisissez dans la liste.", showInputMessage=True)
        dv.add(f"{letters[name]}2:{letters[name]}{last_row}")
        ws.add_data_validation(dv)
    for name, letter in letters.items():
        if name in NUMBER_FIELDS:
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100000",
                                allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                errorTitle="Nombre attendu",
                                error="Un nombre est attendu : millions d'euros pour un coût, années pour une durée.")
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)


def _data_sheet(ws: Worksheet, projects: pd.DataFrame, refs: dict[str, str]) -> None:
    fields = _fields()
    letters = {f["name"]: get_column_letter(j) for j, f in enumerate(fields, start=1)}
    for j, f in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=j, value=f["title"])
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letters[f["name"]]].width = _WIDTHS.get(f["name"], 18)
    last_row = len(projects) + 1 + NEW_ROWS
    records = projects.to_dict(orient="records")
    for i in range(2, last_row + 1):
        record = records[i - 2] if i - 2 < len(records) else {}
        for j, f in enumerate(fields, start=1):
            name = f["name"]
            cell = ws.cell(row=i, column=j, value=_cell_value(name, record.get(name)))
            _format(cell, name)
            if name == "identifiant":
                cell.fill = _LOCKED_FILL
                cell.protection = Protection(locked=True)
            else:
                cell.protection = Protection(locked=False)
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{last_row}"
    _validations(ws, refs, letters, last_row)
    protection = ws.protection
    protection.sheet = True
    for allowed in ("formatCells", "formatColumns", "formatRows", "insertRows", "deleteRows", "sort",
                    "autoFilter", "insertHyperlinks"):
        setattr(protection, allowed, False)  # False: the action stays allowed on a protected sheet


def _previous_sheet(ws: Worksheet, projects: pd.DataFrame, previous: str) -> None:
    """The values as published, read-only; headers carry the edition so the reader never picks it."""
    fields = _fields()
    for j, f in enumerate(fields, start=1):
        cell = ws.cell(row=1, column=j, value=f"{f['title']} ({previous})")
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = _WIDTHS.get(f["name"], 18)
    for i, record in enumerate(projects.to_dict(orient="records"), start=2):
        for j, f in enumerate(fields, start=1):
            _format(ws.cell(row=i, column=j, value=_cell_value(f["name"], record.get(f["name"]))), f["name"])
    ws.freeze_panes = "C2"
    ws.protection.sheet = True


def template_bytes(ministry: str, edition: str, projects: pd.DataFrame, previous: str | None,
                   zones: list[str]) -> bytes:
    """The XLSX bytes of one ministry's template (deterministic apart from the file's zip dates)."""
    wb = Workbook()
    _instructions(wb.active, ministry, edition, previous)
    wb.active.title = INSTRUCTIONS_SHEET
    data = wb.create_sheet(DATA_SHEET)
    previous_ws = wb.create_sheet(PREVIOUS_SHEET) if previous else None
    refs = _lists(wb, zones)
    _data_sheet(data, projects, refs)
    if previous_ws is not None and previous:
        _previous_sheet(previous_ws, projects, previous)
    wb.active = 1  # opens on the data sheet
    wb.properties.creator = "DINUM — panorama"
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
