"""The list path for small tables and the vectorised path for large ones give identical results.

Each input is validated twice, with the threshold forced so that every table takes one path, then
the other; findings, typed tables and report texts must be equal, value for value and type for type.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from panorama.edition import load_edition
from panorama.normalise import cells
from panorama.validation.report import submission_report
from panorama.validation.submission import validate_edition, validate_paths

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (REPO / "data" / "raw").glob("*") if p.is_dir())
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-editions"
SCHEMA_DIR = REPO / "schemas" / "panorama-grands-projets"

HEADER = ["Identifiant", "Ministère porteur", "Nom du projet", "Description et objectifs", "En savoir plus",
          "Projet inter-ministériel", "Début", "Durée prévisionnelle en année", "Phase du projet en cours",
          "Coût estimé (M€)", "Coût estimé par tranche", "Zone fonctionnelle", "Financement [programme(s)]",
          "Lien PAP", "Coût initial", "Coût actualisé", "Durée initiale", "Durée actualisée"]
ROWS = [
    ["mi-a", "MI", "Projet Alpha", "Texte <a href='https://a.fr/x'>en savoir plus</a>", "", "oui", "juillet 2011",
     "3,5", "deploiement", "12 M€", "entre 9 et 20 M€", "Sécurité", '<a href="https://pap.fr/p1">P1</a>', "",
     "1 234,5", "1 300", "3", "3,5"],
    ["mi-a", "Ministère de l'Intérieur", "projet alpha", "", "www.a.fr; https://b.fr/y.", "N", "01/07/2014",
     "En cadrage", "Cadrage", "En  cadrage", "en cadrage", "", "P2", "https://pap.fr/p2", "", "", "-1", "0"],
    ["", "Ministère inconnu", "=HYPERLINK(\"x\")", "a\x07b", "pas une adresse", "Peut-être", "2030-01-01", "x",
     "En production", "-12.5", "< 5 M€", "", "", "ftp://x", "1e3", "abc", "60", "2"],
    ["Bad ID!", "MJ / MEF", "Ünïcödé ﬁ Ⅻ ＡＢＣ 𝔸", "\r\nligne\r", "", "1", "07/2011", "2", "Terminé", "52,4",
     "plus de 100 M€", "Zone", "", "", "4.", ".5", "0,01", "50"],
    ["mj-b", "MJ", "Projet Bêta", "", "", "", "", "1", "Conception", "3", "moins de 5 M€", "", "", "", "", "",
     "", ""],
    ["mj-c", "SPM", "Projet Gamma", "", "", "Vrai", "45000", "1.5", "revision de trajectoire", "100001", "",
     "", "", "", "", "", "", ""],
    ["mj-d", "SPM", "  ", "", "", "Oui", "1985-02-30", "", "Expérimentation", "0", "", "", "", "", "", "", "", ""],
]


def _run(monkeypatch: pytest.MonkeyPatch, threshold: int, fn):
    monkeypatch.setattr(cells, "SMALL_TABLE_ROWS", threshold)
    return fn()


def _same_results(small, large) -> None:
    assert len(small) == len(large)
    for a, b in zip(small, large):
        assert [vars(f) for f in a.findings] == [vars(f) for f in b.findings]
        assert (a.rows_read, a.rows_accepted, a.labels) == (b.rows_read, b.rows_accepted, b.labels)
        _same_frame(a.table, b.table)
        assert submission_report(a) == submission_report(b)


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    for name in a.columns:
        if a[name].dtype == object:
            assert [type(v) for v in a[name]] == [type(v) for v in b[name]], name


def _both(monkeypatch: pytest.MonkeyPatch, fn):
    return _run(monkeypatch, 10**9, fn), _run(monkeypatch, -1, fn)


def test_tricky_cells_give_the_same_findings_and_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ministere.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([HEADER, *ROWS])
    small, large = _both(monkeypatch, lambda: validate_paths([path]))
    kinds = {f.type for f in small[0].findings}
    # the file exercises every family of finding the two paths compute differently
    assert {"type-error", "constraint-error", "ministere-inconnu", "formule-tableur", "caractere-de-controle",
            "projet-en-double"} <= kinds
    _same_results(small, large)


@pytest.mark.parametrize("name", ["exemple-valide.csv", "exemple-invalide.csv"])
def test_schema_examples_give_the_same_results(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = _both(monkeypatch, lambda: validate_paths([SCHEMA_DIR / name]))
    _same_results(small, large)


@pytest.mark.parametrize("folder", SAMPLES + sorted(p for p in REAL.glob("*") if p.is_dir()),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_editions_give_the_same_results(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edition = load_edition(folder)
    small, large = _both(monkeypatch, lambda: validate_edition(edition))
    _same_results(small.submissions, large.submissions)
    _same_frame(small.table, large.table)


def test_name_keys_in_python_match_arrow_below_the_safe_limit() -> None:
    """The list path keys project names with Python's unicodedata only where it agrees with Arrow."""
    from panorama.normalise.values import plain_keys
    from panorama.validation.checks import _KEY_SAFE_BELOW, _name_key

    chars = [chr(c) for c in range(1, _KEY_SAFE_BELOW) if not 0xD800 <= c < 0xE000]
    names = [f"É{c}x" for c in chars] + [f"{c}A{c}" for c in chars]
    arrow = plain_keys(pd.Series(names, dtype=object)).tolist()
    assert [_name_key(n) for n in names] == arrow
    beyond = ["ＡＢＣ 𝔸 Ⅻ", "x\u209dy"]  # above the limit: Arrow itself is asked
    assert [_name_key(n) for n in beyond] == plain_keys(pd.Series(beyond, dtype=object)).tolist()


def test_arrow_text_matches_pandas_conversion_and_leaves_cells_unchanged() -> None:
    """Cells reach Arrow as pandas would convert them, without growing the str objects of the table."""
    import sys

    import numpy as np

    from panorama.normalise.values import TEXT, text_series

    def fresh(i: int) -> str:
        return f"Projet n° {i} « été »"

    lean = [
        [fresh(1), None, "", np.nan, "a\nb", pd.NA, "𝔸b", " x "],
        ["ascii", None, "", "a\x00b"], [None, None], [""], [fresh(2)],
    ]
    fallback = [["é\x00", "b"], [], [3, "x"]]  # separator in a non-ASCII cell, nothing, not text: pandas converts
    for i, cells_ in enumerate(lean + fallback):
        series = pd.Series(cells_, dtype=object, index=range(7, 7 + len(cells_)))
        sizes = [sys.getsizeof(v) for v in cells_]
        converted = text_series(series)
        if i < len(lean):
            assert [sys.getsizeof(v) for v in cells_] == sizes
        expected = pd.Series(series.astype(object).where(series.notna(), None), index=series.index, dtype=TEXT)
        pd.testing.assert_series_equal(converted, expected)


def test_rows_dropped_column_by_column_equal_the_plain_filter(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from panorama.validation import submission, vectorised

    path = tmp_path / "ministere.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([HEADER, *ROWS])
    monkeypatch.setattr(cells, "SMALL_TABLE_ROWS", 0)  # the vectorised path, whose rows are dropped column by column
    owned = submission.validate_submission(path)
    monkeypatch.setattr(vectorised, "_accept_owned", lambda result, box: vectorised.accept_frame(result, box.pop()))
    plain = submission.validate_submission(path)
    assert 0 < owned.rows_accepted < owned.rows_read
    _same_frame(owned.table, plain.table)
    assert owned.rows_accepted == plain.rows_accepted
