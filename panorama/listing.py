"""What is in a folder, read without following links: the one folder listing every stage uses.

An entry is classified from `lstat`, never from the file it may point to, so a symbolic link to
`/etc/shadow` or a named pipe dropped in an edition folder is described, not opened. System
clutter (hidden files such as `.DS_Store`, Office lock files `~$…`, `Thumbs.db`, `desktop.ini`)
is left out here, once, for every caller.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from panorama.errors import FolderError

Kind = Literal["file", "folder", "link", "special", "unreadable"]
CLUTTER_NAMES = frozenset({"thumbs.db", "desktop.ini", "__macosx"})
CLUTTER_NOTE = "les fichiers cachés (.DS_Store…), verrous Office (~$…), Thumbs.db et desktop.ini sont ignorés"


@dataclass(frozen=True)
class Entry:
    """One entry of a folder as `lstat` sees it."""

    path: Path
    kind: Kind

    @property
    def name(self) -> str:
        return self.path.name


def is_clutter(name: str) -> bool:
    """Files the system or an office suite leaves behind; never data."""
    return name.startswith((".", "~$")) or name.lower() in CLUTTER_NAMES


def _kind(entry: os.DirEntry) -> Kind:
    try:
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "folder" if os.access(entry.path, os.R_OK | os.X_OK) else "unreadable"
    if stat.S_ISREG(mode):
        return "file" if os.access(entry.path, os.R_OK) else "unreadable"
    return "special"


def list_folder(folder: Path) -> list[Entry]:
    """Every entry of `folder` but clutter, sorted by name; a folder that cannot be listed is a
    `FolderError` in French."""
    try:
        with os.scandir(folder) as found:
            entries = [(e.name, Path(e.path), _kind(e)) for e in found if not is_clutter(e.name)]
    except FileNotFoundError:
        raise FolderError(f"{folder} : dossier introuvable.") from None
    except NotADirectoryError:
        raise FolderError(f"{folder} : ce chemin n'est pas un dossier.") from None
    except PermissionError:
        raise FolderError(f"{folder} : dossier illisible (droits insuffisants). "
                          "Attendu : un dossier lisible par l'utilisateur qui lance panorama.") from None
    except OSError as exc:
        raise FolderError(f"{folder} : dossier illisible ({exc.strerror or exc}).") from None
    return [Entry(path, kind) for _, path, kind in sorted(entries)]


def describe_unusable(entry: Entry) -> str | None:
    """Why an entry is never read (link, special file, no read right), in French; None if usable."""
    if entry.kind == "link":
        return (f"« {entry.name} » est un lien symbolique : panorama ne suit pas les liens. "
                "Attendu : le fichier lui-même, copié dans le dossier.")
    if entry.kind == "special":
        return (f"« {entry.name} » n'est pas un fichier ordinaire (tube nommé, socket ou périphérique) : "
                "il n'est pas lu. Attendu : un fichier ou un dossier ordinaire.")
    if entry.kind == "unreadable":
        return (f"« {entry.name} » est illisible (droits insuffisants). "
                "Attendu : un fichier ou un dossier lisible par l'utilisateur qui lance panorama.")
    return None
