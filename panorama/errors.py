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
class PrefectUnavailable(PanoramaError):
    """Prefect's API cannot be reached or its temporary server did not start: the run cannot start."""


# The system's reasons, in French, by errno: `strerror` is English whatever the locale of a server.
_OS_REASONS: dict[str, str] = {
    "EACCES": "permission refusée",
    "EPERM": "opération non permise",
    "EEXIST": "le fichier existe déjà",
    "EFBIG": "fichier trop volumineux",
    "ENOSPC": "plus de place sur le disque",
    "EDQUOT": "quota disque dépassé",
    "ENOENT": "fichier ou dossier introuvable",
    "EISDIR": "c'est un dossier, un fichier est attendu",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EROFS": "système de fichiers en lecture seule",
    "ELOOP": "trop de liens symboliques (boucle)",
    "ENAMETOOLONG": "nom de fichier trop long",
    "ENOTEMPTY": "le dossier n'est pas vide",
    "EBUSY": "fichier ou dossier occupé",
    "EMFILE": "trop de fichiers ouverts",
    "ENFILE": "trop de fichiers ouverts sur le système",
    "EIO": "erreur d'entrée-sortie (disque)",
    "EXDEV": "déplacement impossible entre deux systèmes de fichiers",
    "ETXTBSY": "fichier en cours d'utilisation",
    "EINVAL": "argument invalide",
    "ENOMEM": "mémoire insuffisante",
    "ECONNREFUSED": "connexion refusée",
    "ETIMEDOUT": "délai de connexion dépassé",
    "EHOSTUNREACH": "hôte injoignable",
    "ENETUNREACH": "réseau injoignable",
    "EPIPE": "tube rompu",
}


def os_reason(exc: OSError) -> str:
    """The French reason of an OSError, from its errno (never the English `strerror`)."""
    import errno

    name = errno.errorcode.get(exc.errno or -1, "")
    if name in _OS_REASONS:
        return _OS_REASONS[name]
    if isinstance(exc, FileNotFoundError):
        return _OS_REASONS["ENOENT"]
    if isinstance(exc, PermissionError):
        return _OS_REASONS["EACCES"]
    return f"erreur système {name or exc.errno or 'inconnue'}"


def os_error_text(exc: OSError, path: object | None = None) -> str:
    """« <path> : <French reason> », naming the file the system names (or `path`)."""
    where = exc.filename if exc.filename is not None else path
    return f"{where} : {os_reason(exc)}" if where is not None else os_reason(exc)


class MissingApiKey(SettingsError):
    """No data.gouv.fr API key for a target: says which variable to set and how."""

    def __init__(self, target: str, api_url: str, reason: str) -> None:
        site = api_url.split("/api/")[0] if "/api/" in api_url else api_url
        super().__init__(
            f"Clé d'API data.gouv.fr absente pour la cible « {target} » : {reason}. Définissez la variable "
            f"d'environnement DATAGOUV_API_KEY avant de lancer la commande (export DATAGOUV_API_KEY=votre-clé ; "
            f"la clé se crée sur {site}, dans votre profil, rubrique « Clé d'API »), ou enregistrez-la dans un "
            "bloc Secret Prefect (docs/operations.md). Une simulation (--dry-run) en a besoin aussi : elle lit "
            "l'état du jeu de données."
        )
        self.target = target


_TOML_REASONS: tuple[tuple[str, str], ...] = (
    ("Invalid value", "valeur invalide (texte entre guillemets, nombre, date ou booléen attendu)"),
    ("Expected '=' after a key", "« = » attendu après le nom du réglage"),
    ("Expected newline or end of document", "une seule affectation par ligne"),
    ("Invalid statement", "ligne incompréhensible (attendu : nom = valeur)"),
    ("Unclosed array", "liste non fermée (« ] » manquant)"),
    ("Unclosed inline table", "table non fermée (« } » manquant)"),
    ("Unterminated string", "texte non fermé (guillemet manquant)"),
    ("Illegal character", "caractère interdit"),
    ("Invalid date or datetime", "date invalide (exemple : 2025-06-30)"),
    ("Cannot overwrite a value", "réglage défini deux fois"),
    ("Cannot declare", "section définie deux fois"),
    ("Invalid initial character for a key part", "nom de réglage invalide"),
)


def toml_error_text(exc: Exception) -> str:
    """A French reading of a TOML parser error (tomllib speaks English), with its line and column."""
    import re

    if isinstance(exc, UnicodeDecodeError):
        return "le fichier n'est pas encodé en UTF-8"
    text = str(exc)
    reason = next((french for english, french in _TOML_REASONS if text.startswith(english)), "syntaxe TOML invalide")
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    if where:
        return f"{reason}, ligne {where.group(1)}, colonne {where.group(2)}"
    return f"{reason}, en fin de fichier" if "end of document" in text else reason
