"""Project identity: name evidence, identifier minting, the steward's aliases and the matcher."""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from panorama.edition import Edition
from panorama.errors import InvalidEdition
from panorama.identity import assign_identifiers, load_aliases
from panorama.identity import features as ft
from panorama.identity.aliases import empty_aliases
from panorama.identity.ids import base_identifier, is_valid_identifier, mint
from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, PROVENANCE_COLUMNS, project_fields


def edition(eid: str, numero: int) -> Edition:
    year, month = (int(x) for x in eid.split("-"))
    return Edition(id=eid, numero=numero, date_publication=dt.date(year, month, 1), libelle=f"Édition {eid}",
                   path=Path(eid))


def table(rows: list[dict]) -> pd.DataFrame:
    """A canonical normalised table (schema order, canonical dtypes) from partial rows."""
    columns = [*project_fields(), *PROVENANCE_COLUMNS]
    full = [{**{c: None for c in columns}, "_fichier": "m.csv", "_ligne": i + 2, **row} for i, row in enumerate(rows)]
    frame = pd.DataFrame(full, columns=columns, dtype=object)
    for c in NUMBER_FIELDS:
        frame[c] = pd.to_numeric(frame[c]).astype("float64")
    for c in DATE_FIELDS:
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    for c in BOOLEAN_FIELDS:
        frame[c] = frame[c].astype("boolean")
    frame["_ligne"] = frame["_ligne"].astype("int64")
    return frame


RIE_TEXT = ("Le réseau interministériel de l'État fédère les réseaux des ministères et assure la "
            "continuité des échanges entre administrations avec un haut niveau de sécurité.")
SEGUR_TEXT = ("Regroupement sur le site Ségur-Fontenoy des services du Premier ministre et des "
              "administrations centrales, aménagement du câblage et des salles informatiques.")
VISAS_TEXT = ("France-Visas modernise la délivrance des visas : demande en ligne, instruction "
              "dématérialisée et paiement des droits de visa par les voyageurs étrangers.")


def project(code: str, name: str, text: str, start: str, cost: float | None = None, **extra) -> dict:
    return {"ministere_code": code, "ministere_nom": f"Ministère {code}", "nom_projet": name, "description": text,
            "date_debut": start, "cout_estime_meur": cost, "projet_interministeriel": False, "phase": "Déploiement",
            **extra}


def three_projects(rie: str = "Réseau Interministériel de l'Etat", segur: str = "SÉGUR-FONTENOY") -> pd.DataFrame:
    return table([
        project("SPM", rie, RIE_TEXT, "2012-01-01", 100.0),
        project("SPM", segur, SEGUR_TEXT, "2014-06-01", 40.0),
        project("MI", "FRANCE VISAS", VISAS_TEXT, "2015-03-01", 20.0),
    ])


# --- features ---------------------------------------------------------------------------------

@pytest.mark.parametrize("left,right", [
    ("Réseau Interministériel de l'Etat", "RIE"),
    ("SÉGUR-FONTENOY", "SEGUR"),
    ("FRANCECONNECT PHASE II", "FRANCE CONNECT PHASE II"),
    ("SI Paie des EPLE (OPERA)", "OPER@"),
    ("Regroupement des centres informatiques", "Regroup. centres info."),
    ("Guichet entreprise", "Guichet_Entreprise_DGE"),
])
def test_renamed_projects_keep_a_high_name_similarity(left: str, right: str) -> None:
    assert ft.name_similarity(left, right) >= 0.85
    assert ft.name_similarity(right, left) == ft.name_similarity(left, right)


def test_unrelated_names_score_low_and_a_short_word_inside_a_long_name_is_weak() -> None:
    assert ft.name_similarity("FRANCE VISAS", "PNIJ") < 0.3
    assert ft.name_similarity("PAS", "3-PAS-S_DAE") < ft.name_similarity("SEGUR", "SÉGUR-FONTENOY")


