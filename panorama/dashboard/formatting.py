"""French number and date forms, shared by the page, the PNG charts and the description.

French typography: decimal comma, a narrow no-break space (U+202F) between thousands, and a
no-break space (U+00A0) between a number and its unit so "2,62 Md€" never breaks across lines.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

NNBSP = "\u202f"  # narrow no-break space: thousands separator
NBSP = "\u00a0"  # no-break space: between a number and its unit
MINUS = "\u2212"  # typographic minus sign
MISSING = "–"  # shown where a figure does not exist

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT (all the shapes a missing cell takes in pandas)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pd.NA refuses bool()
        return True


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """`1234.5, 1` → "1 234,5" (narrow no-break space); missing → "–"."""
    if is_missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    if math.isinf(number):
        return MISSING
    text = f"{abs(number):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        number = 0.0  # no "−0,0"
    text = text.replace(",", NNBSP).replace(".", ",")
    return (MINUS if number < 0 else "") + text


def format_integer(value: float | int | None) -> str:
    return format_number(value, 0)


def format_md_eur(meur: float | None) -> str:
    """A cost in M€ shown in Md€ with 2 decimals: 2615.3 → "2,62 Md€"."""
    if is_missing(meur):
        return MISSING
    return f"{format_number(float(meur) / 1000, 2)}{NBSP}Md€"  # type: ignore[arg-type]


def format_m_eur(meur: float | None, decimals: int = 1) -> str:
    """A cost in M€: 183.25 → "183,3 M€"."""
    if is_missing(meur):
        return MISSING
    return f"{format_number(meur, decimals)}{NBSP}M€"


def format_years(years: float | None, decimals: int = 1) -> str:
    """A duration: 6.08 → "6,1 ans"; "an" below 2 as French grammar wants ("1,5 an")."""
    if is_missing(years):
        return MISSING
    unit = "an" if round(abs(float(years)), decimals) < 2 else "ans"  # type: ignore[arg-type]
    return f"{format_number(years, decimals)}{NBSP}{unit}"


def format_percent(rate: float | None, decimals: int = 1) -> str:
    """A rate stored as a fraction: 0.135 → "13,5 %"."""
    if is_missing(rate):
        return MISSING
    return f"{format_number(float(rate) * 100, decimals)}{NBSP}%"  # type: ignore[arg-type]


def format_date(value: dt.date | Any) -> str:
    """29 November 2017 → "29 novembre 2017" (1st of the month → "1er")."""
    if is_missing(value):
        return MISSING
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def format_month(value: dt.date | Any) -> str:
    """A project start: "juillet 2011" (the panorama never states the day)."""
    if is_missing(value):
        return MISSING
    return f"{MONTHS[value.month - 1]} {value.year}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`plural(1, "projet")` → "1 projet"; 0 and 1 are singular in French."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{format_integer(count)}{NBSP}{word}"


def as_date(value: Any) -> dt.date | None:
    """A date from whatever pandas holds (date, Timestamp, ISO text); None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def edition_title(numero: int, published: Any) -> str:
    """"Édition n° 4 du 29 novembre 2017" (no-break space after "n°")."""
    date = as_date(published)
    text = f"Édition n°{NBSP}{int(numero)}"
    return f"{text} du {format_date(date)}" if date else text


# Names the command line uses for its summary table.
format_duration = format_years
format_rate = format_percent


def format_short(value: float, unit: str = "", max_decimals: int = 2) -> str:
    """An axis label with as few decimals as the value needs: 2.5 → "2,5 ans", 2.0 → "2 ans"."""
    decimals = next((d for d in range(max_decimals + 1) if round(value, d) == round(value, max_decimals)),
                    max_decimals)
    text = format_number(value, decimals)
    return f"{text}{NBSP}{unit}" if unit else text


def years_unit(value: float) -> str:
    """"an" below 2, "ans" from 2 (French grammar: "1,5 an", "2 ans")."""
    return "an" if abs(value) < 2 else "ans"


# Axis labels per indicator: (label of a tick value, whole steps only).
def tick_md_eur(meur: float) -> str:
    return format_short(meur / 1000, "Md€")


def tick_years(years: float) -> str:
    return format_short(years, years_unit(years), 1)


def tick_percent(rate: float) -> str:
    return format_short(rate * 100, "%", 1)


def tick_integer(value: float) -> str:
    return format_short(value, "", 0)
