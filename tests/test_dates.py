"""Start dates as people and spreadsheets write them (panorama/normalise/dates.py), cell by cell.

The same cells in real files, as each tool writes them, are in tests/test_dates_files.py.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from panorama.normalise import cells
from panorama.normalise.dates import (
    MONTHS, SYSTEM_1904, ImpossibleDate, ParsedDate, Precision, full_year, parse_date, serial_date,
)
from panorama.normalise.values import canonical_dates

D = dt.date


@pytest.mark.parametrize("cell,day,precision", [
    # ISO, with or without a time part, month only
    ("2020-03-01", D(2020, 3, 1), Precision.DAY), ("2020-03-01T10:30:00", D(2020, 3, 1), Precision.DAY),
    ("2020-03-01 00:00:00", D(2020, 3, 1), Precision.DAY), ("2020-03-01T00:00:00.000Z", D(2020, 3, 1), Precision.DAY),
    ("2020/3/1", D(2020, 3, 1), Precision.DAY), ("2020-03", D(2020, 3, 1), Precision.MONTH),
    # day first, as written in France, any separator, two- or four-digit year
    ("01/03/2020", D(2020, 3, 1), Precision.DAY), ("1/3/20", D(2020, 3, 1), Precision.DAY),
    ("01-03-2020", D(2020, 3, 1), Precision.DAY), ("01.03.20", D(2020, 3, 1), Precision.DAY),
    ("15/06/1998 00:00", D(1998, 6, 15), Precision.DAY), ("07/2011", D(2011, 7, 1), Precision.MONTH),
    ("7-2011", D(2011, 7, 1), Precision.MONTH),
    # month names: French and English, full or abbreviated, dots, dashes, case, accents
    ("juillet 2011", D(2011, 7, 1), Precision.MONTH), ("JUILLET 2011", D(2011, 7, 1), Precision.MONTH),
    ("juil.-19", D(2019, 7, 1), Precision.MONTH), ("janv-20", D(2020, 1, 1), Precision.MONTH),
    ("janv. 2020", D(2020, 1, 1), Precision.MONTH), ("jan 2020", D(2020, 1, 1), Precision.MONTH),
    ("févr. 2020", D(2020, 2, 1), Precision.MONTH), ("fevrier 2020", D(2020, 2, 1), Precision.MONTH),
    ("Février 2020", D(2020, 2, 1), Precision.MONTH), ("mars-22", D(2022, 3, 1), Precision.MONTH),
    ("Mars 2022", D(2022, 3, 1), Precision.MONTH), ("avr.-21", D(2021, 4, 1), Precision.MONTH),
    ("mai 2018", D(2018, 5, 1), Precision.MONTH), ("juin-18", D(2018, 6, 1), Precision.MONTH),
    ("août 2017", D(2017, 8, 1), Precision.MONTH), ("aout 2017", D(2017, 8, 1), Precision.MONTH),
    ("AOÛT-17", D(2017, 8, 1), Precision.MONTH), ("sept. 21", D(2021, 9, 1), Precision.MONTH),
    ("Sept. 21", D(2021, 9, 1), Precision.MONTH), ("oct.-16", D(2016, 10, 1), Precision.MONTH),
    ("nov. 2016", D(2016, 11, 1), Precision.MONTH), ("déc. 2008", D(2008, 12, 1), Precision.MONTH),
    ("dec-08", D(2008, 12, 1), Precision.MONTH), ("décembre 2008", D(2008, 12, 1), Precision.MONTH),
    ("Mar-22", D(2022, 3, 1), Precision.MONTH), ("Jul-19", D(2019, 7, 1), Precision.MONTH),
    ("Aug-19", D(2019, 8, 1), Precision.MONTH), ("May 2019", D(2019, 5, 1), Precision.MONTH),
    ("September 2021", D(2021, 9, 1), Precision.MONTH), ("juillet\u00a02011", D(2011, 7, 1), Precision.MONTH),
    # day, month name, year
    ("1er juillet 2019", D(2019, 7, 1), Precision.DAY), ("15 mars 2020", D(2020, 3, 15), Precision.DAY),
    ("01-Mar-20", D(2020, 3, 1), Precision.DAY), ("1-juil.-19", D(2019, 7, 1), Precision.DAY),
    ("March 15, 2020", D(2020, 3, 15), Precision.DAY),
    # quarters and semesters: first day of the period
    ("T1 2020", D(2020, 1, 1), Precision.QUARTER), ("Q3 2021", D(2021, 7, 1), Precision.QUARTER),
    ("1er trimestre 2020", D(2020, 1, 1), Precision.QUARTER), ("4e trimestre 2019", D(2019, 10, 1), Precision.QUARTER),
    ("2020-T2", D(2020, 4, 1), Precision.QUARTER), ("t4-21", D(2021, 10, 1), Precision.QUARTER),
    ("S2 2019", D(2019, 7, 1), Precision.SEMESTER), ("2e semestre 2019", D(2019, 7, 1), Precision.SEMESTER),
    ("2ème semestre 2019", D(2019, 7, 1), Precision.SEMESTER), ("1er semestre 2020", D(2020, 1, 1), Precision.SEMESTER),
    ("H1 2020", D(2020, 1, 1), Precision.SEMESTER), ("premier semestre 2020", D(2020, 1, 1), Precision.SEMESTER),
    # a year alone, as typed or as a spreadsheet stores a number
    ("2019", D(2019, 1, 1), Precision.YEAR), ("2019.0", D(2019, 1, 1), Precision.YEAR),
    ("2019,0", D(2019, 1, 1), Precision.YEAR),
    # spreadsheet day numbers (1900 system when nothing says otherwise)
    ("43647", D(2019, 7, 1), Precision.DAY), ("43647.0", D(2019, 7, 1), Precision.DAY),
    ("43647.75", D(2019, 7, 1), Precision.DAY),
])
def test_every_form_gives_the_first_day_of_what_it_names(cell: str, day: dt.date, precision: Precision) -> None:
    assert parse_date(cell) == ParsedDate(day, precision)


@pytest.mark.parametrize("cell,reason", [
    ("2024-13-01", "le mois 13 n'existe pas"),
    ("31/02/2020", "le 31 février 2020 n'existe pas (février 2020 compte 29 jours)"),
    ("29/02/2021", "février 2021 compte 28 jours"),
    ("00/03/2020", "le jour 0 n'existe pas"),
    ("32 mars 2020", "le jour 32 n'existe pas"),
    ("13/2020", "le mois 13 n'existe pas"),
    ("2020-00", "le mois 0 n'existe pas"),
    ("T5 2020", "le trimestre 5 n'existe pas"),
    ("3e semestre 2019", "le semestre 3 n'existe pas"),
])
def test_an_impossible_date_says_why(cell: str, reason: str) -> None:
    parsed = parse_date(cell)
    assert isinstance(parsed, ImpossibleDate) and reason in parsed.reason


@pytest.mark.parametrize("cell", ["juillet", "brumaire 2011", "12345", "jui 2020", "hier", "2019-2020", "1.5", "T 2020",
                                  "En cadrage", "07/11"])
def test_what_is_not_a_date_is_left_to_the_schema_check(cell: str) -> None:
    assert parse_date(cell) is None


def test_two_digit_years_follow_one_pivot() -> None:
    assert [full_year(y) for y in ("00", "19", "69", "70", "99", "2019")] == [2000, 2019, 2069, 1970, 1999, 2019]
    assert parse_date("juil.-75") == ParsedDate(D(1975, 7, 1), Precision.MONTH)
    assert parse_date("01/01/69") == ParsedDate(D(2069, 1, 1), Precision.DAY)


def test_serial_numbers_in_both_date_systems_and_the_1900_leap_year_bug() -> None:
    assert serial_date(1).day == D(1900, 1, 1)
    assert serial_date(59).day == D(1900, 2, 28)
    assert isinstance(serial_date(60), ImpossibleDate)  # Lotus's 29 February 1900, kept by Excel
    assert serial_date(61).day == D(1900, 3, 1)
    assert serial_date(43647).day == D(2019, 7, 1)
    assert serial_date(0, SYSTEM_1904).day == D(1904, 1, 1)
    assert serial_date(42185, SYSTEM_1904).day == D(2019, 7, 1)  # 1462 days after the 1900 system
    assert parse_date("42185", SYSTEM_1904) == ParsedDate(D(2019, 7, 1), Precision.DAY)


def test_month_abbreviations_are_unambiguous_prefixes() -> None:
    assert {MONTHS[k] for k in ("janv", "jan", "fev", "fevr", "feb", "avr", "apr", "juil", "jul", "aou", "aug",
                                "sept", "sep", "dec")} == {1, 2, 4, 7, 8, 9, 12}
    assert "jui" not in MONTHS and "ma" not in MONTHS  # juin/juillet, mars/mai


def test_column_and_list_paths_agree_and_parse_each_distinct_value_once() -> None:
    cells_in = ["juil.-19", " 31/02/2020 ", None, "", "2019", "hier", "juil.-19", "2024-13-01", "2014-07-01"]
    text, reasons = canonical_dates(pd.Series(cells_in, dtype=object))
    listed, listed_reasons = cells.date_cells(cells_in)
    as_list = [None if pd.isna(v) else v for v in text]
    assert as_list == listed == ["2019-07-01", "31/02/2020", None, None, "2019-01-01", "hier", "2019-07-01",
                                 "2024-13-01", "2014-07-01"]
    assert reasons.tolist() == listed_reasons
    assert [r is not None for r in listed_reasons] == [False, True, False, False, False, False, False, True, False]
