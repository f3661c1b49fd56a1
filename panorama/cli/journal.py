"""The run's journal: where every log record, library warning and traceback goes instead of the terminal.

A person's terminal shows French lines only (stage lines, summaries, messages). Everything else —
Prefect's flow and task logs, its temporary server's output, pandas/openpyxl warnings, the details
of an unexpected error — is appended to one file per day, `<rapports>/journaux/panorama-AAAA-MM-JJ.log`,
named at the end of the run. Flow and task logs also reach the Prefect UI when a server is used.

Prefect configures logging lazily, from the file named by PREFECT_LOGGING_SETTINGS_PATH: the
command points it at `prefect-logging.yml` (no console handler) before Prefect is imported.
"""
from __future__ import annotations

import logging
import os
import sys
import warnings
from datetime import date
from pathlib import Path

PREFECT_LOGGING_FILE = Path(__file__).with_name("prefect-logging.yml")
JOURNAL_FOLDER = "journaux"

_current: Path | None = None
_handler: logging.FileHandler | None = None


def journal_file(report_dir: Path, day: date | None = None) -> Path:
    """Today's journal inside the reports folder."""
    return Path(report_dir) / JOURNAL_FOLDER / f"panorama-{(day or date.today()).isoformat()}.log"


def _usable(path: Path) -> Path:
    """`path`, or the same name in the system's temporary folder when its folder cannot be created."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.access(path.parent, os.W_OK):
            return path
    except OSError:
        pass
    import tempfile  # only for this fallback: its import costs more than the rest of the journal

    for folder in (Path(tempfile.gettempdir()) / "panorama", Path(tempfile.gettempdir()) / f"panorama-{os.getuid()}"):
        try:  # the shared one may belong to another user (a run as root, then one as a service account)
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder / path.name
        except OSError:
            continue
    return Path(tempfile.mkdtemp(prefix="panorama-")) / path.name


def quiet_prefect_settings() -> None:
    """Prefect settings for a person's run, set before Prefect is imported: no telemetry, no console logs."""
    os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(PREFECT_LOGGING_FILE)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # The flows' own exceptions are rendered by the command; colours would only add escapes to the file.
    os.environ.setdefault("PREFECT_LOGGING_COLORS", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "panorama.stages")


def start_journal(report_dir: Path, announce: bool = True) -> Path:
    """Route the root logger and Python warnings to the journal; returns the journal's path.

    Safe to call again (a later, more precise reports folder moves the journal there). The file is
    created at the first record: `announce` writes the command line as that first record.
    """
    global _current, _handler
    path = _usable(journal_file(report_dir))
    if _current == path:
        if announce:
            _announce()
        return path
    os.environ["PREFECT_LOGGING_HANDLERS_JOURNAL_FILENAME"] = str(path)
    if _current is not None:
        _follow(_current, path)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)  # nothing from libraries on stderr
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    _handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    _handler.setFormatter(logging.Formatter("%(asctime)s | %(levelname)-7s | %(name)s - %(message)s"))
    root.addHandler(_handler)
    root.setLevel(logging.WARNING)  # libraries: warnings and errors; our own loggers: INFO
    logging.getLogger("panorama").setLevel(logging.INFO)
    logging.captureWarnings(True)
    warnings.simplefilter("default")  # each library warning once per place, into the journal
    _current = path
    if announce:
        _announce()
    return path


def _follow(old: Path, new: Path) -> None:
    """Handlers made for the old journal (Prefect's, from its logging file) write to the new one."""
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                      if isinstance(lg, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if (isinstance(handler, logging.FileHandler) and handler is not _handler
                    and handler.baseFilename == os.path.abspath(old)):
                handler.acquire()
                try:
                    stream, handler.stream = handler.stream, None
                    if stream is not None:
                        stream.close()
                    handler.baseFilename = os.path.abspath(new)  # opened again at its next record
                finally:
                    handler.release()


def _announce() -> None:
    logging.getLogger("panorama.cli").info("panorama %s (processus %d)", " ".join(sys.argv[1:]), os.getpid())


def current_journal() -> Path | None:
    """The journal this process writes to, if one was started."""
    return _current


def ensure_journal() -> Path:
    """The current journal, or one in the default reports folder (for errors before a command started it)."""
    if _current is not None:
        return _current
    return start_journal(default_folder(), announce=False)


def default_folder() -> Path:
    """The reports folder of the settings, or the project's when they cannot be read."""
    try:
        from panorama.settings import load_settings

        return load_settings().report_dir
    except Exception:  # noqa: BLE001 - a broken panorama.toml must not hide the error being logged
        from panorama.settings import PROJECT_ROOT

        return PROJECT_ROOT / "data" / "rapports"
