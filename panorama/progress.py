"""What a stage tells the person running the pipeline: one French line per stage.

The pipeline (plain functions or Prefect flow) emits a `StageReport` after each stage through an
optional callback; the command line renders it. Neither side knows how the other works.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class StageReport:
    stage: str      # stable stage name, as in the stage list (e.g. "lecture", "validation")
    label: str      # French label shown to a person (e.g. "Lecture et validation")
    detail: str     # French summary of what it did (e.g. "37 fichiers, 1 204 lignes, 3 éditions")
    seconds: float  # wall time of the stage


ProgressCallback = Callable[[StageReport], None]
