"""The steward's semester: reports a ministry acts on, the edition summary, partial editions, the diff.

Submissions are real CSV files written as a spreadsheet exports them (tests/support/files.py).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support.files import HEADER, write_csv  # noqa: E402

from panorama.cli.diff import diff_command  # noqa: E402
from panorama.pipeline import run_pipeline, validate_all  # noqa: E402
from panorama.stages import Build, reports_stage  # noqa: E402
from panorama.edition import discover_editions  # noqa: E402
from panorama.validation.report import write_reports  # noqa: E402
from panorama.validation.submission import validate_submission  # noqa: E402

FULL = [*HEADER, "Coût estimé par tranche"]
MJ = [["MJ", "PORTALIS", "Non", "01/01/2013", "12", "254", "Conception / Réalisation", "plus de 100 M€"],
      ["MJ", "ASTREA", "Non", "01/01/2016", "6", "30", "Déploiement", "entre 20 et 100 M€"]]
MI = [["MI", "SIV", "Non", "01/01/2012", "6", "40", "Conception / Réalisation", "entre 20 et 100 M€"]]
SPM = [["SPM", "FRANCE CONNECT", "Oui", "01/07/2014", "4,5", "52,4", "Déploiement", "entre 20 et 100 M€"]]


def _edition(raw: Path, month: str, numero: int, files: dict[str, list[list[str]]], extra: str = "") -> Path:
    folder = raw / month
    folder.mkdir(parents=True)
    (folder / "edition.toml").write_text(
        f'numero = {numero}\ndate_publication = {month}-28\nlibelle = "{numero}e édition"\n{extra}', encoding="utf-8")
    for name, rows in files.items():
        write_csv(folder / name, [FULL, *rows])
    return folder


def test_html_report_puts_blocking_first_names_project_row_column_and_suggests(tmp_path: Path) -> None:
    rows = [
        ["MJ", "PORTALIS", "Non", "01/01/2013", "12", "12 500 000 €", "Conception / Réalisation", "plus de 100 M€"],
        ["MJ", "R&D 1 < 2", "Non", "2024-13-01", "6", "30", "Déploiement", "plus de 100 M€"],
        ["MJ", "ASTREA", "Non", "01/01/2016", "6", "<script>alert(1)</script>", "Déploiement", ""],
    ]
    src = write_csv(tmp_path / "mj.csv", [FULL, *rows])
    result = validate_submission(src)
    write_reports([result], tmp_path / "rapports")
    page = (tmp_path / "rapports" / "mj.csv.rapport.html").read_text(encoding="utf-8")
    assert "@page { size: A4" in page and '<html lang="fr">' in page
    assert "PORTALIS" in page and "colonne F « Coût estimé »" in page and "ligne 2" in page
    assert "12 500 000 € → 12,5 (M€)" in page
    assert "2024-13-01 : le mois 13 n'existe pas" in page
    assert "R&amp;D 1 &lt; 2" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert page.index("À corriger avant publication") < page.index("À vérifier")  # tranche incohérente: a warning
    for code in ("type-error", "constraint-error", "tranche-incoherente", "(number)", "(boolean)", "boolean"):
        assert code not in page
    assert page.index("SHA-256") > page.index("</h2>")  # the checksum is a footnote, not the headline
    md = (tmp_path / "rapports" / "mj.csv.rapport.md").read_text(encoding="utf-8")
    assert md.index("| Bloquant |") < md.index("| Avertissement |") and "type-error" not in md
    assert "colonne F « Coût estimé »" in md and "12 500 000 € → 12,5 (M€)" in md
    data = json.loads((tmp_path / "rapports" / "mj.csv.rapport.json").read_text(encoding="utf-8"))
    assert {c["type"] for c in data["constats"]} >= {"constraint-error", "type-error"}  # codes stay in the JSON


def test_edition_summary_names_a_ministry_that_sent_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _edition(raw, "2025-06", 1, {"mj.csv": MJ, "mi.csv": MI})
    _edition(raw, "2025-12", 2, {"mi.csv": MI})
    build = Build(raw, tmp_path / "publie", tmp_path / "rapports")
    build.validations = validate_all(discover_editions(raw))
    reports_stage(build)  # the stage that writes the reports, as a run does
    folder = tmp_path / "rapports" / "2025-12"
    summary = json.loads((folder / "synthese.json").read_text(encoding="utf-8"))
    assert summary["ministeres_manquants"] == {"MJ": "Ministère de la Justice"}
    md = (folder / "synthese.md").read_text(encoding="utf-8")
    page = (folder / "synthese.html").read_text(encoding="utf-8")
    for text in (md, page):
        assert "Ministère de la Justice (MJ) : présent dans l'édition précédente, aucune remontée reçue." in text
        assert "accepté" in text
    first = (tmp_path / "rapports" / "2025-06" / "synthese.md").read_text(encoding="utf-8")
    assert "Ce qui manque" not in first


def _published(tmp_path: Path, extra: str) -> tuple[pd.DataFrame, str, str]:
    raw = tmp_path / "raw"
    _edition(raw, "2025-06", 1, {"mj.csv": MJ, "mi.csv": MI})
    _edition(raw, "2025-12", 2, {"mi.csv": MI, "spm.csv": SPM}, extra)
    out = tmp_path / "out"
    result = run_pipeline(raw, out, tmp_path / "rapports")
    indicators = pd.read_csv(out / "panorama-indicateurs.csv", keep_default_na=False, dtype=str)
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    dashboard = (out / "tableau-de-bord" / "index.html").read_text(encoding="utf-8")
    assert any("MJ" in n for n in result.measures.notes)  # the run's output names the absent ministry
    return indicators, changelog, dashboard


def test_partial_edition_does_not_count_absent_ministries_as_leaving_and_says_so(tmp_path: Path) -> None:
    indicators, changelog, dashboard = _published(tmp_path, "publication_partielle = true\n")
    latest = indicators.iloc[-1]
    assert (latest["edition_partielle"], latest["ministeres_absents"]) == ("true", "MJ")
    assert (int(latest["projets_entrants"]), int(latest["projets_sortants"])) == (1, 0)
    top = changelog.split("## ", 1)[0]
    assert "Édition partielle" in top and "Ministère de la Justice (MJ)" in top
    assert "Projets non reçus" in changelog and "- PORTALIS (Ministère de la Justice)" in changelog
    assert "Édition partielle" in dashboard and "MJ n&#x27;y figure(nt) pas" in dashboard.replace("'", "&#x27;")


def test_complete_edition_counts_an_absent_ministry_as_leaving(tmp_path: Path) -> None:
    indicators, changelog, dashboard = _published(tmp_path, "")
    latest = indicators.iloc[-1]
    assert (latest["edition_partielle"], latest["ministeres_absents"]) == ("false", "MJ")
    assert int(latest["projets_sortants"]) == 2
    assert "Édition partielle" not in changelog and "Édition partielle" not in dashboard
    assert "Ministères sans remontée" in changelog


def test_diff_command_json_and_text(tmp_path: Path, capsys) -> None:
    raw = tmp_path / "raw"
    _edition(raw, "2025-06", 1, {"mj.csv": MJ, "mi.csv": MI})
    renamed = [["MJ", "[bold]PORTALIS[/bold]", *MJ[0][2:]], ["MJ", "ASTREA", "Non", "01/01/2016", "7", "35",
                                                               "Terminé", "entre 20 et 100 M€"]]
    _edition(raw, "2025-12", 2, {"mj.csv": renamed, "spm.csv": SPM})
    (raw / "identifiants.csv").write_text(
        "edition,ministere,nom_projet,identifiant\n2025-12,MJ,[bold]PORTALIS[/bold],mj-portalis\n", encoding="utf-8")
    assert diff_command(raw, None, "json", False) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["edition"] == "2025-12" and data["precedente"] == "2025-06"
    assert [m["ministere_code"] for m in data["ministeres_absents"]] == ["MI"]
    assert [m["ministere_code"] for m in data["ministeres_nouveaux"]] == ["SPM"]
    assert [p["nom_projet"] for p in data["entrants"]] == ["FRANCE CONNECT"]
    assert [p["nom_projet"] for p in data["sortants"]] == ["SIV"]
    assert [(r["ancien_nom"], r["source"]) for r in data["renommages"]] == [
        ("PORTALIS", "table des identifiants (identifiants.csv)")]
    assert [(c["nom_projet"], c["avant"], c["apres"]) for c in data["changements_phase"]] == [("ASTREA", "Déploiement", "Terminé")]
    assert [(c["nom_projet"], c["ecart"]) for c in data["ecarts_cout"]] == [("ASTREA", 5.0)]
    assert any("n'a rien envoyé" in w for w in data["avertissements"])
    figures = {f["indicateur"]: f for f in data["chiffres"]}
    assert (figures["nombre_projets"]["avant"], figures["nombre_projets"]["apres"]) == (3, 3)
    assert diff_command(raw, "2025-12", "text", False) == 0
    text = capsys.readouterr().out
    assert "[bold]PORTALIS[/bold]" in text and "Projets entrants (1)" in text and "Traceback" not in text
    assert diff_command(raw, None, "yaml", False) == 2


def test_a_renamed_ministry_whose_projects_carry_on_is_not_absent() -> None:
    from panorama.absences import absent_ministries

    before = pd.DataFrame({"ministere_code": ["MTSS", "MTSS", "MJ"], "identifiant": ["mtss-a", "mtss-b", "mj-c"]})
    now = pd.DataFrame({"ministere_code": ["MTSSF"], "identifiant": ["mtss-a"]})
    assert absent_ministries(before, now) == ["MJ"]
