"""Rebuild of a long history: each stage as plain functions, then the same as the Prefect flow.

Usage: python bench/rebuild.py [--editions 20] [--projects 60] [--no-flow] [--thread-workers N]

A synthetic raw folder (bench/synthetic.py: ~60 projects per edition, ten files per edition in
CSV and XLSX) is generated in a temporary folder (not timed). Then:
(a) the stages of `panorama.stages.STAGES` as plain functions, one lap per stage (the list
    `run_pipeline` and the flow walk);
(b) the `construction` flow (`flows.build.build`) against a real `prefect server start` on a free
    loopback port, with its own PREFECT_HOME and analytics off (stopped at the end);
(c) an unchanged re-run for both (the input fingerprint stops them early), and a forced flow re-run
    whose per-submission validations come from Prefect's cache.
Imports are warmed up before anything is timed and reported apart, so that neither side pays them.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, Stopwatch, ensure_repo_on_path, group_cpu_seconds, write_result  # noqa: E402
from bench.synthetic import History, write_history  # noqa: E402

TARGET_FLOW_RATIO = 1.5
TARGET_WHOLE_SECONDS = 10.0


def warm_imports() -> float:
    """Import every stage's modules once (pandas, openpyxl, matplotlib…): a cost paid once per process."""
    start = time.perf_counter()
    import panorama.changelog  # noqa: F401
    import panorama.dashboard  # noqa: F401
    import panorama.export.writer  # noqa: F401
    import panorama.figures  # noqa: F401
    import panorama.identity  # noqa: F401
    import panorama.pipeline  # noqa: F401
    import panorama.reading  # noqa: F401
    import panorama.validation.report  # noqa: F401
    import panorama.validation.submission  # noqa: F401

    return time.perf_counter() - start


def plain_rebuild(raw: Path, out: Path, reports: Path, watch: Stopwatch | None = None) -> tuple[Stopwatch, Any]:
    """The stages of `panorama.stages.STAGES`, in order, one lap per stage (named as the stage);
    returns the stopwatch and the history. `watch` lets a caller wrap a stage (bench/profile_stage.py)."""
    from panorama.pipeline import run_stage
    from panorama.stages import STAGES, Build

    watch = watch or Stopwatch()
    build = Build(raw, out, reports, force=True)
    for stage in STAGES:
        with watch(stage.name):
            run_stage(stage, build)
    return watch, build.identity.history if build.identity else None


def plain_unchanged(raw: Path, out: Path, reports: Path) -> tuple[float, bool]:
    from panorama.pipeline import run_pipeline

    start = time.perf_counter()
    result = run_pipeline(raw, out, reports)
    return time.perf_counter() - start, result.skipped_unchanged


def _rounded(laps: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in laps.items()}


def measure_plain(history: History, work: Path) -> dict[str, Any]:
    watch, frame = plain_rebuild(history.raw_dir, work / "plain-out", work / "plain-reports")
    laps = watch.laps
    total = sum(laps.values())
    again, skipped = plain_unchanged(history.raw_dir, work / "plain-out", work / "plain-reports")
    slowest = max(laps, key=laps.__getitem__)
    return {
        "stages_seconds": _rounded(laps),
        "total_seconds": round(total, 3),
        "stages_cpu_seconds": _rounded(watch.cpu_laps),
        "total_cpu_seconds": round(sum(watch.cpu_laps.values()), 3),
        "slowest_stage": slowest,
        "history_rows": len(frame),
        "projects": int(frame["identifiant"].nunique()),
        "unchanged_rerun_seconds": round(again, 3),
        "unchanged_rerun_stopped_early": skipped,
    }


