"""Two runs at once: the file locks, the record of published ids, Prefect's global limit, and two
real publications started together against the real udata of the suite."""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from panorama.datagouv.resources import catalogue
from panorama.datagouv.state import PublicationState, load_state, save_state
from panorama.errors import RunInProgress, SettingsError
from panorama.lock import BUILD_LOCK_NAME, build_lock, exclusive, lock_timeout, publication_lock
from panorama.settings import Target

PANORAMA = Path(sys.executable).parent / "panorama"
REPO = Path(__file__).resolve().parents[1]
HOLDER = """
import sys
from pathlib import Path
from panorama.lock import exclusive
with exclusive(Path(sys.argv[1]), "publication sur la cible « essai »"):
    print("tenu", flush=True)
    sys.stdin.readline()
"""


def hold_in_other_process(lock_file: Path) -> subprocess.Popen:
    """Another process holding the lock until its stdin closes (or it is killed)."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_file)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ})
    assert process.stdout.readline().strip() == "tenu"
    return process


# --- the lock ----------------------------------------------------------------------------------

def test_a_second_holder_waits_says_so_once_then_runs_after_the_first(tmp_path: Path) -> None:
    lock_file = tmp_path / "x.verrou"
    events: list[str] = []
    first_in, first_may_leave = threading.Event(), threading.Event()

    def first() -> None:
        with exclusive(lock_file, "publication sur la cible « essai »", timeout=60):
            events.append("premier entre")
            first_in.set()
            first_may_leave.wait(60)
            events.append("premier sort")

    def second() -> None:
        with exclusive(lock_file, "publication sur la cible « essai »", events.append, timeout=60):
            events.append("second entre")

    t1 = threading.Thread(target=first)
    t1.start()
    assert first_in.wait(60)
    t2 = threading.Thread(target=second)
    t2.start()
    while not any("attente" in e for e in events):
        t2.join(0.05)
    first_may_leave.set()
    t1.join(60)
    t2.join(60)
    waiting = [e for e in events if "attente" in e]
    assert len(waiting) == 1
    assert waiting[0].startswith("Une autre publication sur la cible « essai » est en cours (processus ")
    assert events.index("premier sort") < events.index("second entre")
    assert not lock_file.exists()  # removed on release


def test_waiting_is_bounded_then_stops_with_exit_1(tmp_path: Path) -> None:
    lock_file = tmp_path / "x.verrou"
    holder = hold_in_other_process(lock_file)
    try:
        with pytest.raises(RunInProgress) as caught:
            with exclusive(lock_file, "publication sur la cible « essai »", timeout=0):
                pytest.fail("entered while another process holds the lock")
        assert caught.value.exit_code == 1
        message = caught.value.message
        assert f"processus {holder.pid}" in message and "abandon, rien n'a été fait" in message
    finally:
        holder.communicate("\n", timeout=30)
    with exclusive(lock_file, "publication sur la cible « essai »", timeout=0):
        pass  # free again


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    lock_file = tmp_path / "x.verrou"
    holder = hold_in_other_process(lock_file)
    holder.kill()
    holder.wait(30)
    with exclusive(lock_file, "publication", timeout=5):
        assert lock_file.exists()


def test_the_lock_is_reentrant_in_one_thread_and_leaves_no_trace(tmp_path: Path) -> None:
    out = tmp_path / "nouveau" / "publie"
    with build_lock(out):
        assert (out / BUILD_LOCK_NAME).is_file()
        with build_lock(out), publication_lock(tmp_path / "etat", "demo"):  # `run --direct --target`
            assert (tmp_path / "etat" / ".demo.verrou").is_file()
        assert (out / BUILD_LOCK_NAME).is_file()
    assert not (tmp_path / "nouveau").exists() and not (tmp_path / "etat").exists()


@pytest.mark.parametrize("value, expected", [("", 900.0), ("0", 0.0), ("12.5", 12.5)])
def test_lock_timeout_setting(value: str, expected: float) -> None:
    assert lock_timeout({"PANORAMA_LOCK_TIMEOUT": value}) == expected


@pytest.mark.parametrize("value", ["-1", "dix"])
def test_a_bad_lock_timeout_is_a_french_settings_error(value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        lock_timeout({"PANORAMA_LOCK_TIMEOUT": value})
    assert "PANORAMA_LOCK_TIMEOUT" in caught.value.message and "exemple : 900" in caught.value.message


# --- the record of published ids ---------------------------------------------------------------

def test_saving_the_state_never_drops_ids_another_run_recorded(tmp_path: Path) -> None:
    target = Target(name="essai", api_url="http://127.0.0.1:1/api/1")
    path = tmp_path / "essai.json"
    first, second = load_state(path, target), load_state(path, target)  # two views of an empty record
    first.dataset_id = "d" * 24
    first.resources["schema.json"] = "r1"
    save_state(path, first)
    second.resources["panorama-historique.csv"] = "r2"
    save_state(path, second)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["dataset_id"] == "d" * 24
    assert data["resources"] == {"panorama-historique.csv": "r2", "schema.json": "r1"}
    assert [p.name for p in tmp_path.iterdir()] == ["essai.json"]  # atomic: no temporary file left


def test_saving_the_state_ignores_a_record_of_another_server(tmp_path: Path) -> None:
    path = tmp_path / "essai.json"
    path.write_text(json.dumps({"api_url": "https://ailleurs/api/1", "resources": {"a": "b"}}), encoding="utf-8")
    save_state(path, PublicationState("essai", "http://127.0.0.1:1/api/1", resources={"c": "d"}))
    assert json.loads(path.read_text(encoding="utf-8"))["resources"] == {"c": "d"}


# --- the command line --------------------------------------------------------------------------

def _env(tmp_path: Path, key: str = "udata_cle_de_test", timeout: str = "600") -> dict[str, str]:
    return {**os.environ, "COLUMNS": "250", "DATAGOUV_API_KEY": key, "PANORAMA_LOCK_TIMEOUT": timeout,
            "PANORAMA_SETTINGS": str(tmp_path / "absent.toml"), "PANORAMA_STATE_DIR": str(tmp_path / "etat")}


def test_publish_while_another_publication_runs_stops_with_exit_1(tmp_path: Path) -> None:
    from support.udata import write_output_folder

    out = write_output_folder(tmp_path / "publie")
    api = "http://127.0.0.1:9/api/1"  # never called: the lock comes first
    holder = hold_in_other_process(tmp_path / "etat" / ".adresse-127-0-0-1-9.verrou")
    try:
        result = subprocess.run([str(PANORAMA), "publish", "--api-url", api, "--dataset", "5b7ffc618b4c4169d30727e0",
                                 "--out", str(out)], capture_output=True, text=True, timeout=120, cwd=REPO,
                                env=_env(tmp_path, timeout="0"), stdin=subprocess.DEVNULL)
    finally:
        holder.communicate("\n", timeout=30)
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "Traceback" not in text
    assert "Une autre publication sur la cible « adresse-127-0-0-1-9 » est toujours en cours" in result.stderr
    assert not (tmp_path / "etat" / "adresse-127-0-0-1-9.json").exists()


# --- Prefect's global concurrency limit --------------------------------------------------------

def test_the_publication_step_takes_a_global_limit_of_one_slot(prefect_harness, tmp_path, monkeypatch) -> None:
    """Two flows on two machines share no file lock: Prefect's global limit keeps them apart. Here
    the two holders use different state folders, so only the global limit can stop the second."""
    from prefect.client.orchestration import get_client

    from flows.publish import limit_name, one_publication

    log = logging.getLogger("test")
    monkeypatch.setenv("PANORAMA_LOCK_TIMEOUT", "3")
    name = limit_name("Essai GCL")
    assert name == "panorama-publication-essai-gcl"
    inside, leave = threading.Event(), threading.Event()

    def first() -> None:
        with one_publication(tmp_path / "machine-a", "Essai GCL", log):
            inside.set()
            leave.wait(120)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(120)
        with pytest.raises(RunInProgress) as caught:
            with one_publication(tmp_path / "machine-b", "Essai GCL", log):
                pytest.fail("two publications on one target at once")
        assert name in caught.value.message and caught.value.exit_code == 1
    finally:
        leave.set()
        thread.join(120)
    with one_publication(tmp_path / "machine-b", "Essai GCL", log):
        pass
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(name)
    assert limit.limit == 1 and limit.active


# --- two real publications at once -------------------------------------------------------------

def _hand_added(server, dataset_id: str, tmp_path: Path) -> list[dict]:
    """What a steward adds by hand on the dataset page: an uploaded note and a link."""
    note = tmp_path / "note-du-ministere.csv"
    note.write_text("ministere,remarque\nMI,coûts révisés\n", encoding="utf-8")
    with note.open("rb") as fh:
        uploaded = requests.post(f"{server.api_url}/datasets/{dataset_id}/upload/", headers=server.headers,
                                 files={"file": (note.name, fh)}, timeout=60)
    uploaded.raise_for_status()
    rid = uploaded.json()["id"]
    requests.put(f"{server.api_url}/datasets/{dataset_id}/resources/{rid}/", headers=server.headers, timeout=30,
                 json={"title": "Note du ministère (ajoutée à la main)"}).raise_for_status()
    requests.post(f"{server.api_url}/datasets/{dataset_id}/resources/", headers=server.headers, timeout=30,
                  json={"title": "Rapport de la Cour des comptes", "url": "https://example.org/rapport.pdf",
                        "filetype": "remote", "type": "documentation", "format": "pdf"}).raise_for_status()
    return [r for r in server.resources(dataset_id)]


def _kept(resource: dict) -> dict:
    return {k: resource.get(k) for k in ("id", "title", "url", "checksum", "filetype", "type", "format",
                                         "description", "last_modified")}


def _uploads(text: str) -> int:
    found = re.search(r"(\d+) fichier\(s\) envoyé\(s\)", text)
    assert found, text
    return int(found.group(1))


@pytest.mark.udata
def test_two_publications_at_once_then_a_third_leave_one_resource_per_file(udata_server, tmp_path: Path) -> None:
    from support.udata import write_output_folder

    server = udata_server
    org = server.new_organization("Concurrence")
    created = requests.post(f"{server.api_url}/datasets/", headers=server.headers, timeout=30,
                            json={"title": "Panorama (jeu créé à la main)", "description": "Créé par le responsable.",
                                  "organization": org})
    created.raise_for_status()
    dataset_id = created.json()["id"]
    before = {r["id"]: _kept(r) for r in _hand_added(server, dataset_id, tmp_path)}
    # Two output folders with the same files (the scheduled run's and the steward's checkout).
    out_a = write_output_folder(tmp_path / "publie-a")
    out_b = tmp_path / "publie-b"
    shutil.copytree(out_a, out_b)
    env = _env(tmp_path, key=server.api_key)
    target_name = re.sub(r"[^a-z0-9]+", "-", f"adresse-127.0.0.1-{server.port}").strip("-")
    args = ["publish", "--api-url", server.api_url, "--dataset", dataset_id]

    def start(out: Path) -> subprocess.Popen:
        return subprocess.Popen([str(PANORAMA), *args, "--out", str(out)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=REPO, env=env, stdin=subprocess.DEVNULL)

    # Both start while the target's lock is held: both have started before either plans.
    with publication_lock(tmp_path / "etat", target_name):
        runs = [start(out_a), start(out_b)]
        for run in runs:
            line = run.stderr.readline()
            assert "Une autre publication" in line and "attente" in line, line
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (stdout, stderr) in zip(runs, outputs):
        assert run.returncode == 0, stdout + stderr
        assert "Traceback" not in stdout + stderr
    files = catalogue(out_a)
    assert sorted(_uploads(stdout) for stdout, _ in outputs) == [0, len(files)]

    third = subprocess.run([str(PANORAMA), *args, "--out", str(out_b)], capture_output=True, text=True, timeout=600,
                           cwd=REPO, env=env, stdin=subprocess.DEVNULL)
    assert third.returncode == 0, third.stdout + third.stderr
    assert _uploads(third.stdout) == 0

    resources = server.resources(dataset_id)
    recorded = json.loads((tmp_path / "etat" / f"{target_name}.json").read_text(encoding="utf-8"))["resources"]
    assert set(recorded) == {spec.key for spec in files}
    ours = {r["id"]: r for r in resources if r["id"] not in before}
    assert sorted(ours) == sorted(recorded.values())  # exactly one resource per file, no duplicate
    assert sorted(r["title"] for r in ours.values()) == sorted(spec.title for spec in files)
    after = {r["id"]: _kept(r) for r in resources if r["id"] in before}
    assert after == before  # the steward's resources: neither deleted, replaced nor retitled


@pytest.mark.udata
def test_a_hand_added_link_with_our_title_is_left_alone(udata_server, tmp_path: Path) -> None:
    """The plan adopts only a file resource with our title or file name; a link a steward added,
    even titled like one of ours, is neither replaced nor retitled."""
    from panorama.datagouv.apply import apply_plan
    from panorama.datagouv.client import DatagouvClient
    from panorama.datagouv.plan import CREATE, build_plan
    from support.udata import write_output_folder

    server = udata_server
    org = server.new_organization("Lien du responsable")
    dataset_id = requests.post(f"{server.api_url}/datasets/", headers=server.headers, timeout=30,
                               json={"title": "Panorama", "description": "x", "organization": org}).json()["id"]
    link = requests.post(f"{server.api_url}/datasets/{dataset_id}/resources/", headers=server.headers, timeout=30,
                         json={"title": "Historique des projets (CSV)", "url": "https://example.org/ancien.csv",
                               "filetype": "remote", "type": "main", "format": "csv"})
    link.raise_for_status()
    before = next(_kept(r) for r in server.resources(dataset_id) if r["id"] == link.json()["id"])
    out = write_output_folder(tmp_path / "publie")
    target = Target(name="essai", api_url=server.api_url, dataset_id=dataset_id)
    state_file = tmp_path / "etat" / "essai.json"
    state = load_state(state_file, target)
    with DatagouvClient(server.api_url, server.api_key, backoff_base=0.01) as client:
        plan = build_plan(client, target, out, state)
        step = next(s for s in plan.files if s.key == "panorama-historique.csv")
        assert step.action == CREATE and not step.adopted
        assert any("Historique des projets (CSV)" in note for note in plan.notes)  # named, left as is
        apply_plan(client, plan, out, state, state_file)
    after = {r["id"]: _kept(r) for r in server.resources(dataset_id)}
    assert after[before["id"]] == before
    assert len(after) == len(catalogue(out)) + 1
