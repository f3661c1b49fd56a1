"""Normalisation: a RawTable's text cells → canonical text per schema field, ready for the schema check.

Canonical text is what the Table Schema accepts ("4.5", "2011-07-01", "Oui"); the cells as
written are kept beside it so that every finding shows the value the ministry typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from panorama.findings.catalog import brief, severity_of
from panorama.findings.core import Finding, clip
from panorama.model import NUMBER_FIELDS, SUBMISSION_REQUIRED_FIELDS, load_schema_descriptor
from panorama.normalise import cells as small
from panorama.normalise.date_findings import impossible_dates
from panorama.normalise.dates import SYSTEM_1900
from panorama.normalise.headers import MINISTRY, HeaderMatch, header_score, match_headers
from panorama.normalise.ministries import MinistryReference, bundled_reference
from panorama.normalise.placeholders import Placeholders, bundled_placeholders
from panorama.reading.table import RawTable

__all__ = ["Normalised", "normalise_table", "normalise_cells", "match_headers", "header_score", "HeaderMatch"]

_MINISTRY_SOURCES = ("ministere_code", MINISTRY, "ministere_nom")
_TEXT_FIELDS = ("identifiant", "nom_projet", "zone_fonctionnelle")


@lru_cache(maxsize=1)
def _optional_fields() -> frozenset[str]:
    """Fields a ministry may leave blank: where "NC", "-" or "à venir" are read as a blank cell."""
    required = {f["name"] for f in load_schema_descriptor()["fields"] if (f.get("constraints") or {}).get("required")}
    required |= set(SUBMISSION_REQUIRED_FIELDS)
    return frozenset(f["name"] for f in load_schema_descriptor()["fields"]
                     if f["name"] not in required or f["name"] == "identifiant")


@dataclass
class Normalised:
    """DataFrames from `normalise_table`; dicts of lists (field → cells) from `normalise_cells`."""

    text: Any                               # canonical text, one column per field present
    shown: Any                              # the same cells as written in the file
    labels: dict[str, str]                  # field → column label as written
    cadrage: dict[str, Any] = field(default_factory=dict)  # number field → "En cadrage" mask (Series or list)
    findings: list[Finding] = field(default_factory=list)
    reported: set[tuple[int, str]] = field(default_factory=set)  # (row, field) already explained


def _provisional(raw: RawTable, out: Normalised, file: str, reference: MinistryReference, written: object,
                 label: object, pos: int) -> tuple[str | None, str | None]:
    """A ministry the reference does not know: a provisional code, and a warning saying how to settle it."""
    cell = str(written).strip()
    ministry = reference.resolve_open(cell)
    if ministry is None:
        return None, None
    row = int(raw.row_numbers[pos])
    out.findings.append(Finding(
        "ministere-inconnu", severity_of("ministere-inconnu"), file, sheet=raw.sheet, row=row,
        column=str(label), field="ministere_code", value=clip(cell),
        message=(f"Le ministère « {brief(cell)} » de la ligne {row} ne figure pas dans la table de référence des "
                 f"ministères : le projet est repris sous le code provisoire « {ministry.code} », à confirmer "
                 "(ministeres-a-verifier.csv)."),
        expected=("un sigle ou un nom de la table des ministères ; si c'est un nouveau ministère, l'administrateur "
                  "des données l'ajoute à data/raw/ministeres.csv (code,nom,aliases,successeur)"),
    ))
    out.reported.update({(row, "ministere_code"), (row, "ministere_nom")})
    return ministry.code, ministry.nom


def _placeholder_finding(raw: RawTable, out: Normalised, label: str, name: str, pos: int, value: object) -> None:
    row = int(raw.row_numbers[pos])
    cell = str(value).strip()
    out.findings.append(Finding(
        "valeur-non-communiquee", severity_of("valeur-non-communiquee"), raw.path.name, sheet=raw.sheet, row=row,
        column=label, field=name, value=clip(cell),
        message=(f"La mention « {brief(cell, 30)} » de la colonne « {label} », ligne {row}, signifie que la valeur "
                 "n'est pas communiquée : la case est lue comme vide."),
        expected="la valeur quand elle est connue, sinon une case vide",
    ))
    out.reported.add((row, name))


def _date_system(raw: RawTable) -> int:
    """How the workbook counts day numbers (1900, or 1904 for old Mac workbooks), when the reader
    recorded it; a CSV, or a reader that does not say, counts in the 1900 system."""
    return int(getattr(raw, "date_system", None) or SYSTEM_1900)


def _explain_dates(raw: RawTable, reasons: list, shown: list, label: str, out: Normalised) -> None:
    findings, explained = impossible_dates(reasons, shown, raw.row_numbers, raw.path.name, raw.sheet, label)
    out.findings += findings
    out.reported |= explained


def normalise_table(raw: RawTable, match: HeaderMatch, ministries: MinistryReference | None = None,
                    placeholders: Placeholders | None = None) -> Normalised:
    """Canonical text for every matched field; HTML split into text and links; ministries resolved.

    `ministries` and `placeholders` are the run's references (default: the bundled ones).
    """
    ministries = ministries or bundled_reference()
    placeholders = placeholders or bundled_placeholders()
    if small.is_small(raw.rows_read):
        return as_frames(normalise_cells(raw, match, ministries, placeholders))
    from panorama.normalise.vectorised import normalise_columns  # pandas and Arrow: big tables only

    return normalise_columns(raw, match, ministries, placeholders)


def _raw_cells(raw: RawTable, index: int) -> small.Cells:
    column = raw.columns[index]
    values = column.tolist() if hasattr(column, "tolist") else list(column)
    if all(v is None or type(v) is str for v in values):
        return values
    import pandas as pd  # a cell that is no text (never from the readers): converted as the Arrow path does

    from panorama.normalise.values import text_series
    return small.cells_of(text_series(pd.Series(values, dtype=object)))


def as_frames(norm: Normalised) -> Normalised:
    """The lists of `normalise_cells` as the DataFrames `normalise_table` returns (pandas imported here)."""
    import pandas as pd

    n = len(next(iter(norm.shown.values()), [])) if norm.shown else len(next(iter(norm.text.values()), []))
    index = pd.RangeIndex(n)
    text = pd.DataFrame({k: small.text_column(v, index) for k, v in norm.text.items()}, index=index)
    shown = pd.DataFrame({k: small.text_column(v, index) for k, v in norm.shown.items()}, index=index)
    cadrage = {k: pd.Series(v, index=index, dtype=bool) for k, v in norm.cadrage.items()}
    return Normalised(text=text, shown=shown, labels=norm.labels, cadrage=cadrage, findings=norm.findings,
                      reported=norm.reported)


def normalise_cells(raw: RawTable, match: HeaderMatch, ministries: MinistryReference | None = None,
                    placeholders: Placeholders | None = None) -> Normalised:
    """`normalise_table` on plain lists (small tables): text, shown and cadrage are dicts of lists."""
    ministries = ministries or bundled_reference()
    placeholders = placeholders or bundled_placeholders()
    index = range(raw.rows_read)
    text: dict[str, small.Cells] = {}
    shown: dict[str, small.Cells] = {}
    cadrage: dict[str, list[bool]] = {}
    labels: dict[str, str] = {}
    dated: tuple[list, list, str] | None = None
    columns = {name: _raw_cells(raw, i) for name, i in match.columns.items()}
    written = dict(columns)  # the cells as written, before placeholders are blanked
    found: list[tuple[str, int, object]] = []
    optional = _optional_fields()
    for name in match.labels:
        if name in optional:
            hits = placeholders.positions(columns[name])
            if hits:
                found.extend((name, pos, columns[name][pos]) for pos in hits)
                blank = set(hits)
                columns[name] = [None if i in blank else v for i, v in enumerate(columns[name])]
    for name, label in match.labels.items():
        if name in _MINISTRY_SOURCES:
            continue
        values = columns[name]
        labels[name] = label
        shown[name] = written[name]
        if name in NUMBER_FIELDS:
            text[name], flags = small.number_cells(values)
            cadrage[name] = flags
        elif name == "date_debut":
            text[name], reasons = small.date_cells(values, _date_system(raw))
            dated = (reasons, values, label)
        elif name == "projet_interministeriel":
            text[name] = small.boolean_cells(values)
        elif name == "phase":
            text[name] = small.phase_cells(values)
        elif name == "tranche_cout":
            text[name] = small.bracket_cells(values)
        elif name in ("liens_projet", "lien_pap"):
            text[name] = small.url_cells(values)
        elif name not in ("description", "programme_financement"):
            text[name] = small.html_cells(values)[0]
    for source, target in (("description", "liens_projet"), ("programme_financement", "lien_pap")):
        if source not in columns:
            continue
        text[source], links = small.html_cells(columns[source])
        if any(v is not None for v in links):
            current = text.get(target) or [None] * len(index)
            text[target] = small.merge_link_cells(current, links)
            if target not in labels:
                labels[target] = match.labels[source]
                shown[target] = written[source]
    out = Normalised(text=text, shown=shown, labels=labels, cadrage=cadrage)
    for name, pos, value in found:
        _placeholder_finding(raw, out, match.labels[name], name, pos, value)
    if dated is not None:
        _explain_dates(raw, *dated, out)
    _ministry_cells(raw, match, columns, out, text, shown, ministries)
    return out


def _ministry_cells(raw: RawTable, match: HeaderMatch, columns: dict[str, small.Cells], out: Normalised,
                    text: dict[str, small.Cells], shown: dict[str, small.Cells], reference: MinistryReference) -> None:
    """`_ministries` on plain lists."""
    sources = [s for s in _MINISTRY_SOURCES if s in match.columns]
    if not sources:
        return
    n = raw.rows_read
    code: small.Cells = [None] * n
    nom: small.Cells = [None] * n
    first_raw: small.Cells = [None] * n
    first_label: list[str | None] = [None] * n
    resolved: dict[str, object] = {}
    for source in sources:
        values = columns[source]
        for pos, value in enumerate(values):
            cleaned = small.clean_cell(value)
            if cleaned is None:
                continue
            if cleaned not in resolved:
                resolved[cleaned] = reference.resolve(cleaned)
            found = resolved[cleaned]
            if code[pos] is None and found is not None:
                code[pos], nom[pos] = found.code, found.nom  # type: ignore[attr-defined]
            if first_raw[pos] is None:
                first_raw[pos], first_label[pos] = value, match.labels[source]
    label = match.labels[sources[0]]
    out.labels["ministere_code"] = out.labels["ministere_nom"] = label
    for pos in range(n):
        if code[pos] is None and first_raw[pos] is not None:
            code[pos], nom[pos] = _provisional(raw, out, raw.path.name, reference, first_raw[pos], first_label[pos], pos)
    text["ministere_code"], text["ministere_nom"] = code, nom
    shown["ministere_code"] = shown["ministere_nom"] = first_raw
