"""Reading throughput: read_submission on synthetic 19-column CSVs, rows per second and peak RSS.

Usage: python bench/read_throughput.py [--rows 200000 1000000]
The files come from bench/synthetic.py (the one the validation benchmark reads, so the figures
compare). Each read runs in its own child process measured by bench.common.run_child, so the peak
RSS is that process's own (interpreter and imports included). Writes bench/results/read_throughput.json.
It measures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import ensure_repo_on_path, run_child, write_result  # noqa: E402
from bench.synthetic import write_submission  # noqa: E402


def child(path: Path, out: Path) -> None:
    """Inside the measured process: read once, write what was read."""
    ensure_repo_on_path()
    from panorama.reading import read_submission

    start, cpu = time.perf_counter(), time.process_time()
    table = read_submission(path)
    payload = {"rows": table.rows_read, "columns": len(table.header),
               "read_seconds": time.perf_counter() - start, "read_cpu_seconds": time.process_time() - cpu}
    out.write_text(json.dumps(payload), encoding="utf-8")


def measure(rows: int, tmp: Path) -> dict[str, object]:
    path = tmp / f"soumission-{rows}.csv"
    write_submission(path, rows, headers="labels")
    out = tmp / f"lu-{rows}.json"
    run = run_child([sys.executable, __file__, "--child", str(path), str(out)])
    if run.exit_code != 0 or not out.is_file():
        return {"rows": rows, "error": f"child exited with {run.exit_code}"}
    read = json.loads(out.read_text(encoding="utf-8"))
    return {
        "rows": read["rows"], "columns": read["columns"], "file_mb": round(path.stat().st_size / 1e6, 1),
        "read_seconds": round(read["read_seconds"], 2), "read_cpu_seconds": round(read["read_cpu_seconds"], 2),
        "rows_per_second": round(read["rows"] / read["read_seconds"]),
        "rows_per_cpu_second": round(read["rows"] / read["read_cpu_seconds"]),
        "process_seconds": round(run.seconds, 2), "peak_rss_mb": round(run.peak_rss_mb),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child(Path(argv[1]), Path(argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-lecture-") as tmp:
        sizes = [measure(rows, Path(tmp)) for rows in args.rows]
    write_result("read_throughput", {"sizes": sizes, "target_peak_rss_mb_at_1m": 700})


if __name__ == "__main__":
    main(sys.argv[1:])
