"""One French line per pipeline stage on the terminal, from `StageReport`s.

Two ways in, one rendering: the direct pipeline calls `StageLines.__call__` (a `ProgressCallback`);
a Prefect flow in the same process logs its reports to `panorama.stages` (see
`panorama.stage_log`), and `StageLines.listen()` renders those records. File names and details
come from the data: they are printed as plain `Text`, never as rich markup.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING

from rich.text import Text

from panorama.progress import StageReport
from panorama.stage_log import REPORT_ATTRIBUTE, STAGE_LOGGER

if TYPE_CHECKING:
    from rich.console import Console


def seconds_text(seconds: float) -> str:
    """French duration: « 0,4 s », « 12 s », « 2 min 05 s »."""
    if seconds < 10:
        return f"{seconds:.1f} s".replace(".", ",")
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


def stage_line(report: StageReport) -> Text:
    """« ✓ Lecture et validation — 37 fichiers, 1 204 lignes (4,2 s) »."""
    line = Text("✓ ", style="green")
    line.append(report.label, style="bold")
    if report.detail:
        line.append(" — ")
        line.append(report.detail)
    line.append(f" ({seconds_text(report.seconds)})", style="dim")
    return line


class _Handler(logging.Handler):
    def __init__(self, lines: StageLines) -> None:
        super().__init__(logging.INFO)
        self._lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        report = getattr(record, REPORT_ATTRIBUTE, None)
        if isinstance(report, StageReport):
            self._lines(report)


class StageLines:
    """Renders stage reports on a console and remembers them for the summary."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.reports: list[StageReport] = []

    def __call__(self, report: StageReport) -> None:
        self.reports.append(report)
        self.console.print(stage_line(report), soft_wrap=True)

    def status(self, label: str) -> AbstractContextManager[object]:
        """The spinner line while a step runs, on a terminal only: elsewhere rich draws nothing, and
        importing and refreshing it cost about 15 ms of a plain run for no one."""
        return self.console.status(label) if self.console.is_terminal else nullcontext()

    @contextmanager
    def listen(self) -> Iterator[StageLines]:
        """Render the `panorama.stages` records emitted while the block runs (e.g. by a flow)."""
        logger = logging.getLogger(STAGE_LOGGER)
        handler = _Handler(self)
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        try:
            yield self
        finally:
            logger.removeHandler(handler)
