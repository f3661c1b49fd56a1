"""The default run as people meet it: each command a fresh process, imports included.

Usage: python bench/default_run.py [--raw data/raw] [--rounds 1] [--no-server | --server-only | --plain-only]

Prints, each as a child process measured through os.wait4 (bench/common.run_child):
- `validate_60_rows`: `panorama validate` on one 60-row submission (bench/synthetic.py);
- `plain`: `panorama run --direct --force` on the bundled samples, and the same with the PNG
  charts replaced by nothing (`plain_without_charts`: how much the charts cost);
- `prefect_ephemeral`: `panorama run --force` (the semester flow, temporary local server), beside
  `trivial_ephemeral`: (after one unmeasured run that migrates the fresh PREFECT_HOME's database,
  so that neither pays it) a flow of the same number of no-op tasks (as the flow: one per edition for
  the validation stage, `flows.tasks.submit_files`, one per other stage), i.e. Prefect's own floor
  measured in the same run;
- the same two against a running `prefect server start` on a loopback port (started and stopped
  here, its own PREFECT_HOME), with the ratios to the plain path. The flow runs there twice per
  round: `prefect` with an empty result storage (every submission validated and stored, as in the
  ephemeral part), `prefect_cached` right after it (every submission from its cache entry, as a
  steward's second run). Then `service`: the same command handed to a `panorama service` started
  beforehand on that server (`panorama.cli.service`), with its ratio to the plain path.

`--server-only` measures the plain path and the server part only (the ephemeral part takes the
longest and moves least); `--plain-only` the two commands without Prefect.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, VENV_BIN, ChildRun, ensure_repo_on_path, median, run_child, write_result  # noqa: E402

PANORAMA = VENV_BIN / "panorama"
NO_CHARTS = (
    "import sys, panorama.dashboard as d; d.render_charts_png = lambda *a, **k: {}; "
    "from panorama.cli import main; sys.argv = ['panorama', *sys.argv[1:]]; main()"
)
TRIVIAL_FLOW = """
import sys
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

files, stages = int(sys.argv[1]), int(sys.argv[2])

@task(cache_policy=NO_CACHE)
def noop(i: int) -> int:
    return i

@flow(task_runner=ThreadPoolTaskRunner(max_workers=4))
def trivial() -> int:
    first = noop(0)
    done = [f.result() for f in [noop.submit(i) for i in range(files)]]
    return first + sum(done) + sum(noop(i) for i in range(stages - 1))

trivial()
"""


CODE = REPO  # the tree whose code is measured (--code: e.g. an older commit unpacked elsewhere)


def _env(home: Path, api_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PYTHONPATH": str(CODE), "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
                # a loaded 2-core machine misses the default 20 s: measure, do not time out
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"})
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def _rounds(make: Any, rounds: int) -> dict[str, Any]:
    runs: list[ChildRun] = [make(i) for i in range(rounds)]
    return {"seconds": round(median([r.seconds for r in runs]), 3),
            "cpu_seconds": round(median([r.cpu_seconds for r in runs]), 3),
            "peak_rss_mb": round(max(r.peak_rss_mb for r in runs), 1),
            "exit_codes": sorted({r.exit_code for r in runs}),
            "all_seconds": [round(r.seconds, 3) for r in runs]}


def _counts(raw: Path) -> tuple[int, int, int]:
    """Submission files, validation tasks (one per edition with files), other stages' tasks."""
    from panorama.edition import discover_editions
    from panorama.stages import STAGES

    editions = discover_editions(raw)
    files = sum(len(e.files) for e in editions)
    return files, sum(1 for e in editions if e.files), sum(1 for s in STAGES if not s.fans_out)


def measure(raw: Path, rounds: int, server: bool, ephemeral: bool = True, plain_only: bool = False) -> dict[str, Any]:
    from bench.synthetic import write_submission

    ensure_repo_on_path()
    files, validation_tasks, stages = _counts(raw)
    result: dict[str, Any] = {"raw": str(raw), "submission_files": files, "validation_tasks": validation_tasks,
                              "stage_tasks": stages, "flow_tasks": validation_tasks + stages, "rounds": rounds}
    with tempfile.TemporaryDirectory(prefix="bench-default-run-") as tmp:
        work = Path(tmp)
        home = work / "prefect-home"
        env = _env(home)
        sixty = work / "soixante.csv"
        write_submission(sixty, 60)

        def run(args: list[str | Path], env_: dict[str, str], log: str) -> ChildRun:
            return run_child(args, env=env_, cwd=CODE, stderr_path=work / f"{log}.err")

        out = ["--raw", raw, "--out", work / "out", "--report-dir", work / "rapports", "--force"]
        if ephemeral or plain_only:
            result["validate_60_rows"] = _rounds(
                lambda i: run([PANORAMA, "validate", sixty, "--report-dir", work / f"v{i}"], env, "validate"), rounds)
        result["plain"] = _rounds(lambda i: run([PANORAMA, "run", "--direct", *out], env, "plain"), rounds)
        plain = result["plain"]["seconds"]
        trivial = [sys.executable, "-c", TRIVIAL_FLOW, str(validation_tasks), str(stages)]
        if plain_only:
            pass
        elif ephemeral:
            result["plain_without_charts"] = _rounds(
                lambda i: run([sys.executable, "-c", NO_CHARTS, "run", "--direct", *out], env, "plain-nocharts"),
                rounds)
            run(trivial, env, "migration")  # the fresh PREFECT_HOME's database is migrated once, unmeasured
            result["trivial_ephemeral"] = _rounds(lambda i: run(trivial, env, "trivial"), rounds)
            result["prefect_ephemeral"] = _rounds(lambda i: run([PANORAMA, "run", *out], env, "prefect"), rounds)
            floor = result["trivial_ephemeral"]["seconds"]
            result["ephemeral_prefect_minus_floor_over_plain"] = round(
                (result["prefect_ephemeral"]["seconds"] - floor) / plain, 3)
        if server and not plain_only:
            result["server"] = _with_server(work, out, trivial, rounds, run, plain)
        for err in sorted(work.glob("*.err")):
            if err.stat().st_size:
                result.setdefault("stderr_tails", {})[err.stem] = err.read_text(errors="replace")[-600:]
    return result


