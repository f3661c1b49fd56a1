"""`normalise_table` vectorised over whole columns with pandas and Arrow, for big tables.

Same rules and findings as the list path of `panorama.normalise` (`normalise_cells`), which small
tables take so that they never import pandas; `tests/test_validation_perf_equivalence.py` runs
both on the same files.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from panorama.model import NUMBER_FIELDS
from panorama.normalise import (
    _MINISTRY_SOURCES,
    Normalised,
    _date_system,
    _explain_dates,
    _optional_fields,
    _placeholder_finding,
    _provisional,
)
from panorama.normalise.headers import HeaderMatch
from panorama.normalise.ministries import MinistryReference
from panorama.normalise.placeholders import Placeholders
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


def normalise_columns(raw: RawTable, match: HeaderMatch, ministries: MinistryReference,
                      placeholders: Placeholders) -> Normalised:
    """`normalise_table` for a big table: one vectorised operation per column."""
    file = raw.path.name
    out = Normalised(text=pd.DataFrame(index=range(raw.rows_read)), shown=pd.DataFrame(index=range(raw.rows_read)), labels={})
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
    n = raw.rows_read
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
