"""Make sure Prefect's API answers before a flow starts, or say in French what to do.

Without PREFECT_API_URL, Prefect starts a temporary local server on the first flow call and gives
it PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (20 s, counted in sleeps, not wall time) to
answer. On a 2-core machine whose cores are busy, or on a fresh PREFECT_HOME that migrates its
database, that is not enough and the run died with an English RuntimeError. The command therefore
starts that same temporary server itself, before the flow: its output goes to the journal instead
of the terminal, it gets `STARTUP_SECONDS` of wall time (unless the person set Prefect's setting
explicitly), and a server that exits early is reported at once. Prefect's `get_client` then finds
the running server (the class keeps one instance per port) and uses it.

With PREFECT_API_URL set (a `prefect server start` or Prefect Cloud), the command asks the API's
health route first: a server that does not answer ends in a French message and exit 2, not in a
retried connection error.
"""
from __future__ import annotations

import atexit
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from panorama.errors import PrefectUnavailable

STARTUP_SECONDS = 180.0
TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
HEALTH_TIMEOUT_SECONDS = 10.0

WHAT_TO_DO = (
    "Relancez sans Prefect avec --direct (mêmes étapes, même résultat), ou démarrez un serveur "
    "avec « prefect server start » puis définissez PREFECT_API_URL=http://127.0.0.1:4200/api."
)


def startup_seconds(env: dict[str, str] | None = None) -> float:
    """Wall time allowed to the temporary server: Prefect's setting when the person set it, else ours."""
    value = (env if env is not None else os.environ).get(TIMEOUT_ENV, "").strip()
    try:
        return float(value) if value else STARTUP_SECONDS
    except ValueError:
        return STARTUP_SECONDS


class _JournalledServer(Protocol):
    """What the command uses of the temporary server (a class defined once Prefect is imported)."""

    journal: Path

    @property
    def address(self) -> str: ...

    def start(self, timeout: int | None = None) -> None: ...


def _temporary_server_class() -> Callable[[], _JournalledServer]:
    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class JournalledServer(SubprocessASGIServer):
        """Prefect's temporary server with its output in the journal and a wall-clock start-up limit."""

        journal: Path

        def _run_uvicorn_command(self) -> subprocess.Popen:
            # The command of prefect 3.8.8's SubprocessASGIServer, with stdout/stderr to the journal.
            with open(self.journal, "ab") as log:
                return subprocess.Popen(
                    args=[sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
                          "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
                          "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
                    env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                         "PREFECT__SERVER_FINAL": "1",
                         **get_current_settings().to_environment_variables(exclude_unset=True)},
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    # Its own session: a Ctrl-C on the terminal reaches the command, which then
                    # reports the interrupted run to this server and stops it (atexit), in that order.
                    start_new_session=True,
                )

        def start(self, timeout: int | None = None) -> None:
            if self.running:
                return
            import httpx

            limit = startup_seconds()
            deadline = time.monotonic() + limit
            self.port = self.port or self.find_available_port()
            self.server_process = self._run_uvicorn_command()
            atexit.register(self.stop)
            with httpx.Client(timeout=5.0) as client:
                while True:
                    code = self.server_process.poll()
                    if code == 3:  # port taken meanwhile: Prefect's own answer is another port
                        self.port = self.find_available_port()
                        self.server_process = self._run_uvicorn_command()
                        continue
                    if code is not None:
                        self.stop()
                        raise PrefectUnavailable(
                            f"Le serveur Prefect temporaire s'est arrêté pendant son démarrage (code {code}). "
                            f"Détails dans le journal {self.journal}. {WHAT_TO_DO}"
                        )
                    try:
                        if client.get(f"{self.api_url}/health").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        self.stop()
                        raise PrefectUnavailable(
                            f"Le serveur Prefect temporaire n'a pas répondu en {limit:.0f} s (machine trop "
                            f"chargée ?). {WHAT_TO_DO} Vous pouvez aussi allonger ce délai : {TIMEOUT_ENV}=600."
                        )
                    time.sleep(0.25)
            self.running = True

    return JournalledServer


def ensure_prefect_api(journal: Path) -> str:
    """Start or check Prefect's API; returns a French line saying which server the run uses."""
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    url = (settings.api.url or "").strip()
    if url:
        _check_configured(url.rstrip("/"))
        return f"serveur {url}"
    if not settings.server.ephemeral.enabled:
        raise PrefectUnavailable(
            "Prefect n'a pas de serveur : PREFECT_API_URL n'est pas définie et le serveur temporaire est "
            f"désactivé (PREFECT_SERVER_EPHEMERAL_ENABLED). {WHAT_TO_DO}"
        )
    from prefect.server.api.server import SubprocessASGIServer

    existing = SubprocessASGIServer._instances.get(None)
    if existing is not None and not existing.running:
        del SubprocessASGIServer._instances[None]
    server_class = _temporary_server_class()
    server = server_class()
    server.journal = journal
    server.start()
    return f"serveur temporaire {server.address}"


def _check_configured(url: str) -> None:
    import httpx

    try:
        with httpx.Client(timeout=HEALTH_TIMEOUT_SECONDS) as client:
            response = client.get(f"{url}/health")
    except httpx.HTTPError:
        response = None
    if response is None or response.status_code != 200:
        answer = "ne répond pas" if response is None else f"répond {response.status_code}"
        raise PrefectUnavailable(
            f"Le serveur Prefect configuré (PREFECT_API_URL = {url}) {answer}. Démarrez-le (prefect server "
            "start), corrigez PREFECT_API_URL, retirez-la pour utiliser un serveur temporaire, "
            "ou relancez sans Prefect avec --direct."
        )


def settings_error(error: Exception) -> PrefectUnavailable:
    """Prefect refuses its own settings (a PREFECT_* variable or profile value): say which, in French."""
    problems = []
    for item in getattr(error, "errors", list)():
        name = ".".join(str(part) for part in item.get("loc", ()))
        problems.append(f"{name} = « {item.get('input')} »")
    listed = "; ".join(problems) or "valeur non reconnue"
    return PrefectUnavailable(
        f"Réglage Prefect invalide : {listed}. Corrigez la variable d'environnement PREFECT_… correspondante "
        f"ou le profil Prefect (prefect config view), ou lancez sans Prefect avec --direct."
    )