def test_acronyms_cover_initials_and_parenthesised_forms() -> None:
    assert "rie" in ft.acronyms("Réseau Interministériel de l'Etat")
    assert "opera" in ft.acronyms("SI Paie des EPLE (OPERA)")


def test_fold_strips_accents_and_reads_at_sign_as_a() -> None:
    assert ft.fold("SÉGUR-FONTENOY Œuvre") == "segur-fontenoy oeuvre"
    assert ft.fold("OP@LE") == "opale"


def test_description_similarity_ignores_html_accents_and_stopwords() -> None:
    vectors = ft.description_vectors([RIE_TEXT, f"{RIE_TEXT.upper()} (<a href=\"http://x.fr\">en savoir plus</a>)",
                                      VISAS_TEXT, None])
    assert ft.cosine(vectors[0], vectors[1]) == pytest.approx(1.0, abs=0.05)
    assert ft.cosine(vectors[0], vectors[2]) < 0.2
    assert ft.cosine(vectors[0], vectors[3]) is None


def test_date_and_ministry_signals() -> None:
    assert ft.date_similarity(pd.Timestamp("2014-06-01"), pd.Timestamp("2014-06-15")) == 1.0
    assert ft.date_similarity(pd.Timestamp("2014-06-01"), pd.Timestamp("2019-06-01")) == 0.0
    assert ft.date_similarity(pd.NaT, pd.Timestamp("2019-06-01")) is None
    # MACP's successor in the reference table is MEF: same family, so the rename is not held against a link.
    assert ft.ministry_similarity("MACP", None, "MEF", None) == 1.0
    assert ft.ministry_similarity("MJ", None, "MEF", None) == 0.0


def test_the_stewards_renamings_make_one_family_for_the_matcher(tmp_path: Path) -> None:
    """A ministry the steward adds in data/raw/ministeres.csv with its successor (a new government's
    renaming): the matcher counts the old and the new code as the same ministry, as it does for the
    bundled renamings; without the steward's file they stay apart."""
    from panorama.normalise.ministries import load_reference

    (tmp_path / "ministeres.csv").write_text(
        "code,nom,aliases,successeur\nMNUMIA,Ministère du Numérique et de l'IA,,SPM\n", encoding="utf-8")
    reference = load_reference(tmp_path)
    families = ft.families_of(reference.ministries)
    assert ft.ministry_similarity("MNUMIA", None, "SPM", None, families) == 1.0
    assert ft.ministry_similarity("MNUMIA", None, "SPM", None) == 0.0  # bundled reference alone
    assert ft.ministry_similarity("MACP", None, "MEF", None, families) == 1.0  # the bundled ones still hold

    before = table([project("SPM", "FRANCE CONNECT", "Fédération d'identité pour les démarches en ligne.",
                            "2016-01-01", 30.0)])
    after = table([project("MNUMIA", "FRANCE CONNECT", "Fédération d'identité pour les démarches en ligne.",
                           "2016-01-01", 30.0)])
    tables = [(edition("2024-06", 1), before), (edition("2024-12", 2), after)]
    with_steward = assign_identifiers(tables, empty_aliases(), reference).links
    bundled = assign_identifiers(tables, empty_aliases()).links
    linked = with_steward[with_steward["edition"] == "2024-12"].iloc[0]
    assert linked["source"] == "rapprochement" and "même ministère" in linked["preuves"]
    assert "même ministère" not in bundled[bundled["edition"] == "2024-12"].iloc[0]["preuves"]
    assert linked["score"] > bundled[bundled["edition"] == "2024-12"].iloc[0]["score"]


