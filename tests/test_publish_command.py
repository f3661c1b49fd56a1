"""`publish_command` end to end against the real udata: exit codes, French messages, the
production guard, dry run, ad-hoc target, and the API key absent from everything written."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from panorama.cli.publish import publish_command
from support.udata import assert_published, write_output_folder

ALLOWED = {"csv", "parquet", "json", "png", "txt"}


def settings_file(tmp_path: Path, api_url: str, org: str, production: bool = False) -> Path:
    path = tmp_path / "panorama.toml"
    path.write_text(
        "[cibles.essai]\n"
        f'api_url = "{api_url}"\n'
        f'organization_id = "{org}"\n'
        f"production = {'true' if production else 'false'}\n", encoding="utf-8")
    return path


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: no key, no settings file unless a test sets them."""
    monkeypatch.delenv("DATAGOUV_API_KEY", raising=False)
    monkeypatch.setenv("PANORAMA_SETTINGS", str(tmp_path / "absent.toml"))
    return monkeypatch


def call(out: Path, state_dir: Path, target: str | None = "essai", api_url: str | None = None,
         dataset: str | None = None, dry_run: bool = False, force: bool = False, yes: bool = False) -> int:
    return publish_command(out, target, api_url, dataset, dry_run, force, yes, state_dir)


@pytest.mark.parametrize("args, expected", [
    (dict(target=None), "Indiquez la cible"),
    (dict(target="inconnue"), "Cible « inconnue » inconnue"),
    (dict(target=None, api_url="https://demo.data.gouv.fr/api/1"), "indiquez aussi --dataset"),
    (dict(target=None, api_url="https://demo.data.gouv.fr/api/1", dataset="mon-slug"), "24 caractères hexadécimaux"),
    (dict(target="essai", api_url="https://demo.data.gouv.fr/api/1"), "pas les deux"),
])
def test_settings_errors_exit_2_with_a_french_message(env, tmp_path, capsys, args, expected):
    env.setenv("DATAGOUV_API_KEY", "udata_k")
    assert call(tmp_path / "out", tmp_path / "state", **args) == 2
    assert expected in capsys.readouterr().err


def test_plain_http_to_a_remote_host_is_refused_before_any_call(env, tmp_path, capsys):
    env.setenv("DATAGOUV_API_KEY", "udata_k")
    code = call(tmp_path, tmp_path / "state", target=None, api_url="http://demo.data.gouv.fr/api/1",
                dataset="5b7ffc618b4c4169d30727e0")
    assert code == 2 and "HTTPS est obligatoire" in capsys.readouterr().err
    assert not (tmp_path / "state").exists()


def test_a_missing_key_is_a_settings_error(env, tmp_path, capsys):
    assert call(tmp_path, tmp_path / "state", target=None, api_url="https://demo.data.gouv.fr/api/1",
                dataset="5b7ffc618b4c4169d30727e0") == 2
    assert "DATAGOUV_API_KEY" in capsys.readouterr().err


@pytest.mark.udata
def test_production_needs_yes(env, udata_server, tmp_path, capsys):
    org = udata_server.new_organization("Production")
    env.setenv("PANORAMA_SETTINGS", str(settings_file(tmp_path, udata_server.api_url, org, production=True)))
    env.setenv("DATAGOUV_API_KEY", udata_server.api_key)
    out = write_output_folder(tmp_path / "out")
    assert call(out, tmp_path / "state") == 1
    assert "cible de production" in capsys.readouterr().err
    assert udata_server.count_datasets(org) == 0
    assert call(out, tmp_path / "state", yes=True) == 0
    state_file = tmp_path / "state" / "essai.json"
    assert_published(udata_server, json.loads(state_file.read_text())["dataset_id"], out, ALLOWED, state_file)


@pytest.mark.udata
def test_dry_run_writes_the_plan_and_nothing_on_the_server(env, udata_server_no_parquet, tmp_path, capsys):
    server = udata_server_no_parquet
    org = server.new_organization("Simulation")
    env.setenv("PANORAMA_SETTINGS", str(settings_file(tmp_path, server.api_url, org, production=True)))
    env.setenv("DATAGOUV_API_KEY", server.api_key)
    out = write_output_folder(tmp_path / "out")
    assert call(out, tmp_path / "state", dry_run=True) == 0  # no confirmation needed: nothing is written
    printed = capsys.readouterr().out
    assert "Simulation" in printed and "refusé" in printed and "parquet" in printed
    plan = json.loads((tmp_path / "state" / "essai-plan.json").read_text(encoding="utf-8"))
    assert {f["action"] for f in plan["files"] if f["key"].endswith(".parquet")} == {"refused"}
    assert server.count_datasets(org) == 0 and not (tmp_path / "state" / "essai.json").exists()


@pytest.mark.udata
def test_publish_then_an_ad_hoc_target_on_the_same_dataset(env, udata_server, tmp_path, capsys):
    org = udata_server.new_organization("Ad hoc")
    env.setenv("PANORAMA_SETTINGS", str(settings_file(tmp_path, udata_server.api_url, org)))
    env.setenv("DATAGOUV_API_KEY", udata_server.api_key)
    out = write_output_folder(tmp_path / "out")
    assert call(out, tmp_path / "state") == 0
    printed = capsys.readouterr().out
    state = json.loads((tmp_path / "state" / "essai.json").read_text())
    assert f"{udata_server.api_url}/datasets/r/{state['resources']['schema.json']}" in printed.replace("\n", "")
    code = call(out, tmp_path / "state", target=None, api_url=udata_server.api_url, dataset=state["dataset_id"])
    assert code == 0
    adhoc = tmp_path / "state" / f"adresse-127-0-0-1-{udata_server.port}.json"
    assert json.loads(adhoc.read_text())["resources"] == state["resources"]  # adopted, not duplicated
    assert udata_server.count_resources(state["dataset_id"]) == len(state["resources"])


@pytest.mark.udata
def test_the_key_appears_nowhere(env, udata_server, tmp_path, capsys, caplog):
    sentinel = udata_server.api_key  # the server's real key, unique enough to grep for
    org = udata_server.new_organization("Secret")
    env.setenv("PANORAMA_SETTINGS", str(settings_file(tmp_path, udata_server.api_url, org)))
    env.setenv("DATAGOUV_API_KEY", sentinel)
    out = write_output_folder(tmp_path / "out")
    caplog.set_level("DEBUG")
    assert call(out, tmp_path / "state") == 0
    assert call(out, tmp_path / "state", dry_run=True) == 0
    wrong = "udata_WRONG-SENTINEL-abcdef0123456789"
    env.setenv("DATAGOUV_API_KEY", wrong)
    (out / "CHANGELOG.md").write_text("# Journal\n\n- changé\n", encoding="utf-8")
    assert call(out, tmp_path / "state") == 1
    captured = capsys.readouterr()
    assert "clé d'API" in captured.err
    written = [p.read_text(encoding="utf-8") for p in (tmp_path / "state").rglob("*") if p.is_file()]
    assert written and caplog.text
    for text in (captured.out, captured.err, caplog.text, *written):
        assert sentinel not in text and wrong not in text
