"""Plan and apply against a real udata 17.18.0: create, republish unchanged, change one file,
Parquet refused, adoption after a lost state, dry run (GETs only), whole-object dataset PUT."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from panorama.datagouv.apply import apply_plan
from panorama.datagouv.client import DatagouvClient, file_sha1
from panorama.datagouv.metadata import DATASET_TITLE, NOT_PUBLISHED
from panorama.datagouv.plan import CREATE, REFUSED, REPLACE, UNCHANGED, build_plan
from panorama.datagouv.state import load_state
from panorama.settings import Target
from support.faultproxy import FaultProxy
from support.udata import assert_published as check_server_matches
from support.udata import write_output_folder

pytestmark = pytest.mark.udata


def publish(server, target: Target, out: Path, state_file: Path, force: bool = False, api_url: str | None = None):
    """One real run: plan then apply; returns (plan, result, client stats)."""
    state = load_state(state_file, target)
    with DatagouvClient(api_url or target.api_url, server.api_key, backoff_base=0.01) as client:
        plan = build_plan(client, target, out, state, force)
        result = apply_plan(client, plan, out, state, state_file)
    return plan, result, client.stats


@pytest.fixture
def setup(udata_server, tmp_path):
    org = udata_server.new_organization("Publication")
    target = Target(name="essai", api_url=udata_server.api_url, organization_id=org)
    out = write_output_folder(tmp_path / "published")
    return udata_server, target, out, tmp_path / "publication" / "essai.json"


def test_first_publication_creates_everything(setup):
    server, target, out, state_file = setup
    plan, result, stats = publish(server, target, out, state_file)
    assert plan.dataset.action == CREATE
    assert {s.action for s in plan.files} == {CREATE}
    assert not any(s.key.startswith("tableau-de-bord") for s in plan.files)
    dataset = check_server_matches(server, result.dataset_id, out, {"csv", "parquet", "json", "png", "txt"}, state_file)
    assert stats.uploads == len(plan.files)
    assert dataset["title"] == DATASET_TITLE and dataset["license"] == "lov2"
    assert dataset["frequency"] == "semiannual"
    assert dataset["temporal_coverage"] == {"start": "2016-11-15", "end": "2017-11-15"}
    assert "grands-projets-numeriques" in dataset["tags"]
    rid = json.loads(state_file.read_text())["resources"]
    assert f"{server.api_url}/datasets/r/{rid['panorama-historique.csv']}" in dataset["description"]
    assert "{{lien:" not in dataset["description"]
    by_id = {r["id"]: r for r in dataset["resources"]}
    schema_url = f"{server.api_url}/datasets/r/{rid['schema.json']}"
    assert by_id[rid["panorama-historique.csv"]]["schema"]["url"] == schema_url
    assert by_id[rid["panorama-historique.csv"]]["type"] == "main"
    assert by_id[rid["CHANGELOG.md"]]["type"] == "documentation"
    assert by_id[rid["panorama-indicateurs.csv"]]["schema"] is None
    assert by_id[rid["panorama-historique.parquet"]]["schema"]["url"] == schema_url  # same columns as the CSV
    types = [r["type"] for r in dataset["resources"]]  # display order: data first, then documentation
    assert types == sorted(types, key=lambda t: t != "main") and dataset["resources"][0]["id"] == rid["panorama-historique.csv"]
    rows = {row["fichier"]: row for row in result.rows}
    assert rows["panorama-historique.csv"]["url"] == f"{server.api_url}/datasets/r/{rid['panorama-historique.csv']}"
    assert rows["panorama-historique.csv"]["sha1"] == file_sha1(out / "panorama-historique.csv")


def test_republishing_unchanged_files_uploads_nothing_and_writes_nothing(setup):
    server, target, out, state_file = setup
    with FaultProxy("127.0.0.1", server.port) as proxy:  # no fault: it only records the calls
        proxied = Target(name="essai", api_url=proxy.api_url, organization_id=target.organization_id)
        publish(server, proxied, out, state_file)
        first_run = len(proxy.seen)
        plan, result, stats = publish(server, proxied, out, state_file)
        methods = {s.method for s in proxy.seen[first_run:]}
    assert {s.action for s in plan.files} == {UNCHANGED}
    assert plan.dataset.action == UNCHANGED
    assert stats.uploads == 0 and stats.bytes_uploaded == 0 and stats.upload_requests == 0
    assert methods == {"GET"}
    assert {row["action"] for row in result.rows} == {"inchangé"}


def test_changing_one_file_replaces_only_that_file_in_place(setup):
    server, target, out, state_file = setup
    _, first, _ = publish(server, target, out, state_file)
    before = {r["id"]: r for r in server.resources(first.dataset_id)}
    changed = out / "panorama-indicateurs.csv"
    changed.write_text(changed.read_text() + "ed-9,2019-05-15,3\n", encoding="utf-8")
    plan, result, stats = publish(server, target, out, state_file)
    actions = {s.key: s.action for s in plan.files}
    assert actions.pop("panorama-indicateurs.csv") == REPLACE
    assert set(actions.values()) == {UNCHANGED}
    # Only this file went up (a retry may resend it: udata refuses a same-name upload within the
    # same second as the previous one, see client.pause).
    assert stats.uploads == 1 and stats.bytes_uploaded == stats.upload_requests * changed.stat().st_size
    check_server_matches(server, first.dataset_id, out, {"csv", "parquet", "json", "png", "txt"}, state_file)
    after = {r["id"]: r for r in server.resources(first.dataset_id)}
    assert set(after) == set(before)  # same ids: replaced in place, not deleted then created
    rid = json.loads(state_file.read_text())["resources"]["panorama-indicateurs.csv"]
    served = requests.get(f"{server.api_url}/datasets/r/{rid}", timeout=30)
    assert served.content == changed.read_bytes()  # the stable link now gives the new file
    assert server.dataset(first.dataset_id)["temporal_coverage"]["end"] == "2019-05-15"


def test_force_replaces_every_file(setup):
    server, target, out, state_file = setup
    publish(server, target, out, state_file)
    plan, _, stats = publish(server, target, out, state_file, force=True)
    assert {s.action for s in plan.files} == {REPLACE}
    assert stats.uploads == len(plan.files)
    assert [s.adopted for s in plan.files] == [False] * len(plan.files)


def test_dataset_update_keeps_fields_we_do_not_manage(setup):
    """udata's PUT is not a PATCH (#2468): we send the whole object, so other fields survive."""
    server, target, out, state_file = setup
    _, first, _ = publish(server, target, out, state_file)
    dataset = server.dataset(first.dataset_id)
    dataset["acronym"] = "PGPN"
    dataset["tags"] = [*dataset["tags"], "ajout-manuel"]
    requests.put(f"{server.api_url}/datasets/{first.dataset_id}/", json=dataset, headers=server.headers,
                 timeout=30).raise_for_status()
    (out / "description-jeu-de-donnees.md").write_text("Nouvelle description.\n", encoding="utf-8")
    plan, _, _ = publish(server, target, out, state_file)
    assert set(plan.dataset.changes) == {"description", "tags"}
    after = server.dataset(first.dataset_id)
    assert after["description"] == "Nouvelle description."
    assert after["acronym"] == "PGPN"
    assert after["temporal_coverage"] == {"start": "2016-11-15", "end": "2017-11-15"}
    assert len(after["resources"]) == len(plan.files)


