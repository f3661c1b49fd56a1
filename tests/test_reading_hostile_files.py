"""Issue 13, class 1: what a submission path may be on the file system, and what each gets.

Decided: only a regular file is read. A symbolic link (to a file inside or outside the folder,
dangling, looping), a FIFO, a socket, a device or a folder is refused with a French message and
never opened for reading; `panorama validate` then exits 2 and writes no report, and no byte of
the link's target or of the special file reaches the terminal or a report. Tests run as root,
which ignores permission bits: the "access denied" case runs the read in a forked child that
drops to the user nobody (uid 65534) first, so the kernel really answers EACCES.
"""
from __future__ import annotations

import os
import signal
import socket
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from panorama.cli.validate import validate_command
from panorama.errors import UnreadableSubmission
from panorama.reading import read_submission
from panorama.reading.safety import open_regular_file, regular_file_sha256
from tests.support import files as F

SECRET = "MOT-DE-PASSE-DU-SERVEUR-4242"


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """A read that blocks (a FIFO opened without O_NONBLOCK) fails the test instead of hanging it."""
    def _alarm(signum, frame):
        raise TimeoutError("lecture bloquée")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A system-like file outside the submission folder, holding something that must never leak."""
    folder = tmp_path / "systeme"
    folder.mkdir()
    return F.write_csv(folder / "secret.csv", [["Nom du projet", "Ministère porteur", "Phase"], [SECRET, "MI", "x"]])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "remontees"
    d.mkdir()
    F.write_csv(d / "mi.csv", [F.HEADER, *F.PROJECTS])
    return d


def _refused(path: Path) -> UnreadableSubmission:
    with pytest.raises(UnreadableSubmission) as caught:
        read_submission(path)
    error = caught.value
    assert error.path == str(path) and "Attendu :" in error.message
    assert SECRET not in error.message
    return error


def _validate(capsys, path: Path, reports: Path) -> tuple[int, str]:
    code = validate_command([path], reports)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text and SECRET not in text
    return code, text


def test_link_to_a_file_outside_the_folder_is_not_followed(folder: Path, outside: Path, tmp_path: Path,
                                                           capsys) -> None:
    link = folder / "ministere.csv"
    link.symlink_to(outside)
    assert "lien symbolique" in _refused(link).reason
    code, text = _validate(capsys, link, tmp_path / "rapports")
    assert code == 2 and "lien symbolique" in text and "Aucun rapport écrit" in text
    assert not (tmp_path / "rapports").exists()


def test_folder_holding_a_link_gives_exit_2_and_never_the_target(folder: Path, outside: Path, tmp_path: Path,
                                                                 capsys) -> None:
    (folder / "zz-lien.csv").symlink_to(outside)
    code, text = _validate(capsys, folder, tmp_path / "rapports")
    assert code == 2 and "zz-lien.csv" in text and "lien symbolique" in text


def test_link_to_a_file_inside_the_folder_is_not_followed_either(folder: Path) -> None:
    link = folder / "copie.csv"
    link.symlink_to(folder / "mi.csv")
    assert "lien symbolique (vers un autre fichier)" in _refused(link).reason


def test_relative_link_climbing_out_of_the_folder(folder: Path, outside: Path) -> None:
    link = folder / "relatif.xlsx"
    link.symlink_to(Path("..") / "systeme" / "secret.csv")
    assert "lien symbolique" in _refused(link).reason


def test_dangling_link(folder: Path) -> None:
    link = folder / "casse.csv"
    link.symlink_to(folder / "absent.csv")
    assert "cassé" in _refused(link).reason


def test_link_loop(folder: Path) -> None:
    a, b = folder / "a.csv", folder / "b.csv"
    a.symlink_to(b)
    b.symlink_to(a)
    assert "boucle" in _refused(a).reason


def test_link_to_a_folder(folder: Path, tmp_path: Path) -> None:
    link = folder / "dossier.ods"
    link.symlink_to(tmp_path)
    assert "lien symbolique (vers un dossier)" in _refused(link).reason


def test_fifo_is_refused_without_blocking(folder: Path, tmp_path: Path, capsys) -> None:
    fifo = folder / "tube.csv"
    os.mkfifo(fifo)
    assert "tube nommé" in _refused(fifo).reason
    code, text = _validate(capsys, fifo, tmp_path / "rapports")
    assert code == 2 and "tube nommé" in text


def test_socket_is_refused(tmp_path: Path) -> None:
    short = Path(tempfile.mkdtemp(prefix="sock"))  # a socket path must stay under 108 bytes
    path = short / "s.csv"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert "socket" in _refused(path).reason
    finally:
        server.close()
        path.unlink()
        short.rmdir()


def test_character_device_in_the_folder_is_refused(folder: Path) -> None:
    device = folder / "zero.csv"
    os.mknod(device, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero: reading it never ends
    assert "périphérique" in _refused(device).reason


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_system_devices_given_directly_are_refused(device: str) -> None:
    assert "périphérique" in _refused(Path(device)).reason


def test_folder_with_a_submission_like_name(folder: Path) -> None:
    named = folder / "MI-grands-projets.xlsx"
    named.mkdir()
    assert "dossier" in _refused(named).reason


def test_path_through_a_file_as_if_it_were_a_folder(folder: Path) -> None:
    assert "introuvable" in _refused(folder / "mi.csv" / "x.csv").reason


def test_replacing_the_path_after_opening_changes_nothing_read(folder: Path, outside: Path) -> None:
    """The check and the reads concern one inode: swapping the path for a link afterwards is harmless."""
    path = folder / "mi.csv"
    expected = path.read_bytes()
    with open_regular_file(path) as source:
        path.unlink()
        path.symlink_to(outside)
        with source.stream() as fh:
            assert fh.read() == expected


def _as_nobody(target, *args) -> tuple[str, int, str]:
    """Run `target(*args)` in a forked child as uid/gid 65534; return (status, value, captured stderr)."""
    read_end, write_end = os.pipe()
    err_file = tempfile.TemporaryFile()  # noqa: SIM115 - shared with the forked child, closed below
    pid = os.fork()
    if pid == 0:  # child: no pytest machinery from here on, only os._exit
        status, value = "ok", 0
        try:
            os.close(read_end)
            os.dup2(err_file.fileno(), 2)
            os.dup2(err_file.fileno(), 1)
            sys.stdout = sys.stderr = open(err_file.fileno(), "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            result = target(*args)
            value = result if isinstance(result, int) else 0
        except UnreadableSubmission as error:
            status = "refus:" + error.message
        except BaseException as error:  # noqa: BLE001 - reported to the parent, which fails the test
            status = f"exception:{type(error).__name__}:{error}"
        os.write(write_end, f"{value}\n{status}".encode())
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        data = fh.read().decode()
    os.waitpid(pid, 0)
    err_file.seek(0)
    captured = err_file.read().decode()
    err_file.close()
    value, status = data.split("\n", 1)
    return status, int(value), captured


@pytest.fixture
def unreadable_file() -> Iterator[Path]:
    """A file mode 000 in a folder anyone may traverse (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="panorama-acces-"))
    folder.chmod(0o755)
    path = F.write_csv(folder / "prive.csv", [F.HEADER, *F.PROJECTS])
    path.chmod(0o000)
    yield path
    path.chmod(0o600)
    path.unlink()
    folder.rmdir()


