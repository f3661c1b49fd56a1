"""What every benchmark shares: the machine description, child-process measurement, result files.

Why a module: each script prints one JSON object and writes the same object to
`bench/results/<name>.json` (gitignored), stamped with the machine and the date, so that figures
measured on different machines are never compared blindly.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
VENV_BIN = Path(sys.executable).parent


def ensure_repo_on_path() -> None:
    """The scripts run as `python bench/x.py`: make `panorama`, `flows` and `bench` importable."""
    for entry in (str(REPO), str(REPO / "tests")):
        if entry not in sys.path:
            sys.path.insert(0, entry)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "inconnu"


def _total_ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def machine() -> dict[str, Any]:
    """nproc, CPU model, total RAM, Python version and the UTC date of the measurement."""
    return {
        "date_utc": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_total_gb": _total_ram_gb(),
        "python": platform.python_version(),
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def write_result(name: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Stamp `payload` with the machine, print it as JSON and write bench/results/<name>.json."""
    result = {"benchmark": name, "machine": machine(), **payload}
    text = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    ensure_repo_on_path()
    from panorama.export.atomic import write_text_atomic  # the project's one atomic writer

    write_text_atomic(RESULTS / f"{name}.json", text + "\n")
    print(text, flush=True)
    return result


@dataclass
class ChildRun:
    """One child process: wall time, CPU time and its own peak RSS (from wait4, not RUSAGE_CHILDREN)."""

    command: str
    exit_code: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    stdout_bytes: int

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


# Runs in a fresh, small interpreter (-I -S): it starts the measured command and reports that
# child's own rusage. Why a wrapper: a child forked from a big parent (pytest, pandas loaded) is
# charged the parent's resident pages in ru_maxrss before it execs, even through wait4.
_WRAPPER = """
import json, os, subprocess, sys, time
result, out, err, *command = sys.argv[1:]
with open(out, "wb") as o, open(err, "wb") as e:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=o, stderr=e, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
with open(result, "w") as r:
    json.dump({"exit_code": os.waitstatus_to_exitcode(status), "seconds": seconds,
               "cpu_seconds": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}, r)
"""


def run_child(args: Sequence[str | Path], *, env: Mapping[str, str] | None = None, cwd: Path | None = None,
              stdout_path: Path | None = None, stderr_path: Path | None = None) -> ChildRun:
    """Run one command and measure it alone: wall time, CPU time and its own peak RSS.

    A small wrapper interpreter starts the command and reads `os.wait4(pid)` for it, so ru_maxrss is
    that command's own peak: neither the maximum over every child this process ever had (what
    RUSAGE_CHILDREN gives) nor this process's size at fork time.
    """
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        result = Path(tmp) / "rusage.json"
        out = stdout_path or Path(os.devnull)
        err = stderr_path or Path(os.devnull)
        done = subprocess.run([sys.executable, "-I", "-S", "-c", _WRAPPER, result, out, err, *args],
                              env=dict(env) if env is not None else None, cwd=cwd, stdin=subprocess.DEVNULL)
        if done.returncode != 0 or not result.is_file():
            raise RuntimeError(f"measuring wrapper failed (code {done.returncode}) for {args[0]}")
        usage = json.loads(result.read_text(encoding="utf-8"))
    return ChildRun(
        command=" ".join(str(a) for a in args),
        exit_code=usage["exit_code"],
        seconds=usage["seconds"],
        cpu_seconds=usage["cpu_seconds"],
        peak_rss_mb=usage["maxrss_kb"] / 1024,  # Linux: kilobytes
        stdout_bytes=stdout_path.stat().st_size if stdout_path else 0,
    )


class Stopwatch:
    """Named laps, in seconds: `with watch("stage"): ...`; wall time in `laps`, this process's CPU
    time in `cpu_laps` (less disturbed than wall time when other work shares the machine)."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.cpu_laps: dict[str, float] = {}

    def __call__(self, name: str) -> "_Lap":
        return _Lap(self, name)

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.laps.items()}

    @property
    def total(self) -> float:
        return sum(self.laps.values())


class _Lap:
    def __init__(self, watch: Stopwatch, name: str) -> None:
        self.watch, self.name = watch, name

    def __enter__(self) -> None:
        self.start, self.cpu_start = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        laps, cpu = self.watch.laps, self.watch.cpu_laps
        laps[self.name] = laps.get(self.name, 0.0) + time.perf_counter() - self.start
        cpu[self.name] = cpu.get(self.name, 0.0) + time.process_time() - self.cpu_start


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds used so far by every live process of a process group (a server and its workers),
    read from /proc: how much a server beside the measured code took from the same cores."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        # after the command name: state ppid pgrp session … utime(12) stime(13) cutime(14) cstime(15)
        if int(fields[2]) == pgid:
            total += sum(int(v) for v in fields[11:15])
    return total / ticks


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return float("nan")
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
