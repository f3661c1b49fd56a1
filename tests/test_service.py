"""`panorama service` with a real `prefect server start`: runs forwarded, their codes, Ctrl-C, restart.

The service, the server and every command are real subprocesses on this machine; the service
writes its lines to a file the tests read (`Service.wait_for`).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from panorama.cli.forward import forwardable
from panorama.cli.service_address import public_environment
from support.prefect_server import PrefectServer, _spawn, log_tail, start_server, stop_process
from test_cli_terminal import clean, panorama

REPO = Path(__file__).resolve().parents[1]
PANORAMA = Path(sys.executable).parent / "panorama"


@pytest.mark.parametrize(("args", "expected"), [
    (["run"], True),
    (["run", "--raw", "data/raw", "--force", "--partial"], True),
    (["republish", "--edition", "2024-06"], True),
    (["run", "--direct"], False),
    (["run", "--target", "demo", "--dry-run"], False),
    (["run", "--target=prod"], False),
    (["run", "--help"], False),
    (["validate", "fichier.csv"], False),
    (["publish", "--target", "demo"], False),
    (["service"], False),
    ([], False),
    (["--version"], False),
])
def test_which_commands_go_to_the_service(args: list[str], expected: bool) -> None:
    assert forwardable(args) is expected


def test_secrets_never_leave_the_command() -> None:
    env = {"DATAGOUV_API_KEY": "s3cret", "PREFECT_API_KEY": "pnu_x", "GITHUB_TOKEN": "t", "HOME": "/root",
           "DB_PASSWORD": "p", "PREFECT_API_URL": "http://127.0.0.1:4200/api"}
    assert public_environment(env) == {"HOME": "/root", "PREFECT_API_URL": "http://127.0.0.1:4200/api"}


def test_the_service_needs_a_running_server(tmp_path: Path) -> None:
    result = panorama("service", env={"PREFECT_API_URL": "", "PREFECT_HOME": str(tmp_path / "home")})
    text = clean(result)
    assert result.returncode == 2, text
    assert "PREFECT_API_URL" in text and "prefect server start" in text


def test_the_service_refuses_a_server_that_does_not_answer(tmp_path: Path) -> None:
    result = panorama("service", env={"PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_HOME": str(tmp_path)})
    text = clean(result)
    assert result.returncode == 2, text
    assert "ne répond pas" in text and "relancez « panorama service »" in text
    assert "--direct" not in text and "serveur temporaire" not in text  # advice for a run, not for the service


def test_handlers_made_for_the_journal_follow_it_when_it_moves(tmp_path: Path) -> None:
    """What a forked run needs: Prefect's handlers, made for the service's journal, write to the run's."""
    import logging

    from panorama.cli import journal

    first = journal.start_journal(tmp_path / "a", announce=False)
    made = logging.FileHandler(first, delay=True, encoding="utf-8")  # as Prefect's logging file makes it
    logger = logging.getLogger("panorama.tests.suivi")
    logger.addHandler(made)
    try:
        moved = journal.start_journal(tmp_path / "b", announce=False)
        logger.warning("après le déplacement")
        made.flush()
        assert made.baseFilename == str(moved)
        assert "après le déplacement" in moved.read_text(encoding="utf-8")
        assert "après le déplacement" not in (first.read_text(encoding="utf-8") if first.exists() else "")
    finally:
        logger.removeHandler(made)
        made.close()


# --- with a server -------------------------------------------------------------------------------


@dataclass
class Service:
    process: subprocess.Popen
    log: Path
    env: dict[str, str]

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.is_file() else ""

    def wait_for(self, needle: str, after: int = 0, seconds: float = 180.0) -> str:
        """The service's output once `needle` appears in it after character `after`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text[after:]:
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"« {needle} » absent de la sortie du service :\n{log_tail(self.log)}")

    @property
    def socket(self) -> Path:
        """The address the service printed (computed as the commands compute it: `service_socket`)."""
        return Path(self.wait_for("adresse ").split("adresse ", 1)[1].split()[0])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[PrefectServer]:
    started = start_server(tmp_path_factory.mktemp("prefect-home"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture()
def runtime_dir() -> Iterator[Path]:
    """A short private folder for the sockets (a socket path holds at most 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="pano-", dir="/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _start(server: PrefectServer, runtime_dir: Path, log: Path, code: Path | None = None,
           profile_home: Path | None = None) -> Service:
    env = server.env({"XDG_RUNTIME_DIR": str(runtime_dir)})
    env.pop("DATAGOUV_API_KEY", None)
    if profile_home is not None:  # the server named by `prefect config set`, not by the environment
        profile_home.mkdir(parents=True, exist_ok=True)
        (profile_home / "profiles.toml").write_text(
            f'active = "local"\n\n[profiles.local]\nPREFECT_API_URL = "{env.pop("PREFECT_API_URL")}"\n',
            encoding="utf-8")
        env["PREFECT_HOME"] = str(profile_home)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    service = Service(_spawn([PANORAMA, "service"], env, log, cwd=code or REPO), log, env)
    service.wait_for("Service panorama prêt")
    return service


