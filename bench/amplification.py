"""Amplification: peak memory and time of `panorama validate` on hostile files of at most 10 MB.

Usage: python bench/amplification.py [--only NAME …] [--keep DIR]
Each file of bench/hostile.py (CSV, XLSX, XLS, ODS) is built in a temporary folder (never timed),
then `panorama validate FILE --format json` runs as a child process measured by
bench.common.run_child (wall time, CPU time, the child's own peak RSS through os.wait4). For each:
size on disk, exit code, the first French line of stderr, peak RSS and wall time, and whether it
meets the targets (≤ 500 MB peak, ≤ 30 s). Writes bench/results/amplification.json. It measures;
it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import REPO, VENV_BIN, ensure_repo_on_path, run_child, write_result
from bench.hostile import BUILDERS

TARGET_PEAK_MB = 500
TARGET_SECONDS = 30
MAX_FILE_MB = 10


def measure(name: str, folder: Path) -> dict[str, object]:
    path = folder / name
    BUILDERS[name](path)
    size_mb = path.stat().st_size / 1e6
    err = folder / f"{name}.stderr"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = run_child([str(VENV_BIN / "panorama"), "validate", str(path), "--format", "json"], env=env,
                    stderr_path=err)
    message = next((line for line in err.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()), "")
    return {
        "fichier": name, "taille_mo": round(size_mb, 3), "code_sortie": run.exit_code,
        "pic_memoire_mo": round(run.peak_rss_mb, 1), "secondes": round(run.seconds, 2),
        "cpu_secondes": round(run.cpu_seconds, 2), "message": message[:300],
        "traceback": "Traceback" in err.read_text(encoding="utf-8", errors="replace"),
        "dans_les_cibles": run.peak_rss_mb <= TARGET_PEAK_MB and run.seconds <= TARGET_SECONDS
        and size_mb <= MAX_FILE_MB,
    }


def main(argv: list[str] | None = None) -> int:
    ensure_repo_on_path()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="noms de fichiers de bench/hostile.py")
    parser.add_argument("--keep", type=Path, default=None, help="garder les fichiers construits dans ce dossier")
    args = parser.parse_args(argv)
    names = args.only or list(BUILDERS)
    with tempfile.TemporaryDirectory(prefix="amplification-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results = []
        for name in names:
            results.append(measure(name, folder))
            print(f"{name}: {results[-1]['pic_memoire_mo']} Mo, {results[-1]['secondes']} s, "
                  f"code {results[-1]['code_sortie']}", file=sys.stderr, flush=True)
    write_result("amplification", {
        "cibles": {"pic_memoire_mo": TARGET_PEAK_MB, "secondes": TARGET_SECONDS, "taille_max_mo": MAX_FILE_MB},
        "tous_dans_les_cibles": all(r["dans_les_cibles"] for r in results),
        "pic_memoire_max_mo": max(r["pic_memoire_mo"] for r in results),
        "secondes_max": max(r["secondes"] for r in results),
        "fichiers": results,
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
