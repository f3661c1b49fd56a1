"""The publishing half: plan against data.gouv.fr, then apply step by step.

Retries sit here only, on transient network failures: the plan makes GET calls, and every step of
the apply is safe to repeat (ids are recorded as soon as a resource is created).
"""
from __future__ import annotations

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
from panorama.settings import api_key, load_settings


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


@flow(name="publication", log_prints=True)
def publish(out_dir: Path, target: str, dry_run: bool = False, force: bool = False, yes: bool = False) -> list[dict]:
    """Publish the output folder on `target`; a dry run stops after the plan (GET calls only)."""
    logger = get_run_logger()
    settings = load_settings()
    check_production(settings.target(target), yes or dry_run, None)
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
