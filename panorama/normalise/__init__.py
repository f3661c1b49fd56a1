"""Normalisation: a RawTable's text cells → canonical text per schema field, ready for the schema check.

Canonical text is what the Table Schema accepts ("4.5", "2011-07-01", "Oui"); the cells as
written are kept beside it so that every finding shows the value the ministry typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from panorama.findings.catalog import brief, severity_of
from panorama.findings.core import Finding, clip
from panorama.model import NUMBER_FIELDS, SUBMISSION_REQUIRED_FIELDS, load_schema_descriptor
from panorama.normalise import cells as small
from panorama.normalise.date_findings import impossible_dates
from panorama.normalise.dates import SYSTEM_1900
from panorama.normalise.headers import MINISTRY, HeaderMatch, header_score, match_headers
from panorama.normalise.ministries import MinistryReference, bundled_reference
from panorama.normalise.placeholders import Placeholders, bundled_placeholders
from panorama.normalise.values import (
    canonical_boolean,
    canonical_bracket,
    canonical_dates,
    canonical_number,
    canonical_phase,
    canonical_urls,
    clean_text,
    merge_links,
    split_html,
    text_series,
)
from panorama.reading.table import RawTable

__all__ = ["Normalised", "normalise_table", "match_headers", "header_score", "HeaderMatch"]

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
    text: pd.DataFrame                      # canonical text, one column per field present
    shown: pd.DataFrame                     # the same cells as written in the file
    labels: dict[str, str]                  # field → column label as written
    cadrage: dict[str, pd.Series] = field(default_factory=dict)  # number field → "En cadrage" mask
    findings: list[Finding] = field(default_factory=list)
    reported: set[tuple[int, str]] = field(default_factory=set)  # (row, field) already explained


def _column(raw: RawTable, match: HeaderMatch, name: str) -> pd.Series | None:
    index = match.columns.get(name)
    if index is None:
        return None
    return text_series(raw.data.iloc[:, index].reset_index(drop=True))


def _ministries(raw: RawTable, match: HeaderMatch, out: Normalised, file: str, reference: MinistryReference) -> None:
    """Fill ministere_code / ministere_nom from whichever ministry columns the file has."""
    sources = [(s, _column(raw, match, s)) for s in _MINISTRY_SOURCES if s in match.columns]
    if not sources:
        return
    n = len(raw.data)
    code = np.full(n, None, dtype=object)
    nom = np.full(n, None, dtype=object)
    first_raw = np.full(n, None, dtype=object)
    first_label = np.full(n, None, dtype=object)
    for source, values in sources:
        cleaned = clean_text(values)
        positions, uniques = pd.factorize(cleaned, use_na_sentinel=True)
        resolved = [reference.resolve(str(v)) for v in uniques] + [None]
        codes = np.array([m.code if m else None for m in resolved], dtype=object)[positions]
        noms = np.array([m.nom if m else None for m in resolved], dtype=object)[positions]
        fill = pd.isna(code) & ~pd.isna(codes)
        code[fill], nom[fill] = codes[fill], noms[fill]
        take = pd.isna(first_raw) & (positions >= 0)
        first_raw[take] = values.to_numpy(dtype=object, na_value=None)[take]
        first_label[take] = match.labels[source]
    label = match.labels[sources[0][0]]
    out.labels["ministere_code"] = out.labels["ministere_nom"] = label
    unknown = pd.isna(code) & ~pd.isna(first_raw)
    for pos in np.flatnonzero(unknown):
        code[pos], nom[pos] = _provisional(raw, out, file, reference, first_raw[pos], first_label[pos], pos)
    out.text["ministere_code"] = text_series(pd.Series(code))
    out.text["ministere_nom"] = text_series(pd.Series(nom))
    out.shown["ministere_code"] = out.shown["ministere_nom"] = text_series(pd.Series(first_raw))


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
    if small.is_small(len(raw.data)):
        return _normalise_cells(raw, match, ministries, placeholders)
    file = raw.path.name
    out = Normalised(text=pd.DataFrame(index=range(len(raw.data))), shown=pd.DataFrame(index=range(len(raw.data))), labels={})
    optional = _optional_fields()
    blanked: dict[str, pd.Series] = {}
    for name, label in match.labels.items():
        if name in optional:
            values = _column(raw, match, name)
            hits = placeholders.mask(values)
            if hits.any():
                for pos in np.flatnonzero(hits):
                    _placeholder_finding(raw, out, label, name, int(pos), values.iloc[pos])
                blanked[name] = values.where(~hits)
    for name, label in match.labels.items():
        if name in _MINISTRY_SOURCES:
            continue
        values = blanked.get(name, _column(raw, match, name))
        out.labels[name] = label
        out.shown[name] = _column(raw, match, name) if name in blanked else values
        if name in NUMBER_FIELDS:
            out.text[name], out.cadrage[name] = canonical_number(values)
        elif name == "date_debut":
            out.text[name], reasons = canonical_dates(values, _date_system(raw))
            if reasons.notna().any():
                _explain_dates(raw, reasons.tolist(), values.tolist(), label, out)
        elif name == "projet_interministeriel":
            out.text[name] = canonical_boolean(values)
        elif name == "phase":
            out.text[name] = canonical_phase(values)
        elif name == "tranche_cout":
            out.text[name] = canonical_bracket(values)
        elif name in ("liens_projet", "lien_pap"):
            out.text[name] = canonical_urls(values)
        elif name not in ("description", "programme_financement"):  # those two: _html_links
            out.text[name] = split_html(values)[0]
    _html_links(raw, match, out, blanked)
    _ministries(raw, match, out, file, ministries)
    return out


def _html_links(raw: RawTable, match: HeaderMatch, out: Normalised, blanked: dict[str, pd.Series]) -> None:
    """Description links → liens_projet; the funding programme's anchor → lien_pap."""
    for source, target in (("description", "liens_projet"), ("programme_financement", "lien_pap")):
        values = blanked.get(source, _column(raw, match, source))
        if values is None:
            continue
        text, links = split_html(values)
        out.text[source] = text
        if links.notna().any():
            current = out.text[target] if target in out.text.columns else pd.Series(pd.NA, index=text.index, dtype="string[pyarrow]")
            out.text[target] = merge_links(current, links)
            if target not in out.labels:
                out.labels[target] = match.labels[source]
                out.shown[target] = _column(raw, match, source)


