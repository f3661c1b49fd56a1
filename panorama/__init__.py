"""Panorama des grands projets numériques de l'État: the domain package (no Prefect here)."""

__version__ = "0.1.0"
