"""Make sure Prefect's API answers before a flow starts, or say in French what to do.

Without PREFECT_API_URL, Prefect starts a temporary local server on the first flow call and gives
it PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (20 s, counted in sleeps, not wall time) to
answer. On a 2-core machine whose cores are busy, or on a fresh PREFECT_HOME that migrates its
database, that is not enough and the run died with an English RuntimeError. The command therefore
starts that same temporary server itself (Prefect's own command line for it), before the flow:
its output goes to the journal instead of the terminal, it gets `STARTUP_SECONDS` of wall time
(unless the person set Prefect's setting explicitly), a server that exits early is reported at
once, and it is stopped when the command ends. Once it answers, PREFECT_API_URL points to it for
the rest of the process, so Prefect's client never imports the server's own package (about 2 s of
CPU on these machines) just to find it.

With PREFECT_API_URL set (a `prefect server start` or Prefect Cloud), the command asks the API's
health route first: a server that does not answer ends in a French message and exit 2, not in a
retried connection error.
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from panorama.errors import PrefectUnavailable

STARTUP_SECONDS = 180.0
TIMEOUT_ENV = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
HEALTH_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.1  # as Prefect's own wait for its temporary server
PORT_TAKEN_EXIT = 3  # uvicorn's exit code when the port was taken meanwhile

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


def _free_port() -> int:
    """A loopback port nobody listens on right now (taken meanwhile: uvicorn exits 3, we try another)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TemporaryServer:
    """Prefect's temporary server (the command line of prefect 3.8.8's SubprocessASGIServer), with its
    output in the journal, a wall-clock start-up limit, and a stop when the command ends."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.address}/api"

    def _spawn(self) -> subprocess.Popen:
        import prefect
        from prefect.settings import get_current_settings

        self.port = _free_port()
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

    def start(self) -> None:
        """Start the server and return once its health route answers (PrefectUnavailable otherwise)."""
        import httpx

        limit = startup_seconds()
        deadline = time.monotonic() + limit
        self.process = self._spawn()
        atexit.register(self.stop)
        with httpx.Client(timeout=5.0) as client:
            while True:
                code = self.process.poll()
                if code == PORT_TAKEN_EXIT:
                    self.process = self._spawn()
                    continue
                if code is not None:
                    self.stop()
                    raise PrefectUnavailable(
                        f"Le serveur Prefect temporaire s'est arrêté pendant son démarrage (code {code}). "
                        f"Détails dans le journal {self.journal}. {WHAT_TO_DO}"
                    )
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise PrefectUnavailable(
                        f"Le serveur Prefect temporaire n'a pas répondu en {limit:.0f} s (machine trop "
                        f"chargée ?). {WHAT_TO_DO} Vous pouvez aussi allonger ce délai : {TIMEOUT_ENV}=600."
                    )
                time.sleep(POLL_SECONDS)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Terminate the server (its whole session), then kill it if it lingers."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_temporary: TemporaryServer | None = None


def _use(url: str) -> None:
    """PREFECT_API_URL for the rest of this process (and its children), as if the person had set it."""
    from prefect.context import refresh_global_settings_context

    os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()


def ensure_prefect_api(journal: Path) -> str:
    """Start or check Prefect's API; returns a French line saying which server the run uses."""
    global _temporary
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    url = (settings.api.url or "").strip()
    if _temporary is not None and _temporary.running and url == _temporary.api_url:
        return f"serveur temporaire {_temporary.address}"  # started by an earlier call of this command
    if url:
        _check_configured(url.rstrip("/"))
        return f"serveur {url}"
    if not settings.server.ephemeral.enabled:
        raise PrefectUnavailable(
            "Prefect n'a pas de serveur : PREFECT_API_URL n'est pas définie et le serveur temporaire est "
            f"désactivé (PREFECT_SERVER_EPHEMERAL_ENABLED). {WHAT_TO_DO}"
        )
    server = TemporaryServer(journal)
    server.start()
    _temporary = server
    _use(server.api_url)
    return f"serveur temporaire {server.address}"


RUN_ADVICE = ("Démarrez-le (prefect server start), corrigez PREFECT_API_URL, retirez-la pour utiliser un serveur "
              "temporaire, ou relancez sans Prefect avec --direct.")


def _check_configured(url: str, advice: str = RUN_ADVICE) -> None:
    """The configured server answers its health route, else a French message ending with `advice`."""
    import httpx

    try:
        with httpx.Client(timeout=HEALTH_TIMEOUT_SECONDS) as client:
            response = client.get(f"{url}/health")
    except httpx.HTTPError:
        response = None
    if response is None or response.status_code != 200:
        answer = "ne répond pas" if response is None else f"répond {response.status_code}"
        raise PrefectUnavailable(f"Le serveur Prefect configuré (PREFECT_API_URL = {url}) {answer}. {advice}")


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