def test_the_identity_stage_takes_the_renamings_from_the_raw_folder(tmp_path: Path) -> None:
    """The run's stage, not only the function: one project declared by SPM, then by a ministry the
    steward added as SPM's successor. The link it makes says "même ministère"."""
    import csv

    from panorama.stages import STAGES, Build

    sample = Path(__file__).resolve().parents[1] / "data" / "raw" / "2025-06" / "SPM_panorama.csv"
    with sample.open(encoding="utf-8-sig", newline="") as handle:
        header, first, *_ = list(csv.reader(handle))
    raw = tmp_path / "raw"
    for folder, numero, date, code, name in (("2024-06", 1, "2024-06-30", "SPM", "Services du Premier ministre"),
                                             ("2024-12", 2, "2024-12-31", "MNUMIA", "Ministère du Numérique et de l'IA")):
        (raw / folder).mkdir(parents=True)
        (raw / folder / "edition.toml").write_text(
            f'numero = {numero}\ndate_publication = {date}\nlibelle = "{numero}e édition"\n', encoding="utf-8")
        with (raw / folder / f"{code}_panorama.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, [code, name, *first[2:]]])
    (raw / "ministeres.csv").write_text(
        "code,nom,aliases,successeur\nMNUMIA,Ministère du Numérique et de l'IA,,SPM\n", encoding="utf-8")
    build = Build(raw, tmp_path / "out", tmp_path / "rapports", force=True)
    for stage in STAGES[:4]:  # up to identity
        stage.run(build)
    assert build.identity is not None
    links = build.identity.links
    second = links[links["edition"] == "2024-12"].iloc[0]
    assert second["ministere_code"] == "MNUMIA" and second["source"] == "rapprochement"
    assert "même ministère" in second["preuves"]


# --- identifiers ------------------------------------------------------------------------------

def test_minted_identifiers_are_valid_folded_and_suffixed_on_collision() -> None:
    assert base_identifier("SPM", "FRANCE CONNECT") == "spm-france-connect"
    assert base_identifier("MAr", "SÉGUR-FONTENOY (phase 2)") == "mar-segur-fontenoy-phase-2"
    taken = {"spm-pnr", "spm-pnr-2"}
    assert mint("SPM", "PNR", taken) == "spm-pnr-3"
    long_id = mint("MEF", "mot " * 60, set())
    assert is_valid_identifier(long_id) and len(long_id) <= 80
    assert is_valid_identifier(mint("SPM", "€€€", set()))


# --- aliases ----------------------------------------------------------------------------------

def test_missing_alias_file_gives_an_empty_table(tmp_path: Path) -> None:
    assert load_aliases(tmp_path).empty


def test_alias_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "2017-11").mkdir()
    (tmp_path / "identifiants.csv").write_text(
        "edition,ministere,nom_projet,identifiant\n2017-11,SPM,RIE,spm-rie\n\n2017-11,,SEGUR,spm-segur\n", encoding="utf-8"
    )
    aliases = load_aliases(tmp_path)
    assert list(aliases["identifiant"]) == ["spm-rie", "spm-segur"]
    assert aliases["ministere"].iloc[1] is None


@pytest.mark.parametrize("body,fragment", [
    ("edition;ministere;nom_projet;identifiant\n", "ligne 1"),
    ("edition,ministere,nom_projet,identifiant\n2017-11,SPM,RIE,Spm RIE\n", "ligne 2, colonne « identifiant »"),
    ("edition,ministere,nom_projet,identifiant\n2017-11,SPM,RIE\n", "ligne 2 : 3 colonnes"),
    ("edition,ministere,nom_projet,identifiant\n2017-11,SPM,,spm-rie\n", "ligne 2, colonne « nom_projet »"),
    ("edition,ministere,nom_projet,identifiant\n2017-11,SPM,RIE,spm-a\n2017-11,SPM,RIE,spm-b\n", "ligne 3"),
    ("edition,ministere,nom_projet,identifiant\n2017-11,SPM,RIE,spm-a\n2017-11,SPM,PNR,spm-a\n", "ligne 3"),
])
def test_malformed_alias_file_names_the_row(tmp_path: Path, body: str, fragment: str) -> None:
    (tmp_path / "identifiants.csv").write_text(body, encoding="utf-8")
    with pytest.raises(InvalidEdition) as caught:
        load_aliases(tmp_path)
    assert "identifiants.csv" in caught.value.message and fragment in caught.value.message


