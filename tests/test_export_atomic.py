"""Atomicity: a killed or failing export never leaves a published file truncated or half-written.

The kill tests run a real export in a child process which stops itself at a chosen point (after
N files staged, or N files moved into place) and waits on its stdin; the test then SIGKILLs it.
The pause is the only thing added to the real code path; nothing relies on timing.
"""
from __future__ import annotations

import csv
import errno
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from panorama.errors import ExportError
from panorama.export import atomic, export_all
from test_export import CHANGELOG, EDITIONS, EXTRA, build_inputs

REPO = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import pickle, sys
    from pathlib import Path
    from panorama.export import atomic, writer

    stage, count, out, inputs = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    history, indicators, repartitions, changelog, extra = pickle.loads(inputs.read_bytes())
    calls = []

    def pause_after(original):
        def wrapped(*args, **kwargs):
            result = original(*args, **kwargs)
            calls.append(1)
            if len(calls) == count:
                print("PAUSED", flush=True)
                sys.stdin.read()  # blocks until the test kills this process
            return result
        return wrapped

    if stage == "staging":
        atomic.stage_bytes = pause_after(atomic.stage_bytes)
    else:
        atomic.promote_one = pause_after(atomic.promote_one)
    writer.export_all(history, indicators, repartitions, out, changelog_md=changelog, extra_files=extra)
    print("DONE", flush=True)
