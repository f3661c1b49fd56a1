"""`panorama service`: Prefect and panorama loaded once, each run a fork of that warm process.

Against a running Prefect server, a `panorama run` spends about 2 s of its 4–6 s importing Prefect
(and 0.5 s importing pandas and Arrow) before the first stage. The service pays those imports
once: it listens on a socket of the person's own folder (`service_address`), and a command that
finds it there (`panorama.cli.forward`) hands over its argument list, folder, environment and its
terminal (the three descriptors themselves). The service forks; the child takes the terminal,
the folder and the environment and runs the ordinary command line (`panorama.cli.main`) to its
end, so output, journal, exit code and Ctrl-C (forwarded by the command) are the command's own.

Forking is safe because the service never runs anything itself: it only imports (no thread is
alive at any fork, checked at start). A change of the code (`fingerprint.CODE_ROOTS`) is seen at
the next request: that command runs in its own process and the service restarts itself once its
running children have ended. Runs that publish (`--target`) are never forwarded: prompts and the
API key stay in the person's process.
"""
from __future__ import annotations

import os
import selectors
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from panorama.cli.service_address import (
    private_folder,
    public_environment,
    receive_request,
    send_line,
    service_folder,
    service_socket,
)
from panorama.cli.stages import seconds_text
from panorama.errors import PanoramaError, PrefectUnavailable

if TYPE_CHECKING:
    from rich.console import Console

# What a run imports on its way (listed from a run's new `sys.modules`); the stage modules come
# from `panorama.stages.STAGES`. A module missing here costs its import in each run, nothing more.
WARM_MODULES = (
    "flows.semestre", "flows.republication", "flows.runners", "prefect.flow_engine", "prefect.task_engine",
    "prefect.client.orchestration", "prefect.events.clients", "prefect.logging.handlers", "prefect.results",
    "fastapi", "fastapi.encoders", "graphviz", "httpx", "rich.console", "rich.table", "rich.status",
    "rich._emoji_codes", "pyarrow.parquet", "pyarrow.fs", "pyarrow.pandas_compat", "xlrd", "defusedxml.ElementTree",
    "encodings.cp1252", "encodings.cp850", "encodings.cp437", "encodings.latin_1", "encodings.iso8859_15",
    "encodings.mac_roman", "encodings.utf_8_sig", "panorama.cli.prefect_api", "panorama.validation.targets",
    "panorama.datagouv.resources", "panorama.diff", "panorama.diff_text", "panorama.folders", "ctypes",
)
STOP_SECONDS = 30.0


@dataclass
class _Run:
    number: int
    pid: int
    pidfd: int
    conn: socket.socket
    argv: list[str]
    started: float = field(default_factory=time.monotonic)
    client_gone: bool = False


def serve(console: Console) -> int:
    """Load, listen, fork per request; returns 0 when stopped (Ctrl-C or SIGTERM)."""
    env = dict(os.environ)
    url = _server_url(env)
    if not url:
        raise PrefectUnavailable(
            "Le service sert les exécutions sur un serveur Prefect déjà lancé : définissez PREFECT_API_URL "
            "(par exemple http://127.0.0.1:4200/api après « prefect server start », dans l'environnement ou "
            "avec « prefect config set »), puis relancez."
        )
    from panorama.cli.prefect_api import _check_configured

    _check_configured(url.rstrip("/"), "Démarrez-le (prefect server start) ou corrigez PREFECT_API_URL, puis "
                                       "relancez « panorama service ».")
    folder, path = service_folder(env), service_socket(env)
    if not private_folder(folder, create=True):
        raise PanoramaError(f"Le dossier {folder} n'est pas un dossier privé de cet utilisateur : le service "
                            "ne peut pas y écouter. Définissez XDG_RUNTIME_DIR vers un dossier à vous.")
    if _answers(path):
        raise PanoramaError(f"Un service panorama tourne déjà pour ce code et ces réglages Prefect ({path}).")
    started = time.monotonic()
    with console.status("Chargement de Prefect et de panorama…"):
        loaded = _warm()
    for thread in threading.enumerate():  # the status line's refresh thread, told to stop: let it end
        if thread is not threading.current_thread():
            thread.join(timeout=2.0)
    if threading.active_count() > 1:  # a fork would copy a process with a thread in the middle of its work
        raise PanoramaError("Le service ne peut pas démarrer : un module chargé a lancé un fil d'exécution.")
    listener = _listen(path)
    console.print(f"✓ Service panorama prêt en {seconds_text(time.monotonic() - started)} — serveur Prefect {url}, "
                  f"adresse {path}", highlight=False, markup=False)
    console.print("  Les commandes « panorama run » et « panorama republish » sans --direct ni --target, lancées "
                  "avec les mêmes réglages Prefect, s'exécutent ici sans recharger Prefect. Ctrl-C pour arrêter.",
                  highlight=False)
    return _Service(console, listener, path, loaded).loop()


