"""The bundled sample editions (`data/raw`) run through the real pipeline, for the tests that
look at the published folder as reusers get it (numbers, dashboard sheets, data.gouv.fr quality)."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "raw"


def build_samples(root: Path):
    """Run the plain-function pipeline on the samples into `root/publie`; returns the result."""
    from panorama.pipeline import run_pipeline

    return run_pipeline(SAMPLES, root / "publie", root / "rapports", force=True)
