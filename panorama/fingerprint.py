"""What the outputs depend on, as hashes: the code, the schema, the raw files and the options.

Why a module: the "nothing changed, stop early" shortcut of a run and Prefect's cache key of a
submission must agree on what "unchanged" means. A change of code (any file of `panorama/` or
`flows/`, including the bundled reference data and dashboard assets), of the schema, of a raw
file (the ministries' files and the steward's rule files under `data/raw`) or of an option that
changes the outputs must give a new fingerprint. The code is hashed once per process (≈ 100
small files, a few milliseconds).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from panorama.model import SCHEMA_DIR

PACKAGE_DIR = Path(__file__).resolve().parent
# The folders whose every file counts as "code": read at each call, so tests may point it at a copy.
CODE_ROOTS: tuple[Path, ...] = (PACKAGE_DIR, PACKAGE_DIR.parent / "flows", SCHEMA_DIR)
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo"})


def _files(root: Path) -> list[Path]:
    """Every file under `root` that can change a result (no bytecode caches, no hidden files)."""
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.suffix not in _SKIPPED_SUFFIXES
        and not any(part in _SKIPPED_DIRS or part.startswith(".") for part in p.relative_to(root).parts)
    )


def tree_digest(roots: Iterable[Path]) -> str:
    """sha256 over the relative names and bytes of every file under `roots`, in a stable order."""
    digest = hashlib.sha256()
    for index, root in enumerate(roots):
        root = Path(root)
        digest.update(f"root {index}\n".encode())
        for path in _files(root):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def code_fingerprint(roots: tuple[Path, ...] | None = None) -> str:
    """The package's source and bundled data, and the schema folder (`CODE_ROOTS` by default);
    computed once per process and set of roots."""
    return _code_digest(tuple(roots) if roots is not None else CODE_ROOTS)


def forget_code() -> None:
    """Hash the code again at the next call (what a new process does; tests that change code)."""
    _code_digest.cache_clear()


@lru_cache(maxsize=8)
def _code_digest(roots: tuple[Path, ...]) -> str:
    return tree_digest(roots)


def rules_fingerprint(raw_dir: Path) -> str:
    """The steward's rule files of a raw folder (severities, ministries, placeholders)."""
    from panorama.validation.rules import rules_digest

    return rules_digest(raw_dir)


def inputs_fingerprint(
    raw_dir: Path,
    partial: Iterable[str] = (),
    options: Mapping[str, object] | None = None,
    code: str | None = None,
) -> str:
    """A hash of everything the outputs depend on: code and schema, raw files, options.

    Equal fingerprints mean the outputs would be rebuilt byte for byte, so a re-run may stop early.
    `options` holds the settings that change the outputs (e.g. the published resources' links).
    """
    digest = hashlib.sha256()
    digest.update(f"code {code or code_fingerprint()}\npartial {sorted(partial)}\n".encode())
    for key, value in sorted((options or {}).items()):
        digest.update(f"option {key}={value!r}\n".encode())
    from panorama.edition import input_files  # the checked listing: never a link, a pipe or a hidden file

    for path in input_files(raw_dir):
        digest.update(path.relative_to(raw_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
