"""PNG charts: the five files, 1200 × 700, deterministic bytes, drawn from the data."""
from __future__ import annotations

import struct
import warnings

import pytest

from panorama.dashboard import render_charts_png
from test_dashboard import build_history, build_indicators, build_repartitions

NAMES = {
    "graphiques/projets-par-ministere.png", "graphiques/projets-par-phase.png", "graphiques/cout-par-tranche.png",
    "graphiques/projets-par-zone-fonctionnelle.png", "graphiques/evolution-indicateurs.png",
}


@pytest.fixture(scope="module")
def frames():
    history = build_history()
    return build_indicators(), build_repartitions(history)


@pytest.fixture(scope="module")
def charts(frames):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (e.g. the narrow no-break space) would warn
        return render_charts_png(*frames)


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_five_pngs_at_1200_by_700(charts):
    assert set(charts) == NAMES
    for name, png in charts.items():
        assert _size(png) == (1200, 700), name


def test_bytes_are_deterministic_and_carry_no_software_stamp(frames, charts):
    again = render_charts_png(*frames)
    assert again == charts
    for png in charts.values():
        assert b"matplotlib" not in png.lower() and b"Software" not in png


def test_breakdowns_follow_the_latest_edition(frames, charts):
    indicators, repartitions = frames
    mine = repartitions["edition"] == "2021-11"
    changed = repartitions.copy()
    changed.loc[mine & (changed["dimension"] == "phase") & (changed["valeur"] == "Déploiement"), "nombre_projets"] = 9
    changed.loc[~mine, "nombre_projets"] = 40  # earlier editions do not show in the breakdowns
    redrawn = render_charts_png(indicators, changed)
    assert redrawn["graphiques/projets-par-phase.png"] != charts["graphiques/projets-par-phase.png"]
    for name in ("projets-par-ministere", "projets-par-zone-fonctionnelle", "evolution-indicateurs"):
        assert redrawn[f"graphiques/{name}.png"] == charts[f"graphiques/{name}.png"], name


def test_axes_read_in_whole_years_and_french_decimals(frames):
    from panorama.dashboard.charts_png import axis, evolution_panels
    from panorama.dashboard import formatting as fr

    indicators, _ = frames
    panels = {p.title: p for p in evolution_panels(indicators)}
    durations = panels["Durée moyenne prévue"].y
    assert durations.labels == ("0\u00a0an", "2\u00a0ans", "4\u00a0ans", "6\u00a0ans", "8\u00a0ans")
    assert panels["Coût total estimé"].y.labels[-1].endswith("Md€")
    assert all(label.endswith("%") for label in panels["Écart budgétaire moyen"].y.labels)
    assert panels["Nombre de projets"].y.ticks == tuple(float(int(t)) for t in panels["Nombre de projets"].y.ticks)
    # a short span gets half years, written the French way
    halves = axis(0.0, 1.9, fr.tick_years, integer=False)
    assert "0,5\u00a0an" in halves.labels and "2,5 ans" not in halves.labels
    assert not any("." in label for p in panels.values() for label in p.y.labels)


def test_drawing_the_charts_does_not_load_matplotlib(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from test_dashboard import build_history, build_indicators, build_repartitions;"
        "from panorama.dashboard import render_charts_png;"
        "h = build_history(); out = render_charts_png(build_indicators(), build_repartitions(h));"
        "assert len(out) == 5; print('matplotlib' in sys.modules)"
    )
    tests = str(__import__("pathlib").Path(__file__).resolve().parent)
    import os
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def test_flat_colours_are_drawn_exactly_and_text_keeps_its_antialiasing(charts):
    """The palette keeps white, the grid and the inks exact (no off-white background), plus edge blends."""
    import io

    from PIL import Image

    from panorama.dashboard.charts_png import BLUE, GRID, TEXT, WHITE

    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    for name, png in charts.items():
        image = Image.open(io.BytesIO(png))
        assert image.mode == "P", name
        colours = {colour for _, colour in image.convert("RGB").getcolors(256)}
        assert {rgb(WHITE), rgb(TEXT), rgb(BLUE)} <= colours, name
        assert image.convert("RGB").getpixel((2, 2)) == rgb(WHITE), name
        blends = [c for c in colours if c not in {rgb(WHITE), rgb(TEXT), rgb(BLUE), rgb(GRID)}]
        assert len(blends) >= 5, name  # antialiased edges, not a two-colour drawing
