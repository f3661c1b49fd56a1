"""The command starts light: what `panorama --version` or a help imports is only what it needs.

Issue #12: the command's own start-up must stay within a tenth of a second. Timings are measured
by `bench/cli_startup.py`; here, the behaviour behind them: no heavy library is imported to show the
version or a help page (each would cost tens to hundreds of milliseconds at every call).
"""
from __future__ import annotations

import pytest

from support.cli_modules import run_cli

HEAVY = ("typer", "pydantic", "pandas", "prefect", "pyarrow", "frictionless", "httpx", "rich", "openpyxl", "numpy")


def _modules(*args: str) -> tuple[int, set[str], str]:
    done = run_cli(*args, env={"COLUMNS": "100"}, timeout=120)
    return done.code, done.modules, done.stdout + done.stderr


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
