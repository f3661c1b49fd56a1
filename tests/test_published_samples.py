"""The published folder built from the bundled samples, read as a reuser reads it: numbers as
people write them in every CSV, one dashboard sheet per project with the history's values."""
from __future__ import annotations

import csv
import json
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from support.sample_build import build_samples

from panorama.export.rounding import decimals_for

ARTEFACT = re.compile(r"\d\.\d*0000000\d|9999999\d")
PAGE = "tableau-de-bord/index.html"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("echantillons")
    build_samples(root)
    return root / "publie"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_no_binary_float_artefact_and_no_excess_decimals_in_any_csv(published):
    files = sorted(published.glob("*.csv"))
    assert len(files) == 4
    schemas = {r["path"]: r["schema"] for r in json.loads((published / "datapackage.json").read_text())["resources"]
               if r["format"] == "csv"}
    checked = 0
    for path in files:
        numbers = {f["name"] for f in schemas[path.name]["fields"] if f["type"] == "number"}
        for line, row in enumerate(_rows(path), start=2):
            for column, value in row.items():
                assert not ARTEFACT.search(value) or column not in numbers, (path.name, line, column, value)
                if column in numbers and value:
                    decimals = len(value.split(".")[1]) if "." in value else 0
                    assert decimals <= decimals_for(column), (path.name, line, column, value)
                    checked += 1
    assert checked > 500
    # The sums and means of the figures are rounded too (they were 3161.7200000000003 and 7.240844282918729).
    figures = _rows(published / "panorama-indicateurs.csv")
    assert figures[0]["cout_total_meur"] == "3161.72" and figures[0]["duree_moyenne_annees"] == "7.241"


def test_integer_columns_stay_integers_in_parquet(published):
    frame = pd.read_parquet(published / "panorama-indicateurs.parquet")
    assert str(frame["projets_entrants"].dtype) == "Int64"
    assert frame["projets_entrants"].isna().tolist()[0]  # the first edition has no previous one


def test_one_sheet_per_project_of_the_latest_edition_with_the_history_values(published):
    page = (published / PAGE).read_text(encoding="utf-8")
    history = _rows(published / "panorama-historique.csv")
    latest = _rows(published / "panorama-derniere-edition.csv")
    sheets = re.findall(r'<details class="fiche" id="projet-([^"]+)">(.*?)</details>', page, flags=re.DOTALL)
    assert sorted(ident for ident, _ in sheets) == sorted(r["identifiant"] for r in latest)
    by_project: dict[str, list[dict[str, str]]] = {}
    for row in history:
        by_project.setdefault(row["identifiant"], []).append(row)
    multi = 0
    for ident, sheet in sheets:
        rows = sorted(by_project[ident], key=lambda r: int(r["numero_edition"]))
        shown = re.findall(r'<tr data-edition="([^"]+)">(.*?)</tr>', sheet, flags=re.DOTALL)
        assert [e for e, _ in shown] == [r["edition"] for r in rows], ident
        for (edition, cells), row in zip(shown, rows, strict=True):
            for field in ("cout_estime_meur", "duree_previsionnelle_annees"):
                value = re.search(rf'data-champ="{field}" data-valeur="([^"]*)"', cells).group(1)
                assert value == row[field] or float(value) == float(row[field]), (ident, edition, field)
            assert f"<td>{row['phase'] or '–'}</td>" in unescape(cells), (ident, edition)
        assert 'class="chart chart-line"' in sheet and "<table" in sheet
        multi += len(rows) > 1
    assert multi > 10  # most projects appear in several editions: a real trajectory


def test_filtered_rows_data_is_json_safe_for_the_html_context(published):
    page = (published / PAGE).read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="donnees-projets">(.*?)</script>', page, flags=re.DOTALL).group(1)
    assert "<" not in block and ">" not in block
    records = json.loads(block)
    latest = _rows(published / "panorama-derniere-edition.csv")
    assert [r["identifiant"] for r in records] != [] and len(records) == len(latest)
    by_id = {r["identifiant"]: r for r in latest}
    for record in records:
        published_cost = by_id[record["identifiant"]]["cout_estime_meur"]
        assert (record["cout_estime_meur"] is None) == (published_cost == "")
        if published_cost:
            assert record["cout_estime_meur"] == float(published_cost)
