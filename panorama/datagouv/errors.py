"""Typed errors of the data.gouv.fr client and publication.

Messages are French and meant for people. None of them ever carries the API key or a request
header: the client scrubs the key from every response body before building an error.
"""
from __future__ import annotations

from typing import Any

from panorama.errors import PanoramaError


class PublicationError(PanoramaError):
    """The publication failed or was refused; the CLI exits with 1."""

    exit_code = 1


class ApiError(PublicationError):
    """The API answered an error (or did not answer: `status` is None)."""

    def __init__(self, status: int | None, message: str, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body

    @property
    def transient(self) -> bool:
        """Worth trying again later: no answer, 429 or 5xx."""
        return self.status is None or self.status == 429 or self.status >= 500

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class ClientError(ApiError):
    """4xx: the request itself is wrong; repeating it changes nothing."""


class AuthError(ClientError):
    """401/403: key invalid, revoked, expired, or not allowed on this dataset."""


class NotFoundError(ClientError):
    """404/410: the dataset or resource does not exist (any more)."""


class RefusedExtension(ClientError):
    """The platform does not accept this file type (400 or absent from /datasets/extensions/)."""


class RateLimited(ApiError):
    """429 from the infrastructure in front of udata, retries exhausted."""


class ServerError(ApiError):
    """5xx, retries exhausted."""


class ConnectionFailed(ApiError):
    """No answer: connection refused or reset, timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message, None)


class ChecksumMismatch(PublicationError):
    """The server's sha1 of an uploaded file differs from the local file's."""

    def __init__(self, file_name: str, local: str, remote: str | None, resource_id: str | None = None) -> None:
        super().__init__(
            f"{file_name} : l'empreinte sha1 calculée par data.gouv.fr ({remote or 'absente'}) "
            f"diffère de celle du fichier local ({local}). Le fichier a pu être altéré en transit ; "
            "relancez la publication, elle ne renverra que les fichiers différents."
        )
        self.file_name = file_name
        self.local = local
        self.remote = remote
        self.resource_id = resource_id


class PublicationRefused(PublicationError):
    """A guard refused the run (production without confirmation...)."""