# --- assignment -------------------------------------------------------------------------------

def test_renamed_projects_keep_their_identifier_and_new_ones_are_minted() -> None:
    first = three_projects()
    second = three_projects(rie="RIE", segur="SEGUR")
    second = pd.concat([second, table([project("MI", "MCIC²", "Messagerie chiffrée des forces de l'ordre.", "2017-01-01")])],
                       ignore_index=True)
    result = assign_identifiers([(edition("2017-06", 3), first), (edition("2017-11", 4), second)], empty_aliases())
    history = result.history
    ids = history.groupby("edition")["identifiant"].apply(set)
    assert ids["2017-06"] == {"spm-reseau-interministeriel-de-l-etat", "spm-segur-fontenoy", "mi-france-visas"}
    assert ids["2017-11"] == ids["2017-06"] | {"mi-mcic2"}
    renamed = history[(history["edition"] == "2017-11") & (history["identifiant"] == "spm-segur-fontenoy")]
    assert list(renamed["nom_projet"]) == ["SEGUR"]
    assert result.review.empty
    assert set(result.links["source"]) == {"nouveau projet", "rapprochement"}


def test_history_is_sorted_and_independent_of_row_order() -> None:
    tables = [(edition("2017-06", 3), three_projects()), (edition("2017-11", 4), three_projects("RIE", "SEGUR"))]
    shuffled = [(e, t.iloc[::-1].reset_index(drop=True)) for e, t in tables]
    a = assign_identifiers(tables, empty_aliases()).history
    b = assign_identifiers(shuffled[::-1], empty_aliases()).history
    pd.testing.assert_frame_equal(a, b)
    assert list(a["numero_edition"]) == sorted(a["numero_edition"])
    for _, part in a.groupby("numero_edition"):
        assert list(part["identifiant"]) == sorted(part["identifiant"])


def test_alias_wins_over_the_matcher_and_carried_identifiers_are_kept() -> None:
    first = three_projects()
    second = three_projects("RIE", "SEGUR")
    second.loc[second["nom_projet"] == "FRANCE VISAS", "identifiant"] = "mi-visas"
    aliases = pd.DataFrame([{"edition": "2017-11", "ministere": "spm", "nom_projet": "segur",
                             "identifiant": "spm-site-segur", "_ligne": 2}], dtype=object)
    result = assign_identifiers([(edition("2017-06", 3), first), (edition("2017-11", 4), second)], aliases)
    now = result.history[result.history["edition"] == "2017-11"].set_index("nom_projet")["identifiant"]
    assert now["SEGUR"] == "spm-site-segur"
    assert now["FRANCE VISAS"] == "mi-visas"
    assert now["RIE"] == "spm-reseau-interministeriel-de-l-etat"
    sources = result.links.set_index(["edition", "nom_projet"])["source"]
    assert sources[("2017-11", "SEGUR")] == "alias"
    assert sources[("2017-11", "FRANCE VISAS")] == "identifiant fourni"


def test_alias_matching_no_project_is_reported_and_ambiguous_alias_refused() -> None:
    aliases = pd.DataFrame([{"edition": "2017-06", "ministere": None, "nom_projet": "Inconnu",
                             "identifiant": "x-inconnu", "_ligne": 5}], dtype=object)
    result = assign_identifiers([(edition("2017-06", 3), three_projects())], aliases)
    assert any("ligne 5" in w and "Inconnu" in w for w in result.warnings)
    twins = table([project("SPM", "PNR", RIE_TEXT, "2012-01-01"), project("MI", "PNR", VISAS_TEXT, "2013-01-01")])
    aliases = pd.DataFrame([{"edition": "2017-06", "ministere": None, "nom_projet": "PNR",
                             "identifiant": "spm-pnr", "_ligne": 2}], dtype=object)
    with pytest.raises(InvalidEdition, match="ligne 2"):
        assign_identifiers([(edition("2017-06", 3), twins)], aliases)