def _with_server(work: Path, out: list[str | Path], trivial: list[str | Path], rounds: int, run: Any,
                 plain: float) -> dict[str, Any]:
    from support.prefect_server import start_server

    server = start_server(work / "server-home")
    try:
        env = _env(work / "client-home", server.api_url)
        measured: dict[str, Any] = {"startup_seconds": round(server.startup_seconds, 2)}
        measured["trivial"] = _rounds(lambda i: run(trivial, env, "trivial-server"), rounds)
        cold: list[ChildRun] = []
        warm: list[ChildRun] = []
        for i in range(rounds):  # each round: an empty result storage, then the same again
            client = _env(work / f"client-home-{i}", server.api_url)
            cold.append(run([PANORAMA, "run", *out], client, "prefect-server"))
            warm.append(run([PANORAMA, "run", *out], client, "prefect-server-cached"))
        measured["prefect"] = _rounds(lambda i: cold[i], rounds)
        measured["prefect_cached"] = _rounds(lambda i: warm[i], rounds)
        floor = measured["trivial"]["seconds"]
        measured["ratio_prefect_over_plain"] = round(measured["prefect"]["seconds"] / plain, 3)
        measured["ratio_prefect_cached_over_plain"] = round(measured["prefect_cached"]["seconds"] / plain, 3)
        measured["ratio_trivial_over_plain"] = round(floor / plain, 3)
        measured["prefect_minus_floor_over_plain"] = round((measured["prefect"]["seconds"] - floor) / plain, 3)
        measured["service"] = _with_service(work, out, rounds, run, server.api_url)
        measured["ratio_service_over_plain"] = round(measured["service"]["seconds"] / plain, 3)
        return measured
    finally:
        server.stop()


def _with_service(work: Path, out: list[str | Path], rounds: int, run: Any, api_url: str) -> dict[str, Any]:
    """`panorama run` handed to a `panorama service` started beforehand (not measured: a steward
    starts it once); the service's start-up time is printed beside."""
    import shutil
    import subprocess
    import time

    folder = Path(tempfile.mkdtemp(prefix="pano-", dir="/tmp"))  # a socket path holds 107 bytes at most
    env = {**_env(work / "service-home", api_url), "XDG_RUNTIME_DIR": str(folder)}
    log = (work / "service.log").open("wb")
    began = time.monotonic()
    service = subprocess.Popen([str(PANORAMA), "service"], env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        while "Service panorama prêt" not in (said := (work / "service.log").read_text(encoding="utf-8", errors="replace")):
            if service.poll() is not None or time.monotonic() - began > 300:
                raise RuntimeError(said)
            time.sleep(0.05)
        measured: dict[str, Any] = {"startup_seconds": round(time.monotonic() - began, 2)}
        measured.update(_rounds(lambda i: run([PANORAMA, "run", *out], env, "prefect-service"), rounds))
        return measured
    finally:
        service.terminate()
        service.wait(timeout=60)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=REPO / "data" / "raw")
    parser.add_argument("--rounds", type=int, default=1)
    parts = parser.add_mutually_exclusive_group()
    parts.add_argument("--no-server", action="store_true", help="skip the runs against a running server")
    parts.add_argument("--server-only", action="store_true",
                       help="the plain path and the runs against a running server only")
    parts.add_argument("--plain-only", action="store_true", help="`validate` and the plain path only (no Prefect)")
    parser.add_argument("--code", type=Path, help="measure this tree's code (default: this repository)")
    parser.add_argument("--name", default="default_run", help="result file name in bench/results/")
    args = parser.parse_args(argv)
    global CODE
    CODE = (args.code or REPO).resolve()
    result = measure(args.raw.resolve(), args.rounds, not args.no_server, ephemeral=not args.server_only,
                     plain_only=args.plain_only)
    return write_result(args.name, {"code": str(CODE), **result})


if __name__ == "__main__":
    main()
