"""What is in the raw folder and its edition folders, and the set of folders a command uses.

Links, special files, unreadable entries, stray files and folders, misnamed or incomplete
editions, editions out of order, alias lines for unknown editions, overlapping or unusable
output/report folders: each is a French message naming the entry and an exit code 2, with
nothing read outside the given folders and nothing written.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from panorama.edition import discover_editions, edition_ids, edition_warnings, load_edition, submission_files
from panorama.errors import FolderError, InvalidEdition
from panorama.folders import check_publish_folders, check_run_folders, check_validate_folders
from panorama.identity import load_aliases

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "raw"
PANORAMA = Path(sys.executable).parent / "panorama"
SECRET = "CONTENU-SECRET-HORS-DOSSIER"
SAMPLE_FILE = SAMPLES / "2025-06" / "SPM_panorama.csv"


def toml(numero: int, date: str) -> str:
    return f'numero = {numero}\ndate_publication = {date}\nlibelle = "{numero}e édition"\n'


def edition(raw: Path, name: str, numero: int, date: str, files: int = 1) -> Path:
    folder = raw / name
    folder.mkdir(parents=True)
    (folder / "edition.toml").write_text(toml(numero, date), encoding="utf-8")
    for i in range(files):
        shutil.copyfile(SAMPLE_FILE, folder / f"MIN{i}_panorama.csv")
    return folder


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    edition(raw, "2024-06", 19, "2024-06-30")
    edition(raw, "2024-12", 20, "2024-12-31")
    return raw


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside every folder given to panorama; its content must never show up."""
    path = tmp_path / "ailleurs" / "secret.csv"
    path.parent.mkdir()
    path.write_text(f"Nom du projet\n{SECRET}\n", encoding="utf-8")
    return path


def refused(raw: Path, *fragments: str) -> str:
    with pytest.raises(InvalidEdition) as caught:
        discover_editions(raw)
    message = caught.value.message
    assert caught.value.exit_code == 2
    for fragment in fragments:
        assert fragment in message, message
    assert SECRET not in message
    return message


