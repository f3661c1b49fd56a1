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
