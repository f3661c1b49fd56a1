"""A real Prefect server and process worker in subprocesses, for the deployment tests.

Why subprocesses rather than `prefect_test_harness`: the point is to exercise what a steward runs
(`prefect server start`, `prefect deploy`, `prefect worker start`) with its real command line, its
own PREFECT_HOME (a SQLite database in a temporary folder) and no telemetry. Each child gets its
own process group so that teardown ends it and whatever it spawned (the worker's flow-run
processes) without touching anything else on the machine.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

PREFECT = Path(sys.executable).with_name("prefect")

# Parent-process settings that must not leak into the children (the test session's own
# PREFECT_HOME, an API URL of another server, a profile).
_DROPPED_PREFIXES = ("PREFECT_",)


class PrefectProcessError(RuntimeError):
    """A Prefect subprocess did not start, or a command failed; carries the log tail."""


def free_port() -> int:
    """A loopback port nobody listens on right now (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prefect_env(home: Path, api_url: str | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a Prefect child: own home, no analytics, no UI, fast worker polling."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES)}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_CLI_PROMPT": "false",
            # A worker asks for work every second instead of every ten.
            "PREFECT_WORKER_QUERY_SECONDS": "1",
            "PREFECT_LOGGING_LEVEL": "INFO",
            # Rich's console would wrap long lines at 80 columns and break parsing.
            "COLUMNS": "200",
        }
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.update(extra or {})
    return env


def _spawn(args: Sequence[str], env: Mapping[str, str], log: Path, cwd: Path | None) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(a) for a in args],
            env=dict(env),
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, ended as a whole at teardown
        )


def log_tail(log: Path, lines: int = 40) -> str:
    if not log.is_file():
        return "(pas de journal)"
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def stop_process(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it lingers (a worker whose server is gone
    can wait on its shutdown calls)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=timeout)


@dataclass
class PrefectServer:
    """A running `prefect server start`, with what its clients need."""

    home: Path
    port: int
    process: subprocess.Popen
    log: Path
    startup_seconds: float = 0.0
    children: list[subprocess.Popen] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return prefect_env(self.home, self.api_url, extra)

    def cli(
        self,
        *args: str,
        cwd: Path | None = None,
        extra_env: Mapping[str, str] | None = None,
        timeout: float = 120.0,
        check: bool = True,
    ) -> subprocess.CompletedProcess:
        """Run `prefect ARGS` against this server; on failure the error carries the output."""
        done = subprocess.run(
            [str(PREFECT), *args],
            env=self.env(extra_env),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and done.returncode != 0:
            raise PrefectProcessError(
                f"`prefect {' '.join(args)}` a échoué (code {done.returncode}) :\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
            )
        return done

    def start_worker(
        self,
        pool: str,
        cwd: Path,
        log: Path,
        extra_env: Mapping[str, str] | None = None,
        worker_type: str = "process",
        timeout: float = 60.0,
    ) -> subprocess.Popen:
        """`prefect worker start --pool POOL --type process`, returned once it says it started."""
        proc = _spawn(
            [PREFECT, "worker", "start", "--pool", pool, "--type", worker_type],
            self.env(extra_env),
            log,
            cwd,
        )
        self.children.append(proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise PrefectProcessError(f"Le worker s'est arrêté (code {proc.returncode}) :\n{log_tail(log)}")
            if log.is_file() and "started!" in log.read_text(encoding="utf-8", errors="replace"):
                return proc
            time.sleep(0.2)
        raise PrefectProcessError(f"Le worker n'a pas démarré en {timeout:.0f} s :\n{log_tail(log)}")

    def stop(self) -> None:
        """Workers first (they report to the server as they stop), then the server."""
        for child in reversed(self.children):
            stop_process(child)
        self.children.clear()
        stop_process(self.process)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:  # noqa: S310 (loopback)
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def start_server(
    home: Path,
    log: Path | None = None,
    timeout: float = 120.0,
    extra_env: Mapping[str, str] | None = None,
) -> PrefectServer:
    """`prefect server start` on a free loopback port; returns once /api/health answers.

    `extra_env` reaches the server only, e.g. PREFECT_API_DATABASE_CONNECTION_URL for PostgreSQL.
    """
    home.mkdir(parents=True, exist_ok=True)
    log = log or home / "server.log"
    port = free_port()
    began = time.monotonic()
    proc = _spawn(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui", "--analytics-off"],
        prefect_env(home, extra=extra_env),
        log,
        home,
    )
    server = PrefectServer(home=home, port=port, process=proc, log=log)
    deadline = began + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PrefectProcessError(f"Le serveur Prefect s'est arrêté (code {proc.returncode}) :\n{log_tail(log)}")
        if _healthy(server.api_url):
            server.startup_seconds = time.monotonic() - began
            return server
        time.sleep(0.25)
    stop_process(proc)
    raise PrefectProcessError(f"Le serveur Prefect n'a pas répondu en {timeout:.0f} s :\n{log_tail(log)}")
