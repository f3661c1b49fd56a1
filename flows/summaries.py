"""What the flows return, typed.

Why the item access: the command line and the tests read a summary by its French key
(`summary["inchange"]`); the dataclass keeps those keys as field names so both forms work.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from panorama.edition import Edition
from panorama.validation.submission import EditionValidation


class _ByKey:
    """Read and write a dataclass's fields by name, as a dict of the same keys would be."""

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._names():
            raise KeyError(key)
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return key in self._names() and getattr(self, str(key)) is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self, key, None) if key in self._names() else None
        return default if value is None else value

    def _names(self) -> set[str]:
        return {f.name for f in fields(self)}  # type: ignore[arg-type]


@dataclass
class BuildOutcome:
    """The building half of a flow: what was validated and written."""

    editions: list[Edition]
    edition: str
    unchanged: bool
    validations: list[EditionValidation] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    indicators: pd.DataFrame | None = None


@dataclass
class RunSummary(_ByKey):
    """A semester run or a republication: the edition, whether anything changed, where things are,
    and either what was published or what would be (no target)."""

    edition: str
    inchange: bool
    sortie: str
    fichiers: list[str] = field(default_factory=list)
    rapports: str | None = None
    apercu: list[dict[str, Any]] | None = None
    publication: list[dict[str, Any]] | None = None


@dataclass
class ValidationSummary(_ByKey):
    """The `validation` flow: files validated, files with blocking findings, reports written."""

    fichiers: list[str]
    bloquants: list[str]
    rapports: list[str] = field(default_factory=list, compare=False)  # where they went, not what they say
