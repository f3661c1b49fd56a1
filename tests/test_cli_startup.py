"""The command starts light: what `panorama --version` or a help imports is only what it needs.

Issue #12: the command's own start-up must stay within a tenth of a second. Timings are measured
by `bench/cli_startup.py`; here, the behaviour behind them: no heavy library is imported to show the
version or a help page (each would cost tens to hundreds of milliseconds at every call).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("typer", "pydantic", "pandas", "prefect", "pyarrow", "frictionless", "httpx", "rich", "openpyxl", "numpy")

# The real entry point, then the names of every module loaded, written once the command has exited.
_WRAPPER = """
import json, sys
sys.argv = ["panorama", *sys.argv[1:]]
from panorama.cli import main
try:
    main()
except SystemExit as done:
    code = done.code
sys.stderr.write("\\nMODULES=" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules(*args: str) -> tuple[int, set[str], str]:
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "COLUMNS": "100"}, timeout=120, stdin=subprocess.DEVNULL)
    err, _, payload = done.stderr.rpartition("\nMODULES=")
    loaded = json.loads(payload)
    return loaded["code"], {m.split(".")[0] for m in loaded["modules"]}, done.stdout + err


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["validate", "--help"], ["run", "--help"], []])
def test_version_and_help_import_no_heavy_library(args: list[str]) -> None:
    code, roots, text = _modules(*args)
    assert code == (2 if not args else 0)
    assert "panorama" in text or "Utilisation : panorama" in text
    assert not sorted(roots & set(HEAVY)), sorted(roots & set(HEAVY))
    assert "click" in roots  # the wrapper saw the real command


def test_a_usage_error_loads_rich_only_to_print_it() -> None:
    code, roots, text = _modules("run", "--bogus")
    assert code == 2 and "Option inconnue : --bogus" in text
    assert not sorted(roots & (set(HEAVY) - {"rich"}))
