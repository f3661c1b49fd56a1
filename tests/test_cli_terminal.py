"""What reaches a person's terminal, command by command, as a person runs it (subprocesses).

Every case checks the exit code, the French message, and that neither a traceback nor an English
string of a framework (typer/click, Prefect, Python) reaches stdout or stderr.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from panorama.errors import os_error_text, os_reason

REPO = Path(__file__).resolve().parents[1]
PANORAMA = Path(sys.executable).parent / "panorama"
COMMANDS = ("validate", "run", "publish", "republish", "service")

# Words of the frameworks that must never reach a person (typer/click, Prefect, Python).
ENGLISH = (
    "Traceback", "Usage:", "Show this message", "Commands", "COMMAND", "[ARGS]", "[default", "required]",
    "Error", "Try '", "Missing argument", "No such option", "No such command", "Invalid value",
    "requires an argument", "unexpected extra", "<bool>", "<path>", "<str>", "<list", "Flow run", "Task run",
    "Finished in state", "Beginning flow run", "RuntimeError", "Timed out", "Permission denied",
    "No such file", "Not a directory", "Warning", "UserWarning",
)


def panorama(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
             cwd: Path = REPO) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    if "DATAGOUV_API_KEY" not in (env or {}):
        full_env.pop("DATAGOUV_API_KEY", None)
    return subprocess.run([str(PANORAMA), *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)


def clean(result: subprocess.CompletedProcess) -> str:
    """stdout + stderr, checked free of tracebacks and framework English."""
    text = result.stdout + result.stderr
    leaked = [word for word in ENGLISH if re.search(re.escape(word) + (r"\b" if word[-1].isalnum() else ""), text)]
    assert not leaked, f"{leaked} in:\n{text}"
    return text


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", target)
    return target


def _block(raw: Path) -> None:
    toml = raw / "2024-06" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("publication_partielle = true", ""), encoding="utf-8")


def _folders(tmp_path: Path) -> list[str]:
    return ["--out", str(tmp_path / "out"), "--report-dir", str(tmp_path / "rapports")]


# --- the framework's own words -------------------------------------------------------------------

@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_of_every_command_is_french(command: str | None) -> None:
    result = panorama(*([command] if command else []), "--help")
    assert result.returncode == 0
    text = clean(result)
    assert "Utilisation : panorama" in text and "Afficher cette aide et quitter." in text


@pytest.mark.parametrize("args, expected", [
    (["validate"], "Argument obligatoire manquant"),
    (["run", "--bogus"], "Option inconnue : --bogus"),
    (["run", "--raw"], "L'option --raw attend une valeur"),
    (["nope"], "Commande inconnue : « nope »"),
    (["publish", "extra"], "Argument(s) en trop : extra"),
])
def test_usage_errors_are_french_and_exit_2(args: list[str], expected: str) -> None:
    result = panorama(*args)
    assert result.returncode == 2
    assert expected in clean(result)


def test_version() -> None:
    from panorama import __version__

    result = panorama("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"panorama {__version__}"


# --- a person's mistakes, direct mode (fast) ------------------------------------------------------

def test_blocked_edition_direct(raw: Path, tmp_path: Path) -> None:
    _block(raw)
    result = panorama("run", "--direct", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 1
    assert "L'édition 2024-06 n'est pas publiable" in text and "MEAE_complement.csv" in text
    assert "Journal détaillé" in text


def test_malformed_edition_toml_direct(raw: Path, tmp_path: Path) -> None:
    (raw / "2025-06" / "edition.toml").write_text("numero = \nlibelle = 3\n", encoding="utf-8")
    result = panorama("run", "--direct", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 2
    assert "edition.toml" in text and "Erreur" in text and "ligne 1" in text


def test_missing_api_key_names_the_variable(raw: Path, tmp_path: Path) -> None:
    settings = tmp_path / "panorama.toml"
    settings.write_text('[cibles.essai]\napi_url = "https://demo.data.gouv.fr/api/1"\n', encoding="utf-8")
    result = panorama("run", "--direct", "--target", "essai", "--dry-run", "--raw", str(raw), *_folders(tmp_path),
                      env={"PANORAMA_SETTINGS": str(settings)})
    text = clean(result)
    assert result.returncode == 2
    assert "DATAGOUV_API_KEY" in text and "export DATAGOUV_API_KEY=" in text
    assert not (tmp_path / "out").exists()  # refused before anything was built


def test_unwritable_output_is_french(raw: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier", encoding="utf-8")
    result = panorama("run", "--direct", "--raw", str(raw), "--out", str(blocker / "sortie"),
                      "--report-dir", str(tmp_path / "rapports"))
    text = clean(result)
    assert result.returncode in (1, 2)
    assert "pas un dossier" in text  # the folder check names it before anything is written


def test_rich_markup_in_file_names_and_cells_is_shown_as_is(raw: Path, tmp_path: Path) -> None:
    """A `[/]` in a cell once crashed a successful run; bracketed words vanished from messages."""
    source = raw / "2025-06" / "MJ_panorama.csv"
    text = source.read_text(encoding="utf-8").replace("Portalis,", "Portalis [/] [bold]x [red]y[/red],", 1)
    odd = raw / "2025-06" / "MJ [red]x[bold] [blink].csv"
    odd.write_text(text, encoding="utf-8")
    source.unlink()
    result = panorama("validate", str(raw / "2025-06"), "--report-dir", str(tmp_path / "rapports"))
    text = clean(result)
    assert result.returncode in (0, 1)
    assert "MJ [red]x[bold] [blink].csv" in text
    result = panorama("run", "--direct", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 0, text
    history = (tmp_path / "out" / "panorama-historique.csv").read_text(encoding="utf-8")
    assert "Portalis [/] [bold]x [red]y[/red]" in history
    # A blocking value inside brackets, in a file whose name has brackets: the message keeps both.
    odd.write_text(text_with_bad_cost(odd), encoding="utf-8")
    result = panorama("run", "--direct", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 1, text
    assert "MJ [red]x[bold] [blink].csv" in text


def text_with_bad_cost(path: Path) -> str:
    """The same file with every project's cost replaced by a bracketed word (blocking: the total
    cost would silently change)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("Coût estimé")
    for row in rows[1:]:
        row[column] = "[bold]bientôt[/bold]"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# --- Prefect that cannot run ---------------------------------------------------------------------

