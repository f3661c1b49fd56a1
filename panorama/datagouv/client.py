"""A small HTTP client for the data.gouv.fr (udata) API v1, over requests.

Why our own: the official client retries 4xx, loses status codes and wipes datasets on update
(see docs in /work/shared/notes/udata-api.md). Here:
- retries with exponential backoff + jitter only on no-answer, 429 (Retry-After honoured, capped)
  and 5xx, and only for idempotent calls: a call that creates something is never repeated by the
  client (apply.py reconciles with the server first, then decides);
- a timeout on every call, redirects never followed (a custom header would follow them to any host);
- the key travels only in the X-API-KEY header and is scrubbed from every error; the repr hides it;
- uploads above `chunk_threshold` go in parts (udata's chunk protocol), files are always closed,
  and every upload is verified against the local sha1.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import math
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from panorama.datagouv.errors import (
    ApiError,
    AuthError,
    ChecksumMismatch,
    ClientError,
    ConnectionFailed,
    NotFoundError,
    RateLimited,
    RefusedExtension,
    ServerError,
)
from panorama.errors import SettingsError
from panorama.settings import Target

log = logging.getLogger("panorama.datagouv")

READ_BLOCK = 1024 * 1024


def file_sha1(path: Path) -> str:
    """The sha1 udata computes on uploaded bytes, streamed so large files stay out of memory."""
    digest = hashlib.sha1()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(READ_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(api_url: str) -> str:
    """Refuse plain HTTP to any host but this machine: the key would travel in clear."""
    parts = urlsplit(api_url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return api_url.rstrip("/")
    if parts.scheme == "http" and is_loopback(host):
        return api_url.rstrip("/")
    raise SettingsError(
        f"Adresse d'API « {api_url} » refusée : HTTPS est obligatoire hors de cette machine, "
        "car la clé d'API circulerait en clair (exemple : https://demo.data.gouv.fr/api/1)."
    )


@dataclass
class ClientStats:
    """Counters read by the benchmark and the summary."""

    requests: int = 0
    retries: int = 0
    uploads: int = 0
    upload_requests: int = 0
    bytes_uploaded: int = 0


class DatagouvClient:
    """One API base URL, one key. Use as a context manager so the session is closed."""

    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        max_retries: int = 4,
        chunk_size: int = 5 * 1024 * 1024,
        chunk_threshold: int = 20 * 1024 * 1024,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        upload_retry_floor: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_url = check_api_url(api_url)
        if not api_key or any(c in api_key for c in "\r\n"):
            raise SettingsError("Clé d'API vide ou malformée.")
        if chunk_size <= 0 or chunk_threshold <= 0:
            raise SettingsError("Réglages « chunk_size » et « chunk_threshold » : des entiers positifs sont attendus.")
        self._key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.chunk_size = chunk_size
        self.chunk_threshold = chunk_threshold
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.upload_retry_floor = upload_retry_floor
        self._sleep = sleep
        self.stats = ClientStats()
        self._session = requests.Session()
        self._session.headers.update({"Accept": "application/json", "User-Agent": "panorama-publication/0.1"})

    @classmethod
    def for_target(cls, target: Target, api_key: str, **overrides: Any) -> DatagouvClient:
        options: dict[str, Any] = dict(
            timeout=target.timeout_seconds,
            max_retries=target.max_retries,
            chunk_size=target.chunk_size,
            chunk_threshold=target.chunk_threshold,
        )
        options.update(overrides)
        return cls(target.api_url, api_key, **options)

    def __repr__(self) -> str:
        return f"DatagouvClient(api_url={self.api_url!r})"

    def __enter__(self) -> DatagouvClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def stable_url(self, resource_id: str) -> str:
        """The link to give reusers: it redirects to the current file of the resource."""
        return f"{self.api_url}/datasets/r/{resource_id}"

    # ----------------------------------------------------------------- reads
    def get_dataset(self, dataset_id: str) -> dict:
        return self._call("GET", f"/datasets/{dataset_id}/")

    def organization_datasets(self, org_id: str) -> list[dict]:
        found: list[dict] = []
        page = 1
        while True:
            data = self._call("GET", f"/organizations/{org_id}/datasets/", params={"page": page, "page_size": 100})
            found.extend(data.get("data", []))
            if not data.get("next_page") or not data.get("data"):
                return found
            page += 1

    def licenses(self) -> list[str]:
        return [item["id"] for item in self._call("GET", "/datasets/licenses/")]

    def extensions(self) -> set[str]:
        return {str(ext).lower() for ext in self._call("GET", "/datasets/extensions/")}

    # ---------------------------------------------------------------- writes
    def create_dataset(self, payload: Mapping[str, Any]) -> dict:
        """POST creates: never repeated here (a lost answer may hide a created dataset)."""
        return self._call("POST", "/datasets/", json=dict(payload), idempotent=False)

    def put_dataset(self, dataset_id: str, whole: Mapping[str, Any]) -> dict:
        """PUT the whole object: a partial PUT wipes the omitted fields (udata #2468)."""
        return self._call("PUT", f"/datasets/{dataset_id}/", json=dict(whole))

    def reorder_resources(self, dataset_id: str, resource_ids: list[str]) -> list[dict]:
        """Set the display order; udata wants every resource id of the dataset, once."""
        return self._call("PUT", f"/datasets/{dataset_id}/resources/", json=list(resource_ids))

    def update_resource(self, dataset_id: str, resource_id: str, payload: Mapping[str, Any]) -> dict:
        """Omitted keys are kept by udata for resources, so a partial payload is safe."""
        return self._call("PUT", f"/datasets/{dataset_id}/resources/{resource_id}/", json=dict(payload))

    def upload_new(self, dataset_id: str, path: Path, file_name: str, sha1: str | None = None) -> dict:
        """Upload a file as a new resource; raises on any doubt, never uploads twice."""
        return self._upload(f"/datasets/{dataset_id}/upload/", path, file_name, sha1, creates=True)

    def upload_replace(self, dataset_id: str, resource_id: str, path: Path, file_name: str,
                       sha1: str | None = None) -> dict:
        """Replace the file of a resource; udata keeps the old one until the new one is stored."""
        return self._upload(f"/datasets/{dataset_id}/resources/{resource_id}/upload/", path, file_name, sha1,
                            creates=False)

    # --------------------------------------------------------------- uploads
    def _upload(self, api_path: str, path: Path, file_name: str, sha1: str | None, creates: bool) -> dict:
        local_sha1 = sha1 or file_sha1(path)
        size = path.stat().st_size
        if size <= self.chunk_threshold:
            resource = self._call("POST", api_path, upload=(path, file_name, 0, size, None), idempotent=not creates,
                                  floor=self.upload_retry_floor)
        else:
            resource = self._upload_chunks(api_path, path, file_name, size, creates)
        self.stats.uploads += 1
        remote = (resource.get("checksum") or {}).get("value")
        if remote != local_sha1:
            raise ChecksumMismatch(file_name, local_sha1, remote, resource.get("id"))
        return resource

    def _upload_chunks(self, api_path: str, path: Path, file_name: str, size: int, creates: bool) -> dict:
        """Parts are idempotent (same uuid and index overwrite). Assembling is idempotent when it
        replaces a file (udata keeps the parts until the file is stored), not when it creates."""
        upload_id = str(uuid.uuid4())
        total = math.ceil(size / self.chunk_size)
        for index in range(total):
            offset = index * self.chunk_size
            length = min(self.chunk_size, size - offset)
            form = {"uuid": upload_id, "filename": file_name, "partindex": index, "totalparts": total,
                    "chunksize": length}
            answer = self._call("POST", api_path, upload=(path, file_name, offset, length, form))
            if answer.get("success") is not True:
                raise ApiError(200, f"{file_name} : partie {index + 1}/{total} refusée par data.gouv.fr.", answer)
        form = {"uuid": upload_id, "filename": file_name, "totalparts": total}
        return self._call("POST", api_path, data=form, idempotent=not creates, floor=self.upload_retry_floor)

    # ------------------------------------------------------------------ core
    def _call(self, method: str, api_path: str, *, params: Mapping[str, Any] | None = None,
              json: Any = None, data: Mapping[str, Any] | None = None,
              upload: tuple[Path, str, int, int, Mapping[str, Any] | None] | None = None,
              idempotent: bool = True, floor: float = 0.0) -> Any:
        url = self.api_url + api_path
        attempt = 0
        while True:
            self.stats.requests += 1
            retry_after: float | None = None
            try:
                response = self._send(method, url, params, json, data, upload)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                log.warning("%s %s -> no answer (%s)", method, api_path, type(exc).__name__)
                error: ApiError = ConnectionFailed(
                    f"data.gouv.fr ne répond pas à {method} {api_path} ({type(exc).__name__}) ; "
                    "vérifiez le réseau puis relancez : la publication reprend là où elle s'est arrêtée."
                )
            else:
                log.info("%s %s -> %s", method, api_path, response.status_code)
                if response.status_code < 300:
                    return self._parse(response)
                error = self._error(method, api_path, response)
                retry_after = self._retry_after(response)
            retryable = error.transient and (idempotent or error.status == 429)
            if not retryable or attempt >= self.max_retries:
                raise error
            attempt += 1
            self.stats.retries += 1
            self.pause(attempt, retry_after, floor)

    def pause(self, attempt: int, retry_after: float | None = None, floor: float = 0.0) -> None:
        """Exponential backoff with full jitter, or the server's Retry-After (capped).

        `floor`: uploads wait at least a second, because udata stores a file under
        <dataset>/<time to the second>/<name> and answers 500 (FileExists) to a second upload of
        the same name within the same second.
        """
        if retry_after is not None:
            delay = min(retry_after, self.retry_after_cap)
        else:
            delay = random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))
        self._sleep(max(delay, floor))

    def _send(self, method: str, url: str, params: Mapping[str, Any] | None, json_body: Any,
              data: Mapping[str, Any] | None,
              upload: tuple[Path, str, int, int, Mapping[str, Any] | None] | None) -> requests.Response:
        headers = {"X-API-KEY": self._key}
        timeout = (min(self.timeout, 10.0), self.timeout)
        if upload is None:
            return self._session.request(method, url, params=params, json=json_body, data=data,
                                         headers=headers, timeout=timeout, allow_redirects=False)
        path, file_name, offset, length, form = upload
        self.stats.upload_requests += 1
        with path.open("rb") as fh:
            if form is None:
                content: Any = fh  # whole file streamed by requests
            else:
                fh.seek(offset)
                content = fh.read(length)
            self.stats.bytes_uploaded += length
            return self._session.request(method, url, data=form, files={"file": (file_name, content)},
                                         headers=headers, timeout=timeout, allow_redirects=False)

    @staticmethod
    def _parse(response: requests.Response) -> Any:
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ApiError(response.status_code, "Réponse de data.gouv.fr illisible (JSON attendu).") from None

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After", "").strip()
        if value.isdigit():
            return float(value)
        try:  # the other form allowed by RFC 9110: an HTTP date
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    def _error(self, method: str, api_path: str, response: requests.Response) -> ApiError:
        status = response.status_code
        raw = self._scrub(response.text[:2000])
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("message") or body.get("error") or "")
            if body.get("errors"):
                detail = f"{detail} {json.dumps(body['errors'], ensure_ascii=False)}".strip()
        detail = self._scrub(detail[:500]) or response.reason or ""
        where = f"{method} {api_path}"
        if status in (401, 403):
            return AuthError(status, (
                f"data.gouv.fr refuse la clé d'API pour {where} (HTTP {status} : {detail}). "
                "Vérifiez DATAGOUV_API_KEY ou le bloc Secret Prefect, sa validité et vos droits sur le jeu de données."
            ), body)
        if status in (404, 410):
            return NotFoundError(status, f"{where} : introuvable sur data.gouv.fr (HTTP {status} : {detail}).", body)
        if status == 400 and "file type" in detail.lower():
            return RefusedExtension(status, f"{where} : type de fichier refusé par data.gouv.fr ({detail}).", body)
        if status == 429:
            return RateLimited(status, f"{where} : data.gouv.fr demande de ralentir (HTTP 429) ; réessayez plus tard.", body)
        if status >= 500:
            return ServerError(status, f"{where} : erreur du serveur data.gouv.fr (HTTP {status} : {detail}).", body)
        if 300 <= status < 400:
            return ClientError(status, f"{where} : redirection inattendue (HTTP {status}) ; vérifiez « api_url ».", body)
        return ClientError(status, f"{where} : requête refusée par data.gouv.fr (HTTP {status} : {detail}).", body)
