"""The three output stages on the sample editions (issue #12): reports, documents, export.

Usage: python bench/output_stages.py [--rounds 3] [--code DIR] [--raw data/raw]

Each round is a fresh process running `panorama.stages.STAGES` over the samples (`--force`, into a
new temporary folder) with nothing imported beforehand, so that each stage pays its own imports as
in `panorama run --direct`. Per stage: wall and CPU seconds (this process's user + system) and the
modules it imported first. `--code DIR` measures another tree (e.g. `git archive` of an older
commit). Target: the three stages together ≤ 0.25 s.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, median, write_result  # noqa: E402

TARGET_SECONDS = 0.25
MEASURED = ("rapports", "documents", "export")

_CHILD = """
import json, sys, tempfile, time
from pathlib import Path
start = time.process_time()
from panorama.pipeline import run_stage
from panorama.stages import STAGES, Build
base = time.process_time() - start
tmp = Path(tempfile.mkdtemp(prefix="bench-sorties-"))
build = Build(Path(sys.argv[1]), tmp / "out", tmp / "rapports", force=True, allow_partial=True)
laps = {"imports_de_base": {"cpu": base, "wall": None, "modules": []}}
for stage in STAGES:
    before = set(sys.modules)
    wall, cpu = time.perf_counter(), time.process_time()
    run_stage(stage, build)
    new = sorted({m.split(".")[0] if not m.startswith("panorama") else m for m in set(sys.modules) - before})
    laps[stage.name] = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "modules": new}
print(json.dumps(laps))
"""


def one_round(code: Path, raw: Path) -> dict[str, Any]:
    env = {"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "0"}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(raw)], cwd=code, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", type=Path, default=REPO)
    parser.add_argument("--raw", type=Path, default=REPO / "data" / "raw")
    args = parser.parse_args()
    one_round(args.code, args.raw.resolve())  # warm the byte-code caches and the page cache, not timed
    rounds = [one_round(args.code, args.raw.resolve()) for _ in range(args.rounds)]
    stages: dict[str, Any] = {}
    for name in MEASURED:
        cpu = [r[name]["cpu"] for r in rounds]
        wall = [r[name]["wall"] for r in rounds]
        stages[name] = {"cpu_s": [round(v, 3) for v in cpu], "wall_s": [round(v, 3) for v in wall],
                        "cpu_median_s": round(median(cpu), 3), "modules_importes": rounds[-1][name]["modules"]}
    totals_cpu = [sum(r[n]["cpu"] for n in MEASURED) for r in rounds]
    totals_wall = [sum(r[n]["wall"] for n in MEASURED) for r in rounds]
    write_result("output_stages", {
        "code": str(args.code), "rounds": args.rounds, "stages": stages,
        "three_stages_cpu_s": [round(v, 3) for v in totals_cpu],
        "three_stages_wall_s": [round(v, 3) for v in totals_wall],
        "three_stages_cpu_median_s": round(median(totals_cpu), 3),
        "target_s": TARGET_SECONDS,
    })


if __name__ == "__main__":
    main()
