"""Validation throughput: `panorama validate FILE --format json` beside `frictionless validate`.

Usage: python bench/validation_throughput.py [--rows 200000 1000000] [--rounds 3]
                                             [--skip-frictionless-1m] [--frictionless-1m-once]
                                             [--headers names|labels]

A synthetic submission of each size (bench/synthetic.py, fixed seed, five deliberate errors) is
generated in a temporary folder (not timed). Each round runs ours then frictionless on the same file,
alternating so that a warm cache or a busy neighbour favours neither. Both are measured as child
processes, start-up and imports included (that is what a person waits for), with the child's own
peak RSS from wait4. Prints rows/s, the ratio ours/frictionless and peak memory.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, VENV_BIN, ChildRun, median, run_child, write_result  # noqa: E402
from bench.synthetic import write_submission  # noqa: E402

SCHEMA = REPO / "schemas" / "panorama-grands-projets" / "schema.json"
BIG = 1_000_000
TARGET_RATIO = 1.0
STRETCH_RATIO_200K = 0.25
TARGET_PEAK_MB_1M = 1024


def ours(path: Path, out: Path) -> ChildRun:
    return run_child([VENV_BIN / "panorama", "validate", path, "--format", "json"], cwd=REPO, stdout_path=out)


def frictionless(path: Path, out: Path) -> ChildRun:
    """Run from the file's folder with relative paths: frictionless refuses absolute paths as unsafe
    (without --trusted), so the schema is copied beside the file. --json for a report comparable to ours."""
    schema = path.parent / "schema.json"
    if not schema.exists():
        shutil.copyfile(SCHEMA, schema)
    return run_child([VENV_BIN / "frictionless", "validate", "--schema", schema.name, "--json", path.name],
                     cwd=path.parent, stdout_path=out)


def _errors_found(out: Path, tool: str) -> int | None:
    """How many errors each tool reported, to show both saw the deliberate ones."""
    try:
        report = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if tool == "ours":
        return sum(f["par_gravite"]["bloquant"] for f in report.get("fichiers", []))
    tasks = report.get("tasks") or []
    return sum(len(t.get("errors") or []) for t in tasks)


def _summary(runs: list[ChildRun], rows: int) -> dict:
    seconds = median([r.seconds for r in runs])
    return {
        "runs": [r.as_dict() for r in runs],
        "median_seconds": round(seconds, 3),
        "median_cpu_seconds": round(median([r.cpu_seconds for r in runs]), 3),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "peak_rss_mb_max": round(max(r.peak_rss_mb for r in runs), 1),
        "exit_codes": sorted({r.exit_code for r in runs}),
    }


def measure_size(rows: int, rounds: int, folder: Path, headers: str, friction_rounds: int) -> dict:
    sample = write_submission(folder / f"remontee-{rows}.csv", rows, headers=headers)
    ours_runs: list[ChildRun] = []
    fl_runs: list[ChildRun] = []
    ours_out, fl_out = folder / f"ours-{rows}.json", folder / f"frictionless-{rows}.json"
    for i in range(rounds):
        print(f"[validation {rows}] round {i + 1}/{rounds}: panorama", file=sys.stderr, flush=True)
        ours_runs.append(ours(sample.path, ours_out))
        if i < friction_rounds:
            print(f"[validation {rows}] round {i + 1}/{rounds}: frictionless", file=sys.stderr, flush=True)
            fl_runs.append(frictionless(sample.path, fl_out))
    result: dict = {
        "rows": rows,
        "file_mb": round(sample.path.stat().st_size / 1e6, 1),
        "headers": headers,
        "deliberate_errors": len(sample.errors),
        "panorama": {**_summary(ours_runs, rows), "blocking_findings": _errors_found(ours_out, "ours")},
    }
    if fl_runs:
        result["frictionless"] = {**_summary(fl_runs, rows), "errors_reported": _errors_found(fl_out, "frictionless")}
        ratio = result["panorama"]["median_seconds"] / result["frictionless"]["median_seconds"]
        result["ratio_ours_over_frictionless"] = round(ratio, 3)
        result["target_ratio_met"] = ratio <= TARGET_RATIO
        # CPU time is less sensitive than wall time to other load on the machine: shown beside it.
        cpu_ratio = result["panorama"]["median_cpu_seconds"] / result["frictionless"]["median_cpu_seconds"]
        result["cpu_ratio_ours_over_frictionless"] = round(cpu_ratio, 3)
        if rows <= 200_000:
            result["stretch_ratio_met"] = ratio <= STRETCH_RATIO_200K
    else:
        result["frictionless"] = "non mesuré (--skip-frictionless-1m)"
    if rows >= BIG:
        result["target_peak_under_1gb_met"] = result["panorama"]["peak_rss_mb_max"] < TARGET_PEAK_MB_1M
    return result


def result_name(rows_list: list[int]) -> str:
    """One result file per set of sizes, so that a 1M-row run does not overwrite the 200k one."""
    return "validation_throughput-" + "-".join(str(r) for r in rows_list)


def run(rows_list: list[int], rounds: int, skip_fl_1m: bool, fl_1m_once: bool, headers: str) -> dict:
    sizes = []
    with tempfile.TemporaryDirectory(prefix="bench-validation-") as tmp:
        for rows in rows_list:
            friction_rounds = rounds
            if rows >= BIG and skip_fl_1m:
                friction_rounds = 0
            elif rows >= BIG and fl_1m_once:
                friction_rounds = 1
            sizes.append(measure_size(rows, rounds, Path(tmp), headers, friction_rounds))
    return write_result(result_name(rows_list), {
        "method": ("child processes timed from spawn to exit (imports included), alternating panorama/frictionless, "
                   "median of the rounds; peak RSS of each child from os.wait4"),
        "commands": {
            "panorama": "panorama validate FILE --format json",
            "frictionless": ("frictionless validate --schema schema.json --json FILE (run in FILE's folder, "
                             f"schema.json copied from {SCHEMA.relative_to(REPO)})"),
        },
        "rounds": rounds,
        "frictionless_1m": "skipped" if skip_fl_1m else ("once" if fl_1m_once else f"{rounds} rounds"),
        "sizes": sizes,
    })


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, BIG])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-frictionless-1m", action="store_true", help="frictionless not run at 1M rows")
    parser.add_argument("--frictionless-1m-once", action="store_true", help="frictionless run once at 1M rows")
    parser.add_argument("--headers", choices=("names", "labels"), default="names")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    return run(args.rows, args.rounds, args.skip_frictionless_1m, args.frictionless_1m_once, args.headers)


if __name__ == "__main__":
    main()
