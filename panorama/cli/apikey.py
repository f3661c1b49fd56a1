"""The API key of a target, checked before any work: from DATAGOUV_API_KEY, else its Prefect Secret block.

Reading a Secret block needs Prefect's API; when Prefect cannot answer, or the block does not
exist, the person is told to set DATAGOUV_API_KEY, in French, before anything is built.
"""
from __future__ import annotations

import os

from panorama.errors import MissingApiKey, PrefectUnavailable, SettingsError
from panorama.settings import API_KEY_ENV, Target, api_key


def api_key_for(target: Target) -> str:
    """The key for `target` (never printed nor logged), or MissingApiKey naming DATAGOUV_API_KEY."""
    if os.environ.get(API_KEY_ENV, "").strip():
        return api_key(target)
    if not target.secret_block:
        raise MissingApiKey(target.name, target.api_url, f"{API_KEY_ENV} n'est pas définie")
    from panorama.cli.journal import ensure_journal
    from panorama.cli.prefect_api import ensure_prefect_api

    try:
        ensure_prefect_api(ensure_journal())
        return api_key(target)
    except PrefectUnavailable:
        reason = (f"{API_KEY_ENV} n'est pas définie et le bloc Secret Prefect « {target.secret_block} » "
                  "n'a pas pu être lu (Prefect ne répond pas)")
    except SettingsError:
        reason = (f"{API_KEY_ENV} n'est pas définie et le bloc Secret Prefect « {target.secret_block} » "
                  "n'existe pas")
    raise MissingApiKey(target.name, target.api_url, reason)