def test_same_identifier_twice_in_an_edition_is_refused() -> None:
    doubled = three_projects()
    doubled["identifiant"] = ["spm-x", "spm-x", None]
    with pytest.raises(InvalidEdition, match="spm-x"):
        assign_identifiers([(edition("2017-06", 3), doubled)], empty_aliases())


def test_project_skipping_an_edition_is_found_again() -> None:
    first = three_projects()
    middle = three_projects().iloc[[0, 2]].reset_index(drop=True)  # SÉGUR-FONTENOY absent
    last = three_projects("RIE", "SEGUR")
    result = assign_identifiers(
        [(edition("2017-02", 2), first), (edition("2017-06", 3), middle), (edition("2017-11", 4), last)], empty_aliases()
    )
    segur = result.history[result.history["nom_projet"].isin(["SÉGUR-FONTENOY", "SEGUR"])]
    assert list(segur["edition"]) == ["2017-02", "2017-11"]
    assert segur["identifiant"].nunique() == 1


def test_unsure_link_goes_to_review_and_is_not_taken() -> None:
    before = table([project("MEF", "3PA-S", "Système d'information des achats de l'État, outils de la DAE.",
                            "2016-01-01", zone_fonctionnelle="Achats")])
    after = table([project("MEF", "APPACH", "Programmation pluriannuelle des achats et sourçage des achats.",
                           "2016-01-01", zone_fonctionnelle="Achats")])
    result = assign_identifiers([(edition("2017-11", 4), before), (edition("2018-07", 6), after)], empty_aliases())
    assert result.history["identifiant"].nunique() == 2
    assert list(result.review["decision"]) == ["nouveau projet"]
    row = result.review.iloc[0]
    assert (row["nom_projet"], row["identifiant_candidat"], row["nom_candidat"]) == ("APPACH", "mef-3pa-s", "3PA-S")
    assert "même mois de début" in row["preuves"]


def test_identical_names_of_two_ministries_get_distinct_ids_and_each_keeps_its_own() -> None:
    rows = [project("SPM", "PORTAIL", RIE_TEXT, "2012-01-01"), project("MI", "PORTAIL", VISAS_TEXT, "2015-03-01")]
    result = assign_identifiers([(edition("2017-06", 3), table(rows)), (edition("2017-11", 4), table(rows[::-1]))],
                                empty_aliases())
    by = result.history.set_index(["edition", "ministere_code"])["identifiant"]
    assert by[("2017-06", "SPM")] == by[("2017-11", "SPM")] != by[("2017-11", "MI")] == by[("2017-06", "MI")]


def test_alias_ministry_may_be_any_spelling_the_reference_knows() -> None:
    first = three_projects()
    first["ministere_nom"] = first["ministere_code"].map({"SPM": "Services du Premier ministre", "MI": "Ministère de l'Intérieur"})
    aliases = pd.DataFrame([{"edition": "2017-06", "ministere": "Premier Ministre", "nom_projet": "SÉGUR-FONTENOY",
                             "identifiant": "spm-segur", "_ligne": 2}], dtype=object)
    result = assign_identifiers([(edition("2017-06", 3), first)], aliases)
    assert "spm-segur" in set(result.history["identifiant"]) and not result.warnings


def test_links_explain_how_each_row_got_its_identifier() -> None:
    result = assign_identifiers([(edition("2017-06", 3), three_projects()),
                                 (edition("2017-11", 4), three_projects("RIE", "SEGUR"))], empty_aliases())
    links = result.links.set_index(["edition", "nom_projet"])
    first = links.loc[("2017-06", "SÉGUR-FONTENOY")]
    assert first["source"] == "nouveau projet" and first["nom_precedent"] is None and math.isnan(first["score"])
    renamed = links.loc[("2017-11", "SEGUR")]
    assert (renamed["source"], renamed["nom_precedent"], renamed["edition_precedente"]) == (
        "rapprochement", "SÉGUR-FONTENOY", "2017-06")
    assert renamed["score"] >= 0.55 and "même mois de début (2014-06)" in renamed["preuves"]