def test_a_lost_state_adopts_the_existing_dataset_and_resources(setup):
    server, target, out, state_file = setup
    _, first, _ = publish(server, target, out, state_file)
    original = json.loads(state_file.read_text())
    state_file.unlink()
    plan, second, stats = publish(server, target, out, state_file)
    assert plan.dataset.adopted and second.dataset_id == first.dataset_id
    assert all(s.adopted and s.action == UNCHANGED for s in plan.files)
    assert stats.uploads == 0
    assert json.loads(state_file.read_text()) == original
    assert server.count_datasets(target.organization_id) == 1


def test_a_resource_with_the_upload_title_is_adopted_not_duplicated(setup):
    """A run killed between an upload and its metadata leaves a resource titled with the file name."""
    server, target, out, state_file = setup
    _, first, _ = publish(server, target, out, state_file)
    state = json.loads(state_file.read_text())
    rid = state["resources"].pop("panorama-repartitions.csv")
    state_file.write_text(json.dumps(state))
    requests.put(f"{server.api_url}/datasets/{first.dataset_id}/resources/{rid}/", headers=server.headers,
                 json={"title": "panorama-repartitions.csv"}, timeout=30).raise_for_status()
    plan, _, stats = publish(server, target, out, state_file)
    step = next(s for s in plan.files if s.key == "panorama-repartitions.csv")
    assert step.adopted and step.resource_id == rid and step.action == UNCHANGED
    assert set(step.metadata_changes) == {"title"}
    assert stats.uploads == 0
    check_server_matches(server, first.dataset_id, out, {"csv", "parquet", "json", "png", "txt"}, state_file)


