"""Where the time of the slowest rebuild stage goes: cProfile, top cumulative functions.

Usage: python bench/profile_stage.py [--editions 20] [--top 15] [--stage NAME]

Rebuilds a synthetic history once without the profiler to find the slowest stage (unless --stage
names one), then rebuilds it again under cProfile, enabled only around that stage, and prints the
top functions by cumulative time (our own code and the libraries it spends time in).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, Stopwatch, write_result  # noqa: E402
from bench.rebuild import plain_rebuild, warm_imports  # noqa: E402
from bench.synthetic import write_history  # noqa: E402


class ProfiledWatch(Stopwatch):
    """A Stopwatch whose lap named `stage` runs under `profiler`."""

    def __init__(self, stage: str, profiler: cProfile.Profile) -> None:
        super().__init__()
        self.stage, self.profiler = stage, profiler

    def __call__(self, name: str):  # type: ignore[override]
        lap = super().__call__(name)
        if name != self.stage:
            return lap
        profiler = self.profiler

        class _Profiled:
            def __enter__(self) -> None:
                lap.__enter__()
                profiler.enable()

            def __exit__(self, *exc: object) -> None:
                profiler.disable()
                lap.__exit__(*exc)

        return _Profiled()


def _where(filename: str) -> str:
    """A short place: repo-relative for our code, from site-packages for libraries."""
    path = Path(filename)
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        parts = path.parts
        if "site-packages" in parts:
            return "/".join(parts[parts.index("site-packages") + 1:])
        return filename


def top_functions(profiler: cProfile.Profile, top: int, key: str) -> tuple[list[dict[str, Any]], str]:
    """The `top` functions by cumulative time (key "cumulative") or by own time (key "own")."""
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_where(filename)}:{line}({name})", "calls": calls,
                     "own_seconds": round(own, 3), "cumulative_seconds": round(cumulative, 3)})
    rows.sort(key=lambda r: r["cumulative_seconds" if key == "cumulative" else "own_seconds"], reverse=True)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative" if key == "cumulative" else "tottime").print_stats(top)
    return rows[:top], text.getvalue()


def run(editions: int, top: int, stage: str | None) -> dict[str, Any]:
    warm_imports()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        work = Path(tmp)
        history = write_history(work / "raw", editions=editions)
        laps = None
        if stage is None:
            watch, _ = plain_rebuild(history.raw_dir, work / "out-1", work / "reports-1")
            laps = watch.cpu_laps
            stage = max(laps, key=laps.__getitem__)
        profiler = cProfile.Profile()
        profiled, _ = plain_rebuild(history.raw_dir, work / "out-2", work / "reports-2",
                                    ProfiledWatch(stage, profiler))
        profiled_laps = profiled.laps
    if stage not in profiled_laps:
        raise SystemExit(f"Étape inconnue « {stage} » ; étapes : {', '.join(profiled_laps)}.")
    rows, text = top_functions(profiler, top, "cumulative")
    own, _ = top_functions(profiler, 10, "own")
    print(text, file=sys.stderr)
    return {
        "editions": editions,
        "files": len(history.files),
        "stages_cpu_seconds_unprofiled": {k: round(v, 3) for k, v in (laps or {}).items()},
        "profiled_stage": stage,
        "profiled_stage_seconds_under_profiler": round(profiled_laps[stage], 3),
        "top_cumulative": rows,
        "top_own_time": own,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, default=20)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--stage", help="profile this stage instead of the slowest (a name of panorama.stages.STAGES, "
                                        "e.g. validation)")
    args = parser.parse_args(argv)
    return write_result("profile_stage", run(args.editions, args.top, args.stage))


if __name__ == "__main__":
    main()