def _server_url(env: dict[str, str]) -> str:
    """The server of the environment, else of Prefect's active profile (Prefect imported for it)."""
    url = env.get("PREFECT_API_URL", "").strip()
    if url:
        return url
    from prefect.settings import get_current_settings

    return (get_current_settings().api.url or "").strip()


def _warm() -> str:
    """Import what runs need; returns the code's fingerprint as loaded."""
    from panorama.fingerprint import code_fingerprint
    from panorama.stages import STAGES, prepare_imports

    for name in [*WARM_MODULES, *(m for s in STAGES for m in s.needs)]:
        prepare_imports([name])  # one that fails is imported (and fails) in the run that needs it
    from PIL import Image

    Image.init()  # the image plugins a chart's first save imports
    return code_fingerprint()


def _answers(path: Path) -> bool:
    """A service listens at `path` (a socket file left by a killed one is removed)."""
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
            return True
        except OSError:
            pass
    path.unlink(missing_ok=True)
    return False


def _listen(path: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(path))
        os.chmod(path, 0o600)
        listener.listen(16)
    except OSError as error:
        listener.close()
        raise PanoramaError(f"Le service ne peut pas écouter à l'adresse {path} ({error.strerror or error}).") from error
    return listener


class _Service:
    """The accept loop: one child per request, its end reported to the command that asked."""

    def __init__(self, console: Console, listener: socket.socket, path: Path, loaded: str) -> None:
        self.console, self.listener, self.path, self.loaded = console, listener, path, loaded
        self.owner = os.getpid()
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, None)
        self.runs: dict[int, _Run] = {}
        self.count = 0
        self.restart = False

    def loop(self) -> int:
        """Serve until Ctrl-C or SIGTERM (returns 0); after a change of code, restart in place."""
        try:
            while not (self.restart and not self.runs):
                self._dispatch(self.selector.select())
        except KeyboardInterrupt:
            if os.getpid() != self.owner:
                raise
            self._stop()
            return 0
        finally:
            if os.getpid() == self.owner:
                self._close()
        self.console.print("Le code de panorama a changé : le service redémarre pour le charger.", highlight=False)
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])

    def _dispatch(self, events: list[tuple[selectors.SelectorKey, int]]) -> None:
        for key, _ in events:
            if key.data is None:
                self._accept()
            elif key.fileobj is key.data.conn:
                self._client_event(key.data)
            else:
                self._reap(key.data)

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        fds: list[int] = []
        try:
            conn.settimeout(5.0)
            first, fds, _, _ = socket.recv_fds(conn, 65536, 3)
            request = receive_request(conn, first)
            if len(fds) != 3:
                raise ValueError("descriptors missing")
            if self.restart or not self._current():
                self.restart = True
                send_line(conn, {"perime": True})
                raise ValueError("stale code")
            self.count += 1
            run = self._fork(conn, fds, request)
        except (OSError, ValueError):
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        self.runs[run.pid] = run
        self.selector.register(run.pidfd, selectors.EVENT_READ, run)
        try:
            send_line(conn, {"pid": run.pid})
        except OSError:
            run.client_gone = True
            _signal(run.pid, signal.SIGTERM)
        else:
            self.selector.register(conn, selectors.EVENT_READ, run)
        self.console.print(f"→ exécution {run.number} : panorama {' '.join(run.argv[1:])} (processus {run.pid})",
                           highlight=False, markup=False)

    def _current(self) -> bool:
        """The code on disk is the code loaded (hashed again at each request: a few milliseconds)."""
        from panorama.fingerprint import CODE_ROOTS, tree_digest

        return tree_digest(CODE_ROOTS) == self.loaded

    def _fork(self, conn: socket.socket, fds: list[int], request: dict) -> _Run:
        sockets = [self.listener, conn, *(run.conn for run in self.runs.values())]
        pidfds = [run.pidfd for run in self.runs.values()]
        pid = os.fork()
        if pid == 0:
            self.selector.close()  # the child's copy of the epoll descriptor
            _child(request, fds, sockets, pidfds)
        for fd in fds:
            os.close(fd)
        conn.settimeout(None)
        return _Run(self.count, pid, os.pidfd_open(pid), conn, [str(a) for a in request["argv"]])

    def _client_event(self, run: _Run) -> None:
        """The command went away (killed, terminal closed): its run ends like on Ctrl-C."""
        self.selector.unregister(run.conn)
        run.client_gone = True
        _signal(run.pid, signal.SIGTERM)

    def _reap(self, run: _Run) -> None:
        _, status = os.waitpid(run.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        code = 128 - code if code < 0 else code  # killed by a signal: the shell's convention
        self.selector.unregister(run.pidfd)
        os.close(run.pidfd)
        if not run.client_gone:
            self.selector.unregister(run.conn)
            try:
                send_line(run.conn, {"code": code})
            except OSError:
                pass
        run.conn.close()
        del self.runs[run.pid]
        self.console.print(f"{'✓' if code == 0 else '✗'} exécution {run.number} terminée : code {code} en "
                           f"{seconds_text(time.monotonic() - run.started)}", highlight=False)

    def _stop(self) -> None:
        """Ctrl-C or SIGTERM: the running children end like on Ctrl-C, their commands get their codes."""
        for run in self.runs.values():
            _signal(run.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        self.selector.unregister(self.listener)  # no new run while stopping
        while self.runs and time.monotonic() < deadline:
            self._dispatch(self.selector.select(timeout=max(0.0, deadline - time.monotonic())))
        for run in list(self.runs.values()):
            _signal(run.pid, signal.SIGKILL)
            self._reap(run)
        self.console.print("Service panorama arrêté.", highlight=False)

    def _close(self) -> None:
        for run in self.runs.values():  # only after a failure of the loop itself
            os.close(run.pidfd)
            run.conn.close()
        self.selector.close()
        self.listener.close()
        self.path.unlink(missing_ok=True)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _child(request: dict, fds: list[int], sockets: list[socket.socket], pidfds: list[int]) -> NoReturn:
    """The forked run: the command's terminal, folder and environment, then the ordinary command line.

    The command line ends the process itself (`panorama.cli._exit`); an interpreter without
    `threading._shutdown` exits by SystemExit, which unwinds through the service's frames (each
    checks it is the service). Ctrl-C or SIGTERM before the command line took over ends the run
    as it would have: « Interrompu. », exit 130."""
    try:
        os.setpgid(0, 0)  # the service's Ctrl-C is not the run's: the service signals it once
        _end_with_the_service()
        for sock in sockets:  # detached first: a socket object must not close a reused number later
            os.close(sock.detach())
        for fd in pidfds:
            os.close(fd)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        _reopen_streams(str(request.get("encoding") or "utf-8"))
        os.chdir(str(request["cwd"]))
        prefect = {k: v for k, v in os.environ.items() if k.startswith("PREFECT_")}
        os.environ.clear()
        os.environ.update({k: str(v) for k, v in public_environment(request["env"]).items() if not k.startswith("PREFECT_")})
        os.environ.update(prefect)  # the same settings as the command's (the address says so), as loaded
        time.tzset()
        sys.argv = [str(a) for a in request["argv"]]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from panorama import cli
        from panorama.cli import journal
        from panorama.cli.forward import served_here

        served_here(os.getppid())
        cli.forget_consoles()
        journal.start_journal(journal.default_folder(), announce=False)  # this run's, from its folder
    except KeyboardInterrupt:
        _interrupted()
    except BaseException as error:  # noqa: BLE001 - a child that cannot take the terminal must not return to the loop
        _unprepared(error)
    try:
        cli.main()
    except KeyboardInterrupt:  # in the instant before the command line's own handler
        _interrupted()
    raise SystemExit(0)


def _interrupted() -> NoReturn:
    try:
        os.write(2, b"Interrompu.\n")
    finally:
        os._exit(130)


def _end_with_the_service() -> None:
    """Linux: SIGTERM to the run if the service dies (killed -9), which ends it as on Ctrl-C instead of
    finishing for a command that already reported the service lost. Elsewhere: nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() == 1:  # the service died before the call
        os.kill(os.getpid(), signal.SIGTERM)


def _unprepared(error: BaseException) -> NoReturn:
    """The run could not take the command's terminal or folder: said there, details in the journal."""
    import logging

    try:
        logging.getLogger("panorama.cli").error("service : exécution non préparée", exc_info=error)
        os.write(2, "Erreur interne inattendue : le service panorama n'a pas pu préparer cette exécution. "
                    "Relancez avec --direct, ou arrêtez le service (Ctrl-C) et relancez.\n".encode())
    finally:
        os._exit(3)


def _reopen_streams(encoding: str) -> None:
    """Python's streams over the command's descriptors (the service's were a file, or another terminal)."""
    import io

    def stream(fd: int, mode: str, errors: str) -> io.TextIOWrapper:
        raw = io.FileIO(fd, mode, closefd=False)
        buffered: io.BufferedReader | io.BufferedWriter = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
        return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, line_buffering=os.isatty(fd))

    sys.stdin = stream(0, "r", "strict")
    sys.stdout = stream(1, "w", "strict")
    sys.stderr = stream(2, "w", "backslashreplace")
