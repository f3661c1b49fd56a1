"""Start dates as people and spreadsheets write them → one calendar day, or why it cannot be one.

Forms understood (case, accents, dots, dashes and spaces between parts do not matter):
- ISO: ``2020-03-01``, ``2020-03-01T10:30:00``, ``2020-03-01 00:00:00``, ``2020/03/01``, ``2020-03``;
- day first, as written in France: ``01/03/2020``, ``1/3/20``, ``01-03-2020``, ``01.03.20``;
  month and year: ``03/2020``, ``3-2020``;
- month names in French or English (what a French or an English-locale spreadsheet displays),
  full or abbreviated to any unambiguous prefix of at least three letters: ``juillet 2011``,
  ``juil.-19``, ``janv-20``, ``Sept. 21``, ``févr. 2020``, ``Mar-22``, ``March 2022``;
- day, month name and year: ``1er juillet 2019``, ``15 mars 2020``, ``01-Mar-20``, ``March 15, 2020``;
- quarters and semesters: ``T1 2020``, ``Q3 2021``, ``1er trimestre 2020``, ``2020-T1``,
  ``S2 2019``, ``2e semestre 2019``, ``H1 2020``;
- a year alone: ``2019``, or ``2019.0`` as a spreadsheet may store it;
- a spreadsheet day number (``43647``), in the workbook's date system (1900 or 1904).

Two rules the forms leave open, decided once here:
- A period stands for its FIRST day: a month → the 1st, ``T3 2020`` → 2020-07-01, ``S2 2019`` →
  2019-07-01, ``2019`` → 2019-01-01. The schema's ``date_debut`` is a day, so the published value
  does not say how precise the source was; `parse_date` returns the precision for callers that need it.
- A two-digit year is 2000–2069 for 00–69 and 1970–1999 for 70–99 (the pivot of POSIX ``%y``
  shifted to 70). It is fixed rather than relative to the edition so that a cell reads the same in
  every report and every edition; the panorama's projects start after 1990 (the schema's minimum)
  and the rule holds until 2069.

A form that is recognised but names a day that does not exist (``2024-13-01``, ``31/02/2020``,
``T5 2020``) is an `ImpossibleDate` carrying the reason in French; anything else unrecognised is
`None`, left to the schema check to report as written.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

SERIAL_MIN, SERIAL_MAX = 20000, 80000  # plausible day numbers: 1954-10-03 .. 2119-01-10 (1900 system)
SYSTEM_1900, SYSTEM_1904 = 1900, 1904
_ORIGIN_1900 = dt.date(1899, 12, 30)  # day 61 onwards: day 60 is Lotus's 29 February 1900
_ORIGIN_1904 = dt.date(1904, 1, 1)
PIVOT = 70  # two-digit years below → 20xx, from it → 19xx


class Precision(StrEnum):
    DAY = "jour"
    MONTH = "mois"
    QUARTER = "trimestre"
    SEMESTER = "semestre"
    YEAR = "année"


@dataclass(frozen=True)
class ParsedDate:
    day: dt.date  # the first day of the period written
    precision: Precision

    @property
    def iso(self) -> str:
        return self.day.isoformat()


@dataclass(frozen=True)
class ImpossibleDate:
    reason: str  # French, e.g. "le mois 13 n'existe pas"


Parsed = ParsedDate | ImpossibleDate | None

FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre")
_ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                   "october", "november", "december")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _month_prefixes() -> dict[str, int]:
    """Every prefix of ≥ 3 letters of a French or English month name that names one month only."""
    found: dict[str, set[int]] = {}
    for names in (FRENCH_MONTHS, _ENGLISH_MONTHS):
        for number, name in enumerate(names, start=1):
            plain = _fold(name)
            for end in range(3, len(plain) + 1):
                found.setdefault(plain[:end], set()).add(number)
    return {prefix: months.pop() for prefix, months in found.items() if len(months) == 1}


MONTHS = _month_prefixes()
_PERIOD_WORDS = {"trimestre": 4, "trim": 4, "quarter": 4, "qtr": 4, "t": 4, "q": 4,
                 "semestre": 2, "sem": 2, "semester": 2, "half": 2, "s": 2, "h": 2}
_ORDINAL_SUFFIXES = frozenset({"er", "ere", "re", "e", "eme", "ieme", "nd", "nde", "d", "st", "rd", "th"})
_ORDINAL_WORDS = {"premier": 1, "premiere": 1, "first": 1, "deuxieme": 2, "second": 2, "seconde": 2,
                  "troisieme": 3, "third": 3, "quatrieme": 4, "fourth": 4}
_FILLERS = frozenset({"de", "du", "d", "of", "the", "le", "la", "l", "en", "annee"})
_PERIOD_NAMES = {4: ("trimestre", 4), 2: ("semestre", 2)}

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?" + _TIME)
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})" + _TIME)
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")
_NUMBER = re.compile(r"(\d+)(?:[.,](\d+))?")
_TOKEN = re.compile(r"[a-z]+|\d+")


def full_year(digits: str) -> int:
    """A year as written: four digits as they are, two digits by the pivot rule (see module)."""
    value = int(digits)
    if len(digits) == 2:
        return 2000 + value if value < PIVOT else 1900 + value
    return value


def serial_date(serial: int, system: int = SYSTEM_1900) -> ParsedDate | ImpossibleDate:
    """A spreadsheet day number in the 1900 system (with Lotus's 29 February 1900) or the 1904 one."""
    if system == SYSTEM_1904:
        return ParsedDate(_ORIGIN_1904 + dt.timedelta(days=serial), Precision.DAY)
    if serial == 60:
        return ImpossibleDate("le jour numéro 60 des tableurs est le 29 février 1900, qui n'a pas existé")
    if serial < 60:
        return ParsedDate(_ORIGIN_1900 + dt.timedelta(days=serial + 1), Precision.DAY)
    return ParsedDate(_ORIGIN_1900 + dt.timedelta(days=serial), Precision.DAY)


def make_date(year: int, month: int, day: int = 1, precision: Precision = Precision.DAY) -> ParsedDate | ImpossibleDate:
    """The date, or the French reason it does not exist."""
    if not 1 <= year <= 9999:
        return ImpossibleDate(f"l'année {year} n'existe pas dans un calendrier")
    if not 1 <= month <= 12:
        return ImpossibleDate(f"le mois {month} n'existe pas (les mois vont de 1 à 12)")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        if day < 1 or day > 31:
            return ImpossibleDate(f"le jour {day} n'existe pas (les jours vont de 1 à 31)")
        return ImpossibleDate(f"le {day} {FRENCH_MONTHS[month - 1]} {year} n'existe pas "
                              f"({FRENCH_MONTHS[month - 1]} {year} compte {last} jours)")
    return ParsedDate(dt.date(year, month, day), precision)


def _period(kind: int, number: int, year: int) -> ParsedDate | ImpossibleDate:
    name, count = _PERIOD_NAMES[kind]
    if not 1 <= number <= count:
        return ImpossibleDate(f"le {name} {number} n'existe pas (de 1 à {count})")
    precision = Precision.QUARTER if kind == 4 else Precision.SEMESTER
    return make_date(year, 1 + (number - 1) * 12 // kind, 1, precision)


def _numeric(text: str, system: int) -> Parsed:
    """Forms made of digits and separators only."""
    if m := _NUMBER.fullmatch(text):
        whole, fraction = m[1], m[2]
        if len(whole) == 4 and (fraction is None or not fraction.strip("0")):
            return make_date(int(whole), 1, 1, Precision.YEAR)  # "2019", "2019.0"
        if SERIAL_MIN <= int(whole) <= SERIAL_MAX:
            return serial_date(int(whole), system)  # a fraction is the time of day
    if m := _YEAR_FIRST.fullmatch(text):
        if m[3] is None:
            return make_date(int(m[1]), int(m[2]), 1, Precision.MONTH)
        return make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DAY_FIRST.fullmatch(text):
        return make_date(full_year(m[3]), int(m[2]), int(m[1]))
    if m := _MONTH_YEAR.fullmatch(text):
        return make_date(int(m[2]), int(m[1]), 1, Precision.MONTH)
    return None


def _tokens(text: str) -> list[tuple[str, str]] | None:
    """Typed tokens: ("n", digits), ("m", month number), ("p", "4" or "2" periods a year); None if a
    word is neither a date word nor a filler."""
    out: list[tuple[str, str]] = []
    for word in _TOKEN.findall(_fold(text)):
        if word.isdigit():
            out.append(("n", word))
        elif word in _ORDINAL_SUFFIXES and out and out[-1][0] == "n":
            continue  # "1er", "2e", "2ème", "2nd"
        elif word in _ORDINAL_WORDS:
            out.append(("n", str(_ORDINAL_WORDS[word])))
        elif word in _PERIOD_WORDS:
            out.append(("p", str(_PERIOD_WORDS[word])))
        elif word in MONTHS:
            out.append(("m", str(MONTHS[word])))
        elif word in _FILLERS:
            continue
        else:
            return None
    return out


def _worded(text: str) -> Parsed:
    """Forms with words: month names, quarters, semesters."""
    tokens = _tokens(text)
    if not tokens:
        return None
    kinds = "".join(k for k, _ in tokens)
    values = [v for _, v in tokens]

    def year(digits: str, four_only: bool = False) -> int | None:
        return full_year(digits) if len(digits) == 4 or (len(digits) == 2 and not four_only) else None

    if kinds == "mn" and (y := year(values[1])) is not None:  # "juil.-19", "juillet 2011"
        return make_date(y, int(values[0]), 1, Precision.MONTH)
    if kinds == "nm" and (y := year(values[0], four_only=True)) is not None:  # "2020 mars"
        return make_date(y, int(values[1]), 1, Precision.MONTH)
    if kinds == "nmn" and len(values[0]) <= 2 and (y := year(values[2])) is not None:  # "1er juillet 2019"
        return make_date(y, int(values[1]), int(values[0]))
    if kinds == "mnn" and len(values[1]) <= 2 and (y := year(values[2], four_only=True)) is not None:  # "March 15, 2020"
        return make_date(y, int(values[0]), int(values[1]))
    if kinds == "pnn":  # "T1 2020", "Q3-21", "trimestre 1 2020"
        return _quarter_or_half(values[0], values[1], values[2])
    if kinds == "npn":  # "1er trimestre 2020", "2e semestre 2019", or year first: "2020-T1"
        if len(values[0]) == 4 and len(values[2]) <= 2:
            return _quarter_or_half(values[1], values[2], values[0])
        return _quarter_or_half(values[1], values[0], values[2])
    return None


def _quarter_or_half(kind: str, number: str, digits: str) -> Parsed:
    if len(number) > 2 or len(digits) not in (2, 4):
        return None
    return _period(int(kind), int(number), full_year(digits))


@lru_cache(maxsize=8192)
def parse_date(text: str, system: int = SYSTEM_1900) -> Parsed:
    """The date a cell means, the reason it cannot exist, or None when the form is not a date."""
    value = " ".join(text.split())
    if not value:
        return None
    if not any(c.isalpha() for c in value) or _YEAR_FIRST.fullmatch(value):
        return _numeric(value, system)
    return _worded(value)


def date_text(text: str, system: int = SYSTEM_1900) -> tuple[str, str | None]:
    """(canonical ISO text, None) for a date; (the cell unchanged, reason) for an impossible one;
    (the cell unchanged, None) for anything else."""
    parsed = parse_date(text, system)
    if isinstance(parsed, ParsedDate):
        return parsed.iso, None
    if isinstance(parsed, ImpossibleDate):
        return text, parsed.reason
    return text, None
