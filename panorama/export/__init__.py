"""Exports: the published CSV, Parquet, schemas, datapackage.json and data dictionary.

Entry point: `export_all` (see `panorama.export.writer` for the list of published files).
"""
from panorama.export.writer import ExportResult, WrittenFile, build_files, data_file_names, export_all

__all__ = ["ExportResult", "WrittenFile", "build_files", "data_file_names", "export_all"]