@pytest.fixture(scope="module")
def service(server: PrefectServer, tmp_path_factory) -> Iterator[Service]:
    folder = Path(tempfile.mkdtemp(prefix="pano-", dir="/tmp"))
    started = _start(server, folder, tmp_path_factory.mktemp("service") / "service.log")
    try:
        yield started
    finally:
        stop_process(started.process)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", target)
    return target


def _run(service: Service, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([str(PANORAMA), *args], capture_output=True, text=True, env=service.env, cwd=cwd,
                          stdin=subprocess.DEVNULL, timeout=600)


def _folders(tmp_path: Path, raw: Path) -> list[str]:
    return ["--raw", str(raw), "--out", str(tmp_path / "out"), "--report-dir", str(tmp_path / "rapports")]


@pytest.mark.slow
def test_a_run_goes_to_the_service_and_ends_as_in_its_own_process(service: Service, raw: Path, tmp_path: Path) -> None:
    before = len(service.text())
    result = _run(service, "run", *_folders(tmp_path, raw), cwd=tmp_path)
    text = clean(result)
    assert result.returncode == 0, text + log_tail(service.log)
    said = service.wait_for("terminée : code 0", before)[before:]
    assert f"panorama run --raw {raw}" in said  # the service ran it…
    assert "✓ Export" in text and "Fichiers publiés" in text  # …and the command's terminal got its lines
    assert f"par le service panorama (processus {service.process.pid})" in text
    assert (tmp_path / "out" / "panorama-historique.csv").is_file()
    journal = next((tmp_path / "rapports" / "journaux").glob("panorama-*.log")).read_text(encoding="utf-8")
    assert "Finished in state Completed" in journal  # Prefect's records follow the run's journal…
    assert journal.count("Beginning flow run") == 1  # …once
    assert f"panorama run --raw {raw}" in journal


@pytest.mark.slow
def test_a_blocked_edition_through_the_service_says_so_and_exits_1(service: Service, raw: Path, tmp_path: Path) -> None:
    toml = raw / "2024-06" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("publication_partielle = true", ""), encoding="utf-8")
    before = len(service.text())
    result = _run(service, "run", *_folders(tmp_path, raw))
    text = clean(result)
    assert result.returncode == 1, text
    assert "2024-06" in text and "Rapports de validation" in text
    assert "terminée : code 1" in service.wait_for("terminée", before)[before:]


@pytest.mark.slow
def test_runs_without_prefect_or_with_a_target_stay_in_their_process(service: Service, raw: Path,
                                                                    tmp_path: Path) -> None:
    before = len(service.text())
    direct = _run(service, "run", "--direct", *_folders(tmp_path, raw))
    assert direct.returncode == 0, clean(direct)
    keyless = _run(service, "run", "--target", "demo", "--dry-run", *_folders(tmp_path, raw))
    assert keyless.returncode == 2 and "DATAGOUV_API_KEY" in clean(keyless)
    assert "exécution" not in service.text()[before:]