def test_prefect_api_url_that_does_not_answer(raw: Path, tmp_path: Path) -> None:
    result = panorama("run", "--raw", str(raw), *_folders(tmp_path), env={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    text = clean(result)
    assert result.returncode == 2
    assert "PREFECT_API_URL" in text and "--direct" in text and "ne répond pas" in text
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_temporary_server_that_does_not_start_in_time(raw: Path, tmp_path: Path) -> None:
    result = panorama("run", "--raw", str(raw), *_folders(tmp_path),
                      env={"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "1"})
    text = clean(result)
    assert result.returncode == 2
    assert "n'a pas répondu" in text and "--direct" in text and "prefect server start" in text


def test_prefect_setting_that_prefect_refuses(raw: Path, tmp_path: Path) -> None:
    result = panorama("run", "--raw", str(raw), *_folders(tmp_path),
                      env={"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "bientôt"})
    text = clean(result)
    assert result.returncode == 2
    assert "Réglage Prefect invalide" in text and "bientôt" in text and "--direct" in text


# --- the flows through Prefect (a temporary server each) ------------------------------------------

@pytest.mark.slow
def test_blocked_edition_through_prefect(raw: Path, tmp_path: Path) -> None:
    _block(raw)
    result = panorama("run", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 1
    assert text.count("\n") < 15, text  # a few French lines, not Prefect's logs
    assert "L'édition 2024-06 n'est pas publiable" in text
    journal = next((tmp_path / "rapports" / "journaux").glob("panorama-*.log")).read_text(encoding="utf-8")
    assert "BlockedEdition" in journal  # Prefect's own report of the failed run went to the journal


@pytest.mark.slow
def test_malformed_edition_toml_through_prefect(raw: Path, tmp_path: Path) -> None:
    (raw / "2025-06" / "edition.toml").write_text("numero = 'vingt'\n", encoding="utf-8")
    result = panorama("republish", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 2
    assert "edition.toml" in text and "numero" in text


@pytest.mark.slow
def test_missing_api_key_with_a_secret_block_target(raw: Path, tmp_path: Path) -> None:
    """The README's `panorama run --target demo --dry-run` without a key: the block is absent too."""
    result = panorama("run", "--target", "demo", "--dry-run", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 2
    assert "DATAGOUV_API_KEY" in text and "datagouv-demo-api-key" in text


# --- Ctrl-C and the unexpected -------------------------------------------------------------------

def _wait_for(path_glob: tuple[Path, str], process: subprocess.Popen, seconds: float) -> None:
    folder, pattern = path_glob
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if folder.is_dir() and any(folder.glob(pattern)):
            return
        time.sleep(0.1)


def _interrupt(tmp_path: Path, raw: Path, extra: list[str], wait_for: tuple[Path, str]) -> None:
    """Start `panorama run`, wait for `wait_for`, press Ctrl-C (SIGINT to the process group)."""
    out, reports = tmp_path / "out", tmp_path / "rapports"
    env = {**os.environ, "COLUMNS": "200"}
    process = subprocess.Popen([str(PANORAMA), "run", *extra, "--raw", str(raw), "--out", str(out),
                                "--report-dir", str(reports)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=REPO, start_new_session=True)
    try:
        _wait_for(wait_for, process, 300)
        os.killpg(process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole group
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    text = clean(result)
    if process.returncode == 0:
        pytest.skip("the run ended before the interruption arrived")
    assert process.returncode == 130, text
    assert "Interrompu" in text
    assert not [p for p in out.rglob("*") if ".staging-" in str(p) or ".tmp-" in p.name]
    for report in reports.rglob("*.json"):  # every report in place is whole
        json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("wait_for", ["journal", "reports"])
def test_ctrl_c_prints_interrompu_and_leaves_no_partial_output(raw: Path, tmp_path: Path, wait_for: str) -> None:
    reports = tmp_path / "rapports"
    target = (reports / "journaux", "*.log") if wait_for == "journal" else (reports / "2024-06", "*.json")
    _interrupt(tmp_path, raw, ["--direct"], target)


@pytest.mark.slow
def test_ctrl_c_through_prefect(raw: Path, tmp_path: Path) -> None:
    """The temporary server runs in its own session: the command reports the crash, then stops it."""
    _interrupt(tmp_path, raw, ["--force"], (tmp_path / "rapports" / "2024-06", "*.json"))


def test_unexpected_error_has_a_french_message_and_the_details_in_the_journal(raw: Path, tmp_path: Path) -> None:
    """A fault injected into the real command (a pipeline stage raising an unforeseen error)."""
    script = textwrap.dedent(f"""
        import sys
        from panorama import pipeline
        def broken(*args, **kwargs):
            raise ZeroDivisionError("division by zero in a stage")
        pipeline.run_pipeline = broken
        from panorama.cli import main
        sys.argv = ["panorama", "run", "--direct", "--raw", {str(raw)!r}, "--out", {str(tmp_path / 'out')!r},
                    "--report-dir", {str(tmp_path / 'rapports')!r}]
        main()
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "COLUMNS": "200"}, timeout=300)
    text = clean(result)
    assert result.returncode == 3
    assert "Erreur interne inattendue" in text and "journal" in text
    journal = next((tmp_path / "rapports" / "journaux").glob("panorama-*.log")).read_text(encoding="utf-8")
    assert "ZeroDivisionError: division by zero in a stage" in journal and "Traceback" in journal


# --- library warnings ----------------------------------------------------------------------------

def _xlsx_with_data_validation_extension(path: Path) -> None:
    """An XLSX with a list validation pointing to another sheet (x14 extension, as Excel writes it) and
    no style part (as some reporting tools export): openpyxl warns in English about the latter."""
    import zipfile

    import openpyxl

    src = REPO / "data" / "raw" / "2025-06" / "MI_grands_projets_2025-06.xlsx"
    book = openpyxl.load_workbook(src)
    book.save(path)
    ext = ('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
           '<x14:dataValidations xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" count="1">'
           '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>Listes!$A$1:$A$5</xm:f>'
           '</x14:formula1><xm:sqref>C2:C100</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>')
    copy = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == "xl/styles.xml":
                continue
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", ext.encode() + b"</worksheet>")
            zout.writestr(item, data)
    copy.replace(path)


def test_library_warnings_go_to_the_journal(raw: Path, tmp_path: Path) -> None:
    target = raw / "2025-06" / "MI_grands_projets_2025-06.xlsx"
    _xlsx_with_data_validation_extension(target)
    result = panorama("validate", str(target), "--report-dir", str(tmp_path / "rapports"))
    text = clean(result)
    assert "Data Validation" not in text and "openpyxl" not in text and "Workbook" not in text
    assert result.returncode in (0, 1)
    # The routing itself: a library's warning (English) raised once the journal is on goes there.
    code = ("import warnings\nfrom pathlib import Path\nfrom panorama.cli.journal import start_journal\n"
            f"start_journal(Path({str(tmp_path / 'autres')!r}))\n"
            "warnings.warn_explicit('Data Validation extension is not supported and will be removed', "
            "UserWarning, 'openpyxl/worksheet/_reader.py', 329, module='openpyxl.worksheet._reader')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stderr
    journal = next((tmp_path / "autres" / "journaux").glob("panorama-*.log")).read_text(encoding="utf-8")
    assert "Data Validation extension is not supported" in journal


# --- the busy machine ----------------------------------------------------------------------------

BURN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


@pytest.mark.slow
def test_main_job_through_prefect_succeeds_while_both_cores_are_busy(raw: Path, tmp_path: Path) -> None:
    """The README's main job (Prefect flow, temporary server, fresh PREFECT_HOME) with 3 CPU burners."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN.format(seconds=900)]) for _ in range(3)]
    try:
        env = {"PREFECT_HOME": str(tmp_path / "prefect-home")}
        result = panorama("run", "--raw", str(raw), *_folders(tmp_path), env=env, timeout=900)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    text = clean(result)
    assert result.returncode == 0, text
    assert "Démarrage de Prefect" in text and "Édition 2025-12" in text  # the latest sample edition
    assert (tmp_path / "out" / "tableau-de-bord" / "index.html").is_file()


# --- the one OS-error helper ---------------------------------------------------------------------

@pytest.mark.parametrize("code, french", [
    (errno.EACCES, "permission refusée"), (errno.EEXIST, "le fichier existe déjà"),
    (errno.EFBIG, "fichier trop volumineux"), (errno.ENOSPC, "plus de place sur le disque"),
    (errno.ENOENT, "fichier ou dossier introuvable"), (errno.EISDIR, "c'est un dossier"),
    (errno.ENOTDIR, "n'est pas un dossier"), (errno.EROFS, "lecture seule"), (errno.ELOOP, "liens symboliques"),
])
def test_os_errors_are_french(code: int, french: str) -> None:
    error = OSError(code, os.strerror(code), "/donnees/x.csv")
    assert french in os_reason(error)
    text = os_error_text(error)
    assert text.startswith("/donnees/x.csv : ") and os.strerror(code) not in text


def test_real_os_errors_are_french(tmp_path: Path) -> None:
    try:
        (tmp_path / "absent" / "x").read_text()
    except OSError as error:
        assert os_reason(error) == "fichier ou dossier introuvable"
    try:
        tmp_path.mkdir()
    except OSError as error:
        assert re.search("existe déjà", os_error_text(error))


# --- a terminal and a pipe ------------------------------------------------------------------------

def _on_a_terminal(*args: str, timeout: float = 300) -> tuple[int, str]:
    """`panorama ARGS…` with a pseudo-terminal as its output, as a person sees it: exit code and text."""
    import pty
    import select

    main, side = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([str(PANORAMA), *args], stdin=subprocess.DEVNULL, stdout=side, stderr=side,
                               env=env, cwd=REPO)
    os.close(side)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=30), b"".join(chunks).decode("utf-8", "replace")


def test_the_status_line_is_drawn_on_a_terminal_and_not_in_a_pipe(raw: Path, tmp_path: Path) -> None:
    code, shown = _on_a_terminal("run", "--direct", "--raw", str(raw), *_folders(tmp_path / "terminal"))
    assert code == 0, shown[-2000:]
    assert "Validation, historique, exports" in shown  # the spinner while the stages run
    assert "Lecture et validation" in shown and "Traceback" not in shown
    piped = panorama("run", "--direct", "--raw", str(raw), *_folders(tmp_path / "pipe"))
    assert piped.returncode == 0
    assert "Lecture et validation" in clean(piped)
    assert "Validation, historique, exports" not in piped.stdout + piped.stderr


def test_reports_that_cannot_be_written_stop_the_run_in_french(raw: Path, tmp_path: Path) -> None:
    """The fresh command writes the reports in the validation's child; one it cannot write is
    written again by the reports stage, whose error is the person's message (issue #12)."""
    reports = tmp_path / "rapports"
    reports.mkdir()
    (reports / "2024-06").write_text("un fichier là où doit aller un dossier", encoding="utf-8")
    result = panorama("run", "--direct", "--raw", str(raw), *_folders(tmp_path))
    text = clean(result)
    assert result.returncode == 2, text
    assert f"Erreur : {reports / '2024-06'}" in text and "Lecture et validation" in text
    assert "Rapports de validation —" not in text  # the reports stage did not report success
    assert not (tmp_path / "out").exists()  # nothing published
