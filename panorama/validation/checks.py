"""Checks the Table Schema cannot express: cell content hazards, cross-field and cross-file rules.

Each check is vectorised over a column and returns findings positioned like the schema's: file,
sheet, spreadsheet row, column label as written.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from panorama.findings.core import Finding, clip
from panorama.normalise.cells import cells_of, is_small
from panorama.normalise.values import BRACKET_BOUNDS, plain_keys, text_series
from panorama.validation import messages
from panorama.validation.cell_checks import KEY_SAFE_BELOW, name_key
from panorama.validation.context import CellContext
from panorama.validation.messages import CONTROL, COST_FIELDS, DURATION_FIELDS, FORMULA  # noqa: F401  (re-exported)

_CONTROL_RE = messages.CONTROL_RE
_FORMULA_RE = messages.FORMULA_RE


def _cell(value: object) -> str | None:
    """A cell for a report: None when missing, else its text clipped."""
    return None if value is None or pd.isna(value) else clip(str(value))


def _hits(mask: pd.Series) -> np.ndarray:
    return np.flatnonzero(mask.fillna(False).astype(bool).to_numpy())


def content_checks(shown: pd.DataFrame, where: CellContext) -> list[Finding]:
    """Formula injection and control characters, in the cells as written."""
    findings: list[Finding] = []
    small = is_small(len(shown))
    for name in shown.columns:
        text = text_series(shown[name])
        if small:
            cells = cells_of(text)
            formulas = [i for i, v in enumerate(cells) if v is not None and _FORMULA_RE.match(v)]
            controls = [i for i, v in enumerate(cells) if v is not None and _CONTROL_RE.search(v)]
        else:
            formulas, controls = _hits(text.str.contains(FORMULA)), _hits(text.str.contains(CONTROL))
        findings += [messages.formula(where, pos, name, text.iloc[pos]) for pos in formulas]
        findings += [messages.control(where, pos, name, text.iloc[pos]) for pos in controls]
    return findings


def cadrage_checks(phase: pd.Series | None, cadrage: dict[str, pd.Series], shown: pd.DataFrame,
                   where: CellContext) -> list[Finding]:
    """"En cadrage" typed in a cost or duration cell: no number, and a warning unless phase is Cadrage."""
    findings: list[Finding] = []
    in_cadrage = phase.eq("Cadrage").fillna(False).astype(bool) if phase is not None else None
    for name, mask in cadrage.items():
        flagged = mask if in_cadrage is None else mask & ~in_cadrage.to_numpy()
        findings += [messages.in_cadrage(where, pos, name, _cell(shown[name].iloc[pos])) for pos in _hits(flagged)]
    return findings


def cross_checks(typed: pd.DataFrame, shown: pd.DataFrame, where: CellContext,
                 edition_date: dt.date | None) -> tuple[list[Finding], set[tuple[int, str]]]:
    """Rules across fields of a row; returns findings and the (row, field) they explain."""
    findings: list[Finding] = []
    explained: set[tuple[int, str]] = set()

    def add(pos: int, rule: tuple[str, str, str, str]) -> None:
        kind, name, message, expected = rule
        value = _cell(shown[name].iloc[pos]) if name in shown.columns else None
        findings.append(messages.cell_finding(kind, where, pos, name, value, message, expected))
        explained.add((where.row(pos), name))

    if "date_debut" in typed.columns and "phase" in typed.columns and "date_debut" in shown.columns:
        blank = typed["date_debut"].isna() & text_series(shown["date_debut"]).str.strip().fillna("").eq("")
        in_cadrage = typed["phase"].eq("Cadrage").fillna(False).astype(bool)
        for pos in _hits(blank & in_cadrage):
            add(pos, messages.start_blank_in_cadrage(where.row(pos)))
        for pos in _hits(blank & ~in_cadrage):
            add(pos, messages.start_missing(where.row(pos)))
    if edition_date is not None and "date_debut" in typed.columns:
        limit = pd.Timestamp(edition_date)
        for pos in _hits(typed["date_debut"] > limit):
            add(pos, messages.start_future(where.row(pos), typed["date_debut"].iloc[pos], edition_date))
    for name in DURATION_FIELDS:
        if name in typed.columns:
            for pos in _hits(typed[name] <= 0):
                add(pos, messages.duration_not_positive(where.row(pos), name, where.labels.get(name, name)))
    if "tranche_cout" in typed.columns and "cout_estime_meur" in typed.columns:
        _bracket_check(typed, add, where)
    return findings, explained


def _bracket_check(typed: pd.DataFrame, add, where: CellContext) -> None:
    cost = typed["cout_estime_meur"]
    bracket = typed["tranche_cout"]
    for name, (low, high) in BRACKET_BOUNDS.items():
        outside = bracket.eq(name) & cost.notna() & ((cost < low) | (cost > high))
        for pos in _hits(outside):
            add(pos, messages.bracket_outside(where.row(pos), name, cost.iloc[pos]))
    cadrage = bracket.eq("en cadrage") & cost.notna()
    for pos in _hits(cadrage):
        add(pos, messages.bracket_cadrage(where.row(pos), cost.iloc[pos]))


_name_key = name_key
_KEY_SAFE_BELOW = KEY_SAFE_BELOW


def _project_key_cells(ministry: pd.Series, name: pd.Series) -> pd.Series:
    """`project_key` on plain lists (small tables)."""
    keys: list[str | None] = []
    for m, n in zip(cells_of(ministry), cells_of(name)):
        if m is None or n is None:
            keys.append(None)
            continue
        if type(m) is not str or type(n) is not str:  # not text: converted as the Arrow path does
            keys.append(_project_key_arrow(pd.Series([m], dtype=object), pd.Series([n], dtype=object)).iloc[0])
            continue
        k = _name_key(n)
        keys.append(m + "|" + k if k else None)
    return pd.Series(keys, index=ministry.index, dtype=object)


def project_key(ministry: pd.Series, name: pd.Series) -> pd.Series:
    """Same ministry and same name once accents, case, spaces and punctuation are ignored."""
    if is_small(len(ministry)):
        return _project_key_cells(ministry, name)
    return _project_key_arrow(ministry, name)


def _project_key_arrow(ministry: pd.Series, name: pd.Series) -> pd.Series:
    names = plain_keys(name)
    key = text_series(ministry) + "|" + names
    usable = (ministry.notna() & names.notna() & names.ne("")).fillna(False).astype(bool)
    return key.astype(object).where(usable, None)


KEY_CHUNK = 50_000


def _repeated_hashes(hashes: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Positions (ascending) of present hashes that occur more than once; sorting, no hash table."""
    candidates = np.flatnonzero(present)
    order = np.argsort(hashes[candidates], kind="stable")
    ordered = hashes[candidates][order]
    same = ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(ordered), dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    return np.sort(candidates[order[repeated]])