def test_dry_run_plan_only_reads(setup):
    server, target, out, state_file = setup
    with FaultProxy("127.0.0.1", server.port) as proxy:
        state = load_state(state_file, target)
        with DatagouvClient(proxy.api_url, server.api_key) as client:
            plan = build_plan(client, target, out, state)
        assert {s.method for s in proxy.seen} == {"GET"}
    plan_file = state_file.parent / "plan.json"
    plan.write_json(plan_file)
    data = json.loads(plan_file.read_text(encoding="utf-8"))
    assert data["dataset"]["action"] == CREATE
    assert [f["key"] for f in data["files"]][0] == "schema.json"
    assert server.count_datasets(target.organization_id) == 0
    assert not state_file.exists()


def test_parquet_refused_the_rest_is_published(udata_server_no_parquet, tmp_path):
    server = udata_server_no_parquet
    org = server.new_organization("Sans Parquet")
    target = Target(name="sans-parquet", api_url=server.api_url, organization_id=org)
    out = write_output_folder(tmp_path / "published")
    state_file = tmp_path / "publication" / "sans-parquet.json"
    plan, result, _ = publish(server, target, out, state_file)
    refused = [s for s in plan.files if s.action == REFUSED]
    assert sorted(s.key for s in refused) == sorted(p.name for p in out.glob("*.parquet"))
    for step in refused:
        assert "format .parquet n'est pas accepté" in step.reason and "les autres le sont" in step.reason
    assert any("refusé" in line and "parquet" in line for line in plan.lines())
    allowed = {"csv", "json", "png", "txt"}
    dataset = check_server_matches(server, result.dataset_id, out, allowed, state_file)
    assert not any(r["format"] == "parquet" for r in dataset["resources"])
    assert f"[Historique Parquet]({NOT_PUBLISHED})" in dataset["description"]
    rows = {r["fichier"]: r for r in result.rows}
    assert rows["panorama-historique.parquet"]["action"].startswith("refusé") and rows["panorama-historique.parquet"]["url"] == ""
    plan2, _, stats = publish(server, target, out, state_file)
    assert stats.uploads == 0 and {s.action for s in plan2.files} == {UNCHANGED, REFUSED}


def test_a_catalogue_schema_name_is_used_when_given(setup):
    server, target, out, state_file = setup
    state = load_state(state_file, target)
    with DatagouvClient(target.api_url, server.api_key) as client:
        plan = build_plan(client, target, out, state, schema_name="etalab/schema-panorama-grands-projets")
        result = apply_plan(client, plan, out, state, state_file)
    rid = json.loads(state_file.read_text())["resources"]
    by_id = {r["id"]: r for r in server.resources(result.dataset_id)}
    assert by_id[rid["panorama-historique.csv"]]["schema"]["name"] == "etalab/schema-panorama-grands-projets"
    assert by_id[rid["panorama-historique.csv"]]["schema"]["url"] is None
    with DatagouvClient(target.api_url, server.api_key) as client:
        again = build_plan(client, target, out, load_state(state_file, target),
                           schema_name="etalab/schema-panorama-grands-projets")
    assert not any(s.metadata_changes for s in again.files)
