"""The real `panorama` command in a fresh interpreter, and which modules it imported.

Start-up and light-path tests (issue #12) assert what a command does not import: the wrapper calls
the real entry point and, from an atexit handler (which runs however the command exits), writes
the names of every loaded module.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_WRAPPER = """
import atexit, json, sys
sys.argv = ["panorama", *sys.argv[1:]]
atexit.register(lambda: sys.stderr.write("\\nMODULES=" + json.dumps(sorted(sys.modules))))
from panorama.cli import main
main()
"""


@dataclass
class CliRun:
    code: int
    modules: set[str]  # top-level package names (`pandas` for `pandas.core.frame`)
    stdout: str
    stderr: str        # without the module list


def run_cli(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None, timeout: int = 300) -> CliRun:
    """`panorama ARGS…` as a person runs it, with this tree's code first on the path."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    err, _, payload = done.stderr.rpartition("\nMODULES=")
    assert payload, done.stderr[-2000:]
    return CliRun(done.returncode, {m.split(".")[0] for m in json.loads(payload)}, done.stdout, err)
