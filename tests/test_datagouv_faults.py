"""A publication interrupted anywhere, then run again, ends as an uninterrupted one.

Real faults through `FaultProxy` in front of the real udata: a 500 on the n-th call (before or
after the server did the work), a connection reset during an upload or after it, a 429 with
Retry-After, a stalled answer, and the publishing process killed after its k-th request. The
end state is checked through the API: same resources, no duplicate, checksums and titles right,
one dataset. The API key is a sentinel grepped in everything the runs wrote.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from panorama.datagouv.apply import apply_plan
from panorama.datagouv.client import DatagouvClient
from panorama.datagouv.errors import ApiError, PublicationError
from panorama.datagouv.plan import build_plan
from panorama.datagouv.state import load_state
from panorama.settings import Target
from support.faultproxy import FaultProxy
from support.udata import REPO, assert_published, write_output_folder

pytestmark = pytest.mark.udata
ALLOWED = {"csv", "parquet", "json", "png", "txt"}


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run(server, target: Target, out: Path, state_file: Path, max_retries: int = 4, timeout: float = 10.0,
        sleep=None):
    state = load_state(state_file, target)
    options = {"sleep": sleep} if sleep is not None else {}
    with DatagouvClient(target.api_url, server.api_key, max_retries=max_retries, timeout=timeout,
                        backoff_base=0.01, chunk_threshold=target.chunk_threshold, chunk_size=target.chunk_size,
                        **options) as client:
        plan = build_plan(client, target, out, state)
        return apply_plan(client, plan, out, state, state_file)


def converged(server, target: Target, out: Path, state_file: Path) -> None:
    datasets = server.org_datasets(target.organization_id)
    assert len(datasets) == 1, [d["id"] for d in datasets]
    dataset = assert_published(server, datasets[0]["id"], out, ALLOWED, state_file)
    assert dataset["license"] == "lov2" and dataset["temporal_coverage"]["end"] == "2017-11-15"


@pytest.fixture
def world(udata_server, tmp_path, request):
    org = udata_server.new_organization(f"Pannes {request.node.name}"[:80])
    out = write_output_folder(tmp_path / "published")
    with FaultProxy("127.0.0.1", udata_server.port) as proxy:
        target = Target(name="pannes", api_url=proxy.api_url, organization_id=org,
                        chunk_threshold=400, chunk_size=300)  # the larger files go in parts
        yield udata_server, proxy, target, out, tmp_path / "publication" / "pannes.json"


@pytest.mark.parametrize("kind", ["500", "500-after"])
@pytest.mark.parametrize("nth", [2, 6, 14, 27, 40])  # of ~52 calls: reads, creation, parts, PUTs
def test_a_server_error_on_the_nth_call_then_a_rerun_converges(world, kind, nth):
    server, proxy, target, out, state_file = world
    rule = proxy.fail(kind, nth=nth)
    with pytest.raises(PublicationError):
        run(server, target, out, state_file, max_retries=0)
    assert rule.fired
    run(server, target, out, state_file)
    converged(server, target, out, state_file)


@pytest.mark.parametrize("nth", [1, 4, 9])
def test_a_connection_reset_during_an_upload_then_a_rerun_converges(world, nth):
    server, proxy, target, out, state_file = world
    rule = proxy.fail("reset-upload", nth=nth, path="/upload/")
    with pytest.raises(ApiError) as info:
        run(server, target, out, state_file, max_retries=0)
    assert rule.fired and info.value.status is None
    run(server, target, out, state_file)
    converged(server, target, out, state_file)


@pytest.mark.parametrize("nth", [1, 3, 6])
def test_an_answer_lost_after_an_upload_is_reconciled_in_the_same_run(world, nth):
    """The server created the resource but the client never heard: adopt it, do not duplicate."""
    server, proxy, target, out, state_file = world
    rule = proxy.fail("reset-after", nth=nth, path="/upload/")
    run(server, target, out, state_file)
    assert rule.fired
    converged(server, target, out, state_file)


def test_an_answer_lost_after_the_dataset_creation_is_reconciled(world):
    server, proxy, target, out, state_file = world
    proxy.fail("reset-after", nth=1, method="POST", path="/datasets/")
    run(server, target, out, state_file)
    converged(server, target, out, state_file)


def test_a_429_with_retry_after_is_honoured_and_the_run_completes(world):
    server, proxy, target, out, state_file = world
    proxy.fail("429", nth=3, seconds=2)
    proxy.fail("429", nth=1, path="/upload/", seconds=3)
    sleeps = Sleeps()
    run(server, target, out, state_file, sleep=sleeps)
    assert 2.0 in sleeps and 3.0 in sleeps
    converged(server, target, out, state_file)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_stalled_call_times_out_then_a_rerun_converges(world, method):
    server, proxy, target, out, state_file = world
    rule = proxy.fail("stall", nth=2, method=method, seconds=2.5)
    with pytest.raises(ApiError):
        run(server, target, out, state_file, max_retries=0, timeout=1.0)
    assert rule.fired
    run(server, target, out, state_file)
    converged(server, target, out, state_file)


def write_settings(path: Path, target: Target) -> Path:
    path.write_text(
        "[cibles.pannes]\n"
        f'api_url = "{target.api_url}"\n'
        f'organization_id = "{target.organization_id}"\n'
        f"chunk_threshold = {target.chunk_threshold}\n"
        f"chunk_size = {target.chunk_size}\n"
        "timeout_seconds = 10\n"
        "max_retries = 1\n", encoding="utf-8")
    return path


PUBLISH = (
    "import sys; from pathlib import Path; from panorama.cli.publish import publish_command; "
    "sys.exit(publish_command(Path(sys.argv[1]), 'pannes', None, None, False, False, True, Path(sys.argv[2])))"
)


@pytest.mark.parametrize("k", [3, 12, 30])
def test_the_process_killed_after_the_kth_request_then_a_rerun_converges(world, tmp_path, k, caplog):
    server, proxy, target, out, state_file = world
    settings = write_settings(tmp_path / "panorama.toml", target)
    env = {**os.environ, "PANORAMA_SETTINGS": str(settings), "DATAGOUV_API_KEY": server.api_key}
    victim: dict[str, subprocess.Popen] = {}

    def kill(number: int, method: str, path: str) -> None:
        victim["p"].send_signal(signal.SIGKILL)
        victim["p"].wait()

    proxy.on_request(k, kill)
    command = [sys.executable, "-c", PUBLISH, str(out), str(state_file.parent)]
    victim["p"] = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first_out, first_err = victim["p"].communicate(timeout=120)
    assert victim["p"].returncode == -signal.SIGKILL
    proxy.clear()
    with caplog.at_level(logging.DEBUG):
        second = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=120)
    assert second.returncode == 0, second.stderr.decode()
    converged(server, target, out, state_file)
    written = [p.read_bytes() for p in state_file.parent.rglob("*") if p.is_file()]
    for blob in (first_out, first_err, second.stdout, second.stderr, caplog.text.encode(), *written):
        assert server.api_key.encode() not in blob


def test_the_key_never_leaks_from_a_failed_run(world, caplog, capsys):
    server, proxy, target, out, state_file = world
    proxy.fail("500", nth=6)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ApiError) as info:
            run(server, target, out, state_file, max_retries=0)
    captured = capsys.readouterr()
    texts = [str(info.value), repr(info.value), json.dumps(info.value.body), caplog.text, captured.out, captured.err]
    texts += [p.read_text(encoding="utf-8") for p in state_file.parent.rglob("*") if p.is_file()]
    assert all(server.api_key not in text for text in texts)
    assert caplog.text  # the client did log its calls: the check above is not vacuous
