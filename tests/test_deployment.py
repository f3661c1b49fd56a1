"""The deployments of `prefect.yaml`, for real: a Prefect server, a process worker, a triggered run.

What a steward runs, run here: `prefect server start`, `prefect work-pool create`, `prefect deploy
--all` from the repository root, `prefect worker start`, `prefect deployment run` with parameters.
The run has no target, so nothing leaves the machine; it reads a copy of data/raw and writes into
temporary folders. Its outputs must be byte for byte those of the plain pipeline on the same copy.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pandas as pd
import pytest
import yaml

from support.prefect_server import PrefectServer, log_tail, start_server

pytestmark = pytest.mark.slow

POOL = "panorama"
RUN_TIMEOUT_SECONDS = 180
SCHEDULER_WAIT_SECONDS = 45  # the recent-deployments scheduler looks every 5 s


@dataclass
class Stack:
    server: PrefectServer
    repo: Path
    worker_log: Path
    prefect_yaml_before: bytes


@contextmanager
def api(server: PrefectServer):
    """A synchronous Prefect client on the test's own server (not the session harness)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: server.api_url}):
        with get_client(sync_client=True) as client:
            yield client


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, repo) -> Stack:
    """One server, one pool, the deployments and one worker for the whole module."""
    home = tmp_path_factory.mktemp("prefect-home")
    server = start_server(home)
    print(f"\nserveur Prefect prêt en {server.startup_seconds:.1f} s")
    try:
        server.cli("work-pool", "create", POOL, "--type", "process")
        before = (repo / "prefect.yaml").read_bytes()
        began = time.monotonic()
        server.cli("--no-prompt", "deploy", "--all", cwd=repo, extra_env={"PANORAMA_HOME": str(repo)})
        print(f"prefect deploy --all : {time.monotonic() - began:.1f} s")
        worker_log = home / "worker.log"
        server.start_worker(POOL, repo, worker_log, {"PANORAMA_HOME": str(repo)})
        yield Stack(server, repo, worker_log, before)
    finally:
        server.stop()


def test_deploy_registers_both_deployments_as_prefect_yaml_says(stack):
    declared = {d["name"]: d for d in yaml.safe_load((stack.repo / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]}
    with api(stack.server) as client:
        deployments = {d.name: d for d in client.read_deployments()}
        flows = {f.id: f.name for f in client.read_flows()}
    assert set(deployments) == set(declared) == {"semestre", "republication"}
    assert flows[deployments["republication"].flow_id] == "republication"
    assert flows[deployments["semestre"].flow_id] == "publication-semestrielle"
    for name, deployment in deployments.items():
        assert deployment.work_pool_name == POOL
        assert deployment.entrypoint == declared[name]["entrypoint"]
        assert deployment.parameters == declared[name]["parameters"]
        # One run of each deployment at a time; a second one waits in the queue.
        assert deployment.global_concurrency_limit is not None and deployment.global_concurrency_limit.limit == 1
        assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
        # The `{{ $PANORAMA_HOME }}` pull step is resolved at deploy time to the checkout.
        assert deployment.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(stack.repo)}}
        ]
    schedules = deployments["semestre"].schedules
    assert len(schedules) == 1
    assert schedules[0].active
    assert schedules[0].schedule.cron == declared["semestre"]["schedules"][0]["cron"]
    assert schedules[0].schedule.timezone == "Europe/Paris"
    assert deployments["republication"].schedules == []


def test_non_interactive_deploy_leaves_prefect_yaml_alone(stack):
    assert (stack.repo / "prefect.yaml").read_bytes() == stack.prefect_yaml_before


