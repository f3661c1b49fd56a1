"""Every benchmark, one after the other, then one JSON summary (`make bench`).

Usage: python bench/run_all.py [--full] [--rounds 3] [--only NAME ...]

Each benchmark runs as its own child process (its imports, memory and Prefect or udata servers stay
its own, and one that fails does not stop the others); its JSON is read back from
bench/results/<name>.json. By default validation runs at 200,000 rows only; --full adds the
1,000,000-row file (frictionless run once at that size).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, RESULTS, write_result  # noqa: E402

BENCH = REPO / "bench"


def plan(full: bool, rounds: int) -> list[tuple[str, list[str]]]:
    """(result name, script and arguments) of each benchmark, in the order they run."""
    rows = ["200000", "1000000"] if full else ["200000"]
    return [
        (f"validation_throughput-{'-'.join(rows)}", ["validation_throughput.py", "--rows", *rows, "--rounds", str(rounds),
                                   "--frictionless-1m-once"]),
        ("rebuild", ["rebuild.py"]),
        ("growth", ["growth.py"]),
        ("republish_unchanged", ["republish_unchanged.py"]),
        ("profile_stage", ["profile_stage.py"]),
    ]


def headline(name: str, result: dict[str, Any]) -> dict[str, Any]:
    """The few figures that answer each benchmark's targets."""
    if name.startswith("validation_throughput"):
        return {f"{s['rows']}_rows": {k: s.get(k) for k in (
            "ratio_ours_over_frictionless", "cpu_ratio_ours_over_frictionless", "target_ratio_met",
            "stretch_ratio_met", "target_peak_under_1gb_met")} | {
            "rows_per_second": s["panorama"]["rows_per_second"], "peak_rss_mb": s["panorama"]["peak_rss_mb_max"]}
            for s in result.get("sizes", [])}
    if name == "rebuild":
        flow = result.get("flow", {})
        return {"plain_seconds": result["plain"]["total_seconds"], "slowest_stage": result["plain"]["slowest_stage"],
                "flow_cold_seconds": (flow.get("cold") or {}).get("seconds"), "flow_error": flow.get("error"),
                "ratio_flow_over_plain": result.get("ratio_flow_over_plain"),
                "target_whole_under_10s_met": result.get("target_whole_under_10s_met"),
                "target_flow_ratio_met": result.get("target_flow_ratio_met")}
    if name == "growth":
        return {"seconds_per_edition": {p["editions"]: p["seconds_per_edition"] for p in result["points"]},
                "looks_linear": result["looks_linear"]}
    if name == "republish_unchanged":
        again = result["unchanged_republication"]
        return {"seconds": again["seconds"], "http_calls": again["http_calls"],
                "bytes_uploaded": again["client_stats"]["bytes_uploaded"], "targets": result["targets"]}
    if name == "profile_stage":
        return {"stage": result["profiled_stage"], "top": [r["function"] for r in result["top_cumulative"][:5]]}
    return {}


def run(full: bool, rounds: int, only: set[str] | None) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name, args in plan(full, rounds):
        if only and name not in only:
            continue
        print(f"[run_all] {name}…", file=sys.stderr, flush=True)
        (RESULTS / f"{name}.json").unlink(missing_ok=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(BENCH / args[0]), *args[1:]], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        entry: dict[str, Any] = {"exit_code": done.returncode, "seconds": round(time.perf_counter() - start, 1)}
        result_file = RESULTS / f"{name}.json"
        if done.returncode == 0 and result_file.is_file():
            entry["headline"] = headline(name, json.loads(result_file.read_text(encoding="utf-8")))
            entry["result_file"] = str(result_file.relative_to(REPO))
        else:
            entry["stderr_tail"] = done.stderr[-2000:]
        summary[name] = entry
    return {"full": full, "benchmarks": summary}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="validation at 1,000,000 rows too")
    parser.add_argument("--rounds", type=int, default=3, help="validation rounds per tool")
    parser.add_argument("--only", nargs="+", help="run only these benchmarks")
    args = parser.parse_args(argv)
    return write_result("run_all", run(args.full, args.rounds, set(args.only) if args.only else None))


if __name__ == "__main__":
    main()
