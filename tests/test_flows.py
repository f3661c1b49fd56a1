"""The Prefect flows end to end under Prefect's test harness, on the bundled sample editions,
publishing to the real udata server started by the suite."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client

from flows.republication import republication
from flows.semestre import publication_semestrielle
from flows.validation import validation
from panorama.validation import submission

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    """A private copy of the bundled samples, so a test may change it."""
    target = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", target)
    return target


def _settings(tmp_path: Path, server, monkeypatch: pytest.MonkeyPatch, org_id: str) -> None:
    settings = tmp_path / "panorama.toml"
    settings.write_text(
        f'[dossiers]\npublication = "{tmp_path / "publication"}"\n\n'
        f'[cibles.essai]\napi_url = "{server.api_url}"\norganization_id = "{org_id}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PANORAMA_SETTINGS", str(settings))
    monkeypatch.setenv("DATAGOUV_API_KEY", server.api_key)


def _artifact_keys() -> set[str]:
    with get_client(sync_client=True) as client:
        return {a.key for a in client.read_artifacts() if a.key}


def _task_names(prefix: str) -> list[str]:
    with get_client(sync_client=True) as client:
        return [t.name for t in client.read_task_runs(limit=200) if t.name.startswith(prefix)]


def test_semester_flow_without_target_builds_everything_and_sends_nothing(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, reports = tmp_path / "out", tmp_path / "rapports"
    summary = publication_semestrielle(raw_dir=str(raw), out_dir=str(out), report_dir=str(reports))
    assert summary["edition"] == "2025-12" and not summary["inchange"]
    for name in ("panorama-historique.csv", "panorama-indicateurs.parquet", "datapackage.json",
                 "tableau-de-bord/index.html", "graphiques/projets-par-phase.png"):
        assert (out / name).is_file(), name
    assert {row["fichier"] for row in summary["apercu"]} >= {"panorama-historique.csv", "schema.json"}
    assert (reports / "2024-06" / "synthese.md").is_file()
    keys = _artifact_keys()
    assert {"validation-2024-06", "validation-2024-12", "validation-2025-06", "validation-2025-12", "indicateurs"} <= keys
    assert "changements-2025-12" in keys  # what changed against the previous edition (panorama.diff)

    again = publication_semestrielle(raw_dir=str(raw), out_dir=str(out), report_dir=str(reports))
    assert again["inchange"] is True

    # Each submission keeps its own cache entry: a forced rebuild validates nothing again, and a
    # changed file is validated again alone.
    validated: list[str] = []
    real = submission.validate_submission

    def counting(path: Path, edition=None):
        validated.append(path.name)
        return real(path, edition)

    monkeypatch.setattr(submission, "validate_submission", counting)
    publication_semestrielle(raw_dir=str(raw), out_dir=str(out), report_dir=str(reports), force=True)
    assert validated == []
    changed = raw / "2025-12" / "MJ_panorama.csv"
    changed.write_bytes(changed.read_bytes() + b"\n")
    publication_semestrielle(raw_dir=str(raw), out_dir=str(out), report_dir=str(reports), force=True)
    assert validated == ["MJ_panorama.csv"]
    assert {"valider l'édition 2024-06", "valider l'édition 2025-12"} <= set(_task_names("valider "))


def test_blocked_edition_fails_the_run_naming_the_files_and_publishes_nothing(raw: Path, tmp_path: Path) -> None:
    toml = raw / "2024-06" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("publication_partielle = true", ""), encoding="utf-8")
    out = tmp_path / "out"
    state = publication_semestrielle(
        raw_dir=str(raw), out_dir=str(out), report_dir=str(tmp_path / "rapports"), return_state=True
    )
    assert state.is_failed()
    assert "MEAE_complement.csv" in state.message and "2024-06" in state.message
    assert not out.exists() or not any(out.iterdir())
    assert (tmp_path / "rapports" / "2024-06" / "MEAE_complement.csv.rapport.md").is_file()


@pytest.mark.udata
def test_semester_then_republication_against_real_udata(
    raw: Path, tmp_path: Path, udata_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = udata_server.new_organization("Flux Prefect")
    _settings(tmp_path, udata_server, monkeypatch, org)
    out, reports = tmp_path / "out", tmp_path / "rapports"
    first = publication_semestrielle(target="essai", raw_dir=str(raw), out_dir=str(out), report_dir=str(reports))
    actions = {row["fichier"]: row["action"] for row in first["publication"]}
    assert actions["panorama-historique.csv"].startswith("cré"), actions
    state = json.loads((tmp_path / "publication" / "essai.json").read_text(encoding="utf-8"))
    dataset = udata_server.dataset(state["dataset_id"])
    assert len(dataset["resources"]) == len(state["resources"])
    assert "publication-essai" in _artifact_keys()

    # The first republication rebuilds once (the dashboard now links to the published resources:
    # the links are an input of the fingerprint) and uploads nothing; the next stops after hashing.
    linked = republication(target="essai", raw_dir=str(raw), out_dir=str(out), report_dir=str(reports))
    assert all(row["action"].startswith("inchang") for row in linked["publication"]), linked["publication"]
    unchanged = republication(target="essai", raw_dir=str(raw), out_dir=str(out), report_dir=str(reports))
    assert unchanged["inchange"] is True
    assert all(row["action"].startswith("inchang") for row in unchanged["publication"]), unchanged["publication"]
    assert udata_server.count_resources(state["dataset_id"]) == len(state["resources"])

    forced = republication(target="essai", force=True, raw_dir=str(raw), out_dir=str(out), report_dir=str(reports))
    assert all(row["action"].startswith("remplac") for row in forced["publication"]), forced["publication"]
    assert udata_server.count_resources(state["dataset_id"]) == len(state["resources"])
    assert udata_server.count_datasets(org) == 1


def test_validation_flow_reports_blocking_files(raw: Path, tmp_path: Path) -> None:
    result = validation([str(raw / "2024-06")], report_dir=str(tmp_path / "r"))
    assert result["bloquants"] == ["MEAE_complement.csv"]
    assert (tmp_path / "r" / "MEAE_complement.csv.rapport.json").is_file()
