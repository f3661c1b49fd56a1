"""Normalisation: a RawTable's text cells → canonical text per schema field, ready for the schema check.

Canonical text is what the Table Schema accepts ("4.5", "2011-07-01", "Oui"); the cells as
written are kept beside it so that every finding shows the value the ministry typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from panorama.findings.catalog import brief
from panorama.findings.core import Finding, Severity, clip
from panorama.model import NUMBER_FIELDS
from panorama.normalise import cells as small
from panorama.normalise.headers import MINISTRY, HeaderMatch, header_score, match_headers
from panorama.normalise.ministries import known_examples, resolve_ministry
from panorama.normalise.values import (
    canonical_boolean,
    canonical_bracket,
    canonical_date,
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


def _ministries(raw: RawTable, match: HeaderMatch, out: Normalised, file: str) -> None:
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
        resolved = [resolve_ministry(str(v)) for v in uniques] + [None]
        codes = np.array([m.code if m else None for m in resolved], dtype=object)[positions]
        noms = np.array([m.nom if m else None for m in resolved], dtype=object)[positions]
        fill = pd.isna(code) & ~pd.isna(codes)
        code[fill], nom[fill] = codes[fill], noms[fill]
        take = pd.isna(first_raw) & (positions >= 0)
        first_raw[take] = values.to_numpy(dtype=object, na_value=None)[take]
        first_label[take] = match.labels[source]
    label = match.labels[sources[0][0]]
    out.labels["ministere_code"] = out.labels["ministere_nom"] = label
    out.text["ministere_code"] = text_series(pd.Series(code))
    out.text["ministere_nom"] = text_series(pd.Series(nom))
    out.shown["ministere_code"] = out.shown["ministere_nom"] = text_series(pd.Series(first_raw))
    unknown = pd.isna(code) & ~pd.isna(first_raw)
    for pos in np.flatnonzero(unknown):
        row = int(raw.row_numbers[pos])
        value = clip(str(first_raw[pos]).strip())
        short = brief(str(first_raw[pos]).strip())
        out.findings.append(Finding(
            "ministere-inconnu", Severity.BLOCKING, file, sheet=raw.sheet, row=row,
            column=first_label[pos], field="ministere_code", value=value,
            message=f"Le ministère « {short} » de la ligne {row} ne figure pas dans la table de référence des ministères.",
            expected=known_examples(),
        ))
        out.reported.update({(row, "ministere_code"), (row, "ministere_nom")})


def normalise_table(raw: RawTable, match: HeaderMatch) -> Normalised:
    """Canonical text for every matched field; HTML split into text and links; ministries resolved."""
    if small.is_small(len(raw.data)):
        return _normalise_cells(raw, match)
    file = raw.path.name
    out = Normalised(text=pd.DataFrame(index=range(len(raw.data))), shown=pd.DataFrame(index=range(len(raw.data))), labels={})
    for name, label in match.labels.items():
        if name in _MINISTRY_SOURCES:
            continue
        values = _column(raw, match, name)
        out.labels[name] = label
        out.shown[name] = values
        if name in NUMBER_FIELDS:
            out.text[name], out.cadrage[name] = canonical_number(values)
        elif name == "date_debut":
            out.text[name] = canonical_date(values)
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
    _html_links(raw, match, out)
    _ministries(raw, match, out, file)
    return out


def _html_links(raw: RawTable, match: HeaderMatch, out: Normalised) -> None:
    """Description links → liens_projet; the funding programme's anchor → lien_pap."""
    for source, target in (("description", "liens_projet"), ("programme_financement", "lien_pap")):
        values = _column(raw, match, source)
        if values is None:
            continue
        text, links = split_html(values)
        out.text[source] = text
        if links.notna().any():
            current = out.text[target] if target in out.text.columns else pd.Series(pd.NA, index=text.index, dtype="string[pyarrow]")
            out.text[target] = merge_links(current, links)
            if target not in out.labels:
                out.labels[target] = match.labels[source]
                out.shown[target] = values


def _raw_cells(raw: RawTable, index: int) -> small.Cells:
    values = small.cells_of(raw.data.iloc[:, index])
    if all(v is None or type(v) is str for v in values):
        return values
    return small.cells_of(text_series(raw.data.iloc[:, index]))  # not text: converted as the Arrow path does


def _normalise_cells(raw: RawTable, match: HeaderMatch) -> Normalised:
    """`normalise_table` on plain lists, one pandas column built per field (small tables)."""
    index = pd.RangeIndex(len(raw.data))
    text: dict[str, small.Cells] = {}
    shown: dict[str, small.Cells] = {}
    cadrage: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    columns = {name: _raw_cells(raw, i) for name, i in match.columns.items()}
    for name, label in match.labels.items():
        if name in _MINISTRY_SOURCES:
            continue
        values = columns[name]
        labels[name] = label
        shown[name] = values
        if name in NUMBER_FIELDS:
            text[name], flags = small.number_cells(values)
            cadrage[name] = pd.Series(flags, index=index, dtype=bool)
        elif name == "date_debut":
            text[name] = small.date_cells(values)
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
                shown[target] = columns[source]
    out = Normalised(text=pd.DataFrame(index=index), shown=pd.DataFrame(index=index), labels=labels,
                     cadrage=cadrage)
    _ministry_cells(raw, match, columns, out, text, shown)
    frame = {k: small.text_column(v, index) for k, v in text.items()}
    out.text = pd.DataFrame(frame, index=index) if frame else out.text
    frame = {k: small.text_column(v, index) for k, v in shown.items()}
    out.shown = pd.DataFrame(frame, index=index) if frame else out.shown
    return out


def _ministry_cells(raw: RawTable, match: HeaderMatch, columns: dict[str, small.Cells], out: Normalised,
                    text: dict[str, small.Cells], shown: dict[str, small.Cells]) -> None:
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
                resolved[cleaned] = resolve_ministry(cleaned)
            found = resolved[cleaned]
            if code[pos] is None and found is not None:
                code[pos], nom[pos] = found.code, found.nom  # type: ignore[attr-defined]
            if first_raw[pos] is None:
                first_raw[pos], first_label[pos] = value, match.labels[source]
    label = match.labels[sources[0]]
    out.labels["ministere_code"] = out.labels["ministere_nom"] = label
    text["ministere_code"], text["ministere_nom"] = code, nom
    shown["ministere_code"] = shown["ministere_nom"] = first_raw
    for pos in range(n):
        if code[pos] is not None or first_raw[pos] is None:
            continue
        row = int(raw.row_numbers[pos])
        cell = str(first_raw[pos]).strip()
        out.findings.append(Finding(
            "ministere-inconnu", Severity.BLOCKING, raw.path.name, sheet=raw.sheet, row=row,
            column=first_label[pos], field="ministere_code", value=clip(cell),
            message=f"Le ministère « {brief(cell)} » de la ligne {row} ne figure pas dans la table de référence des ministères.",
            expected=known_examples(),
        ))
        out.reported.update({(row, "ministere_code"), (row, "ministere_nom")})
