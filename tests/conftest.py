"""Shared fixtures. Prefect gets a throwaway home and no telemetry before anything imports it."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_PREFECT_HOME = tempfile.mkdtemp(prefix="panorama-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("DATAGOUV_API_KEY", None)

from support.udata import udata_server, udata_server_no_parquet, udata_venv  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
REAL_EDITIONS = REPO.parent / "shared" / "real-editions"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def real_editions() -> Path:
    """The five real published editions, read from ../shared (never copied into the project)."""
    if not (REAL_EDITIONS / "figures.csv").is_file():
        pytest.skip("../shared/real-editions absent")
    return REAL_EDITIONS


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (about 12 s), started on first use."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