def task_seconds(flow_run_id: Any) -> dict[str, float]:
    """Run time of the flow's task runs summed per task (as the server recorded them): where the
    flow's time goes, next to the plain stages."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    totals: dict[str, float] = {}
    with get_client(sync_client=True) as client:
        offset = 0
        while True:
            page = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                         limit=200, offset=offset)
            for run in page:
                name = run.task_key.rsplit("-", 1)[0]
                totals[name] = totals.get(name, 0.0) + run.total_run_time.total_seconds()
            if len(page) < 200:
                break
            offset += 200
    return {k: round(v, 3) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


def measure_flow(history: History, work: Path, thread_workers: int | None = None) -> dict[str, Any]:
    """The flow against a real server; the server is always stopped, whatever happens.

    `thread_workers` caps Prefect's thread pool (PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS; by
    default it is unbounded, so every submission's validation starts at once)."""
    ensure_repo_on_path()
    from panorama.errors import PanoramaError
    from support.prefect_server import start_server

    server = start_server(work / "prefect-home")
    pool = "PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS"
    saved = {k: os.environ.get(k) for k in ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_SERVER_ANALYTICS_ENABLED",
                                             "PREFECT_LOGGING_LEVEL", pool)}
    try:
        os.environ.update({
            "PREFECT_HOME": str(server.home), "PREFECT_API_URL": server.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
        })
        if thread_workers:
            os.environ[pool] = str(thread_workers)
        start = time.perf_counter()
        try:
            from flows.build import build  # prefect imported here, after the environment is set
        except ImportError as error:  # the flows still being written: say so, keep the plain figures
            return {"server_startup_seconds": round(server.startup_seconds, 2), "error": f"import: {error}"}
        import_seconds = time.perf_counter() - start
        out, reports = work / "flow-out", work / "flow-reports"
        runs: dict[str, Any] = {"server_startup_seconds": round(server.startup_seconds, 2),
                                "prefect_import_seconds": round(import_seconds, 2),
                                "thread_pool_max_workers": thread_workers or "illimité (défaut Prefect)"}
        for name, force in (("cold", False), ("unchanged", False), ("forced_cached", True)):
            start, cpu, server_cpu = time.perf_counter(), time.process_time(), group_cpu_seconds(server.process.pid)
            try:
                state = build(history.raw_dir, out, reports, force=force, return_state=True)
                outcome = state.result()
            except (ImportError, AttributeError, TypeError, PanoramaError) as error:
                # A stage still being written: record what failed rather than lose the plain figures.
                runs["error"] = f"{name}: {type(error).__name__}: {error}"
                break
            runs[name] = {"seconds": round(time.perf_counter() - start, 3),
                          "cpu_seconds": round(time.process_time() - cpu, 3),
                          "server_cpu_seconds": round(group_cpu_seconds(server.process.pid) - server_cpu, 3),
                          "stopped_early": outcome.unchanged, "files_written": len(outcome.written),
                          "task_seconds_by_task": task_seconds(state.state_details.flow_run_id)}
        return runs
    finally:
        if "prefect.logging.handlers" in sys.modules:  # send the last logs while the server still listens
            sys.modules["prefect.logging.handlers"].APILogWorker.drain_all(timeout=5)
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run(editions: int, projects: int, flow: bool, thread_workers: int | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-rebuild-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        history = write_history(work / "raw", editions=editions, projects=projects)
        generation = time.perf_counter() - started
        imports = warm_imports()
        result: dict[str, Any] = {
            "editions": editions,
            "files": len(history.files),
            "rows": history.rows,
            "formats": sorted({p.suffix for p in history.files}),
            "generation_seconds_not_timed": round(generation, 2),
            "import_seconds_warmup": round(imports, 2),
            "plain": measure_plain(history, work),
        }
        plain_total = result["plain"]["total_seconds"]
        result["target_whole_under_10s_met"] = plain_total < TARGET_WHOLE_SECONDS
        if flow:
            result["flow"] = measure_flow(history, work, thread_workers)
            if "cold" in result["flow"]:
                ratio = result["flow"]["cold"]["seconds"] / plain_total
                result["ratio_flow_over_plain"] = round(ratio, 3)
                result["target_flow_ratio_met"] = ratio <= TARGET_FLOW_RATIO
                cpu_ratio = result["flow"]["cold"]["cpu_seconds"] / result["plain"]["total_cpu_seconds"]
                result["cpu_ratio_flow_over_plain"] = round(cpu_ratio, 3)
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, default=20)
    parser.add_argument("--projects", type=int, default=60)
    parser.add_argument("--no-flow", action="store_true", help="plain functions only (no Prefect server)")
    parser.add_argument("--thread-workers", type=int, help="cap Prefect's thread pool (default: unbounded)")
    args = parser.parse_args(argv)
    os.chdir(REPO)
    name = "rebuild" if not args.thread_workers else f"rebuild-threads-{args.thread_workers}"
    return write_result(name, run(args.editions, args.projects, not args.no_flow, args.thread_workers))


if __name__ == "__main__":
    main()
