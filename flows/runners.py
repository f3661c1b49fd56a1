"""Which task runner the flows use: Prefect's default, or Dask when the environment asks for it.

One machine validates a semester's fifty-odd submissions in seconds with the default runner; Dask
is for a steward who wants the per-file validation spread over several processes or hosts. The
choice is read when a flow starts (never at import) so that a worker's environment decides.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from panorama.errors import SettingsError

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

DASK_ADDRESS_ENV = "PANORAMA_DASK_ADDRESS"
DASK_WORKERS_ENV = "PANORAMA_DASK_WORKERS"


def _workers(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise SettingsError(
            f"{DASK_WORKERS_ENV} = « {value} » : un nombre entier de workers Dask est attendu (exemple : 4)."
        )
    return count


def task_runner_from_env(env: Mapping[str, str] | None = None) -> TaskRunner | None:
    """A DaskTaskRunner on an existing scheduler (PANORAMA_DASK_ADDRESS, e.g. tcp://10.0.0.5:8786)
    or on a local cluster of N worker processes (PANORAMA_DASK_WORKERS=N); None keeps the flow's
    default runner."""
    env = os.environ if env is None else env
    address = env.get(DASK_ADDRESS_ENV, "").strip()
    workers = env.get(DASK_WORKERS_ENV, "").strip()
    if not address and not workers:
        return None
    if address and workers:
        raise SettingsError(
            f"{DASK_ADDRESS_ENV} et {DASK_WORKERS_ENV} sont tous deux définis : choisissez un ordonnanceur "
            f"Dask existant ({DASK_ADDRESS_ENV}) ou un cluster local ({DASK_WORKERS_ENV}), pas les deux."
        )
    if address and "://" not in address:
        raise SettingsError(
            f"{DASK_ADDRESS_ENV} = « {address} » : une adresse d'ordonnanceur Dask est attendue "
            "(exemple : tcp://10.0.0.5:8786)."
        )
    count = _workers(workers) if workers else 0
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise SettingsError(
            "Le lanceur Dask est demandé mais prefect-dask n'est pas installé : pip install 'panorama[dask]'."
        ) from None
    if address:
        return DaskTaskRunner(address=address)
    # Processes, one thread each: validation is Python-bound, threads would share one GIL.
    return DaskTaskRunner(cluster_kwargs={"n_workers": count, "processes": True, "threads_per_worker": 1})