def test_triggered_republication_completes_with_outputs_and_artifacts(stack, tmp_path):
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
    )

    from panorama import pipeline
    from panorama.edition import discover_editions

    raw = tmp_path / "raw"
    shutil.copytree(stack.repo / "data" / "raw", raw)
    out, reports = tmp_path / "publie", tmp_path / "rapports"
    began = time.monotonic()
    triggered = stack.server.cli(
        "deployment", "run", "republication/republication",
        "--param", f"raw_dir={json.dumps(str(raw))}",
        "--param", f"out_dir={json.dumps(str(out))}",
        "--param", f"report_dir={json.dumps(str(reports))}",
        "--param", "target=null",  # the deployment's default target is demo: override it, nothing leaves
    )
    found = re.search(r"UUID: ([0-9a-f-]{36})", triggered.stdout)
    assert found, triggered.stdout
    run_id = UUID(found.group(1))

    # The plain pipeline on the same copy, while the worker runs the deployment.
    direct = tmp_path / "direct"
    pipeline.run_pipeline(raw, direct / "publie", direct / "rapports")

    with api(stack.server) as client:
        deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
        run = client.read_flow_run(run_id)
        while not (run.state and run.state.is_final()) and time.monotonic() < deadline:
            time.sleep(1)
            run = client.read_flow_run(run_id)
        print(f"déclenchement → {run.state.name if run.state else '?'} : {time.monotonic() - began:.1f} s")
        assert run.state is not None and run.state.is_completed(), (
            f"état {run.state.name if run.state else '?'} : {run.state.message if run.state else ''}\n"
            f"{log_tail(stack.worker_log, 60)}"
        )
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id]))
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id, *(c.id for c in children)]))
        )

    assert run.work_pool_name == POOL
    assert run.parameters["target"] is None
    assert run.parameters["raw_dir"] == str(raw)

    # Same bytes as the plain pipeline: the deployment changes how it runs, not what it makes.
    assert _tree(out) == _tree(direct / "publie")
    assert _tree(reports) == _tree(direct / "rapports")
    assert (out / "panorama-historique.csv").is_file()

    by_key = {a.key: a for a in artifacts}
    editions = [e.id for e in discover_editions(raw)]
    assert editions
    for edition in editions:
        summary = by_key.get(f"validation-{edition}")
        assert summary is not None, sorted(by_key)
        assert summary.type == "markdown"
        assert edition in summary.data
    figures = by_key.get("indicateurs")
    assert figures is not None, sorted(by_key)
    assert figures.type == "table"
    rows = json.loads(figures.data) if isinstance(figures.data, str) else figures.data
    published = pd.read_csv(out / "panorama-indicateurs.csv", dtype=str)
    assert [r["edition"] for r in rows] == list(published["edition"])


def test_server_schedules_the_next_semester_run_at_the_cron_time_in_paris(stack):
    """The server's scheduler turns the cron into a Scheduled flow run at the right instant.

    prefect 3.8.8's scheduler fails with SQLAlchemy 2.1 ("Can't evaluate bulk DML statement"):
    the schedule is stored but no run is ever created. This test is what catches it.
    """
    import asyncio

    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.server.schemas.schedules import CronSchedule

    declared = {d["name"]: d for d in yaml.safe_load((stack.repo / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]}
    cron = declared["semestre"]["schedules"][0]
    expected = asyncio.run(CronSchedule(cron=cron["cron"], timezone=cron["timezone"]).get_dates(n=1))[0]
    with api(stack.server) as client:
        semestre = client.read_deployment_by_name("publication-semestrielle/semestre")
        only_semestre = DeploymentFilter(id=DeploymentFilterId(any_=[semestre.id]))
        runs = client.read_flow_runs(deployment_filter=only_semestre)
        deadline = time.monotonic() + SCHEDULER_WAIT_SECONDS
        while not runs and time.monotonic() < deadline:
            time.sleep(1)
            runs = client.read_flow_runs(deployment_filter=only_semestre)
    errors = [line for line in stack.server.log.read_text(encoding="utf-8", errors="replace").splitlines() if "Error" in line]
    assert runs, "le planificateur du serveur n'a créé aucune exécution de « semestre » :\n" + "\n".join(errors[-5:])
    first = min(runs, key=lambda r: r.expected_start_time)
    assert first.state_name == "Scheduled"
    assert first.expected_start_time == expected
