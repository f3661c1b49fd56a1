"""Shared fixtures. Prefect gets a throwaway home and no telemetry before anything imports it.

With CI=true, a missing resource the suite needs (../shared/real-editions, Debian's Chromium)
fails the run instead of skipping its tests: a green CI must mean that everything ran.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="panorama-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("DATAGOUV_API_KEY", None)

from support.udata import udata_server, udata_server_no_parquet, udata_venv  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
REAL_EDITIONS = Path(os.environ.get("PANORAMA_REAL_EDITIONS") or REPO.parent / "shared" / "real-editions")
CHROMIUM = Path("/usr/bin/chromium")
# Skip reasons that name a missing resource: under CI they are failures (see pytest_runtest_makereport).
ABSENT_MARKERS = ("absent", "introuvable")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def absent(reason: str) -> NoReturn:
    """A resource the test needs is missing: skip on a developer's machine, fail under CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true : une ressource manquante fait échouer la suite au lieu de la sauter)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI, a test skipped because a resource is absent (a skip written anywhere, e.g. a
    module's `skipif(not REAL.exists())`) is reported as failed."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        if any(marker in reason.lower() for marker in ABSENT_MARKERS):
            report.outcome = "failed"
            report.longrepr = f"{reason} (CI=true : absence refusée, le test aurait été sauté)"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def real_editions() -> Path:
    """The five real published editions, read from ../shared (never copied into the project)."""
    if not (REAL_EDITIONS / "figures.csv").is_file():
        absent(f"{REAL_EDITIONS} absent")
    return REAL_EDITIONS


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (`.ci/run` installs it)."""
    if not CHROMIUM.exists():
        absent("Chromium absent : apt-get install -y chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (about 12 s), started on first use."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
