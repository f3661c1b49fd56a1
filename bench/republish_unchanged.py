"""Republishing with nothing changed: time, HTTP calls, bytes uploaded, reads per resource.

Usage: python bench/republish_unchanged.py [--raw data/raw]

Against a real local udata 17.18.0 (the test suite's virtualenv `.cache/udata-venv` and its
`tests/support/udata_server.py`, started with the helpers of `tests/support/udata.py`), through a
recording loopback proxy (`tests/support/faultproxy.py`, no fault rule: it only forwards and notes
each request's method and path). The sample editions are built and published once, then the same
steps run again with nothing changed, as `panorama run --direct --target …` does them:
`pipeline.run_pipeline` (the input fingerprint should stop it early), `build_plan`, `apply_plan`.
Figures come from the client's own counters (`DatagouvClient.stats`) and from the proxy's log.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, VENV_BIN, ensure_repo_on_path, run_child, write_result  # noqa: E402

TARGET_SECONDS = 3.0
RESOURCE_IN_PATH = re.compile(r"/resources/([0-9a-f-]{36})")
DATASET_R = re.compile(r"/datasets/r/([0-9a-f-]{36})")


def publish_once(raw: Path, out: Path, reports: Path, state_file: Path, target: Any, api_url: str, key: str) -> dict:
    """Build then plan and apply, as the direct CLI path does; timed per step."""
    from panorama.datagouv.apply import apply_plan
    from panorama.datagouv.client import DatagouvClient
    from panorama.datagouv.plan import build_plan
    from panorama.datagouv.state import load_state
    from panorama.pipeline import run_pipeline

    laps: dict[str, float] = {}
    start = time.perf_counter()
    built = run_pipeline(raw, out, reports, state_file=state_file)
    laps["build"] = time.perf_counter() - start
    state = load_state(state_file, target)
    with DatagouvClient(api_url, key) as client:
        start = time.perf_counter()
        plan = build_plan(client, target, out, state)
        laps["plan"] = time.perf_counter() - start
        start = time.perf_counter()
        result = apply_plan(client, plan, out, state, state_file)
        laps["apply"] = time.perf_counter() - start
        stats = dict(vars(client.stats))
    return {
        "seconds": round(sum(laps.values()), 3),
        "steps_seconds": {k: round(v, 3) for k, v in laps.items()},
        "build_stopped_early": built.skipped_unchanged,
        "actions": dict(Counter(step.action for step in plan.files)),
        "dataset_action": plan.dataset.action,
        "client_stats": stats,
        "dataset_id": result.dataset_id,
        "resources": len(plan.files),
    }


def http_summary(seen: list, resource_ids: set[str]) -> dict[str, Any]:
    """Calls by method, and how many requests named each resource (by API path or stable URL)."""
    per_resource: Counter[str] = Counter()
    for request in seen:
        if request.method != "GET":
            continue
        for pattern in (RESOURCE_IN_PATH, DATASET_R):
            match = pattern.search(request.path)
            if match and match.group(1) in resource_ids:
                per_resource[match.group(1)] += 1
    paths = Counter(f"{r.method} {re.sub(r'[0-9a-f]{24}|[0-9a-f-]{36}', '{id}', r.path.split('?')[0])}" for r in seen)
    return {
        "http_calls": len(seen),
        "by_method": dict(Counter(r.method for r in seen)),
        "by_path": dict(sorted(paths.items())),
        "gets_naming_a_resource_max": max(per_resource.values(), default=0),
        "gets_naming_a_resource_total": sum(per_resource.values()),
    }


def cli_unchanged(work: Path, raw: Path, out: Path, reports: Path, target: Any, key: str) -> dict[str, Any]:
    """The same unchanged republication as a person runs it: `panorama run --direct --target banc`,
    a child process (imports included), with a settings file naming this server and folder."""
    settings = work / "panorama-banc.toml"
    settings.write_text(
        f'[dossiers]\nraw = "{raw}"\npublished = "{out}"\nreports = "{reports}"\n'
        f'publication = "{work / "publication"}"\n\n[cibles.banc]\napi_url = "{target.api_url}"\n'
        f'organization_id = "{target.organization_id}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PANORAMA_", "PREFECT_"))}
    env.update({"PANORAMA_SETTINGS": str(settings), "DATAGOUV_API_KEY": key})
    stderr = work / "cli-stderr.txt"
    child = run_child([VENV_BIN / "panorama", "run", "--direct", "--target", "banc"], env=env, cwd=REPO,
                      stdout_path=work / "cli-stdout.txt", stderr_path=stderr)
    result = child.as_dict()
    result.pop("stdout_bytes")
    if child.exit_code != 0:
        result["output_tail"] = ((work / "cli-stdout.txt").read_text(errors="replace")[-800:]
                                 + stderr.read_text(errors="replace")[-800:])
    return result


def run(raw: Path) -> dict[str, Any]:
    ensure_repo_on_path()
    from panorama.settings import Target
    from support.faultproxy import FaultProxy
    from support.udata import ensure_udata_venv, start_udata_server, stop_udata_server

    if not (raw.is_dir() and any(raw.iterdir())):
        raise SystemExit(f"{raw} : éditions d'exemple absentes (make samples).")
    with tempfile.TemporaryDirectory(prefix="bench-republish-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        server = start_udata_server(ensure_udata_venv(), work / "udata", parquet=True)
        startup = time.perf_counter() - started
        try:
            organization = server.new_organization("Banc d'essai")
            state_file = work / "publication" / "banc.json"
            out, reports = work / "published", work / "reports"
            with FaultProxy("127.0.0.1", server.port) as proxy:
                # Every call goes through the proxy, so the stable URLs written in the description stay the same.
                target = Target(name="banc", api_url=proxy.api_url, organization_id=organization)
                first = publish_once(raw, out, reports, state_file, target, proxy.api_url, server.api_key)
                first_calls = len(proxy.seen)
                second = publish_once(raw, out, reports, state_file, target, proxy.api_url, server.api_key)
                again = proxy.seen[first_calls:]
                cli = cli_unchanged(work, raw, out, reports, target, server.api_key)
                cli_seen = proxy.seen[first_calls + len(again):]
                cli["http_calls"] = len(cli_seen)
                cli["by_method"] = dict(Counter(r.method for r in cli_seen))
            resource_ids = {r["id"] for r in server.resources(first["dataset_id"])}
        finally:
            stop_udata_server(server)
    first["http_calls"] = first_calls
    second.update(http_summary(again, resource_ids))
    second["gets_per_resource"] = round(second["by_method"].get("GET", 0) / max(second["resources"], 1), 3)
    stats = second["client_stats"]
    return {
        "raw": str(raw.relative_to(REPO) if raw.is_relative_to(REPO) else raw),
        "udata_startup_seconds": round(startup, 2),
        "first_publication": first,
        "unchanged_republication": second,
        "unchanged_republication_cli": cli,
        "targets": {
            "seconds_under_3": second["seconds"] < TARGET_SECONDS,
            "zero_bytes_uploaded": stats["bytes_uploaded"] == 0,
            "at_most_one_read_per_resource": second["gets_naming_a_resource_max"] <= 1,
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=REPO / "data" / "raw")
    args = parser.parse_args(argv)
    return write_result("republish_unchanged", run(args.raw.resolve()))


if __name__ == "__main__":
    main()
