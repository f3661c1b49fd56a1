"""The neutral findings core: what every stage reports (reading, normalising, validating).

It imports nothing of the pipeline, so that `reading/` and `normalise/` can report without
depending on `validation/`.
"""
from panorama.findings.catalog import CATALOG, FindingType, brief, severity_of, title_of
from panorama.findings.core import MAX_VALUE_CHARS, Finding, Severity, clip

__all__ = ["CATALOG", "MAX_VALUE_CHARS", "Finding", "FindingType", "Severity", "brief", "clip", "severity_of",
           "title_of"]
