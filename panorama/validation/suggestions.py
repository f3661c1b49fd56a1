"""A concrete correction for a finding, where one can be inferred from the value and the column.

Reports for ministries say not only what is wrong but what to write instead: "12 500 000 € →
12,5 (M€)", "2024-13-01 : le mois 13 n'existe pas". Only safe guesses are made; None otherwise.
"""
from __future__ import annotations

import calendar
import difflib
import re

from panorama.findings.core import Finding
from panorama.model import load_schema_descriptor

_NUMBER = re.compile(r"^[\s\u00a0\u202f]*([-+]?[\d\s\u00a0\u202f.,]+?)[\s\u00a0\u202f]*(€|euros?|k€|m€|meur)?[\s\u00a0\u202f]*$",
                     re.IGNORECASE)
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_FRENCH = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_MONTHS_TEXT = re.compile(r"^\s*([\d.,]+)\s*mois\s*$", re.IGNORECASE)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
_TRUE = {"o", "y", "yes", "x", "1", "vrai", "true", "oui."}
_FALSE = {"n", "no", "0", "faux", "false", "non."}


def _fr(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


def _number(text: str) -> tuple[float, str] | None:
    found = _NUMBER.match(text)
    if not found:
        return None
    digits = re.sub(r"[\s\u00a0\u202f]", "", found.group(1))
    if digits.count(",") == 1 and digits.count(".") == 0:
        digits = digits.replace(",", ".")
    elif digits.count(".") > 1 and "," not in digits:
        digits = digits.replace(".", "")
    elif "," in digits and "." in digits:
        digits = digits.replace(".", "").replace(",", ".") if digits.rfind(",") > digits.rfind(".") else digits.replace(",", "")
    try:
        return float(digits), (found.group(2) or "").lower()
    except ValueError:
        return None


def _cost(text: str) -> str | None:
    parsed = _number(text)
    if parsed is None:
        return None
    value, unit = parsed
    if unit in ("€", "euro", "euros") or (not unit and value >= 100_000):
        return f"{text.strip()} → {_fr(value / 1_000_000)} (M€)"
    if unit == "k€":
        return f"{text.strip()} → {_fr(value / 1000)} (M€)"
    return None


def _duration(text: str) -> str | None:
    found = _MONTHS_TEXT.match(text)
    if found:
        months = float(found.group(1).replace(",", "."))
        return f"{text.strip()} → {_fr(months / 12)} (années)"
    return None


def _date(text: str) -> str | None:
    for pattern, order in ((_ISO, "ymd"), (_FRENCH, "dmy")):
        found = pattern.match(text)
        if not found:
            continue
        parts = dict(zip(order, (int(g) for g in found.groups())))
        year, month, day = parts["y"], parts["m"], parts["d"]
        if not 1 <= month <= 12:
            swap = f" ; vouliez-vous dire le {month:02d}/{day:02d}/{year} (jour et mois inversés) ?" if 1 <= day <= 12 else ""
            return f"{text.strip()} : le mois {month} n'existe pas{swap}"
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            return f"{text.strip()} : le {day} {MONTHS[month - 1]} n'existe pas ({MONTHS[month - 1]} {year} a {last} jours)"
    return None


def _closest(text: str, field: str) -> str | None:
    for f in load_schema_descriptor()["fields"]:
        if f["name"] == field:
            choices = f.get("constraints", {}).get("enum", [])
            close = difflib.get_close_matches(text.strip(), choices, n=1, cutoff=0.6)
            if not close:
                lowered = {c.casefold(): c for c in choices}
                close = difflib.get_close_matches(text.strip().casefold(), list(lowered), n=1, cutoff=0.6)
                close = [lowered[c] for c in close]
            return f"« {text.strip()} » → « {close[0]} »" if close else None
    return None


def _boolean(text: str) -> str | None:
    key = text.strip().casefold()
    if key in _TRUE:
        return f"« {text.strip()} » → « Oui »"
    if key in _FALSE:
        return f"« {text.strip()} » → « Non »"
    return None


def suggest(finding: Finding) -> str | None:
    """A correction for this finding's value, or None when no safe guess exists."""
    if finding.value is None or not finding.field:
        return None
    text, field = str(finding.value), finding.field
    if field.endswith("_meur"):
        return _cost(text)
    if field.endswith("_annees"):
        return _duration(text)
    if field == "date_debut":
        return _date(text)
    if field in ("phase", "tranche_cout"):
        return _closest(text, field)
    if field == "projet_interministeriel":
        return _boolean(text)
    return None
