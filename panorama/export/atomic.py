"""Atomic writes: a staging folder inside the output folder, then one `os.replace` per file.

Everything is written and flushed in `<out_dir>/.staging-<pid>` first; only when every file is
complete are they moved into place. `os.replace` within one file system is atomic, so a run killed
at any moment leaves each published file either whole-old or whole-new, never truncated. A staging
folder left behind by a killed run is removed by the next run.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

STAGING_PREFIX = ".staging-"


def _fsync_dir(folder: Path) -> None:
    # Makes the renames themselves durable; some file systems refuse fsync on folders.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def clean_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders whose process is gone (a killed export); returns what was removed."""
    removed: list[Path] = []
    if not out_dir.is_dir():
        return removed
    for entry in sorted(out_dir.iterdir()):
        if not entry.name.startswith(STAGING_PREFIX) or not entry.is_dir():
            continue
        suffix = entry.name[len(STAGING_PREFIX):]
        if suffix.isdigit() and int(suffix) != os.getpid() and _pid_alive(int(suffix)):
            continue  # another export is running right now
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def staging_dir(out_dir: Path) -> Path:
    """A fresh, empty staging folder for this process inside `out_dir` (same file system)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = out_dir / f"{STAGING_PREFIX}{os.getpid()}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    return folder


def check_relative_name(name: str) -> PurePosixPath:
    """A published name: a file, or one subfolder and a file; nothing that climbs out or hides."""
    path = PurePosixPath(name)
    parts = path.parts
    if (not parts or len(parts) > 2 or path.is_absolute() or "\\" in name
            or any(p in ("", ".", "..") or p.startswith(".") for p in parts)):
        raise ValueError(name)
    return path


def stage_bytes(staging: Path, name: str, data: bytes, *, sync: bool = True) -> Path:
    """Write `data` to `staging/name`, flushed to disk (unless `sync` is false: `stage_all` flushes)."""
    target = staging.joinpath(*check_relative_name(name).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        fh.write(data)
        fh.flush()
        if sync:
            os.fsync(fh.fileno())
    return target


def stage_all(staging: Path, files: dict[str, bytes]) -> list[Path]:
    """`stage_bytes` for every file: all written first, then all flushed (one pass of flushes,
    cheaper than a write-and-flush per file); nothing is published before every flush is done."""
    targets = [stage_bytes(staging, name, data, sync=False) for name, data in files.items()]
    for target in targets:
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)  # flushes the file's data, whichever descriptor wrote it
        finally:
            os.close(fd)
    return targets


def promote_one(staged: Path, final: Path) -> None:
    """Move one staged file over its published place (atomic rename)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, final)


def promote(staging: Path, out_dir: Path, names: list[str]) -> list[Path]:
    """Move every staged file into `out_dir`, in the given order, then drop the staging folder."""
    finals: list[Path] = []
    touched: set[Path] = set()
    for name in names:
        parts = check_relative_name(name).parts
        final = out_dir.joinpath(*parts)
        promote_one(staging.joinpath(*parts), final)
        finals.append(final)
        touched.add(final.parent)
    for folder in sorted(touched):
        _fsync_dir(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return finals


def write_bytes_atomic(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """Replace one file atomically: a temporary file beside it, flushed, then `os.replace`.

    The one helper for every single file the pipeline writes (reports, the review list, the input
    fingerprint, the publication record and plan). A crash leaves either the old file or the new
    one, plus at worst a hidden `.<name>.<random>.tmp` beside it; the temporary name is unique, so
    two threads writing the same file never share one. `mode`: reports are meant to be shared.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    replaced = False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, mode)  # mkstemp creates 0600
        os.replace(temporary, path)
        replaced = True
    finally:
        if not replaced:
            temporary.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return path


def _same_content(path: Path, data: bytes, mode: int) -> bool:
    """True when `path` is a regular file (not a link) with exactly `data` and permissions `mode`."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data) or stat.S_IMODE(info.st_mode) != mode:
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def write_files_atomic(folder: Path, files: dict[str, bytes], mode: int = 0o644) -> list[Path]:
    """`write_bytes_atomic` for many files of one folder (a validation's reports), flushed together.

    Each file is replaced atomically as with `write_bytes_atomic` (a temporary file beside it, flushed,
    then `os.replace`); why together: every file is written first and flushed after, and the folder
    once at the end, which costs a fraction of one flush pair per file. A file already holding the
    same bytes (and mode) is left as it is: a re-run rewrites only the reports that changed. On
    failure the files not yet renamed keep their old content and no temporary file stays behind.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    handles = []
    renamed = False
    try:
        for name, data in files.items():
            if name in ("", ".", "..") or Path(name).name != name:
                raise ValueError(f"not a plain file name: {name!r}")
            target = folder / name
            if not isinstance(data, (bytes, bytearray)):
                raise TypeError(f"bytes expected for {name!r}")
            if _same_content(target, data, mode):
                continue
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((Path(temp), target))
            handle = os.fdopen(fd, "wb")
            handles.append(handle)
            handle.write(data)
            handle.flush()
        for handle in handles:
            os.fsync(handle.fileno())
            handle.close()
        handles.clear()
        while staged:
            temporary, target = staged[0]
            os.chmod(temporary, mode)  # mkstemp creates 0600
            os.replace(temporary, target)
            staged.pop(0)
            renamed = True
    finally:
        for handle in handles:
            handle.close()
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    if renamed:
        _fsync_dir(folder)
    return [folder / name for name in files]


def write_text_atomic(path: Path, text: str, mode: int = 0o644) -> Path:
    """`write_bytes_atomic` for UTF-8 text, newlines kept as given."""
    return write_bytes_atomic(path, text.encode("utf-8"), mode)


def discard(staging: Path) -> None:
    """Drop a staging folder after a failure; published files were never touched."""
    shutil.rmtree(staging, ignore_errors=True)
