"""The set of folders a command works with, checked together before anything is written.

A run reads the raw folder and writes the output, report and publication-state folders. Each
written folder must be a folder (or creatable), writable, and apart from every other one: an
output folder inside the raw folder would be read back as submissions by the next run, a report
folder inside an edition would be refused as unexpected content. Paths are compared after
resolving links, so a link cannot hide an overlap.
"""
from __future__ import annotations

import os
from pathlib import Path

from panorama.errors import FolderError

Role = tuple[str, Path]  # (French noun, masculine, without article: "dossier de sortie (--out)", path)


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve(strict=False)


def _inside(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _check_writable(label: str, path: Path) -> None:
    """`path` is a writable folder, or can be created as one."""
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            raise FolderError(f"Le {label} « {path} » est un fichier, pas un dossier. "
                              "Attendu : un dossier (existant ou à créer) ; changez de chemin ou déplacez ce fichier.")
        if not os.access(path, os.W_OK | os.X_OK):
            raise FolderError(f"Le {label} « {path} » n'est pas accessible en écriture (droits insuffisants). "
                              "Attendu : un dossier où l'utilisateur qui lance panorama peut écrire.")
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise FolderError(f"Le {label} « {path} » ne peut pas être créé : « {parent} » est un fichier, pas un dossier.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FolderError(f"Le {label} « {path} » ne peut pas être créé : « {parent} » n'est pas accessible en "
                          "écriture (droits insuffisants).")


def check_folders(reads: list[Role], writes: list[Role]) -> None:
    """Refuse, with a French `FolderError` (exit 2), a written folder that is a file, not writable,
    or that contains, sits inside or equals another folder of the command."""
    for label, path in reads:
        if not path.exists():
            raise FolderError(f"Le {label} « {path} » est introuvable.")
    for label, path in writes:
        _check_writable(label, path)
    roles = [(label, path, _resolved(path), True) for label, path in writes]  # named first in messages
    roles += [(label, path, _resolved(path), False) for label, path in reads]
    for i, (label_a, path_a, real_a, writes_a) in enumerate(roles):
        for label_b, path_b, real_b, writes_b in roles[i + 1:]:
            if not (writes_a or writes_b):
                continue
            if real_a == real_b:
                relation = "est le même dossier que le"
            elif _inside(real_a, real_b):
                relation = "se trouve à l'intérieur du"
            elif _inside(real_b, real_a):
                relation = "contient le"
            else:
                continue
            raise FolderError(
                f"Le {label_a} « {path_a} » {relation} {label_b} « {path_b} ». Attendu : des dossiers "
                "séparés (par défaut data/raw, data/published, data/rapports, data/publication), pour que "
                "rien ne soit écrit parmi les données lues ni relu comme une remontée."
            )


def check_run_folders(raw: Path, out: Path, reports: Path, state_dir: Path | None = None) -> None:
    """The folders of `panorama run` / `republish` and of the semester flows."""
    writes: list[Role] = [("dossier de sortie (--out)", out), ("dossier des rapports (--report-dir)", reports)]
    if state_dir is not None:
        writes.append(("dossier d'état de publication", state_dir))
    check_folders([("dossier des éditions (--raw)", raw)], writes)


def check_validate_folders(paths: list[Path], report_dir: Path | None) -> None:
    """`panorama validate`: the reports go apart from the files and folders validated."""
    if report_dir is None:
        return
    reads: list[Role] = []
    for path in paths:
        if path.is_dir():
            reads.append(("dossier validé", path))
        elif (path.parent / "edition.toml").is_file():
            reads.append(("dossier d'édition du fichier validé", path.parent))
        elif path.exists():
            reads.append(("fichier validé", path))
    check_folders(reads, [("dossier des rapports (--report-dir)", report_dir)])


def check_publish_folders(out: Path, state_dir: Path) -> None:
    """`panorama publish`: the output folder exists (only its catalogued files are sent); the
    state folder is writable."""
    if not out.is_dir():
        raise FolderError(f"Le dossier de sortie (--out) « {out} » est introuvable ou n'est pas un dossier. "
                          "Attendu : le dossier écrit par « panorama run ».")
    check_folders([], [("dossier d'état de publication", state_dir)])
