"""How the plain-function rebuild grows with the number of editions (10, 20, 40 by default).

Usage: python bench/growth.py [--editions 10 20 40] [--projects 60]

Each size is a fresh synthetic history (bench/synthetic.py) rebuilt once by the same stage-by-stage
code as bench/rebuild.py, in this one process after an import warm-up. Prints seconds per edition
per stage (wall and CPU) and, between consecutive sizes, the ratio of times over the ratio of sizes:
about 1 is linear, clearly above 1 means a stage grows faster than the history (quadratic matching,
say). Linearity is judged on CPU time, which other work on the machine disturbs less.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import write_result  # noqa: E402
from bench.rebuild import plain_rebuild, warm_imports  # noqa: E402
from bench.synthetic import write_history  # noqa: E402

# Time ratio / size ratio above this between two sizes: the growth is called super-linear.
LINEAR_TOLERANCE = 1.3


def growth_ratios(sizes: list[int], seconds: list[float]) -> list[dict[str, Any]]:
    """(t2/t1) / (n2/n1) for consecutive sizes: 1.0 is exactly linear."""
    ratios = []
    for (n1, t1), (n2, t2) in zip(zip(sizes, seconds), zip(sizes[1:], seconds[1:])):
        ratios.append({"from": n1, "to": n2, "time_ratio": round(t2 / t1, 3), "size_ratio": round(n2 / n1, 3),
                       "normalised": round((t2 / t1) / (n2 / n1), 3)})
    return ratios


def run(sizes: list[int], projects: int) -> dict[str, Any]:
    warm = warm_imports()
    points = []
    for editions in sizes:
        print(f"[growth] {editions} editions", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
            work = Path(tmp)
            history = write_history(work / "raw", editions=editions, projects=projects)
            watch, _ = plain_rebuild(history.raw_dir, work / "out", work / "reports")
        laps = watch.laps
        total, cpu = sum(laps.values()), sum(watch.cpu_laps.values())
        points.append({
            "editions": editions, "files": len(history.files), "rows": history.rows,
            "total_seconds": round(total, 3), "seconds_per_edition": round(total / editions, 3),
            "total_cpu_seconds": round(cpu, 3), "cpu_seconds_per_edition": round(cpu / editions, 3),
            "stages_seconds": {k: round(v, 3) for k, v in laps.items()},
            "stages_cpu_seconds": {k: round(v, 3) for k, v in watch.cpu_laps.items()},
            "stages_cpu_seconds_per_edition": {k: round(v / editions, 4) for k, v in watch.cpu_laps.items()},
        })
    ratios = growth_ratios([p["editions"] for p in points], [p["total_seconds"] for p in points])
    cpu_ratios = growth_ratios([p["editions"] for p in points], [p["total_cpu_seconds"] for p in points])
    by_stage = {
        stage: growth_ratios([p["editions"] for p in points], [max(p["stages_cpu_seconds"][stage], 1e-3) for p in points])
        for stage in points[0]["stages_cpu_seconds"]
    } if len(points) > 1 else {}
    return {
        "import_seconds_warmup": round(warm, 2),
        "points": points,
        "ratios_total": ratios,
        "ratios_total_cpu": cpu_ratios,
        "ratios_by_stage_cpu": by_stage,
        # judged on CPU time: wall time also measures whatever else the machine was doing
        "looks_linear": all(r["normalised"] <= LINEAR_TOLERANCE for r in cpu_ratios),
        "linear_tolerance": LINEAR_TOLERANCE,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, nargs="+", default=[10, 20, 40])
    parser.add_argument("--projects", type=int, default=60)
    args = parser.parse_args(argv)
    return write_result("growth", run(sorted(args.editions), args.projects))


if __name__ == "__main__":
    main()
