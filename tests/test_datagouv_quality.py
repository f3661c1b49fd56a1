"""The samples' output folder published on the real udata of the suite: udata's own quality score
reads 100 %, data resources carry their schema link and the validation summary, titles are French."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.sample_build import build_samples

from panorama.datagouv.apply import apply_plan
from panorama.datagouv.client import DatagouvClient
from panorama.datagouv.metadata import SPATIAL
from panorama.datagouv.plan import UNCHANGED, build_plan
from panorama.datagouv.resources import (
    EXTRA_DATE,
    EXTRA_ERRORS,
    EXTRA_VALID,
    EXTRA_WARNINGS,
    VALIDATION_SUMMARY_FILE,
    catalogue,
)
from panorama.datagouv.state import load_state
from panorama.edition import discover_editions
from panorama.settings import Target

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.udata


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("qualite")
    build_samples(root)
    return root / "publie"


def _publish(server, target, out, state_file):
    state = load_state(state_file, target)
    with DatagouvClient(target.api_url, server.api_key, backoff_base=0.01) as client:
        plan = build_plan(client, target, out, state)
        result = apply_plan(client, plan, out, state, state_file)
    return plan, result


def test_quality_score_is_full_and_resources_carry_schema_and_validation(udata_server, published, tmp_path):
    org = udata_server.new_organization("Qualité")
    target = Target(name="qualite", api_url=udata_server.api_url, organization_id=org)
    state_file = tmp_path / "qualite.json"
    _, result = _publish(udata_server, target, published, state_file)

    dataset = udata_server.dataset(result.dataset_id)
    quality = dataset["quality"]
    criteria = {k: v for k, v in quality.items() if k != "score"}
    assert all(criteria.values()), criteria
    assert quality["score"] == 1.0
    zones = [z["id"] if isinstance(z, dict) else z for z in dataset["spatial"]["zones"]]
    assert zones == SPATIAL["zones"] and dataset["spatial"]["granularity"] == "country"

    summary = json.loads((published / VALIDATION_SUMMARY_FILE).read_text(encoding="utf-8"))
    newest = max(e.date_publication for e in discover_editions(REPO / "data" / "raw")).isoformat()
    assert summary["date"] == newest  # the newest edition's date, not the clock
    ids = json.loads(state_file.read_text(encoding="utf-8"))["resources"]
    assert VALIDATION_SUMMARY_FILE not in ids  # read for the metadata, never published
    by_id = {r["id"]: r for r in dataset["resources"]}
    schema_url = f"{udata_server.api_url}/datasets/r/{ids['schema.json']}"
    for spec in catalogue(published):
        resource = by_id[ids[spec.key]]
        assert resource["title"] == spec.title
        if spec.type == "main":
            extras = resource["extras"]
            assert extras[EXTRA_VALID] is summary["valide"] is True
            assert extras[EXTRA_ERRORS] == 0 and extras[EXTRA_WARNINGS] == summary["avertissements"]
            assert extras[EXTRA_DATE] == newest
        if spec.key.startswith(("panorama-historique.", "panorama-derniere-edition.")) and spec.format != "xlsx":
            assert resource["schema"]["url"] == schema_url, spec.key
        for table, schema_key in (("panorama-indicateurs.", "schema-indicateurs.json"),
                                  ("panorama-repartitions.", "schema-repartitions.json")):
            if spec.key.startswith(table):  # every tabular resource points to the schema of its columns
                assert resource["schema"]["url"] == f"{udata_server.api_url}/datasets/r/{ids[schema_key]}"
                published_schema = json.loads((published / schema_key).read_text(encoding="utf-8"))
                assert {f["name"] for f in published_schema["fields"]} == set(
                    pd.read_csv(published / f"{table}csv", nrows=0).columns)
    titles = {by_id[ids[k]]["title"] for k in ids}
    assert "Graphique : projets et coût par tranche de coût" in titles
    assert "Toutes les tables pour tableur (XLSX)" in titles

    # Republishing the same folder changes nothing: the summary's date is the data's, not today's.
    plan, _ = _publish(udata_server, target, published, state_file)
    assert {s.action for s in plan.files} == {UNCHANGED}
    assert not any(s.metadata_changes for s in plan.files)
    assert plan.dataset.action == UNCHANGED, plan.dataset.changes
