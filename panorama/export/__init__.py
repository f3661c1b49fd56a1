"""Exports: the published CSV, Parquet, schemas, datapackage.json and data dictionary.

Entry point: `export_all` (see `panorama.export.writer` for the list of published files). The
names are loaded on first use, so that `panorama.export.atomic` (used by reports and the
publication record) does not import pandas and pyarrow.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from panorama.export.writer import ExportResult, WrittenFile, build_files, data_file_names, export_all

__all__ = ["ExportResult", "WrittenFile", "build_files", "data_file_names", "export_all"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from panorama.export import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