def test_permission_denied_is_a_french_refusal(unreadable_file: Path) -> None:
    status, _, captured = _as_nobody(read_submission, unreadable_file)
    assert status.startswith("refus:") and "accès refusé" in status and "Attendu" in status
    assert "Traceback" not in captured


def test_permission_denied_makes_validate_exit_2(unreadable_file: Path) -> None:
    status, code, captured = _as_nobody(validate_command, [unreadable_file], None)
    assert status == "ok" and code == 2
    assert "accès refusé" in captured and "prive.csv" in captured and "Traceback" not in captured


def test_a_readable_file_still_reads_as_nobody(unreadable_file: Path) -> None:
    """The forked-child harness itself works: the same file made readable is read."""
    unreadable_file.chmod(0o644)
    status, _, _ = _as_nobody(read_submission, unreadable_file)
    assert status == "ok"


def test_hash_for_cache_keys_refuses_what_reading_refuses(folder: Path, outside: Path) -> None:
    """The helper the flows' cache key and the inputs' fingerprint can use instead of read_bytes()."""
    import hashlib

    path = folder / "mi.csv"
    assert regular_file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    link = folder / "lien.csv"
    link.symlink_to(outside)
    fifo = folder / "tube.csv"
    os.mkfifo(fifo)
    for bad in (link, fifo, folder / "absent.csv"):
        with pytest.raises(UnreadableSubmission):
            regular_file_sha256(bad)
