"""Stage reports through the standard logging system, for code that cannot be handed a callback.

A Prefect flow's parameters must be serialisable, so a flow cannot receive the command's
`ProgressCallback`. Instead it passes `log_stage` as the pipeline's callback: each `StageReport`
becomes a record of the `panorama.stages` logger carrying the report itself. The command line
renders those records on the terminal (in the same process), the journal keeps them, and Prefect
forwards them to its UI (`PREFECT_LOGGING_EXTRA_LOGGERS=panorama.stages`). No Prefect import here.
"""
from __future__ import annotations

import logging

from panorama.progress import StageReport

STAGE_LOGGER = "panorama.stages"
REPORT_ATTRIBUTE = "stage_report"


def log_stage(report: StageReport) -> None:
    """A `ProgressCallback` that logs the report (French text) with the report attached."""
    logging.getLogger(STAGE_LOGGER).info(
        "%s : %s (%.1f s)", report.label, report.detail, report.seconds, extra={REPORT_ATTRIBUTE: report}
    )
