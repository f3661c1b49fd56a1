"""Findings: every problem found in a submission, in the frictionless discipline.

Each finding has a stable `type` code, a severity, a position as the person sees it in their
spreadsheet (file, sheet, row, column label as written) and a French message with the expected
form. Reports flatten findings to rows.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

MAX_VALUE_CHARS = 200


class Severity(StrEnum):
    BLOCKING = "bloquant"
    WARNING = "avertissement"
    INFO = "information"


@dataclass(frozen=True)
class Finding:
    type: str
    severity: Severity
    file: str
    message: str
    expected: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    value: str | None = None

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKING

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d


def clip(value: object) -> str | None:
    """The value as shown in a report: text, cut to MAX_VALUE_CHARS with a visible ellipsis."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + f"… ({len(text)} caractères)"