@pytest.mark.slow
@pytest.mark.parametrize("when", ["at-once", "reports-written"])
def test_ctrl_c_reaches_the_run(service: Service, raw: Path, tmp_path: Path, when: str) -> None:
    """At once: the signal arrives while the forked run takes the terminal, or in the command line's
    first instants; later: in the middle of the stages."""
    before = len(service.text())
    process = subprocess.Popen([str(PANORAMA), "run", "--force", *_folders(tmp_path, raw)], env=service.env,
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        service.wait_for("→ exécution", before)
        deadline = time.monotonic() + 120
        while (when == "reports-written" and not list((tmp_path / "rapports").glob("2024-06/*.json"))
               and time.monotonic() < deadline):
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    text = clean(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    if process.returncode == 0:
        pytest.skip("the run ended before the interruption arrived")
    assert process.returncode == 130, text
    assert "Interrompu" in text
    assert "terminée : code 130" in service.wait_for("terminée", before)[before:]
    assert not [p for p in (tmp_path / "out").rglob("*") if ".staging-" in str(p) or ".tmp-" in p.name]


@pytest.mark.slow
def test_a_command_killed_ends_its_run_and_the_service_goes_on(service: Service, raw: Path, tmp_path: Path) -> None:
    before = len(service.text())
    process = subprocess.Popen([str(PANORAMA), "run", "--force", *_folders(tmp_path, raw)], env=service.env,
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    service.wait_for("→ exécution", before)
    process.kill()
    process.wait()
    said = service.wait_for("terminée", before, seconds=120)[before:]
    if "terminée : code 0" in said:
        pytest.skip("the run ended before the command was killed")
    assert "terminée : code 130" in said  # ended as on Ctrl-C (SIGTERM: as the command line takes it)…
    pid = int(said.split("(processus ")[1].split(")")[0])
    with pytest.raises(ProcessLookupError):  # …and reaped
        os.kill(pid, 0)
    after = len(service.text())
    again = _run(service, "run", *_folders(tmp_path, raw))
    assert again.returncode == 0, clean(again)
    assert "terminée : code 0" in service.wait_for("terminée", after)[after:]


def test_a_second_service_for_the_same_address_is_refused(service: Service) -> None:
    result = subprocess.run([str(PANORAMA), "service"], capture_output=True, text=True, env=service.env,
                            cwd=REPO, stdin=subprocess.DEVNULL, timeout=300)
    text = clean(result)
    assert result.returncode == 2, text
    assert "tourne déjà" in text
    assert service.socket.exists() and service.process.poll() is None


@pytest.mark.slow
def test_stopping_the_service_removes_its_socket(server: PrefectServer, runtime_dir: Path, tmp_path: Path) -> None:
    started = _start(server, runtime_dir, tmp_path / "service.log")
    assert started.socket.exists()
    started.process.send_signal(signal.SIGTERM)
    assert started.process.wait(timeout=60) == 0
    assert "Service panorama arrêté." in started.text()
    assert "Traceback" not in started.text()
    assert not started.socket.exists()


@pytest.mark.slow
def test_a_change_of_code_is_run_by_the_new_code_and_restarts_the_service(
        server: PrefectServer, runtime_dir: Path, raw: Path, tmp_path: Path) -> None:
    code = tmp_path / "code"
    for part in ("panorama", "flows", "schemas"):
        shutil.copytree(REPO / part, code / part, ignore=shutil.ignore_patterns("__pycache__"))
    started = _start(server, runtime_dir, tmp_path / "service.log", code)
    try:
        stages = code / "panorama" / "cli" / "stages.py"
        source = stages.read_text(encoding="utf-8")
        assert source.count('Text("✓ "') == 1
        stages.write_text(source.replace('Text("✓ "', 'Text("✔ "'), encoding="utf-8")  # what a person sees changes
        result = _run(started, "run", *_folders(tmp_path, raw))
        assert result.returncode == 0, clean(result)
        assert "✔ Export" in result.stdout  # the new code ran (in the command's own process)
        said = started.wait_for("Service panorama prêt", started.text().index("prêt") + 10)
        assert "le service redémarre" in said
        after = len(started.text())
        again = _run(started, "run", "--force", *_folders(tmp_path, raw))
        assert again.returncode == 0 and "✔ Export" in again.stdout, clean(again)
        assert "terminée : code 0" in started.wait_for("terminée", after)[after:]  # served by the new one
    finally:
        stop_process(started.process)


@pytest.mark.slow
def test_a_server_named_in_the_prefect_profile_is_served_too(server: PrefectServer, runtime_dir: Path, raw: Path,
                                                             tmp_path: Path) -> None:
    started = _start(server, runtime_dir, tmp_path / "service.log", profile_home=tmp_path / "prefect-home")
    try:
        assert "PREFECT_API_URL" not in started.env
        assert server.api_url in started.text()
        result = _run(started, "run", *_folders(tmp_path, raw))
        assert result.returncode == 0, clean(result)
        assert f"par le service panorama (processus {started.process.pid})" in result.stdout
    finally:
        stop_process(started.process)


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a parent that may never reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the run ends with the service on Linux only")
def test_a_service_killed_during_a_run_is_reported_and_its_run_ends(server: PrefectServer, runtime_dir: Path,
                                                                    raw: Path, tmp_path: Path) -> None:
    started = _start(server, runtime_dir, tmp_path / "service.log")
    process = subprocess.Popen([str(PANORAMA), "run", "--force", *_folders(tmp_path, raw)], env=started.env,
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        said = started.wait_for("→ exécution")
        pid = int(said.split("(processus ")[1].split(")")[0])
        started.process.kill()  # kill -9: no goodbye to anyone
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
        stop_process(started.process)
    text = clean(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    assert process.returncode == 2, text
    assert "le service panorama s'est arrêté pendant l'exécution" in text
    deadline = time.monotonic() + 60
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
