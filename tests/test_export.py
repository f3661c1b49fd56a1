"""Exports: the CSV and Parquet files, their order, types, precision and determinism.

`build_inputs` makes small frames in the exact shape the history, figures and repartition stages
hand over (canonical dtypes, pandas 3); the other export test files import it.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from panorama.errors import ExportError
from panorama.export import data_file_names, export_all
from panorama.export.tables import format_number
from panorama.history import drift_columns
from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, SCHEMA_PATH, history_columns

EDITIONS = (("2016-11", 1, "2016-11-20"), ("2017-02", 2, "2017-02-28"), ("2017-06", 3, "2017-06-30"))
# Values chosen to catch lost precision and bad quoting.
TRICKY_DESCRIPTION = 'Refonte des applications « civiles ».\nDeuxième ligne, avec "guillemets", virgule.\r\nTroisième'
TRICKY_DURATION = 4.5041095890411


def published_columns() -> list[str]:
    """The published project tables: the history's columns, then the drift columns."""
    return [*history_columns(), *drift_columns()]
TRICKY_COST = 0.1 + 0.2  # 0.30000000000000004


def _project(edition: int, i: int) -> dict[str, object]:
    return {
        "identifiant": f"mi-projet-{i:02d}",
        "ministere_code": "MI" if i % 2 else "MEF",
        "ministere_nom": "Ministère de l'Intérieur" if i % 2 else "Ministère de l'Économie et des Finances",
        "nom_projet": f"PROJET {i} (édition {edition})",
        "description": TRICKY_DESCRIPTION if i == 1 else (None if i == 3 else f"Projet numéro {i}."),
        "liens_projet": "https://a.gouv.fr/ https://b.gouv.fr/x" if i == 2 else None,
        "projet_interministeriel": i % 3 == 0,
        "date_debut": pd.NaT if i == 4 else pd.Timestamp(2010 + i, (i % 12) + 1, 1),  # blank allowed in Cadrage
        "duree_previsionnelle_annees": TRICKY_DURATION if i == 1 else 3.0 + i / 4,
        "phase": "Cadrage" if i == 4 else "Déploiement",
        "cout_estime_meur": np.nan if i == 4 else (TRICKY_COST if i == 2 else 7.0 * i),
        "tranche_cout": "en cadrage" if i == 4 else "entre 5 et 9 M€",
        "zone_fonctionnelle": "Ressources Humaines",
        "programme_financement": "Coordination du travail gouvernemental (P129)",
        "lien_pap": None,
        "cout_initial_meur": 6.5 if i != 4 else np.nan,
        "cout_actualise_meur": 7.25 + edition if i != 4 else np.nan,
        "duree_initiale_annees": 3.5,
        "duree_actualisee_annees": 3.75 + edition / 10,
    }


def build_history(editions: tuple[tuple[str, int, str], ...] = EDITIONS, projects: int = 4) -> pd.DataFrame:
    """A canonical history: one row per project per edition, canonical dtypes, sorted."""
    rows = []
    for edition, numero, date in editions:
        for i in range(1, projects + 1):
            if numero >= 2 and i == projects:  # the last project leaves after the first edition
                continue
            rows.append({"edition": edition, "numero_edition": numero, "date_edition": pd.Timestamp(date),
                         **_project(numero, i)})
    frame = pd.DataFrame(rows)
    out = {}
    for column in history_columns():
        values = frame[column].tolist()
        if column == "numero_edition":
            out[column] = pd.Series(values, dtype="int64")
        elif column == "date_edition" or column in DATE_FIELDS:
            out[column] = pd.Series(values, dtype="datetime64[ns]")
        elif column in NUMBER_FIELDS:
            out[column] = pd.Series(values, dtype="float64")
        elif column in BOOLEAN_FIELDS:
            out[column] = pd.Series(values, dtype="boolean")
        else:
            out[column] = pd.Series(values, dtype=object)
    return pd.DataFrame(out)


