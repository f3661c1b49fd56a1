"""Typed errors: each carries what a person needs to act, and never a secret.

`PanoramaError.message` is French and meant for people; `exit_code` is what the CLI returns.
"""
from __future__ import annotations


class PanoramaError(Exception):
    """Base of every error the pipeline raises on purpose."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableSubmission(PanoramaError):
    """A submission file cannot be read at all (empty, corrupt, encrypted, too large...)."""

    def __init__(self, path: str, message: str, expected: str = "") -> None:
        text = f"{path} : {message}"
        if expected:
            text += f" Attendu : {expected}"
        super().__init__(text)
        self.path = path
        self.reason = message
        self.expected = expected


class BlockedEdition(PanoramaError):
    """An edition has blocking findings and the steward did not allow a partial edition."""

    exit_code = 1

    def __init__(self, edition: str, files: list[str]) -> None:
        listed = ", ".join(files)
        super().__init__(
            f"L'édition {edition} n'est pas publiable : constats bloquants dans {listed}. "
            "Corrigez ces remontées ou autorisez une édition partielle (--partial, ou publication_partielle = true dans edition.toml)."
        )
        self.edition = edition
        self.files = files


class InvalidEdition(PanoramaError):
    """An edition folder or its edition.toml is malformed.

    `details`: one line per problem, for a summary over several folders (may be empty)."""

    details: tuple[str, ...] = ()


class SettingsError(PanoramaError):
    """A setting is missing or malformed (target, dataset id, API key...)."""


class ExportError(PanoramaError):
    """The exports could not be written."""


class FolderError(PanoramaError):
    """A folder given to the pipeline cannot be used as it is (missing, a file, unwritable,
    overlapping another one) or holds an entry that must not be read (link, special file)."""


class RunInProgress(PanoramaError):
    """Another build or publication holds the lock on the same folder or target."""

    exit_code = 1
