"""What reusers and citizens see: the dashboard page, PNG charts and the dataset description.

Everything here is a pure function of the history and the figures, so two renders of the same
data give the same bytes and "republish" uploads only what changed.
"""
from __future__ import annotations

from panorama.dashboard.charts_png import render_charts_png
from panorama.dashboard.description import dataset_description
from panorama.dashboard.page import render_dashboard

__all__ = ["dataset_description", "render_charts_png", "render_dashboard"]
