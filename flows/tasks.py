"""Tasks: one per stage of `panorama.stages.STAGES`, plus one per submission file.

Retries sit on network steps only (flows/publish.py). Caching is keyed on content hashes (never on
DataFrames: prefect #17547, #16049): a submission's result depends on its bytes, its edition, the
steward's rule files and the code (package source, reference data, schema), and on nothing else.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import Task
from prefect.utilities.annotations import quote

from panorama.edition import Edition
from panorama.fingerprint import code_fingerprint, rules_fingerprint
from panorama.stages import STAGES, Build, Stage
from panorama.validation.submission import SubmissionResult
from panorama.validation.targets import FileJob


def submission_key(_context: object, parameters: dict[str, Any]) -> str:
    """File bytes + edition + the steward's rules + code: all a submission's result depends on."""
    path = Path(parameters["path"])
    edition: Edition | None = parameters.get("edition")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if edition is None:
        edition_key, rules = "-", "-"
    else:
        edition_key = f"{edition.id}:{edition.numero}:{edition.date_publication}"
        rules = rules_fingerprint(edition.path.parent)
    return f"submission-{digest}-{edition_key}-{rules[:16]}-{code_fingerprint()[:16]}"


@task(
    name="lire-et-valider-une-remontée",
    cache_key_fn=submission_key,
    cache_expiration=timedelta(days=400),
    persist_result=True,
    task_run_name="valider {path.name}",
)
def validate_submission(path: Path, edition: Edition | None) -> SubmissionResult:
    from panorama.validation.submission import validate_submission as run

    return run(path, edition)


def submit_files(jobs: Sequence[FileJob]) -> list[SubmissionResult]:
    """`map_files` for the flows: one task per file on the flow's task runner, results in order."""
    futures = [validate_submission.submit(path, edition) for path, edition in jobs]
    return [f.result() for f in futures]


def _stage_task(stage: Stage) -> Task[[Build], str]:
    def run(build: Build) -> str:
        return stage.run(build)

    run.__name__ = f"stage_{stage.name}"
    run.__doc__ = stage.run.__doc__
    return task(name=stage.name, task_run_name=stage.label, cache_policy=NO_CACHE)(run)


STAGE_TASKS: dict[str, Task[[Build], str]] = {s.name: _stage_task(s) for s in STAGES if not s.fans_out}


def as_task(stage: Stage) -> Stage:
    """The stage as the flow runs it: a task (the build passed unexamined), or, for the stage that
    fans out, in the flow body with one task per file."""
    if stage.fans_out:
        return stage
    stage_task = STAGE_TASKS[stage.name]

    def run(build: Build) -> str:
        return stage_task(quote(build))  # type: ignore[call-overload]  # quote: no introspection of the build

    return Stage(stage.name, stage.label, run, stage.fans_out, stage.gate)
