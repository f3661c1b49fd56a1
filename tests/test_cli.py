"""The `panorama` command as a person runs it: exit codes, French messages, never a traceback."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PANORAMA = Path(sys.executable).parent / "panorama"


def panorama(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("DATAGOUV_API_KEY", None)
    return subprocess.run([str(PANORAMA), *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, cwd=REPO, stdin=subprocess.DEVNULL)


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    target = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", target)
    return target


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_help_is_french_and_lists_the_commands() -> None:
    result = panorama("--help")
    assert result.returncode == 0
    for command in ("validate", "run", "publish", "republish"):
        assert command in result.stdout
    assert "publication semestrielle" in panorama("run", "--help").stdout.lower()


def test_run_direct_on_the_samples_writes_outputs_and_sends_nothing(raw: Path, tmp_path: Path) -> None:
    out, reports = tmp_path / "out", tmp_path / "rapports"
    result = panorama("run", "--direct", "--raw", str(raw), "--out", str(out), "--report-dir", str(reports))
    _no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rien n'a été envoyé" in result.stdout
    assert str(out) in result.stdout
    assert (out / "panorama-historique.parquet").is_file()
    assert (reports / "identifiants-a-verifier.csv").is_file()
    assert (reports / "ministeres-a-verifier.csv").is_file()
    assert "Édition 2025-12" in result.stdout  # the latest sample edition publishes with its warnings


def test_run_with_a_blocked_edition_exits_1_and_writes_no_export(raw: Path, tmp_path: Path) -> None:
    toml = raw / "2024-06" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("publication_partielle = true", ""), encoding="utf-8")
    out = tmp_path / "out"
    result = panorama("run", "--direct", "--raw", str(raw), "--out", str(out), "--report-dir", str(tmp_path / "r"))
    _no_traceback(result)
    assert result.returncode == 1
    assert "2024-06" in result.stdout and "MEAE_complement.csv" in result.stdout
    assert not out.exists() or not any(out.iterdir())


def test_run_partial_flag_publishes_without_the_failing_file(raw: Path, tmp_path: Path) -> None:
    toml = raw / "2024-06" / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("publication_partielle = true", ""), encoding="utf-8")
    out = tmp_path / "out"
    result = panorama("run", "--direct", "--partial", "--edition", "2024-06", "--raw", str(raw),
                      "--out", str(out), "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MEAE_complement.csv" in (out / "CHANGELOG.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", ["missing", "bad-toml", "unknown-edition"])
def test_run_input_errors_exit_2_with_a_french_message(case: str, raw: Path, tmp_path: Path) -> None:
    args = ["run", "--direct", "--out", str(tmp_path / "out"), "--report-dir", str(tmp_path / "r")]
    if case == "missing":
        args += ["--raw", str(tmp_path / "absent")]
        expected = "introuvable"
    elif case == "bad-toml":
        (raw / "2025-06" / "edition.toml").write_text("numero = 'vingt'\n", encoding="utf-8")
        args += ["--raw", str(raw)]
        expected = "numero"
    else:
        args += ["--raw", str(raw), "--edition", "1999-01"]
        expected = "1999-01"
    result = panorama(*args)
    _no_traceback(result)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def test_publish_to_an_unknown_target_exits_2(tmp_path: Path) -> None:
    result = panorama("publish", "--target", "nulle-part", "--out", str(tmp_path))
    _no_traceback(result)
    assert result.returncode == 2
    assert "Cible « nulle-part » inconnue" in result.stdout + result.stderr


@pytest.mark.slow
def test_run_through_prefect_as_the_readme_main_job(raw: Path, tmp_path: Path) -> None:
    """The README's main job runs the Prefect flow, starting a temporary local server."""
    out = tmp_path / "out"
    env = {"PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    result = panorama("run", "--raw", str(raw), "--out", str(out), "--report-dir", str(tmp_path / "r"), env=env)
    _no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Édition 2025-12" in result.stdout
    assert (out / "tableau-de-bord" / "index.html").is_file()
