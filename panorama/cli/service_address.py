"""Where the warm service of a code tree listens, and the one message a command sends it.

Both ends use this module (the command before anything else is imported, the service at start),
so it imports the standard library only. The address is a key over what decides how a run
behaves and that the service fixed when it imported Prefect: the interpreter, the code tree,
every PREFECT_* variable and Prefect's profiles file (the server's URL, the profile, the logging
level). A command whose settings differ finds no service at its address and runs in its own
process, as without one.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

# Set by the command for each run (its journal), not by the person: not part of the address.
_PER_RUN = frozenset({"PREFECT_LOGGING_HANDLERS_JOURNAL_FILENAME", "PREFECT_LOGGING_SETTINGS_PATH"})
# What never leaves the command's process: runs with a target are not forwarded, so no key is needed.
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD")
CODE_TREE = Path(__file__).resolve().parents[2]
HEADER_BYTES = 4
MAX_REQUEST_BYTES = 4 << 20


def service_key(env: Mapping[str, str]) -> str:
    """16 hex digits over the environment (`sys.prefix`: the same for `python` and `python3` of a
    virtualenv), the code tree and Prefect's settings: the PREFECT_* variables of `env` (as the
    command has them, after `journal.quiet_prefect_settings`) and the profiles file, where
    `prefect config set` writes (read as bytes: Prefect is not imported to know them)."""
    digest = hashlib.sha256(f"{sys.prefix}\0{CODE_TREE}\0".encode())
    for name in sorted(k for k in env if k.startswith("PREFECT_") and k not in _PER_RUN):
        digest.update(f"{name}={env[name]}\0".encode())
    try:
        digest.update(profiles_file(env).read_bytes())
    except OSError:  # no profile written yet: Prefect's defaults
        digest.update(b"\0no profiles file")
    return digest.hexdigest()[:16]


def profiles_file(env: Mapping[str, str]) -> Path:
    """Prefect's profiles file: PREFECT_PROFILES_PATH, else profiles.toml in PREFECT_HOME (~/.prefect)."""
    if env.get("PREFECT_PROFILES_PATH"):
        return Path(env["PREFECT_PROFILES_PATH"]).expanduser()
    return Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser() / "profiles.toml"


def service_folder(env: Mapping[str, str]) -> Path:
    """The person's own folder for service sockets: $XDG_RUNTIME_DIR, else /tmp, then panorama-<uid>."""
    base = env.get("XDG_RUNTIME_DIR") or "/tmp"
    return Path(base) / f"panorama-{os.getuid()}"


def service_socket(env: Mapping[str, str]) -> Path:
    return service_folder(env) / f"{service_key(env)}.sock"


def private_folder(folder: Path, create: bool) -> bool:
    """True when `folder` is a directory of this user that nobody else may enter (created if asked).

    A folder another user made in /tmp could hold a socket that receives our terminal: never used."""
    if create:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return False
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def public_environment(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without the variables that may hold a secret (their values stay in the command)."""
    return {k: v for k, v in env.items() if not any(word in k.upper() for word in _SECRET_WORDS)}


def encode_request(argv: list[str], cwd: str, env: Mapping[str, str], encoding: str) -> bytes:
    payload = json.dumps({"argv": argv, "cwd": cwd, "env": dict(env), "encoding": encoding}).encode()
    return len(payload).to_bytes(HEADER_BYTES, "big") + payload


def receive_request(conn: socket.socket, first: bytes) -> dict:
    """The request whose first bytes arrived with the descriptors; the rest read from `conn`."""
    data = bytearray(first)
    while len(data) < HEADER_BYTES:
        data += _more(conn)
    size = int.from_bytes(data[:HEADER_BYTES], "big")
    if size > MAX_REQUEST_BYTES:
        raise ValueError(f"request of {size} bytes")
    while len(data) < HEADER_BYTES + size:
        data += _more(conn)
    request = json.loads(bytes(data[HEADER_BYTES:HEADER_BYTES + size]))
    if not isinstance(request, dict) or not isinstance(request.get("argv"), list):
        raise ValueError("not a request")
    return request


def _more(conn: socket.socket) -> bytes:
    chunk = conn.recv(65536)
    if not chunk:
        raise ValueError("request cut short")
    return chunk


def send_line(conn: socket.socket, message: dict) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")
