"""Impossible start dates ("31/02/2020", "2024-13-01") as findings that say why.

The schema check would only see text that is not a date; the normaliser knows the form was
understood and which part does not exist, so it reports the cell itself and marks it explained.
The code stays frictionless's `type-error` (the cell is no date): its severity for the field is
the catalogue's, like any other unreadable date; only the message is more precise.
"""
from __future__ import annotations

from collections.abc import Sequence

from panorama.findings.catalog import brief, severity_of
from panorama.findings.core import Finding, clip

IMPOSSIBLE_DATE = "type-error"
EXPECTED = "une date qui existe, par exemple « 2013-07-01 », « 01/07/2013 », « juillet 2013 » ou « T3 2013 »"


def impossible_dates(reasons: Sequence[str | None], shown: Sequence[object], row_numbers: Sequence[int],
                     file: str, sheet: str | None, column: str) -> tuple[list[Finding], set[tuple[int, str]]]:
    """One finding per cell whose date form was understood but names no real day."""
    findings: list[Finding] = []
    explained: set[tuple[int, str]] = set()
    for pos, reason in enumerate(reasons):
        if reason is None:
            continue
        row = int(row_numbers[pos])
        cell = str(shown[pos]).strip()
        findings.append(Finding(
            IMPOSSIBLE_DATE, severity_of(IMPOSSIBLE_DATE), file, sheet=sheet, row=row, column=column,
            field="date_debut", value=clip(cell),
            message=f"La date « {brief(cell)} » de la ligne {row}, colonne « {column} », est impossible : {reason}.",
            expected=EXPECTED,
        ))
        explained.add((row, "date_debut"))
    return findings, explained
