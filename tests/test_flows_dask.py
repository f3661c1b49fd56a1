"""The `validation` flow on a Dask task runner gives what the default runner gives.

The Dask cluster is real (distributed.LocalCluster); the flows run under the session's Prefect
test harness. The cache is refreshed for the Dask run, otherwise it would only read back the
default run's results instead of validating again.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from flows.runners import DASK_ADDRESS_ENV, DASK_WORKERS_ENV, task_runner_from_env
from panorama.edition import SUBMISSION_SUFFIXES
from panorama.errors import SettingsError

pytestmark = pytest.mark.prefect


def _editions(repo: Path) -> list[Path]:
    folders = sorted(p for p in (repo / "data" / "raw").iterdir() if (p / "edition.toml").is_file())
    assert folders, "data/raw doit contenir les éditions d'exemple"
    return folders


def _submission_count(folders: list[Path]) -> int:
    return sum(1 for d in folders for f in d.iterdir() if f.suffix.lower() in SUBMISSION_SUFFIXES)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(flow_obj, folders: list[Path], report_dir: Path) -> dict:
    from prefect.settings import PREFECT_TASKS_REFRESH_CACHE, temporary_settings

    with temporary_settings({PREFECT_TASKS_REFRESH_CACHE: True}):
        return flow_obj([str(f) for f in folders], report_dir=str(report_dir))


def test_no_dask_setting_keeps_the_default_runner():
    assert task_runner_from_env({}) is None
    assert task_runner_from_env({DASK_ADDRESS_ENV: " ", DASK_WORKERS_ENV: ""}) is None


@pytest.mark.parametrize(
    "env, named",
    [
        ({DASK_WORKERS_ENV: "deux"}, DASK_WORKERS_ENV),
        ({DASK_WORKERS_ENV: "0"}, DASK_WORKERS_ENV),
        ({DASK_ADDRESS_ENV: "10.0.0.5:8786"}, DASK_ADDRESS_ENV),
        ({DASK_ADDRESS_ENV: "tcp://10.0.0.5:8786", DASK_WORKERS_ENV: "2"}, DASK_WORKERS_ENV),
    ],
)
def test_bad_dask_settings_are_refused_in_french(env, named):
    with pytest.raises(SettingsError) as caught:
        task_runner_from_env(env)
    assert named in caught.value.message
    assert "exemple" in caught.value.message or "pas les deux" in caught.value.message


def test_settings_choose_the_dask_runner():
    from prefect_dask import DaskTaskRunner

    local = task_runner_from_env({DASK_WORKERS_ENV: "3"})
    assert isinstance(local, DaskTaskRunner)
    assert local.cluster_kwargs["n_workers"] == 3
    remote = task_runner_from_env({DASK_ADDRESS_ENV: "tcp://10.0.0.5:8786"})
    assert isinstance(remote, DaskTaskRunner)
    assert remote.address == "tcp://10.0.0.5:8786"


def test_validation_on_an_existing_dask_scheduler_matches_the_default_runner(prefect_harness, repo, tmp_path):
    """PANORAMA_DASK_ADDRESS path: every submission becomes a Dask task, results and reports unchanged."""
    from distributed import Client, LocalCluster, get_task_stream

    from flows.validation import validation

    folders = _editions(repo)[-1:]
    expected = _run(validation, folders, tmp_path / "default")
    with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster, Client(cluster) as client:
        runner = task_runner_from_env({DASK_ADDRESS_ENV: cluster.scheduler_address})
        with get_task_stream(client=client) as stream:
            got = _run(validation.with_options(task_runner=runner), folders, tmp_path / "dask")
    assert len(stream.data) == _submission_count(folders)
    assert len({t["worker"] for t in stream.data}) == 2
    assert got == expected
    assert len(got["fichiers"]) == _submission_count(folders)
    assert _tree(tmp_path / "dask") == _tree(tmp_path / "default")


def test_validation_with_dask_cluster_kwargs_matches_the_default_runner(prefect_harness, repo, tmp_path):
    """The brief's form: DaskTaskRunner(cluster_kwargs={"n_workers": 2, "processes": False})."""
    from prefect_dask import DaskTaskRunner

    from flows.validation import validation

    folders = _editions(repo)[:1]
    expected = _run(validation, folders, tmp_path / "default")
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "processes": False, "dashboard_address": None})
    got = _run(validation.with_options(task_runner=runner), folders, tmp_path / "dask")
    assert got == expected
    assert _tree(tmp_path / "dask") == _tree(tmp_path / "default")


@pytest.mark.slow
def test_validation_on_local_dask_processes_matches_the_default_runner(prefect_harness, repo, tmp_path):
    """PANORAMA_DASK_WORKERS path: two worker processes (each imports Prefect: about 30 s here)."""
    from flows.validation import validation

    folders = _editions(repo)[:1]
    expected = _run(validation, folders, tmp_path / "default")
    runner = task_runner_from_env({DASK_WORKERS_ENV: "2"})
    got = _run(validation.with_options(task_runner=runner), folders, tmp_path / "dask")
    assert got == expected
    assert _tree(tmp_path / "dask") == _tree(tmp_path / "default")