def build_indicators(history: pd.DataFrame, *, declared: bool = False) -> pd.DataFrame:
    """Figures per edition computed from `history` (the real computation lives elsewhere)."""
    rows = []
    previous: set[str] | None = None
    for (edition, numero), group in history.groupby(["edition", "numero_edition"], sort=True):
        ids = set(group["identifiant"])
        rows.append({
            "edition": edition,
            "numero": numero,
            "date_publication": group["date_edition"].iloc[0],
            "nombre_projets": len(group),
            "nombre_projets_interministeriels": int(group["projet_interministeriel"].sum()),
            "cout_total_meur": float(group["cout_estime_meur"].sum()),
            "duree_moyenne_annees": float(group["duree_previsionnelle_annees"].mean()),
            "taux_ecart_budgetaire": float(((group["cout_actualise_meur"] - group["cout_initial_meur"])
                                            / group["cout_initial_meur"]).mean()),
            "taux_ecart_calendaire": np.nan if numero == 1 else 0.2,
            "source_taux": "calculé" if numero > 1 else "déclaré",
            "projets_entrants": None if previous is None else len(ids - previous),
            "projets_sortants": None if previous is None else len(previous - ids),
        })
        previous = ids
    frame = pd.DataFrame(rows)
    for column in ("numero", "nombre_projets", "nombre_projets_interministeriels",
                   "projets_entrants", "projets_sortants"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame["edition"] = pd.Series(frame["edition"].tolist(), dtype=object)
    frame["source_taux"] = pd.Series(frame["source_taux"].tolist(), dtype=object)
    if declared:
        frame["taux_ecart_budgetaire_declare"] = [0.32, 0.31, 0.25][: len(frame)]
        frame["taux_ecart_calendaire_declare"] = [0.38, np.nan, 0.21][: len(frame)]
    return frame


def build_repartitions(history: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (edition, _numero), group in history.groupby(["edition", "numero_edition"], sort=True):
        for dimension, column in (("ministere", "ministere_nom"), ("phase", "phase")):
            for value, sub in group.groupby(column, sort=True):
                rows.append({"edition": edition, "dimension": dimension, "valeur": value,
                             "nombre_projets": len(sub), "cout_total_meur": float(sub["cout_estime_meur"].sum())})
        rows.append({"edition": edition, "dimension": "zone_fonctionnelle", "valeur": None,
                     "nombre_projets": 0, "cout_total_meur": 0.0})
    frame = pd.DataFrame(rows)
    frame["nombre_projets"] = pd.array(frame["nombre_projets"].tolist(), dtype="Int64")
    for column in ("edition", "dimension", "valeur"):
        frame[column] = pd.Series(frame[column].tolist(), dtype=object)
    return frame


def build_inputs(editions: tuple[tuple[str, int, str], ...] = EDITIONS, *, declared: bool = False):
    history = build_history(editions)
    return history, build_indicators(history, declared=declared), build_repartitions(history)


CHANGELOG = "# Journal des publications\n\n## 2017-06\n\n- Troisième édition.\n"
EXTRA = {"tableau-de-bord.html": "<html>é</html>".encode(), "graphiques/couts.png": b"\x89PNG\r\n\x1a\nabc"}


def _export(out: Path, **kwargs):
    history, indicators, repartitions = build_inputs(**kwargs)
    return export_all(history, indicators, repartitions, out, changelog_md=CHANGELOG, extra_files=EXTRA)


def _read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_writes_every_published_file_and_reports_their_hashes(tmp_path):
    result = _export(tmp_path)
    expected = {*data_file_names(), "panorama-historique.xlsx", "schema.json", "schema-indicateurs.json",
                "schema-repartitions.json", "datapackage.json", "dictionnaire-des-donnees.md", "CHANGELOG.md", *EXTRA}
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert on_disk == expected
    assert {p.relative_to(tmp_path).as_posix() for p in result.paths} == expected
    for item in result.files:
        data = item.path.read_bytes()
        assert item.bytes == len(data)
        assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert result.paths[-1].name == "datapackage.json"  # moved last: never lists a missing file
    assert (tmp_path / "schema.json").read_bytes() == SCHEMA_PATH.read_bytes()
    assert (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8") == CHANGELOG
    assert (tmp_path / "graphiques" / "couts.png").read_bytes() == EXTRA["graphiques/couts.png"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".staging-")]


def test_history_csv_is_plain_utf8_with_exact_values(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    raw = (tmp_path / "panorama-historique.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text.splitlines()[0] == ",".join(published_columns())
    assert "\r\n" not in text.replace(TRICKY_DESCRIPTION.replace('"', '""'), "")  # only inside that cell
    rows = _read_csv_rows(tmp_path / "panorama-historique.csv")
    assert len(rows) == len(history)
    first = rows[0]
    assert first["description"] == TRICKY_DESCRIPTION  # line breaks and quotes survive
    assert first["duree_previsionnelle_annees"] == "4.504"  # durations to 3 decimals
    assert first["date_edition"] == "2016-11-20" and first["date_debut"] == "2011-02-01"
    second = rows[1]
    assert second["cout_estime_meur"] == "0.3"  # no binary artefact
    assert second["liens_projet"] == "https://a.gouv.fr/ https://b.gouv.fr/x"
    assert {r["projet_interministeriel"] for r in rows} == {"true", "false"}
    assert rows[3]["cout_estime_meur"] == "" and rows[2]["description"] == "" and rows[3]["date_debut"] == ""
    # Every number reads back as the value rounded at publication (M€ to the euro, years to 3 decimals).
    back = pd.read_csv(tmp_path / "panorama-historique.csv", keep_default_na=False, na_values=[""])
    for column, decimals in (("cout_estime_meur", 6), ("duree_previsionnelle_annees", 3), ("cout_actualise_meur", 6)):
        assert back[column].tolist() == pytest.approx(history[column].round(decimals).tolist(), rel=0, abs=1e-12,
                                                      nan_ok=True)


@pytest.mark.parametrize(("value", "text"), [(4.5, "4.5"), (7.0, "7.0"), (1e-05, "0.00001"),
                                             (2630.5, "2630.5"), (0.1 + 0.2, "0.30000000000000004"),
                                             (-0.25, "-0.25"), (1e16, "10000000000000000.0")])
def test_numbers_are_written_in_their_shortest_exact_form(value, text):
    assert format_number(value) == text
    assert float(text) == value


def test_row_order_does_not_depend_on_input_order(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path / "a", changelog_md=CHANGELOG)
    shuffled = history.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert shuffled["identifiant"].tolist() != history["identifiant"].tolist()
    export_all(shuffled, indicators.iloc[::-1], repartitions, tmp_path / "b", changelog_md=CHANGELOG)
    for name in data_file_names():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    rows = _read_csv_rows(tmp_path / "b" / "panorama-historique.csv")
    keys = [(int(r["numero_edition"]), r["identifiant"]) for r in rows]
    assert keys == sorted(keys)


def test_latest_edition_holds_only_the_newest_rows(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    rows = _read_csv_rows(tmp_path / "panorama-derniere-edition.csv")
    newest = history[history["numero_edition"] == history["numero_edition"].max()]
    assert list(rows[0]) == published_columns()
    assert [r["identifiant"] for r in rows] == sorted(newest["identifiant"])
    assert {r["edition"] for r in rows} == {"2017-06"}


def test_parquet_keeps_real_types_values_and_the_table_schema(tmp_path):
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    pfile = pq.ParquetFile(tmp_path / "panorama-historique.parquet")
    schema = pfile.schema_arrow
    assert schema.names == published_columns()
    assert schema.field("date_edition").type == pa.date32()
    assert schema.field("date_debut").type == pa.date32()
    assert schema.field("numero_edition").type == pa.int64()
    assert schema.field("projet_interministeriel").type == pa.bool_()
    for column in NUMBER_FIELDS:
        assert schema.field(column).type == pa.float64()
    assert schema.field("description").type == pa.string()
    meta = pfile.metadata
    assert {meta.row_group(0).column(i).compression for i in range(meta.num_columns)} == {"ZSTD"}
    embedded = json.loads(schema.metadata[b"table_schema"])
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    csv_resource = next(r for r in package["resources"] if r["path"] == "panorama-historique.csv")
    assert embedded == csv_resource["schema"]
    table = pfile.read()
    assert table.column("duree_previsionnelle_annees")[0].as_py() == 4.504  # same rounding as the CSV
    assert table.column("cout_estime_meur")[1].as_py() == 0.3
    assert table.column("cout_estime_meur")[3].as_py() is None
    assert table.column("description")[0].as_py() == TRICKY_DESCRIPTION
    assert table.column("date_debut")[0].as_py() == dt.date(2011, 2, 1)
    assert table.column("projet_interministeriel").to_pylist() == history["projet_interministeriel"].tolist()

    ind = pq.read_table(tmp_path / "panorama-indicateurs.parquet")
    assert ind.schema.field("projets_entrants").type == pa.int64()
    assert ind.column("projets_entrants").to_pylist() == [None, 0, 0]
    # pandas reads the integer columns back as integers, a blank as <NA> (not a float column).
    frame = pd.read_parquet(tmp_path / "panorama-indicateurs.parquet")
    assert str(frame["projets_entrants"].dtype) == "Int64" and str(frame["nombre_projets"].dtype) == "Int64"
    assert ind.column("projets_sortants").to_pylist() == [None, 1, 0]
    assert ind.schema.field("date_publication").type == pa.date32()


def test_two_exports_of_the_same_inputs_are_byte_identical(tmp_path):
    _export(tmp_path / "a")
    _export(tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    # Re-exporting over the previous export also yields the same bytes.
    before = {rel: (tmp_path / "a" / rel).read_bytes() for rel in files_a}
    _export(tmp_path / "a")
    assert {rel: (tmp_path / "a" / rel).read_bytes() for rel in files_a} == before


def test_indicators_optional_declared_rates_and_date_objects(tmp_path):
    history, indicators, repartitions = build_inputs(declared=True)
    indicators["date_publication"] = [d.date() for d in indicators["date_publication"]]
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    rows = _read_csv_rows(tmp_path / "panorama-indicateurs.csv")
    assert list(rows[0])[-2:] == ["taux_ecart_budgetaire_declare", "taux_ecart_calendaire_declare"]
    assert [r["date_publication"] for r in rows] == ["2016-11-20", "2017-02-28", "2017-06-30"]
    assert [r["projets_entrants"] for r in rows] == ["", "0", "0"]
    assert [r["taux_ecart_calendaire_declare"] for r in rows] == ["0.38", "", "0.21"]
    assert rows[0]["taux_ecart_calendaire"] == ""

    history, indicators, repartitions = build_inputs(declared=False)
    export_all(history, indicators, repartitions, tmp_path / "sans", changelog_md=CHANGELOG)
    header = (tmp_path / "sans" / "panorama-indicateurs.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "declare," not in header + "," and "taux_ecart_calendaire_declare" not in header


def test_repartitions_keep_the_producer_order_within_an_edition(tmp_path):
    history, indicators, repartitions = build_inputs()
    # Editions given newest first, and values in a meaningful (non-alphabetical) order.
    reordered = pd.concat([repartitions[repartitions["edition"] == e].iloc[::-1]
                           for e in ("2017-06", "2016-11", "2017-02")], ignore_index=True)
    export_all(history, indicators, reordered, tmp_path, changelog_md=CHANGELOG)
    rows = _read_csv_rows(tmp_path / "panorama-repartitions.csv")
    assert [r["edition"] for r in rows] == sorted(r["edition"] for r in rows)
    first_edition = [(r["dimension"], r["valeur"]) for r in rows if r["edition"] == "2016-11"]
    expected = reordered[reordered["edition"] == "2016-11"]
    assert first_edition == [(d, "" if pd.isna(v) else v) for d, v in zip(expected["dimension"], expected["valeur"])]


def test_unexpected_or_missing_columns_are_refused_in_french(tmp_path):
    history, indicators, repartitions = build_inputs()
    with pytest.raises(ExportError) as err:
        export_all(history.drop(columns=["phase"]), indicators, repartitions, tmp_path, changelog_md="")
    assert "panorama-historique" in err.value.message and "colonnes manquantes : phase" in err.value.message
    with pytest.raises(ExportError) as err:
        export_all(history.assign(_fichier="a.csv"), indicators, repartitions, tmp_path, changelog_md="")
    assert "colonnes inattendues : _fichier" in err.value.message
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_cell_of_the_wrong_type_names_table_row_and_column(tmp_path):
    history, indicators, repartitions = build_inputs()
    bad = history.copy()
    bad["cout_estime_meur"] = pd.Series(bad["cout_estime_meur"].tolist(), dtype=object)
    bad.loc[2, "cout_estime_meur"] = "En cadrage"
    with pytest.raises(ExportError) as err:
        export_all(bad, indicators, repartitions, tmp_path, changelog_md="")
    message = err.value.message
    assert "panorama-historique" in message and "ligne 3" in message and "cout_estime_meur" in message
    assert "'En cadrage'" in message and "nombre attendu" in message


@pytest.mark.parametrize("name", ["../evasion.txt", "/etc/x", "a/b/c.png", ".cache", "datapackage.json",
                                  "graphiques/../x.png", "panorama-historique.csv"])
def test_extra_file_names_that_would_escape_or_overwrite_are_refused(tmp_path, name):
    history, indicators, repartitions = build_inputs()
    with pytest.raises(ExportError) as err:
        export_all(history, indicators, repartitions, tmp_path, changelog_md="", extra_files={name: b"x"})
    assert name in err.value.message
    assert not list(tmp_path.iterdir())


def test_dictionary_documents_every_field_of_every_table_in_french(tmp_path):
    _export(tmp_path)
    text = (tmp_path / "dictionnaire-des-donnees.md").read_text(encoding="utf-8")
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in package["resources"] if r["format"] == "csv"]
    sections = text.split("\n## ")[1:]
    assert len(sections) == len(tables) == 4
    for section, resource in zip(sections, tables):
        assert section.startswith(resource["schema"]["title"])
        assert f"`{resource['path']}`" in section
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert [row.split("`")[1] for row in rows] == [f["name"] for f in resource["schema"]["fields"]]
        for row, field in zip(rows, resource["schema"]["fields"]):
            cells = [c.strip() for c in row.strip("|").split(" | ")]
            assert len(cells) == 6
            assert cells[1] == field["title"]
            assert cells[4] == field["example"]
    assert "| `phase` | Phase du projet en cours | texte |" in text
    assert "une des valeurs : « Cadrage »" in text  # phase may be blank when unreadable (schema 1.1.0)
    assert "| `nom_projet` |" in text and "obligatoire" in text
    assert "| `cout_estime_meur` |" in text and "entre 0 et 100000" in text


def test_empty_inputs_still_give_valid_headers(tmp_path):
    history, indicators, repartitions = build_inputs()
    result = export_all(history.iloc[0:0], indicators.iloc[0:0], repartitions.iloc[0:0], tmp_path,
                        changelog_md="")
    assert (tmp_path / "panorama-historique.csv").read_text(encoding="utf-8") == ",".join(published_columns()) + "\n"
    assert pq.read_table(tmp_path / "panorama-derniere-edition.parquet").num_rows == 0
    assert result.version == json.loads((tmp_path / "datapackage.json").read_text())["version"]


def test_csv_reads_back_in_a_spreadsheet_like_reader(tmp_path):
    """The standard csv module (what spreadsheet imports follow) sees the same rows and columns."""
    history, indicators, repartitions = build_inputs()
    export_all(history, indicators, repartitions, tmp_path, changelog_md=CHANGELOG)
    raw = (tmp_path / "panorama-historique.csv").read_text(encoding="utf-8")
    parsed = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(parsed) == len(history) + 1
    assert {len(row) for row in parsed} == {len(published_columns())}


@pytest.mark.parametrize(("table", "column"), [("indicateurs", "numero"), ("repartitions", "edition"),
                                              ("historique", "edition")])
def test_a_missing_key_column_is_an_export_error_not_a_crash(tmp_path, table, column):
    history, indicators, repartitions = build_inputs()
    frames = {"historique": history, "indicateurs": indicators, "repartitions": repartitions}
    frames[table] = frames[table].drop(columns=[column])
    with pytest.raises(ExportError) as err:
        export_all(frames["historique"], frames["indicateurs"], frames["repartitions"], tmp_path, changelog_md="")
    assert f"panorama-{table}" in err.value.message and f"colonnes manquantes : {column}" in err.value.message
