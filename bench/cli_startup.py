"""Start-up of the `panorama` command (issue #12): the bare interpreter, `panorama --version`,
`panorama validate --help`, each a fresh process, N rounds, median wall and CPU seconds.

Target: the command's own start-up ≤ 0.1 s of CPU above the bare interpreter. `--code DIR` measures
another tree (e.g. an older commit unpacked with `git archive`), with the same virtual environment.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, VENV_BIN, ChildRun, median, run_child, write_result  # noqa: E402

CASES: dict[str, list[str]] = {
    "interpreteur": [sys.executable, "-c", "pass"],
    "version": [str(VENV_BIN / "panorama"), "--version"],
    "validate_help": [str(VENV_BIN / "panorama"), "validate", "--help"],
}


def _figures(runs: list[ChildRun]) -> dict[str, Any]:
    return {
        "wall_median_s": round(median([r.seconds for r in runs]), 3),
        "cpu_median_s": round(median([r.cpu_seconds for r in runs]), 3),
        "cpu_best_s": round(min(r.cpu_seconds for r in runs), 3),
        "exit_codes": sorted({r.exit_code for r in runs}),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--code", type=Path, help="measure this tree's code (default: this repository)")
    parser.add_argument("--name", default="cli_startup")
    args = parser.parse_args(argv)
    code = (args.code or REPO).resolve()
    env = {**os.environ, "PYTHONPATH": str(code)}
    runs: dict[str, list[ChildRun]] = {name: [] for name in CASES}
    for _ in range(args.rounds):  # interleaved: a busy moment weighs on every case alike
        for name, command in CASES.items():
            runs[name].append(run_child(command, env=env, cwd=code))
    figures = {name: _figures(r) for name, r in runs.items()}
    base = figures["interpreteur"]["cpu_median_s"]
    above = {name: round(f["cpu_median_s"] - base, 3) for name, f in figures.items() if name != "interpreteur"}
    return write_result(args.name, {"code": str(code), "rounds": args.rounds, **figures,
                                    "cpu_au_dessus_interpreteur_s": above, "cible_s": 0.1})


if __name__ == "__main__":
    main()
