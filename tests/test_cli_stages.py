"""Stage lines on the terminal: from a callback (direct pipeline) or from `panorama.stages` records (flows)."""
from __future__ import annotations

import io
import threading

from rich.console import Console

from panorama.cli.stages import StageLines, seconds_text, stage_line
from panorama.progress import StageReport
from panorama.stage_log import log_stage


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=200, markup=False, highlight=False, color_system=None), buffer


def test_a_stage_line_says_what_the_stage_did_in_french() -> None:
    line = stage_line(StageReport("lecture", "Lecture et validation", "37 fichiers, 1 204 lignes", 4.25))
    assert line.plain == "✓ Lecture et validation — 37 fichiers, 1 204 lignes (4,2 s)"
    assert [seconds_text(s) for s in (0.04, 12.4, 125)] == ["0,0 s", "12 s", "2 min 05 s"]


def test_markup_in_a_detail_is_printed_as_is() -> None:
    console, buffer = _console()
    StageLines(console)(StageReport("lecture", "Lecture", "MJ [red]x[/red] [/] [bold]", 0.1))
    assert "MJ [red]x[/red] [/] [bold]" in buffer.getvalue()


def test_records_of_the_stage_logger_are_rendered_even_from_a_worker_thread() -> None:
    """What a Prefect flow does in-process: `progress=log_stage`, possibly from a task's thread."""
    console, buffer = _console()
    lines = StageLines(console)
    with lines.listen():
        worker = threading.Thread(target=log_stage, args=(StageReport("export", "Exports", "19 fichiers", 1.0),))
        worker.start()
        worker.join()
    log_stage(StageReport("apres", "Après", "non affiché", 0.0))  # no longer listening
    assert buffer.getvalue().splitlines() == ["✓ Exports — 19 fichiers (1,0 s)"]
    assert [r.stage for r in lines.reports] == ["export"]