def possible_repeats(values: pd.Series) -> np.ndarray:
    """Positions whose value may occur twice: equal 64-bit hashes (a superset of the true repeats).

    Hashing keeps memory flat on a million rows; the exact comparison then runs on these few rows.
    """
    present = values.notna().to_numpy(dtype=bool)
    hashes = np.zeros(len(values), dtype="uint64")
    if present.any():
        hashes[present] = pd.util.hash_array(values.to_numpy(dtype=object)[present], categorize=False)
    return _repeated_hashes(hashes, present)


def _key_candidates(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(positions, hashes) of the rows with a usable project key, hashed chunk by chunk."""
    hashes = np.zeros(len(table), dtype="uint64")
    present = np.zeros(len(table), dtype=bool)
    for s in range(0, len(table), KEY_CHUNK):
        keys = project_key(table["ministere_code"].iloc[s:s + KEY_CHUNK], table["nom_projet"].iloc[s:s + KEY_CHUNK])
        usable = keys.notna().to_numpy(dtype=bool)
        present[s:s + len(keys)] = usable
        if usable.any():
            hashes[s:s + len(keys)][usable] = pd.util.hash_array(keys.to_numpy(dtype=object)[usable], categorize=False)
    positions = np.flatnonzero(present)
    return positions, hashes[positions]


def duplicate_projects(tables: list[tuple[str, pd.DataFrame]], labels: dict[str, dict[str, str]],
                       cross_file_only: bool = False) -> dict[str, list[Finding]]:
    """Projects declared twice in an edition (same ministry + normalised name), within or across files.

    Keys are hashed first; only rows sharing a hash get their exact key compared, in file order.
    """
    found = [(file, t, *_key_candidates(t)) for file, t in tables]
    if not found:
        return {}
    files = np.concatenate([np.full(len(p), i) for i, (_, _, p, _) in enumerate(found)]) if found else np.empty(0)
    positions = np.concatenate([p for _, _, p, _ in found])
    hashes = np.concatenate([h for _, _, _, h in found])
    shared = _repeated_hashes(hashes, np.ones(len(hashes), dtype=bool))
    parts = []
    for i, (file, t, _, _) in enumerate(found):
        mine = shared[files[shared] == i]
        rows = positions[mine]
        keys = project_key(t["ministere_code"].iloc[rows], t["nom_projet"].iloc[rows]).to_numpy(dtype=object)
        parts.append(pd.DataFrame({"_file": file, "_pos": rows, "key": keys}))
    allkeys = pd.concat(parts, ignore_index=True)
    dup = allkeys["key"].duplicated(keep="first")
    firsts = allkeys[~dup].set_index("key")
    frames = dict(tables)
    out: dict[str, list[Finding]] = {}
    for _, hit in allkeys[dup].iterrows():
        file, pos = hit["_file"], int(hit["_pos"])
        t = frames[file]
        first = firsts.loc[hit["key"]]
        if cross_file_only and first["_file"] == file:
            continue
        first_table = frames[first["_file"]]
        first_row = int(first_table["_ligne"].iloc[int(first["_pos"])])
        where_first = messages.first_place(first_row, first["_file"], file)
        label = labels.get(file, {}).get("nom_projet", "nom_projet")
        out.setdefault(file, []).append(messages.duplicate_project(
            file, t["_feuille"].iloc[pos], int(t["_ligne"].iloc[pos]), label, t["nom_projet"].iloc[pos],
            t["ministere_code"].iloc[pos], where_first))
    return out