def _raw_cells(raw: RawTable, index: int) -> small.Cells:
    values = small.cells_of(raw.data.iloc[:, index])
    if all(v is None or type(v) is str for v in values):
        return values
    return small.cells_of(text_series(raw.data.iloc[:, index]))  # not text: converted as the Arrow path does


def _normalise_cells(raw: RawTable, match: HeaderMatch, ministries: MinistryReference,
                     placeholders: Placeholders) -> Normalised:
    """`normalise_table` on plain lists, one pandas column built per field (small tables)."""
    index = pd.RangeIndex(len(raw.data))
    text: dict[str, small.Cells] = {}
    shown: dict[str, small.Cells] = {}
    cadrage: dict[str, pd.Series] = {}
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
            cadrage[name] = pd.Series(flags, index=index, dtype=bool)
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
    out = Normalised(text=pd.DataFrame(index=index), shown=pd.DataFrame(index=index), labels=labels,
                     cadrage=cadrage)
    for name, pos, value in found:
        _placeholder_finding(raw, out, match.labels[name], name, pos, value)
    if dated is not None:
        _explain_dates(raw, *dated, out)
    _ministry_cells(raw, match, columns, out, text, shown, ministries)
    frame = {k: small.text_column(v, index) for k, v in text.items()}
    out.text = pd.DataFrame(frame, index=index) if frame else out.text
    frame = {k: small.text_column(v, index) for k, v in shown.items()}
    out.shown = pd.DataFrame(frame, index=index) if frame else out.shown
    return out


def _ministry_cells(raw: RawTable, match: HeaderMatch, columns: dict[str, small.Cells], out: Normalised,
                    text: dict[str, small.Cells], shown: dict[str, small.Cells], reference: MinistryReference) -> None:
    """`_ministries` on plain lists."""
    sources = [s for s in _MINISTRY_SOURCES if s in match.columns]
    if not sources:
        return
    n = len(raw.data)
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
