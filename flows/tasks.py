"""Tasks: one per stage of `panorama.stages.STAGES`; the validation stage's files, one task per edition.

Retries sit on network steps only (flows/publish.py). Each submission keeps a cache entry of its
own, in Prefect's result storage, keyed on content hashes (never on DataFrames: prefect #17547,
#16049): a submission's result depends on its bytes and name, its edition, the steward's rule
files and the code (package source, reference data, schema), and on nothing else; a changed file
is validated again, alone.

Why one task per edition rather than per file: a task run costs Prefect's engine about as much
as validating a small file (state changes, events, a cache lookup that reads its record twice, a
thread switch; and about 45 ms of the server's CPU), and a semester run has fifty files. One task
per edition keeps what a steward reads in the UI (which edition, how many files came from the
cache) at a tenth of the cost. On Dask, where tasks spread over processes, it is one per file.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import Task
from prefect.utilities.annotations import quote

from panorama.edition import Edition
from panorama.errors import PanoramaError
from panorama.fingerprint import code_fingerprint, rules_fingerprint
from panorama.stages import STAGES, Build, Stage
from panorama.validation.submission import SubmissionResult
from panorama.validation.targets import FileJob

CACHE_DAYS = 400  # a submission's validation stays valid while nothing it depends on changes


def submission_key(_context: object, parameters: dict[str, Any]) -> str:
    """File bytes and name + edition + the steward's rules + code: all a submission's result depends on.

    The name counts because the findings name the file: two files with the same bytes are two entries."""
    from panorama.reading.safety import regular_file_sha256

    path = Path(parameters["path"])
    edition: Edition | None = parameters.get("edition")
    digest = regular_file_sha256(path)
    if edition is None:
        edition_key, rules = "-", "-"
    else:
        edition_key = f"{edition.id}:{edition.numero}:{edition.date_publication}"
        rules = rules_fingerprint(edition.path.parent)
    name = _name_key(path.name)
    return f"submission-{digest}-{name}-{edition_key}-{rules[:16]}-{code_fingerprint()[:16]}"


def _name_key(name: str) -> str:
    """A file name as a storage key part (any character a file name may hold, none a path may not)."""
    import hashlib

    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _from_cache(store: Any, key: str, path: Path) -> SubmissionResult | None:
    """The stored result of `key`, unless missing, expired or unreadable (then: validate again)."""
    try:
        record = store.read(key)
    except Exception:  # noqa: BLE001 - missing, or written by another version: validating again is always right
        return None
    expiration = record.metadata.expiration
    if expiration is not None and expiration <= dt.datetime.now(dt.UTC):
        return None
    result = record.result
    if not isinstance(result, SubmissionResult):
        return None
    return result if result.path == path else replace(result, path=path)


def validate_cached(jobs: Sequence[FileJob]) -> tuple[list[SubmissionResult], list[str]]:
    """Each file from the task's result storage when its key is there, else validated and stored;
    also returns the names of the files validated."""
    from prefect.context import TaskRunContext

    from panorama.validation.submission import validate_submission as run

    context = TaskRunContext.get()
    store = context.result_store if context is not None else None
    results: list[SubmissionResult] = []
    validated: list[str] = []
    for path, edition in jobs:
        try:
            key = submission_key(None, {"path": path, "edition": edition})
        except PanoramaError:  # unreadable (a link, a pipe, no permission): the validation says so
            key = None
        cached = _from_cache(store, key, path) if store is not None and key else None
        if cached is None:
            cached = run(path, edition)
            validated.append(path.name)
            if store is not None and key:
                expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=CACHE_DAYS)
                store.write(cached, key=key, expiration=expires)  # type: ignore[arg-type]  # an aware stdlib datetime: what Prefect compares at runtime
        results.append(cached)
    return results, validated


@task(name="lire-et-valider", task_run_name="valider {label}", cache_policy=NO_CACHE, persist_result=False)
def validate_files(jobs: list[FileJob], label: str) -> list[SubmissionResult]:
    """Read and validate a group of files (an edition's, or loose ones), each cached on its own."""
    results, validated = validate_cached(jobs)
    kept = len(jobs) - len(validated)
    detail = f" : {', '.join(validated)}" if validated else ""
    get_run_logger().info("%d fichier(s) repris du cache, %d validé(s)%s", kept, len(validated), detail)
    return results


def _label(group: Sequence[FileJob]) -> str:
    """The task run's name after « valider »: the file, the edition, or how many loose files."""
    if len(group) == 1:
        return group[0][0].name
    edition = group[0][1]
    return f"l'édition {edition.id}" if edition is not None else f"{len(group)} fichiers"


def _spread_per_file() -> bool:
    """One task per file on a runner that spreads tasks over processes (Dask); per edition on
    Prefect's thread pool, where files share one GIL and a task more is only overhead."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    context = FlowRunContext.get()
    return context is not None and not isinstance(context.task_runner, ThreadPoolTaskRunner)


def submit_files(jobs: Sequence[FileJob]) -> list[SubmissionResult]:
    """`map_files` for the flows: one task per edition (loose files: one more), or per file on Dask,
    on the flow's task runner; results in the order of `jobs`."""
    groups: dict[object, list[int]] = {}
    per_file = _spread_per_file()
    for index, (_path, edition) in enumerate(jobs):
        groups.setdefault(index if per_file else (edition.id if edition is not None else None), []).append(index)
    futures = []
    for indexes in groups.values():
        group = [jobs[i] for i in indexes]
        futures.append((indexes, validate_files.submit(group, _label(group))))
    results: list[SubmissionResult | None] = [None] * len(jobs)
    for indexes, future in futures:
        for index, result in zip(indexes, future.result()):
            results[index] = result
    return [r for r in results if r is not None]


def _stage_task(stage: Stage) -> Task[[Build], str]:
    def run(build: Build) -> str:
        return stage.run(build)

    run.__name__ = f"stage_{stage.name}"
    run.__doc__ = stage.run.__doc__
    return task(name=stage.name, task_run_name=stage.label, cache_policy=NO_CACHE)(run)


STAGE_TASKS: dict[str, Task[[Build], str]] = {s.name: _stage_task(s) for s in STAGES if not s.fans_out}


def as_task(stage: Stage) -> Stage:
    """The stage as the flow runs it: a task (the build passed unexamined), or, for the stage that
    fans out, in the flow body with one task per edition (`submit_files`)."""
    if stage.fans_out:
        return stage
    stage_task = STAGE_TASKS[stage.name]

    def run(build: Build) -> str:
        return stage_task(quote(build))  # type: ignore[call-overload]  # quote: no introspection of the build

    return Stage(stage.name, stage.label, run, stage.fans_out, stage.gate)
