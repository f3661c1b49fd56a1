"""The publishing half: plan against data.gouv.fr, then apply step by step.

Retries sit here only, on transient network failures: the plan makes GET calls, and every step of
the apply is safe to repeat (ids are recorded as soon as a resource is created).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows import artifacts
from flows.summaries import RunSummary
from panorama.datagouv.apply import apply_plan, check_production, summary_rows
from panorama.datagouv.client import DatagouvClient
from panorama.datagouv.errors import ApiError
from panorama.datagouv.plan import Plan, build_plan
from panorama.datagouv.resources import local_preview
from panorama.datagouv.state import load_state
from panorama.errors import RunInProgress
from panorama.lock import lock_timeout, publication_lock
from panorama.settings import api_key, load_settings

LIMIT_PREFIX = "panorama-publication-"


def _transient(_task, _run, state) -> bool:
    """Retry connection errors, 429 and 5xx only; never a refusal (other 4xx) or a bad setting."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, ApiError) and error.transient


@task(name="planifier-la-publication", retries=3, retry_delay_seconds=[2, 10, 30],
      retry_condition_fn=_transient, cache_policy=NO_CACHE)
def plan_publication(out_dir: Path, target_name: str, force: bool) -> Plan:
    settings = load_settings()
    target = settings.target(target_name)
    state = load_state(settings.state_file(target_name), target)
    with DatagouvClient.for_target(target, api_key(target)) as client:
        return build_plan(client, target, out_dir, state, force)


@task(name="appliquer-la-publication", retries=2, retry_delay_seconds=[5, 30],
      retry_condition_fn=_transient, cache_policy=NO_CACHE)
def apply_publication(plan: Plan, out_dir: Path, target_name: str) -> list[dict]:
    settings = load_settings()
    target = settings.target(target_name)
    state_file = settings.state_file(target_name)
    state = load_state(state_file, target)
    with DatagouvClient.for_target(target, api_key(target)) as client:
        return apply_plan(client, plan, out_dir, state, state_file).rows


def limit_name(target_name: str) -> str:
    """The Prefect global concurrency limit of a target (lowercase letters, digits, dashes)."""
    return LIMIT_PREFIX + (re.sub(r"[^a-z0-9]+", "-", target_name.lower()).strip("-") or "cible")


def ensure_global_limit(name: str) -> None:
    """Create the limit (one slot) when missing: without it `concurrency()` would not limit at all."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
            except ObjectAlreadyExists:
                pass


@contextmanager
def one_publication(state_dir: Path, target: str, logger) -> Iterator[None]:
    """One publication per target at a time: Prefect's global limit across workers and hosts,
    then the target's file lock on this machine (also held by `panorama publish`)."""
    from prefect.concurrency.sync import concurrency

    name = limit_name(target)
    ensure_global_limit(name)
    timeout = lock_timeout()
    try:
        with concurrency(name, occupy=1, timeout_seconds=timeout, strict=True):
            with publication_lock(state_dir, target, logger.warning):
                yield
    except TimeoutError:
        raise RunInProgress(
            f"Une autre publication sur la cible « {target} » est toujours en cours après {timeout:.0f} s "
            f"d'attente (limite de concurrence Prefect « {name} ») : abandon, rien n'a été publié."
        ) from None


@flow(name="publication", log_prints=True)
def publish(out_dir: Path, target: str, dry_run: bool = False, force: bool = False, yes: bool = False) -> list[dict]:
    """Publish the output folder on `target`; a dry run stops after the plan (GET calls only).

    The plan is made and applied while holding the target's limit and lock, so a second run plans
    only after the first recorded what it created: no duplicate resource."""
    logger = get_run_logger()
    settings = load_settings()
    check_production(settings.target(target), yes or dry_run, None)
    with one_publication(settings.state_dir, target, logger):
        plan = plan_publication(out_dir, target, force)
        for note in plan.notes:
            logger.warning(note)
        if dry_run:
            plan.write_json(settings.state_dir / f"{target}-plan.json")
            rows = summary_rows(plan)
        else:
            rows = apply_publication(plan, out_dir, target)
    artifacts.publish_publication(rows, target)
    return rows


def publish_or_preview(summary: RunSummary, out_dir: Path, target: str | None, dry_run: bool, force: bool,
                       yes: bool) -> RunSummary:
    """Publish to `target`; without one, list what would be published from the local files only."""
    if target:
        summary.publication = publish(out_dir, target, dry_run, force, yes)
    else:
        summary.apercu = local_preview(out_dir)
    return summary
