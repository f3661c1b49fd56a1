"""One call in a forked child while this process does something else meanwhile.

Why: on the plain run, the first stage that needs pandas waits about half a second for its import
on a 2-core machine. Validating the files is pure Python; done in a child while this process
imports what the next stages need, most of that wait disappears.

Used only where it is safe and useful: a POSIX `fork`, at least two usable cores, and something
left to do meanwhile. The child runs the call and nothing else: SIGINT ignored (the parent stops it,
with SIGTERM, which the call sees as an interruption so that its cleanups run: a report half
written leaves no temporary file), standard output and error sent to /dev/null, `os._exit` so that
no handler of the parent runs twice.
Anything going wrong in the child (an exception, a crash, a result that does not pickle) makes the
parent run the call itself, so a failure reads exactly as without the child.
"""
from __future__ import annotations

import atexit
import os
import pickle
import signal
import time
import warnings
from collections.abc import Callable
from typing import NoReturn, TypeVar

T = TypeVar("T")
STOP_GRACE = 2.0  # seconds an interrupted child has to clean up before SIGKILL


def can_fork() -> bool:
    """A POSIX fork and two cores this process may use (one for the child, one for the parent)."""
    if not hasattr(os, "fork"):
        return False
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return len(cores) >= 2


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _child(call: Callable[[], object], write_fd: int) -> NoReturn:
    """In the child: run `call`, pickle its result into the pipe, exit without running anything else."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _interrupted)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        payload = pickle.dumps(call(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        os._exit(code)


def _collect(pid: int, read_fd: int) -> tuple[bool, object]:
    """The child's result: (True, result) when it sent one whole, else (False, None) once it ended.

    The child writes its result last and closes the pipe before it exits: a result that unpickles
    whole is complete, and the child's exit (tearing down a large process takes about 10 ms) is
    not waited for; it is reaped later (`_reap`)."""
    with os.fdopen(read_fd, "rb") as pipe:
        payload = pipe.read()
    try:
        if payload:
            result = pickle.loads(payload)
            _unreaped.add(pid)
            return True, result
    except Exception:  # a result that does not come back whole: the parent runs the call itself
        pass
    os.waitpid(pid, 0)
    return False, None


_unreaped: set[int] = set()


@atexit.register
def _reap() -> None:
    """Reap the children that sent their result and have since exited (no zombie left behind)."""
    for pid in list(_unreaped):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere already
            done = pid
        if done:
            _unreaped.discard(pid)


def _stop(pid: int) -> None:
    """End the child: SIGTERM, so that its cleanups run, then SIGKILL if it has not ended within
    STOP_GRACE seconds; reaped either way."""
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
            time.sleep(0.005)
    except (ProcessLookupError, ChildProcessError):
        pass


def call_beside(call: Callable[[], T], meanwhile: Callable[[], object]) -> T:
    """`call()` in a forked child while this process runs `meanwhile()`; its result, as if run here.

    Without a usable fork, `call` runs here after `meanwhile`. An interruption (Ctrl-C) in the
    parent stops the child before it propagates."""
    if not can_fork():
        meanwhile()
        return call()
    _reap()
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():  # Python ≥ 3.12 warns about forking a threaded process: see above
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(call, write_fd)
    os.close(write_fd)
    try:
        meanwhile()
    except BaseException:
        os.close(read_fd)
        _stop(pid)
        raise
    try:
        ok, result = _collect(pid, read_fd)
    except BaseException:
        _stop(pid)
        raise
    return result if ok else call()  # type: ignore[return-value]
