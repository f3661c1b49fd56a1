"""Hand a run to the warm service when one serves this code and these Prefect settings.

Called first thing by the command line, before Prefect is imported: a run that can go
to the service (`panorama.cli.service`) costs the service's fork instead of 2–3 s of imports. Any
doubt (no service, a socket left by a killed one, a descriptor that cannot be passed, stale code)
gives None and the command runs in its own process exactly as without a service.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

# Commands whose runs the service takes: the Prefect flows, which pay Prefect's import.
FORWARDED = frozenset({"run", "republish"})
# With these the run stays here: no Prefect, a person's answer may be needed, or only help is asked.
KEPT = frozenset({"--direct", "--target", "--help", "-h"})
LOST = 2
_service: int | None = None  # in the service's child: the service's process; its run is never forwarded again


def served_here(service: int) -> None:
    global _service
    _service = service


def serving_service() -> int | None:
    """The process of the service running this command, if a service runs it."""
    return _service


def forwardable(args: list[str]) -> bool:
    """`args` (without the program name) name a forwarded command, none of the options that keep it here."""
    commands = [a for a in args if not a.startswith("-")]
    if not commands or commands[0] not in FORWARDED:
        return False
    return not any(a.split("=", 1)[0] in KEPT for a in args)


def forward(argv: list[str], env: Mapping[str, str]) -> int | None:
    """The run's exit code, run by the service; None when it is to run here."""
    if _service is not None or not forwardable(argv[1:]):
        return None  # before any import: every command starts here (json, socket, hashlib: 10–18 ms)
    import socket

    from panorama.cli.service_address import encode_request, private_folder, public_environment, service_socket

    path = service_socket(env)
    if not path.exists() or not private_folder(path.parent, create=False):
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        request = encode_request(argv, os.getcwd(), public_environment(env), encoding)
        socket.send_fds(sock, [request], [0, 1, 2])
        replies = sock.makefile("rb")
        first = _reply(replies)
    except (OSError, ValueError):
        sock.close()
        return None
    if "pid" not in first:  # stale code: the service restarts, this run is done here
        sock.close()
        return None
    return _follow(sock, replies, int(first["pid"]))


def _reply(replies) -> dict:  # noqa: ANN001 - a binary file over the socket
    import json

    line = replies.readline()
    if not line:
        raise ValueError("no reply")
    reply = json.loads(line)
    if not isinstance(reply, dict):
        raise ValueError("not a reply")
    return reply


def _follow(sock: socket.socket, replies, pid: int) -> int:  # noqa: ANN001
    """Wait for the run's end; Ctrl-C and termination signals reach the run, which ends as usual."""
    import signal

    def relay(signum: int, frame: object) -> None:
        try:
            os.kill(pid, signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, relay)
    try:
        while True:
            try:
                reply = _reply(replies)
            except InterruptedError:
                continue
            if "code" in reply:
                return int(reply["code"])
    except (OSError, ValueError):
        sys.stderr.write("Erreur : le service panorama s'est arrêté pendant l'exécution ; son résultat est "
                         "inconnu. Relancez la commande.\n")
        return LOST
    finally:
        sock.close()
