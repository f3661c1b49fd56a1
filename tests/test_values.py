"""Cell values as ministries type them → canonical text; the ministries reference table."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from panorama.normalise.ministries import REFERENCE_PATH, load_ministries, ministry_key, resolve_ministry
from panorama.normalise.values import (
    canonical_boolean, canonical_bracket, canonical_date, canonical_number, canonical_phase, canonical_urls,
    merge_links, plain_keys, split_html, strip_html,
)

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-editions"


def _texts(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def test_french_numbers():
    cells = ["4,5", "1 234,5", "1\u202f234,5", "1\u00a0234,5", "12 M€", "52.4", " 7 ", "3 ans", None, "", "abc", "1,2,3"]
    text, cadrage = canonical_number(pd.Series(cells, dtype=object))
    assert _texts(text) == ["4.5", "1234.5", "1234.5", "1234.5", "12", "52.4", "7", "3", None, None, "abc", "1,2,3"]
    assert not cadrage.any()


def test_en_cadrage_in_a_number_cell_is_no_number_and_flagged():
    text, cadrage = canonical_number(pd.Series(["En cadrage", "en  CADRAGE", "12"], dtype=object))
    assert _texts(text) == [None, None, "12"]
    assert cadrage.tolist() == [True, True, False]


@pytest.mark.parametrize("cell,iso", [
    ("2014-07-01", "2014-07-01"), ("01/07/2014", "2014-07-01"), ("1/7/2014", "2014-07-01"),
    ("juillet 2011", "2011-07-01"), ("Juillet 2011", "2011-07-01"), ("JUILLET 2011", "2011-07-01"),
    ("décembre 2008", "2008-12-01"), ("fevrier 2015", "2015-02-01"), ("07/2011", "2011-07-01"),
    ("41821", "2014-07-01"), ("41821.0", "2014-07-01"), ("2014-07-01 00:00:00", "2014-07-01"),
    ("31/02/2014", "31/02/2014"), ("juillet", "juillet"), ("12345", "12345"), ("brumaire 2011", "brumaire 2011"),
])
def test_dates(cell, iso):
    assert _texts(canonical_date(pd.Series([cell, "2015-01-01"], dtype=object))) == [iso, "2015-01-01"]


def test_booleans():
    cells = ["Oui", "oui", "OUI", "O", "true", "Vrai", "1", "Non", "non", "N", "false", "0", "peut-être", None]
    assert _texts(canonical_boolean(pd.Series(cells, dtype=object))) == (
        ["Oui"] * 7 + ["Non"] * 5 + ["peut-être", None])


def test_phases():
    cells = ["cadrage", "CONCEPTION / RÉALISATION", "Conception/Realisation", "deploiement", "Expérimentation",
             "termine", "Révision de trajectoire", "En production"]
    assert _texts(canonical_phase(pd.Series(cells, dtype=object))) == [
        "Cadrage", "Conception / Réalisation", "Conception / Réalisation", "Déploiement", "Expérimentation",
        "Terminé", "Révision de trajectoire", "En production"]


def test_cost_brackets():
    cells = ["< 5 M€", "moins de 5M€", "entre 5 et 9 M€", "Entre 9 et 20 M€", "entre 20 et 100 M€", "> 100 M€",
             "plus de 100 M€", "En cadrage", "beaucoup"]
    assert _texts(canonical_bracket(pd.Series(cells, dtype=object))) == [
        "moins de 5 M€", "moins de 5 M€", "entre 5 et 9 M€", "entre 9 et 20 M€", "entre 20 et 100 M€",
        "plus de 100 M€", "plus de 100 M€", "en cadrage", "beaucoup"]


def test_urls_are_joined_by_one_space():
    cells = ["https://a.fr ; https://b.fr", "https://a.fr/                  https://b.fr/x", "www.exemple.gouv.fr",
             "http://x.fr/p.pdf#page=3", "pas une adresse"]
    assert _texts(canonical_urls(pd.Series(cells, dtype=object))) == [
        "https://a.fr https://b.fr", "https://a.fr/ https://b.fr/x", "http://www.exemple.gouv.fr",
        "http://x.fr/p.pdf#page=3", "pas une adresse"]


def test_html_description_gives_text_and_links():
    cell = ('Le projet API-PNR &amp; co. (<a href="http://www.pnr.gouv.fr/   https://b.fr/" target="_blank" '
            'title="en savoir plus">en savoir plus</a>)')
    text, links = strip_html(cell)
    assert text == "Le projet API-PNR & co."
    assert links == ["http://www.pnr.gouv.fr/", "https://b.fr/"]


def test_funding_anchor_gives_programme_and_pap_link():
    text, links = split_html(pd.Series(['<a href="https://pap.fr/129.pdf" target="_blank">Coordination (P129)</a>',
                                        "Patrimoines (P175)", None], dtype=object))
    assert _texts(text) == ["Coordination (P129)", "Patrimoines (P175)", None]
    assert _texts(links) == ["https://pap.fr/129.pdf", None, None]


def test_merge_links_drops_repeats():
    merged = merge_links(pd.Series(["https://a.fr", None, "https://a.fr"], dtype=object),
                         pd.Series([None, "https://b.fr", "https://a.fr https://c.fr"], dtype=object))
    assert _texts(merged) == ["https://a.fr", "https://b.fr", "https://a.fr https://c.fr"]


def test_plain_keys_ignore_accents_case_and_punctuation():
    assert _texts(plain_keys(pd.Series(["SÉGUR-FONTENOY", "Ségur Fontenoy", None], dtype=object))) == [
        "segurfontenoy", "segurfontenoy", None]


# Ministries -----------------------------------------------------------------------------------

@pytest.mark.parametrize("spelling,code", [
    ("SPM", "SPM"), ("Premier ministre", "SPM"), ("Services du Premier Ministre", "SPM"),
    ("MAEDI", "MAEDI"), ("MEA", "MEAE"), ("MAAF", "MAAF"), ("MCC", "MCC"), ("MINDEF", "MINDEF"), ("MAr", "MAr"),
    ("Ministère des Armées", "MAr"), ("MENESR", "MENESR"), ("MEEM", "MEEM"), ("MTES", "MTES"),
    ("Ministère de l'Economie et des Finances", "MEF"), ("Ministères de l'Économie et des Finances", "MEF"),
    ("Ministère de l'Action et des Comptes Publics", "MACP"), ("Ministère chargé des Affaires Sociales", "MCAS"),
    ("Ministère de la Transition écologique et solidaire / Ministère de l'Agriculture et de l'Alimentation", "MTES-MAA"),
    ("Ministère de l'Intérieur / Ministère de la Justice", "MI-MJ"),
])
def test_ministries_resolve(spelling, code):
    found = resolve_ministry(spelling)
    assert found is not None and found.code == code


def test_unknown_ministry_is_none():
    assert resolve_ministry("Ministère des Bidules") is None
    assert resolve_ministry("  ") is None


def test_reference_table_is_consistent():
    ministries = load_ministries()
    codes = {m.code for m in ministries}
    keys: dict[str, str] = {}
    for m in ministries:
        for spelling in (m.code, m.nom, *m.aliases):
            key = ministry_key(spelling)
            assert keys.setdefault(key, m.code) == m.code, f"{spelling!r} names {keys[key]} and {m.code}"
        assert m.successeur is None or m.successeur in codes, m.code
    renamed = {m.code: m.successeur for m in ministries}
    for old, new in (("MAEDI", "MEAE"), ("MAAF", "MAA"), ("MCC", "MC"), ("MINDEF", "MAr"), ("MENESR", "MEN"), ("MEEM", "MTES")):
        assert renamed[old] == new


def test_every_ministry_of_the_real_editions_is_known():
    if not REAL.is_dir():
        pytest.skip("../shared/real-editions absent")
    seen = set()
    for path in REAL.glob("*/*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for label, value in row.items():
                    if label and label.strip() in ("Ministère porteur", "Ministère nom complet") and value.strip():
                        seen.add(value.strip())
    assert len(seen) > 20
    assert [s for s in seen if resolve_ministry(s) is None] == []
    assert REFERENCE_PATH.is_file()
