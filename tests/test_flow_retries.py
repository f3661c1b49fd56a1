"""Retries sit on network steps only, and only for failures worth retrying."""
from __future__ import annotations

from prefect.states import Failed

from flows import tasks
from flows.publish import _transient, apply_publication, plan_publication
from panorama.datagouv.errors import AuthError, ConnectionFailed, RateLimited, ServerError
from panorama.errors import SettingsError


def test_only_transient_api_failures_are_retried() -> None:
    assert _transient(None, None, Failed(data=ServerError(503, "indisponible", {})))
    assert _transient(None, None, Failed(data=RateLimited(429, "trop de requêtes", {})))
    assert _transient(None, None, Failed(data=ConnectionFailed("connexion perdue")))
    assert not _transient(None, None, Failed(data=AuthError(401, "clé refusée", {})))
    assert not _transient(None, None, Failed(data=SettingsError("cible inconnue")))


def test_network_tasks_retry_and_local_stages_do_not() -> None:
    assert plan_publication.retries > 0 and apply_publication.retries > 0
    local = [tasks.validate_files, *tasks.STAGE_TASKS.values()]
    assert len(local) == 1 + 6  # one per edition's files, one per stage that does not fan out
    for stage in local:
        assert stage.retries == 0, stage.name
