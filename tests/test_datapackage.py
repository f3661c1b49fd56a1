"""datapackage.json and the published Table Schemas, checked with frictionless itself."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from panorama.export import export_all
from panorama.export.datapackage import PACKAGE_NAME, package_version
from panorama.history import drift_columns
from panorama.export.schemas import history_schema, indicators_schema, latest_schema, repartitions_schema
from panorama.model import (
    BOOLEAN_FIELDS,
    DATE_FIELDS,
    EDITION_COLUMNS,
    NUMBER_FIELDS,
    SCHEMA_DIR,
    load_schema_descriptor,
    project_fields,
    schema_version,
)
from test_export import CHANGELOG, EDITIONS, EXTRA, build_history, build_inputs


def _package(out: Path) -> dict:
    return json.loads((out / "datapackage.json").read_text(encoding="utf-8"))


def _errors(report: frictionless.Report) -> list[list]:
    return report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])


def test_frictionless_accepts_the_package_with_its_data(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG, extra_files=EXTRA)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, _errors(report)
    assert [task.type for task in report.tasks] == ["table", "file"] * 4 + ["file"]  # + the XLSX workbook
    assert all(task.stats["rows"] for task in report.tasks if task.type == "table")


def test_descriptor_metadata_licence_version_and_hashes(tmp_path):
    history, indicators, repartitions = build_inputs()
    result = export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    package = _package(tmp_path)
    assert package["name"] == PACKAGE_NAME
    assert package["title"] and package["description"]
    assert package["version"] == f"{schema_version()}+2017-06" == result.version
    licence = {"name": "etalab-2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
               "title": "Licence Ouverte / Open Licence version 2.0"}
    assert package["licenses"] == [licence]
    assert any("DINUM" in s["title"] for s in package["sources"])
    names = [r["name"] for r in package["resources"]]
    assert len(set(names)) == len(names) == 9
    for resource in package["resources"]:
        data = (tmp_path / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["licenses"] == [licence]
        if resource["format"] == "csv":
            assert (resource["type"], resource["mediatype"], resource["encoding"]) == ("table", "text/csv", "utf-8")
            assert resource["schema"]["fields"]
        else:
            assert resource["format"] in ("parquet", "xlsx") and resource["type"] == "file"
    # The descriptor carries no timestamp: nothing that looks like today's date.
    assert "created" not in package


def test_version_follows_schema_and_newest_edition():
    assert package_version("1.0.0", "2018-07") == "1.0.0+2018-07"
    assert package_version("1.2.0", "2023_12 bis") == "1.2.0+2023-12-bis"
    assert package_version("1.0.0", None) == "1.0.0"


def test_a_tampered_file_fails_validation(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    with (tmp_path / "panorama-indicateurs.parquet").open("ab") as fh:
        fh.write(b"x")
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert not report.valid
    assert {e[3] for e in _errors(report)} >= {"hash-count", "byte-count"}


def test_invalid_values_are_caught_by_the_published_schema(tmp_path):
    """The exporter does not alter data; the inline schemas make frictionless catch bad rows."""
    history, indicators, repartitions = build_inputs()
    history.loc[1, "phase"] = "Inconnue"
    repartitions.loc[0, "edition"] = "1999-01"  # not an edition of the indicators table
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    errors = _errors(frictionless.validate(tmp_path / "datapackage.json"))
    assert [1, 3, "phase", "constraint-error"] == errors[0][:4]
    assert any(e[3] == "foreign-key" for e in errors)


def test_project_tables_derive_from_the_project_schema():
    project = load_schema_descriptor()
    for schema in (history_schema(), latest_schema()):
        names = [f["name"] for f in schema["fields"]]
        assert names == [*EDITION_COLUMNS, *project_fields(), *drift_columns()]
        derived = {f["name"]: f for f in schema["fields"]}
        for field in project["fields"]:
            mine = derived[field["name"]]
            for key in ("title", "type"):
                assert mine[key] == field[key]
            if field["type"] == "boolean":  # documented as the files hold it, not as submissions do
                assert "« true » (oui) ou « false » (non)" in mine["description"] and "Oui" not in mine["description"]
            else:
                assert mine["description"].startswith(field["description"])
            assert mine.get("constraints", {}).get("required") == field.get("constraints", {}).get("required")
            if field["type"] == "boolean":
                assert "true" in mine["trueValues"] and "false" in mine["falseValues"]
    hist = {f["name"]: f for f in history_schema()["fields"]}
    latest = {f["name"]: f for f in latest_schema()["fields"]}
    assert "unique" not in hist["identifiant"]["constraints"]
    assert "required" not in hist["date_debut"]["constraints"]  # blank allowed while in Cadrage
    assert latest["identifiant"]["constraints"]["unique"] is True
    assert history_schema()["primaryKey"] == ["edition", "identifiant"]
    assert latest_schema()["primaryKey"] == ["identifiant"]
    assert load_schema_descriptor() == json.loads((SCHEMA_DIR / "schema.json").read_text(encoding="utf-8"))


def test_every_field_has_title_description_and_example():
    for schema in (history_schema(), latest_schema(), indicators_schema(), repartitions_schema()):
        for field in schema["fields"]:
            assert field["title"] and field["description"] and field["example"], field["name"]
            assert frictionless.Schema.from_descriptor(schema).get_field(field["name"])


def _canonical(rows: list[dict[str, str]]) -> pd.DataFrame:
    """The lead's valid example file typed as the normalise stage types a submission."""
    frame = pd.DataFrame(rows)
    out = {}
    for name in project_fields():
        values = [v if v != "" else None for v in frame[name].tolist()]
        if name in NUMBER_FIELDS:
            out[name] = pd.Series([float(v) if v is not None else None for v in values], dtype="float64")
        elif name in DATE_FIELDS:
            out[name] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        elif name in BOOLEAN_FIELDS:
            out[name] = pd.Series([v == "Oui" for v in values], dtype="boolean")
        else:
            out[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(out)


def test_the_schema_example_file_exports_to_a_valid_package(tmp_path):
    text = (SCHEMA_DIR / "exemple-valide.csv").read_text(encoding="utf-8")
    projects = _canonical(list(csv.DictReader(io.StringIO(text, newline=""))))
    history = pd.concat([projects.assign(edition="2023-12", numero_edition=18,
                                         date_edition=pd.Timestamp("2023-12-15"))], ignore_index=True)
    history["edition"] = pd.Series(history["edition"].tolist(), dtype=object)
    history["date_edition"] = history["date_edition"].astype("datetime64[ns]")
    history = history[[*EDITION_COLUMNS, *project_fields()]]
    _, indicators, repartitions = build_inputs((("2023-12", 18, "2023-12-15"),))
    export_all(history, indicators, repartitions.iloc[0:0], tmp_path, changelog_md=CHANGELOG)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, _errors(report)
    latest = list(csv.DictReader((tmp_path / "panorama-derniere-edition.csv").open(encoding="utf-8", newline="")))
    source = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(latest) == len(source)
    by_id = {r["identifiant"]: r for r in latest}
    for row in source:
        mine = by_id[row["identifiant"]]
        assert mine["description"] == row["description"]
        for name in NUMBER_FIELDS:
            assert (float(mine[name]) if mine[name] else None) == (float(row[name]) if row[name] else None)


@pytest.mark.parametrize("columns", [None, ["edition"]])
def test_indicator_schema_lists_declared_rates_only_when_present(columns):
    names = [f["name"] for f in indicators_schema(columns)["fields"]]
    assert ("taux_ecart_budgetaire_declare" in names) is (columns is None)


def test_figures_from_the_real_figures_stage_export_to_a_valid_package(tmp_path):
    """The indicators and repartitions come from panorama.figures itself, not from the test builder."""
    figures = pytest.importorskip("panorama.figures")
    from panorama.edition import Edition

    history = build_history()
    editions = [
        Edition(id=edition, numero=numero, date_publication=dt.date.fromisoformat(date),
                libelle=f"{numero}e édition", path=tmp_path,
                taux_ecart_budgetaire_declare=0.32 if numero == 1 else None,
                taux_ecart_calendaire_declare=0.38 if numero == 1 else None)
        for edition, numero, date in EDITIONS
    ]
    indicators, _notes = figures.compute_indicators(history, editions)
    repartitions = figures.compute_repartitions(history)
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, _errors(report)
    rows = list(csv.DictReader((tmp_path / "panorama-indicateurs.csv").open(encoding="utf-8", newline="")))
    assert [r["edition"] for r in rows] == [e for e, _, _ in EDITIONS]
    assert rows[0]["projets_entrants"] == "" and rows[1]["projets_entrants"] != ""


def test_dictionary_documents_drift_rounding_and_booleans_as_the_files_hold_them(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    text = (tmp_path / "dictionnaire-des-donnees.md").read_text(encoding="utf-8")
    for column in drift_columns():
        assert f"| `{column}` |" in text
    assert "« Oui » ou « Non »" not in text and "« true » (oui) ou « false » (non)" in text
    assert "panorama-historique.xlsx" in text and "à l'euro près (6 décimales" in text
    package = _package(tmp_path)
    history_resource = next(r for r in package["resources"] if r["path"] == "panorama-historique.csv")
    names = [f["name"] for f in history_resource["schema"]["fields"]]
    assert names[-8:] == drift_columns()
    assert any(r["path"] == "panorama-historique.xlsx" and r["format"] == "xlsx" for r in package["resources"])
