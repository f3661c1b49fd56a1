"""The five real published editions validate with no blocking finding and the published project counts."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from panorama.edition import load_edition
from panorama.model import NUMBER_FIELDS, PROVENANCE_COLUMNS, project_fields
from panorama.validation.report import write_reports
from panorama.validation.submission import validate_edition

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-editions"


def _figures() -> dict[str, dict[str, str]]:
    if not (REAL / "figures.csv").is_file():
        return {}
    with (REAL / "figures.csv").open(encoding="utf-8", newline="") as fh:
        return {r["edition"]: r for r in csv.DictReader(fh)}


FIGURES = _figures()


@pytest.fixture(scope="module")
def validations():
    if not FIGURES:
        pytest.skip("../shared/real-editions absent")
    return {e: validate_edition(load_edition(REAL / e)) for e in FIGURES}


@pytest.mark.parametrize("edition", sorted(FIGURES) or ["absent"])
def test_edition_has_no_blocking_finding_and_the_published_count(validations, edition):
    v = validations[edition]
    blocking = [f for s in v.submissions for f in s.findings if f.blocking]
    assert blocking == [] and v.publishable
    expected = int(FIGURES[edition]["nombre_projets"])
    assert len(v.table) == expected
    assert sum(s.rows_read for s in v.submissions) == expected
    assert int(v.table["projet_interministeriel"].sum()) == int(FIGURES[edition]["nombre_projets_interministeriels"])


@pytest.mark.parametrize("edition", sorted(FIGURES) or ["absent"])
def test_edition_table_follows_the_contract(validations, edition):
    t = validations[edition].table
    assert list(t.columns) == [*project_fields(), *PROVENANCE_COLUMNS]
    assert t["ministere_code"].notna().all() and t["ministere_nom"].notna().all()
    assert t["nom_projet"].notna().all() and t["phase"].notna().all()
    assert all(t[c].dtype == "float64" for c in NUMBER_FIELDS)
    assert t["date_debut"].dtype == "datetime64[ns]" and t["projet_interministeriel"].dtype == "boolean"
    assert t["nom_projet"].dtype == object and t["_ligne"].dtype == "int64"
    assert not t["description"].str.contains("<a ", regex=False).any()
    links = t["liens_projet"].dropna()
    assert links.str.fullmatch(r"https?://\S+( https?://\S+)*").all()
    keys = list(zip(t["ministere_code"], t["nom_projet"]))
    assert keys == sorted(keys)


def test_quirks_are_understood(validations):
    first = validations["2016-11"]
    types = {f.type for s in first.submissions for f in s.findings}
    assert "colonne-ignoree" in types  # "Date de publication"
    assert first.table["cout_estime_meur"].isna().sum() == 8  # "En cadrage" costs: no number
    assert round(first.table["cout_estime_meur"].sum() / 1000, 2) == float(FIGURES["2016-11"]["cout_total_mdeur_publie"])
    dashboard = validations["2017-02"].table
    assert dashboard["liens_projet"].notna().sum() > 10  # links pulled out of the HTML descriptions
    assert dashboard["date_debut"].notna().sum() == len(dashboard)  # "juillet 2011" dates
    joint = validations["2018-07"].table
    assert "MTES-MAA" in set(joint["ministere_code"]) and "MAr" in set(joint["ministere_code"])
    funded = validations["2017-11"].table
    assert funded["lien_pap"].notna().sum() > 40  # funding anchors → PAP links
    assert not funded["programme_financement"].str.contains("<", regex=False).any()


def test_reports_for_a_real_edition(validations, tmp_path):
    paths = write_reports(validations["2018-07"], tmp_path)
    assert {p.name for p in paths} >= {"synthese.json", "synthese.md"}
    assert pd.read_json(tmp_path / "synthese.json", typ="series")["nombre_de_projets"] == int(FIGURES["2018-07"]["nombre_projets"])
