"""The published schema folder: a valid Table Schema, examples that pass and fail as built, and our
vectorised checks giving the same errors as frictionless on the invalid example."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from frictionless import Resource, Schema, system, validate

from panorama.model import SCHEMA_DIR, SCHEMA_PATH
from panorama.validation.tableschema import CellContext, check_schema, publication_schema, submission_schema

# The errors exemple-invalide.csv was built to carry: (row, field, type).
BUILT_ERRORS = {
    (2, "date_debut", "type-error"),
    (3, "phase", "constraint-error"),
    (4, "nom_projet", "constraint-error"),
    (5, "cout_estime_meur", "type-error"),
    (5, "identifiant", "unique-error"),
    (5, None, "primary-key"),
}


def _frictionless_errors(name: str) -> set[tuple]:
    schema = Schema.from_descriptor(str(SCHEMA_PATH))
    with system.use_context(trusted=True):  # absolute paths are refused otherwise
        report = validate(Resource(path=str(SCHEMA_DIR / name), schema=schema))
    return {(row, field, kind) for row, field, kind in report.flatten(["rowNumber", "fieldName", "type"])}


def _our_errors(name: str) -> set[tuple]:
    frame = pd.read_csv(SCHEMA_DIR / name, dtype=str, keep_default_na=False).astype(object)
    ctx = CellContext(name, None, np.arange(2, len(frame) + 2), {c: c for c in frame.columns})
    result = check_schema(frame, ctx, publication_schema())
    return {(f.row, f.field, f.type) for f in result.findings}


def test_schema_is_a_valid_table_schema():
    descriptor = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    report = Schema.validate_descriptor(descriptor)
    assert report.valid, report.errors
    for field in descriptor["fields"]:
        assert field.get("title") and field.get("description") and "example" in field, field["name"]


def test_valid_example_passes_frictionless():
    assert _frictionless_errors("exemple-valide.csv") == set()


def test_invalid_example_fails_with_exactly_the_built_errors():
    assert _frictionless_errors("exemple-invalide.csv") == BUILT_ERRORS


def test_our_checks_match_frictionless_on_both_examples():
    assert _our_errors("exemple-invalide.csv") == _frictionless_errors("exemple-invalide.csv")
    assert _our_errors("exemple-valide.csv") == set()


def test_version_equals_top_changelog_version():
    version = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["version"]
    changelog = (SCHEMA_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    top = re.search(r"^##\s+\[?v?(\d+\.\d+\.\d+)", changelog, re.MULTILINE)
    assert top is not None
    assert top.group(1) == version


def test_submission_schema_makes_identifiant_optional_without_primary_key():
    schema = submission_schema()
    assert not schema.primary_key
    assert not schema.get_field("identifiant").constraints.get("required")
    assert publication_schema().primary_key == ["identifiant"]


@pytest.mark.parametrize("value,kind", [("12.5", None), ("1e3", None), ("12,5", "type-error"), ("-1", "constraint-error")])
def test_number_cells_are_typed_like_frictionless(value, kind):
    frame = pd.DataFrame({"cout_estime_meur": [value]}, dtype=object)
    ctx = CellContext("f.csv", None, np.array([2]), {})
    found = {f.type for f in check_schema(frame, ctx).findings}
    assert found == ({kind} if kind else set())


MUTATIONS = [  # (row index in exemple-valide, field, bad value): each breaks one schema rule
    (1, "identifiant", "Pas Un Slug"), (1, "ministere_code", "mi"), (2, "ministere_nom", ""),
    (0, "liens_projet", "franceconnect.gouv.fr"), (1, "projet_interministeriel", "Peut-être"),
    (2, "date_debut", "1985-01-01"), (0, "date_debut", "2014-02-30"), (1, "duree_previsionnelle_annees", "0"),
    (2, "duree_previsionnelle_annees", "51"), (0, "phase", "deploiement"), (1, "cout_estime_meur", "1e9"),
    (2, "tranche_cout", "< 5 M€"), (0, "lien_pap", "https://a.fr  https://b.fr"), (1, "nom_projet", "x" * 201),
    (2, "identifiant", "spm-france-connect"), (0, "cout_initial_meur", "abc"), (0, "nom_projet", ""),
]


def test_our_checks_match_frictionless_on_mutated_examples(tmp_path):
    frame = pd.read_csv(SCHEMA_DIR / "exemple-valide.csv", dtype=str, keep_default_na=False)
    for pos, field, value in MUTATIONS:
        frame.loc[pos, field] = value
    path = tmp_path / "mutated.csv"
    frame.to_csv(path, index=False)
    with system.use_context(trusted=True):
        report = validate(Resource(path=str(path), schema=Schema.from_descriptor(str(SCHEMA_PATH))))
    theirs = {(r, f, t) for r, f, t in report.flatten(["rowNumber", "fieldName", "type"])}
    ctx = CellContext("mutated.csv", None, np.arange(2, len(frame) + 2), {})
    ours = {(f.row, f.field, f.type) for f in check_schema(frame.astype(object), ctx, publication_schema()).findings}
    assert len({(p, f) for p, f, _ in MUTATIONS}) == len(MUTATIONS)
    assert len(theirs) == len(MUTATIONS) + 1  # the repeated identifiant is also a primary-key error
    assert ours == theirs
