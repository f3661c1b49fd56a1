"""The identity stage's own time, as `panorama run --direct` pays it (issue #12: ≤ 0.1 s on the samples).

Usage: python bench/identity_speed.py [--runs 3] [--raw data/raw] [--editions 20] [--projects 60]

Each run is a fresh child process that walks the stages of `panorama.stages.STAGES` as plain
functions (as the command does, imports included: the identity package is first imported inside
its stage) over the bundled samples, then over a synthetic history (bench/synthetic.py, the one
bench/rebuild.py builds, generated once, not timed). Prints (JSON, kept in bench/results/) the
identity stage's CPU and wall seconds per run and their median, beside the load of the machine.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, median, write_result  # noqa: E402

STAGE = "identite"


def child(raw: Path, work: Path) -> None:
    """One plain run of every stage; prints the identity lap (CPU and wall) as JSON."""
    from bench.rebuild import plain_rebuild

    watch, _ = plain_rebuild(raw, work / "out", work / "reports")
    print(json.dumps({"cpu": watch.cpu_laps[STAGE], "wall": watch.laps[STAGE]}))


def measure(raw: Path, runs: int) -> dict[str, object]:
    laps = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="identity-speed-") as tmp:
            done = subprocess.run([sys.executable, __file__, "--child", str(raw), tmp],
                                  capture_output=True, text=True, check=True, cwd=REPO)
            laps.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cpu, wall = [lap["cpu"] for lap in laps], [lap["wall"] for lap in laps]
    return {"cpu_s": [round(c, 3) for c in cpu], "wall_s": [round(w, 3) for w in wall],
            "cpu_median_s": round(median(cpu), 3), "wall_median_s": round(median(wall), 3)}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--raw", type=Path, default=REPO / "data" / "raw")
    parser.add_argument("--editions", type=int, default=20)
    parser.add_argument("--projects", type=int, default=60)
    args = parser.parse_args()
    from bench.synthetic import write_history

    result: dict[str, object] = {"echantillons": {"dossier": str(args.raw), **measure(args.raw, args.runs)}}
    with tempfile.TemporaryDirectory(prefix="identity-speed-history-") as tmp:
        history = write_history(Path(tmp) / "raw", editions=args.editions, projects=args.projects)
        result["historique_synthetique"] = {"editions": args.editions, "lignes": history.rows,
                                            **measure(history.raw_dir, args.runs)}
    write_result("identity_speed", result)


if __name__ == "__main__":
    main()
