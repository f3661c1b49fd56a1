"""One run at a time per output folder and per publication target, on this machine.

Two runs at once interleave their writes (a build rewriting the output folder while another
uploads it) or both create the same resource on data.gouv.fr. Each guarded section takes an OS
file lock (`fcntl.flock`, released by the kernel when the process dies, so a killed run never
leaves a stale lock); a second run prints one French line, waits up to a bounded time, then stops
with `RunInProgress` (exit 1). The lock is re-entrant within one thread, so `panorama run` may
hold the output folder's lock and call the publication that takes it again. Prefect deployments
add their own limits on top (see flows/publish.py and prefect.yaml).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from panorama.errors import RunInProgress, SettingsError

TIMEOUT_ENV = "PANORAMA_LOCK_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 900.0
POLL_SECONDS = 0.2
BUILD_LOCK_NAME = ".panorama-construction.verrou"

_held: dict[str, tuple[int, int]] = {}  # lock file → (owning thread, depth)
_held_guard = threading.Lock()


def lock_timeout(env: Mapping[str, str] | None = None) -> float:
    """Seconds a second run waits for the first (PANORAMA_LOCK_TIMEOUT, default 15 minutes)."""
    env = os.environ if env is None else env
    raw = env.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise SettingsError(f"{TIMEOUT_ENV} = « {raw} » : un nombre de secondes positif ou nul est attendu "
                            "(exemple : 900 ; 0 pour s'arrêter aussitôt si une autre exécution est en cours).")
    return value


def _holder(handle) -> str:
    handle.seek(0)
    text = handle.read(300).strip()
    return f" ({text})" if text else ""


@contextmanager
def exclusive(lock_file: Path, what: str, notify: Callable[[str], None] | None = None,
              timeout: float | None = None) -> Iterator[None]:
    """Hold `lock_file` exclusively; `what` names the guarded work in French, without article
    ("publication sur la cible « demo »"). Waits at most `timeout` seconds (default: `lock_timeout()`)."""
    key = str(Path(os.path.abspath(lock_file)))
    me = threading.get_ident()
    with _held_guard:
        owner = _held.get(key)
        if owner and owner[0] == me:
            _held[key] = (me, owner[1] + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] = (me, _held[key][1] - 1)
        return
    limit = lock_timeout() if timeout is None else timeout
    created = [f for f in (lock_file.parent, *lock_file.parent.parents) if not f.exists()]
    handle = _acquire(lock_file, what, notify, limit)
    try:
        started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        handle.write(f"processus {os.getpid()} sur {socket.gethostname()}, depuis {started}")
        handle.flush()
        with _held_guard:
            _held[key] = (me, 1)
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(key, None)
            # Removed while still held: a waiting run then finds the file gone and starts over.
            lock_file.unlink(missing_ok=True)
    finally:
        handle.close()  # releases the lock
        for folder in created:  # leave no trace: folders made only for the lock go (when empty)
            try:
                folder.rmdir()
            except OSError:
                break


def _same_file(handle, lock_file: Path) -> bool:
    try:
        return os.stat(lock_file).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False


def _acquire(lock_file: Path, what: str, notify: Callable[[str], None] | None, limit: float):
    """An open handle on `lock_file` holding its exclusive lock, or RunInProgress after `limit` s."""
    deadline = time.monotonic() + limit
    told = False
    while True:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_file, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            if time.monotonic() >= deadline:
                raise RunInProgress(
                    f"Une autre {what} est toujours en cours{holder} après {limit:.0f} s d'attente : "
                    f"abandon, rien n'a été fait. Relancez quand elle sera finie (verrou : {lock_file})."
                ) from None
            if not told and notify is not None:
                notify(f"Une autre {what} est en cours{holder}, attente (au plus {limit:.0f} s)…")
                told = True
            time.sleep(POLL_SECONDS)
            continue
        if _same_file(handle, lock_file):  # not a file its previous holder removed meanwhile
            handle.seek(0)
            handle.truncate()
            return handle
        handle.close()


def build_lock(out_dir: Path, notify: Callable[[str], None] | None = None) -> AbstractContextManager[None]:
    """The output folder's lock: one build (and the publication reading it) at a time."""
    return exclusive(out_dir / BUILD_LOCK_NAME, f"construction dans le dossier « {out_dir} »", notify)


def publication_lock(state_dir: Path, target_name: str,
                     notify: Callable[[str], None] | None = None) -> AbstractContextManager[None]:
    """The target's lock: plan, upload and the record of ids (`<state_dir>/<cible>.json`) by one
    run at a time."""
    return exclusive(state_dir / f".{target_name}.verrou", f"publication sur la cible « {target_name} »", notify)
