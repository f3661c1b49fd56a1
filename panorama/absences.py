"""Ministries that sent nothing, and whether an edition is partial: one rule for figures, diff and reports.

A ministry present in the previous edition with no project now is "absent". In a partial edition
(`publication_partielle = true` in edition.toml, or `--partial`) its projects are not counted as
leaving: they were not received, which says nothing about the projects themselves.
"""
from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from panorama.edition import Edition


def is_partial(edition: Edition, partial: Collection[str] = ()) -> bool:
    """Declared in edition.toml, or asked for this run (`partial` holds edition ids)."""
    from panorama.validation.submission import partial_allowed

    return edition.id in partial or partial_allowed(edition)


def ministry_names(rows: pd.DataFrame) -> dict[str, str]:
    """Ministry code → its name as last written in these rows."""
    names: dict[str, str] = {}
    for code, name in zip(rows["ministere_code"], rows["ministere_nom"]):
        if isinstance(code, str) and code:
            names[code] = name if isinstance(name, str) and name else code
    return names


def absent_ministries(previous: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """Codes of the ministries with projects in `previous` and none in `current`, sorted.

    A ministry whose projects carry on under another code (a renamed ministry) is not absent.
    """
    now = set(current["ministere_code"].dropna())
    carried_on = set(current["identifiant"])
    gone = previous[~previous["ministere_code"].isin(list(now))]
    return sorted(str(code) for code, rows in gone.groupby("ministere_code", sort=True)
                  if not set(rows["identifiant"]) & carried_on)


def not_leaving(previous: pd.DataFrame, absent: Collection[str]) -> set[str]:
    """Identifiers of the previous edition's projects whose ministry is absent (not counted as leaving)."""
    return set(previous.loc[previous["ministere_code"].isin(list(absent)), "identifiant"])