def cli(*args: str, env: dict[str, str] | None = None, user: int | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "COLUMNS": "250", **(env or {})}
    full.pop("DATAGOUV_API_KEY", None)
    command = [str(PANORAMA), *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    result = subprocess.run(command, capture_output=True, text=True, env=full, timeout=300, cwd=REPO,
                            stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert SECRET not in result.stdout + result.stderr
    return result


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# --- entries of an edition folder --------------------------------------------------------------

def test_a_symlinked_submission_is_refused_and_never_read(raw: Path, secret: Path) -> None:
    (raw / "2024-12" / "MI_panorama.csv").symlink_to(secret)
    refused(raw, "2024-12", "« MI_panorama.csv » est un lien symbolique", "ne suit pas les liens")


def test_a_symlinked_edition_toml_is_refused(raw: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "edition.toml"
    elsewhere.write_text(toml(21, "2025-06-30"), encoding="utf-8")
    folder = raw / "2025-06"
    folder.mkdir()
    shutil.copyfile(SAMPLE_FILE, folder / "SPM.csv")
    (folder / "edition.toml").symlink_to(elsewhere)
    refused(raw, "« edition.toml » est un lien symbolique")


def test_a_symlinked_edition_folder_is_refused(raw: Path, tmp_path: Path) -> None:
    outside = edition(tmp_path / "ailleurs", "2025-06", 21, "2025-06-30")
    (raw / "2025-06").symlink_to(outside, target_is_directory=True)
    refused(raw, "« 2025-06 » est un lien symbolique")


def test_a_named_pipe_is_refused_without_opening_it(raw: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: refusing it from lstat is the only
    way not to hang (the test would time out otherwise)."""
    os.mkfifo(raw / "2024-12" / "MEF.csv")
    refused(raw, "« MEF.csv » n'est pas un fichier ordinaire", "tube nommé")
    result = cli("validate", str(raw / "2024-12"))
    assert result.returncode == 2 and "MEF.csv" in result.stderr


def test_a_socket_is_refused(tmp_path: Path) -> None:
    raw = Path(tempfile.mkdtemp(prefix="pano-", dir="/tmp"))  # AF_UNIX paths are limited to 108 bytes
    try:
        edition(raw, "2024-06", 19, "2024-06-30")
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(raw / "2024-06" / "MJ.csv"))
            refused(raw, "« MJ.csv » n'est pas un fichier ordinaire")
    finally:
        shutil.rmtree(raw)


def test_sub_folders_other_formats_and_misplaced_aliases_are_named(raw: Path) -> None:
    folder = raw / "2024-12"
    (folder / "anciennes-versions").mkdir()
    (folder / "MI.docx").write_bytes(b"PK\x03\x04")
    (folder / "identifiants.csv").write_text("edition,ministere,nom_projet,identifiant\n", encoding="utf-8")
    message = refused(raw, "« anciennes-versions » est un sous-dossier", "« MI.docx » : format non pris en charge",
                      "« identifiants.csv » n'est lu qu'à la racine")
    assert message.count("  - ") >= 3  # every problem at once, not one per run


def test_clutter_and_notes_are_ignored(raw: Path) -> None:
    folder = raw / "2024-12"
    for name in (".DS_Store", "~$MIN0_panorama.xlsx", "Thumbs.db", "desktop.ini", "README.md", "notes.md",
                 "courrier-DINUM.pdf"):
        (folder / name).write_bytes(b"x")
    (raw / ".DS_Store").write_bytes(b"x")
    (raw / ".git").mkdir()
    editions = discover_editions(raw)
    assert [e.id for e in editions] == ["2024-06", "2024-12"]
    assert [p.name for p in editions[1].files] == ["MIN0_panorama.csv"]


@pytest.mark.skipif(not shutil.which("setpriv"), reason="setpriv absent (util-linux)")
def test_an_unreadable_submission_is_named_with_exit_2() -> None:
    """Run as an unprivileged user (root reads anything): the file's mode forbids reading it."""
    base = Path(tempfile.mkdtemp(prefix="pano-droits-", dir="/tmp"))
    try:
        base.chmod(0o755)
        folder = edition(base, "2024-06", 19, "2024-06-30", files=2)
        for p in (base, folder, *folder.iterdir()):
            p.chmod(0o755 if p.is_dir() else 0o644)
        (folder / "MIN1_panorama.csv").chmod(0)
        result = cli("validate", str(folder), user=65534 if os.geteuid() == 0 else None)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "« MIN1_panorama.csv » est illisible (droits insuffisants)" in result.stderr
    finally:
        shutil.rmtree(base)


# --- the top of the raw folder -----------------------------------------------------------------

def test_a_folder_without_edition_toml_is_an_error_naming_it(raw: Path) -> None:
    (raw / "2025-06").mkdir()
    shutil.copyfile(SAMPLE_FILE, raw / "2025-06" / "SPM.csv")
    refused(raw, "« 2025-06 » : dossier d'édition sans edition.toml", "Admis à la racine")


@pytest.mark.parametrize("name", ["2025-6", "juin-2025", "2025-13", "2025_06", "2025-06 (copie)"])
def test_a_misnamed_edition_folder_is_an_error(raw: Path, name: str) -> None:
    edition(raw, name, 21, "2025-06-30")
    refused(raw, f"« {name} » : nom de dossier d'édition invalide", "AAAA-MM")


def test_stray_files_at_the_top_are_errors_allowed_ones_are_not(raw: Path) -> None:
    for name in ("identifiants.csv", "politique.toml", "ministeres.csv", "figures.csv", "README.md", "LISEZMOI.txt"):
        (raw / name).write_text("edition,ministere,nom_projet,identifiant\n" if name == "identifiants.csv" else "x",
                                encoding="utf-8")
    assert [e.id for e in discover_editions(raw)] == ["2024-06", "2024-12"]
    shutil.copyfile(SAMPLE_FILE, raw / "MI_grands_projets.xlsx")
    refused(raw, "« MI_grands_projets.xlsx » : fichier inattendu à la racine", "identifiants.csv",
            "fichiers cachés (.DS_Store…)")


def test_an_edition_without_submission_is_refused(raw: Path) -> None:
    edition(raw, "2025-06", 21, "2025-06-30", files=0)
    (raw / "2025-06" / "README.md").write_text("à venir", encoding="utf-8")
    refused(raw, "2025-06 : aucune remontée", "0 projet", "sortiraient")
    with pytest.raises(InvalidEdition):
        load_edition(raw / "2025-06")


# --- order of the editions ---------------------------------------------------------------------

def test_a_duplicate_number_is_refused(raw: Path) -> None:
    edition(raw, "2025-06", 20, "2025-06-30")
    refused(raw, "2024-12 et 2025-06 portent le même numéro 20")


def test_numbers_and_folder_names_in_different_orders_are_refused(raw: Path) -> None:
    edition(raw, "2023-12", 21, "2025-06-30")
    refused(raw, "l'édition 2023-12 porte le numéro 21", "même ordre")


@pytest.mark.parametrize("date", ["2024-11-30", "2024-12-31"])
def test_a_date_not_after_the_previous_edition_is_refused(raw: Path, date: str) -> None:
    edition(raw, "2025-06", 21, date)
    refused(raw, f"l'édition 2025-06 (n° 21) a une date_publication {date}", "2024-12", "2025-06/edition.toml")


@pytest.mark.parametrize("date", ["0201-06-30", "1999-12-31", "2201-01-01"])
def test_a_publication_date_outside_the_possible_years_is_refused(raw: Path, date: str) -> None:
    """A typo such as 0201 used to end the run with an internal error once the history was dated."""
    edition(raw, "2025-06", 21, date)
    refused(raw, f"2025-06/edition.toml : « date_publication » {date} est hors des années possibles",
            "entre 2000 et 2200")
    result = cli("run", "--direct", "--raw", str(raw), "--out", str(raw.parent / "out"),
                 "--report-dir", str(raw.parent / "rapports"))
    assert result.returncode == 2 and "hors des années possibles" in result.stdout + result.stderr
    assert not (raw.parent / "out").exists()


def test_a_future_date_is_a_warning_not_an_error(raw: Path) -> None:
    edition(raw, "2025-06", 21, "2025-06-30")
    editions = discover_editions(raw)
    assert edition_warnings(editions, today=dt.date(2026, 1, 1)) == []
    warnings = edition_warnings(editions, today=dt.date(2025, 6, 1))
    assert len(warnings) == 1
    assert "Édition 2025-06" in warnings[0] and "postérieure à aujourd'hui (2025-06-01)" in warnings[0]


def test_the_real_editions_and_the_samples_are_accepted(real_editions: Path) -> None:
    assert [e.numero for e in discover_editions(real_editions)] == [1, 2, 3, 4, 6]
    assert [e.numero for e in discover_editions(SAMPLES)] == [19, 20, 21, 22]
    assert edition_ids(SAMPLES) == ["2024-06", "2024-12", "2025-06", "2025-12"]


# --- identifiants.csv --------------------------------------------------------------------------

def test_alias_lines_for_an_edition_without_folder_are_named(raw: Path) -> None:
    (raw / "identifiants.csv").write_text(
        "edition,ministere,nom_projet,identifiant\n2024-06,SPM,RIE,spm-rie\n2024-1,SPM,RIE,spm-rie\n"
        "2017-11,MI,PNR,mi-pnr\n", encoding="utf-8")
    with pytest.raises(InvalidEdition) as caught:
        load_aliases(raw)
    message = caught.value.message
    assert "ligne 3, colonne « edition » : l'édition « 2024-1 » n'existe pas" in message
    assert "ligne 4, colonne « edition » : l'édition « 2017-11 » n'existe pas" in message
    assert "ligne 2" not in message and "2024-06, 2024-12" in message


# --- the set of folders ------------------------------------------------------------------------

@pytest.mark.parametrize("out, reports", [
    ("raw/publie", "rapports"),          # output inside raw: read back as submissions next time
    ("raw", "rapports"),                 # the same folder
    (".", "rapports"),                   # raw inside the output folder
    ("publie", "raw/2024-06/rapports"),  # reports inside an edition
    ("publie", "publie"),                # output and reports together
    ("publie", "publie/rapports"),
])
def test_overlapping_folders_are_refused(raw: Path, tmp_path: Path, out: str, reports: str) -> None:
    with pytest.raises(FolderError) as caught:
        check_run_folders(raw, tmp_path / out, tmp_path / reports, tmp_path / "etat")
    assert caught.value.exit_code == 2
    assert any(word in caught.value.message for word in ("même dossier", "à l'intérieur", "contient"))
    assert "Attendu : des dossiers séparés" in caught.value.message


def test_an_overlap_hidden_behind_a_link_is_refused(raw: Path, tmp_path: Path) -> None:
    (tmp_path / "lien-vers-raw").symlink_to(raw, target_is_directory=True)
    with pytest.raises(FolderError):
        check_run_folders(raw, tmp_path / "lien-vers-raw" / "publie", tmp_path / "rapports")


def test_separate_folders_are_accepted(raw: Path, tmp_path: Path) -> None:
    check_run_folders(raw, tmp_path / "a" / "publie", tmp_path / "rapports", tmp_path / "publication")
    check_validate_folders([raw / "2024-06" / "MIN0_panorama.csv"], tmp_path / "rapports")
    check_validate_folders([tmp_path / "x.csv"], tmp_path / "rapports")  # loose file: reports beside it
    assert not (tmp_path / "a").exists()  # checking writes nothing


def test_validate_reports_inside_the_edition_are_refused(raw: Path) -> None:
    with pytest.raises(FolderError):
        check_validate_folders([raw / "2024-06" / "MIN0_panorama.csv"], raw / "2024-06" / "rapports")
    with pytest.raises(FolderError):
        check_validate_folders([raw], raw / "rapports")


def test_a_report_folder_that_is_a_file_is_refused(raw: Path, tmp_path: Path) -> None:
    (tmp_path / "rapports").write_text("pas un dossier", encoding="utf-8")
    for call in (lambda: check_run_folders(raw, tmp_path / "publie", tmp_path / "rapports"),
                 lambda: check_run_folders(raw, tmp_path / "publie", tmp_path / "rapports" / "2024-06"),
                 lambda: check_validate_folders([raw / "2024-06"], tmp_path / "rapports")):
        with pytest.raises(FolderError) as caught:
            call()
        assert "rapports" in caught.value.message and "fichier" in caught.value.message
    with pytest.raises(FolderError):
        check_publish_folders(tmp_path / "rapports", tmp_path / "etat")


# --- through the command line ------------------------------------------------------------------

def test_validate_report_dir_that_is_a_file_exits_2(raw: Path, tmp_path: Path) -> None:
    (tmp_path / "rapports").write_text("pas un dossier", encoding="utf-8")
    result = cli("validate", str(raw / "2024-06"), "--report-dir", str(tmp_path / "rapports"))
    assert result.returncode == 2
    assert "est un fichier, pas un dossier" in result.stderr
    assert (tmp_path / "rapports").read_text(encoding="utf-8") == "pas un dossier"


@pytest.mark.skipif(not shutil.which("setpriv"), reason="setpriv absent (util-linux)")
def test_validate_report_dir_not_writable_exits_2() -> None:
    base = Path(tempfile.mkdtemp(prefix="pano-droits-", dir="/tmp"))
    try:
        base.chmod(0o755)
        folder = edition(base, "2024-06", 19, "2024-06-30")
        for p in folder.iterdir():
            p.chmod(0o644)
        folder.chmod(0o755)
        locked = base / "rapports"
        locked.mkdir(mode=0o555)
        locked.chmod(0o555)
        result = cli("validate", str(folder), "--report-dir", str(locked),
                     user=65534 if os.geteuid() == 0 else None)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "n'est pas accessible en écriture" in result.stderr
        assert list(locked.iterdir()) == []
    finally:
        shutil.rmtree(base)


def test_validate_with_a_link_in_a_loose_folder_exits_2(tmp_path: Path, secret: Path) -> None:
    loose = tmp_path / "envois"
    loose.mkdir()
    shutil.copyfile(SAMPLE_FILE, loose / "SPM.csv")
    (loose / "MI.csv").symlink_to(secret)
    result = cli("validate", str(loose), "--report-dir", str(tmp_path / "rapports"))
    assert result.returncode == 2 and "« MI.csv » est un lien symbolique" in result.stderr
    assert not (tmp_path / "rapports").exists()


def test_run_with_a_symlinked_submission_exits_2_and_writes_nothing(tmp_path: Path, secret: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    (raw / "2025-06" / "MI_complement.csv").symlink_to(secret)
    out, reports = tmp_path / "publie", tmp_path / "rapports"
    result = cli("run", "--direct", "--raw", str(raw), "--out", str(out), "--report-dir", str(reports))
    assert result.returncode == 2
    assert "« MI_complement.csv » est un lien symbolique" in result.stderr
    assert not out.exists() and not reports.exists()


def test_run_with_the_output_inside_raw_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    before = tree(raw)
    result = cli("run", "--direct", "--raw", str(raw), "--out", str(raw / "publie"),
                 "--report-dir", str(tmp_path / "rapports"))
    assert result.returncode == 2
    assert "se trouve à l'intérieur du dossier des éditions (--raw)" in result.stderr
    assert tree(raw) == before and not (tmp_path / "rapports").exists()


def test_run_with_a_folder_without_edition_toml_exits_2(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    (raw / "2025-06" / "edition.toml").unlink()
    result = cli("run", "--direct", "--raw", str(raw), "--out", str(tmp_path / "o"), "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 2
    assert "« 2025-06 » : dossier d'édition sans edition.toml" in result.stderr
    assert not (tmp_path / "o").exists()


def test_the_validation_flow_lists_folders_the_same_way(tmp_path: Path, secret: Path) -> None:
    """The flow's folder expansion is the same listing: a link is refused before any task runs."""
    from flows.validation import validation

    loose = tmp_path / "envois"
    loose.mkdir()
    shutil.copyfile(SAMPLE_FILE, loose / "SPM.csv")
    (loose / "MI.csv").symlink_to(secret)
    with pytest.raises(InvalidEdition) as caught:
        validation.fn([str(loose)])
    assert "« MI.csv » est un lien symbolique" in caught.value.message
    assert submission_files(SAMPLES / "2025-06", edition=True) == load_edition(SAMPLES / "2025-06").files


def test_hidden_links_are_neither_listed_nor_read_by_the_fingerprint(raw: Path, secret: Path) -> None:
    """Clutter is ignored, so a hidden link must not be read either: the inputs' fingerprint comes
    from the same listing, and changing what the link points to changes nothing."""
    from panorama.edition import input_files
    from panorama.fingerprint import inputs_fingerprint

    (raw / "2024-12" / ".~lien.csv").symlink_to(secret)
    (raw / ".lien").symlink_to(secret)
    assert [e.id for e in discover_editions(raw)] == ["2024-06", "2024-12"]
    assert all(not p.name.startswith(".") for p in input_files(raw))
    before = inputs_fingerprint(raw)
    secret.write_text("autre contenu", encoding="utf-8")
    assert inputs_fingerprint(raw) == before
    (raw / "2024-12" / "MIN0_panorama.csv").write_text("changé", encoding="utf-8")
    assert inputs_fingerprint(raw) != before  # a real input still counts


def test_run_with_a_future_publication_date_says_so_and_goes_on(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    toml_path = raw / "2025-12" / "edition.toml"  # the latest edition
    toml_path.write_text(toml_path.read_text(encoding="utf-8").replace("2025-12-31", "2099-12-31"), encoding="utf-8")
    out = tmp_path / "publie"
    result = cli("run", "--direct", "--raw", str(raw), "--out", str(out), "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Remarque : Édition 2025-12 : date_publication 2099-12-31 est postérieure à aujourd'hui" in result.stderr
    assert (out / "panorama-historique.csv").is_file()


def test_every_steward_rule_file_is_allowed_at_the_top_of_the_raw_folder(tmp_path: Path) -> None:
    """The rule files a steward may add (panorama.validation.rules) never stop a run as clutter."""
    from panorama.edition import RAW_TOP_FILES
    from panorama.validation.rules import RULE_FILES

    assert set(RULE_FILES) <= RAW_TOP_FILES
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES, raw)
    (raw / "valeurs-non-communiquees.csv").write_text("motif,exemple\nsans objet,sans objet\n", encoding="utf-8")
    assert [e.id for e in discover_editions(raw)] == edition_ids(SAMPLES)