""")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".staging-" not in p.as_posix()}


def _parsable(path: Path) -> None:
    """Fails unless the file is complete in its format."""
    if path.suffix == ".csv":
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        assert rows and {len(r) for r in rows} == {len(rows[0])}
    elif path.suffix == ".parquet":
        pq.read_table(path)
    elif path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))


def _old_and_new(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes], Path]:
    """A published folder holding an older export, and the bytes the newer export will write."""
    out = tmp_path / "published"
    old_inputs = build_inputs(EDITIONS[:2])
    export_all(*old_inputs, out, changelog_md="# Ancien\n", extra_files=EXTRA)
    new_inputs = build_inputs(EDITIONS)
    reference = tmp_path / "reference"
    export_all(*new_inputs, reference, changelog_md=CHANGELOG, extra_files=EXTRA)
    pickled = tmp_path / "inputs.pickle"
    pickled.write_bytes(pickle.dumps((*new_inputs, CHANGELOG, EXTRA)))
    return out, _snapshot(out), _snapshot(reference), pickled


def _run_and_kill(stage: str, count: int, out: Path, pickled: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, stage, str(count), str(out), str(pickled)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=REPO, env=env)
    try:
        line = child.stdout.readline()
        assert line == b"PAUSED\n", (line, child.stderr.read() if child.poll() is not None else b"")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdin.close()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL


def test_killed_while_staging_leaves_previous_files_untouched(tmp_path):
    out, old, new, pickled = _old_and_new(tmp_path)
    assert old != new
    _run_and_kill("staging", 5, out, pickled)
    assert _snapshot(out) == old
    staging = [p for p in out.iterdir() if p.name.startswith(".staging-")]
    assert len(staging) == 1 and len(list(staging[0].iterdir())) == 5  # the killed run's leftovers
    # The next run removes the leftovers and publishes normally.
    export_all(*build_inputs(EDITIONS), out, changelog_md=CHANGELOG, extra_files=EXTRA)
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]
    assert _snapshot(out) == new


def test_killed_while_moving_into_place_leaves_every_file_whole(tmp_path):
    out, old, new, pickled = _old_and_new(tmp_path)
    _run_and_kill("promote", 3, out, pickled)
    now = _snapshot(out)
    assert set(now) == set(old) == set(new)
    replaced = [name for name in now if now[name] == new[name] and new[name] != old[name]]
    kept = [name for name in now if now[name] == old[name] and new[name] != old[name]]
    assert replaced and kept  # the kill did land mid-way
    for name in now:
        assert now[name] in (old[name], new[name]), name
        _parsable(out / name)
    assert json.loads(now["datapackage.json"]) == json.loads(old["datapackage.json"])  # moved last
    export_all(*build_inputs(EDITIONS), out, changelog_md=CHANGELOG, extra_files=EXTRA)
    assert _snapshot(out) == new
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]


def test_a_failing_parquet_writer_raises_export_error_and_changes_nothing(tmp_path, monkeypatch):
    """Fault injection: valid inputs cannot make pyarrow fail, so its encoder is made to raise."""
    out, old, _new, _ = _old_and_new(tmp_path)

    def broken(columns, schema):
        raise pa.ArrowIOError("disque saturé")

    monkeypatch.setattr("panorama.export.writer.parquet_bytes", broken)
    with pytest.raises(ExportError) as err:
        export_all(*build_inputs(EDITIONS), out, changelog_md=CHANGELOG, extra_files=EXTRA)
    assert "Parquet" in err.value.message and "panorama-historique" in err.value.message
    assert "n'ont pas été modifiés" in err.value.message
    assert _snapshot(out) == old
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]


def test_a_failing_disk_write_raises_export_error_and_changes_nothing(tmp_path, monkeypatch):
    """Fault injection: a full disk cannot be produced here, so the third staged write fails."""
    out, old, _new, _ = _old_and_new(tmp_path)
    real = atomic.stage_bytes
    calls: list[str] = []

    def failing(staging, name, data, **options):
        calls.append(name)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(staging, name, data, **options)

    monkeypatch.setattr(atomic, "stage_bytes", failing)
    with pytest.raises(ExportError) as err:
        export_all(*build_inputs(EDITIONS), out, changelog_md=CHANGELOG, extra_files=EXTRA)
    assert "Écriture impossible" in err.value.message and "n'ont pas été modifiés" in err.value.message
    assert _snapshot(out) == old
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]


def test_stale_staging_of_a_dead_process_is_removed_but_a_live_one_is_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".staging-{dead.pid}"
    live = tmp_path / f".staging-{os.getppid()}"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "x.csv").write_text("a\n")
    removed = atomic.clean_stale_staging(tmp_path)
    assert removed == [stale]
    assert not stale.exists() and live.exists()


def test_export_into_a_file_path_is_refused_in_french(tmp_path):
    target = tmp_path / "fichier"
    target.write_text("x")
    with pytest.raises(ExportError) as err:
        export_all(*build_inputs(EDITIONS), target, changelog_md="")
    assert "inutilisable" in err.value.message


def test_write_bytes_atomic_replaces_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "rapports" / "constats.csv"
    atomic.write_bytes_atomic(target, b"ancien\n")
    atomic.write_bytes_atomic(target, "nouveau é\n".encode())
    assert target.read_bytes() == "nouveau é\n".encode()
    assert [p.name for p in target.parent.iterdir()] == ["constats.csv"]


def test_write_bytes_atomic_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "constats.csv"
    atomic.write_bytes_atomic(target, b"ancien\n")
    with pytest.raises(TypeError):
        atomic.write_bytes_atomic(target, "pas des octets")  # type: ignore[arg-type]
    assert target.read_bytes() == b"ancien\n"
    assert [p.name for p in tmp_path.iterdir()] == ["constats.csv"]


def test_write_files_atomic_replaces_each_whole_and_leaves_no_temporary(tmp_path):
    folder = tmp_path / "rapports"
    atomic.write_files_atomic(folder, {"a.json": b"ancien a\n", "b.md": b"ancien b\n"})
    paths = atomic.write_files_atomic(folder, {"a.json": "nouveau é\n".encode(), "c.html": b"<p>c</p>\n"})
    assert paths == [folder / "a.json", folder / "c.html"]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {
        "a.json": "nouveau é\n".encode(), "b.md": b"ancien b\n", "c.html": b"<p>c</p>\n"}
    assert oct(os.stat(folder / "c.html").st_mode & 0o777) == oct(0o644)


def test_write_files_atomic_keeps_the_old_files_when_a_write_fails(tmp_path):
    atomic.write_files_atomic(tmp_path, {"a.json": b"ancien a\n", "b.md": b"ancien b\n"})
    with pytest.raises(TypeError):
        atomic.write_files_atomic(tmp_path, {"a.json": b"nouveau a\n", "b.md": "pas des octets"})  # type: ignore[dict-item]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a.json": b"ancien a\n", "b.md": b"ancien b\n"}
    with pytest.raises(ValueError):
        atomic.write_files_atomic(tmp_path, {"../a.json": b"x"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.md"]


def test_write_files_atomic_stops_cleanly_when_a_rename_fails(tmp_path):
    (tmp_path / "b.md").mkdir()  # a folder where a file should go: its rename fails
    atomic.write_bytes_atomic(tmp_path / "a.json", b"ancien a\n")
    with pytest.raises(OSError):
        atomic.write_files_atomic(tmp_path, {"a.json": b"nouveau a\n", "b.md": b"b\n", "c.html": b"c\n"})
    assert (tmp_path / "a.json").read_bytes() == b"nouveau a\n"  # each file whole: new or old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.md"]


def test_write_files_atomic_leaves_a_file_with_the_same_bytes_untouched(tmp_path):
    atomic.write_files_atomic(tmp_path, {"a.json": b"meme\n", "b.md": b"ancien\n"})
    os.utime(tmp_path / "a.json", ns=(1_000_000_000, 1_000_000_000))
    os.utime(tmp_path / "b.md", ns=(1_000_000_000, 1_000_000_000))
    before = os.stat(tmp_path / "a.json").st_ino
    atomic.write_files_atomic(tmp_path, {"a.json": b"meme\n", "b.md": b"nouveau\n"})
    assert os.stat(tmp_path / "a.json").st_mtime_ns == 1_000_000_000  # not rewritten
    assert os.stat(tmp_path / "a.json").st_ino == before
    assert (tmp_path / "b.md").read_bytes() == b"nouveau\n"
    assert os.stat(tmp_path / "b.md").st_mtime_ns != 1_000_000_000
    os.chmod(tmp_path / "a.json", 0o600)  # same bytes, other permissions: replaced
    atomic.write_files_atomic(tmp_path, {"a.json": b"meme\n"})
    assert oct(os.stat(tmp_path / "a.json").st_mode & 0o777) == oct(0o644)
    (tmp_path / "a.json").unlink()
    (tmp_path / "a.json").symlink_to(tmp_path / "b.md")  # a link is replaced by a file, never followed
    atomic.write_files_atomic(tmp_path, {"a.json": b"nouveau\n"})
    assert not (tmp_path / "a.json").is_symlink() and (tmp_path / "a.json").read_bytes() == b"nouveau\n"
