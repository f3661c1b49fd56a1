"""`resume-validation.json`: what the run's validation found, for the resources' metadata.

Written beside the published files (not itself published) so that the publication step, which
reads only the output folder, can put the summary into each data resource's `extras` on
data.gouv.fr. Its date is the newest edition's date, not the clock: republishing the same data
gives the same summary, so the publication stays idempotent.
"""
from __future__ import annotations

import json
from typing import Any

from panorama.findings.core import Severity

SUMMARY_FILE = "resume-validation.json"


def summarise(validations: list[Any]) -> dict[str, Any]:
    """Counts over the submissions actually published (files dropped from a partial edition excluded)."""
    errors = warnings = 0
    valid = True
    newest = None
    for validation in validations:
        dropped = set(validation.dropped_files)
        for submission in validation.submissions:
            if submission.file in dropped:
                continue
            errors += sum(1 for f in submission.findings if f.severity == Severity.BLOCKING)
            warnings += sum(1 for f in submission.findings if f.severity == Severity.WARNING)
        valid = valid and validation.publishable
        edition = validation.edition
        if newest is None or edition.numero > newest.numero:
            newest = edition
    return {
        "valide": bool(valid and errors == 0),
        "erreurs": errors,
        "avertissements": warnings,
        "date": newest.date_publication.isoformat() if newest is not None else None,
        "edition": newest.id if newest is not None else None,
    }


def summary_bytes(validations: list[Any]) -> bytes:
    return (json.dumps(summarise(validations), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
