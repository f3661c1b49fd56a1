"""What the PNG charts and the reusers' documents cost on the bundled samples.

Usage: python bench/charts_png.py [--rounds 5]

Builds the samples' history once, then renders the five PNG charts, the dashboard page and the
XLSX workbook `--rounds` times each, and prints wall and CPU seconds (best and median) as JSON.
CPU time is given beside wall time because the machine is shared: wall time follows the load.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, median, write_result  # noqa: E402


def _measure(rounds: int, work: Callable[[], object]) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall_best_s": round(min(walls), 4), "wall_median_s": round(median(walls), 4),
            "cpu_best_s": round(min(cpus), 4), "cpu_median_s": round(median(cpus), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    from panorama.dashboard import render_charts_png, render_dashboard
    imports = time.perf_counter() - start
    from panorama.pipeline import run_pipeline

    with tempfile.TemporaryDirectory() as tmp:
        result = run_pipeline(REPO / "data" / "raw", Path(tmp) / "out", Path(tmp) / "rapports", force=True)
    history, measures = result.history, result.measures
    from panorama.export.writer import build_files

    payload = {
        "projects_latest": int((history["numero_edition"] == history["numero_edition"].max()).sum()),
        "import_dashboard_s": round(imports, 4),
        "matplotlib_imported": "matplotlib" in sys.modules,
        "charts_png": _measure(args.rounds, lambda: render_charts_png(measures.indicators, measures.repartitions)),
        "dashboard_page": _measure(args.rounds, lambda: render_dashboard(history, measures.indicators,
                                                                        measures.repartitions)),
        "tables_and_xlsx": _measure(args.rounds, lambda: build_files(history, measures.indicators,
                                                                      measures.repartitions, changelog_md="")),
        "target_charts_s": 0.3,
    }
    write_result("charts_png", payload)


if __name__ == "__main__":
    main()
