"""The data.gouv.fr client against a real udata 17.18.0, with real faults injected by a proxy."""
from __future__ import annotations

import hashlib

import pytest
import requests

from panorama.datagouv.client import DatagouvClient, check_api_url, file_sha1
from panorama.datagouv.errors import (
    AuthError,
    ChecksumMismatch,
    ConnectionFailed,
    NotFoundError,
    RefusedExtension,
    ServerError,
)
from panorama.errors import SettingsError
from support.faultproxy import FaultProxy

pytestmark = pytest.mark.udata


class Sleeps(list):
    """Records the pauses instead of sleeping: the tests check the policy, not the clock."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def proxy(udata_server):
    with FaultProxy("127.0.0.1", udata_server.port) as p:
        yield p


@pytest.fixture
def dataset_id(udata_server):
    org = udata_server.new_organization("Client")
    response = requests.post(udata_server.api_url + "/datasets/", headers=udata_server.headers, timeout=30,
                             json={"title": "Essai client", "description": "Essai.", "organization": org})
    response.raise_for_status()
    return response.json()["id"]


def client_for(url: str, key: str, sleeps: Sleeps | None = None, **options) -> DatagouvClient:
    return DatagouvClient(url, key, sleep=sleeps if sleeps is not None else Sleeps(), **options)


@pytest.mark.parametrize("url", ["http://demo.data.gouv.fr/api/1", "http://10.0.0.5/api/1", "ftp://x/api/1"])
def test_plain_http_to_another_host_is_refused_in_french(url):
    with pytest.raises(SettingsError) as info:
        DatagouvClient(url, "udata_x")
    assert "HTTPS est obligatoire" in info.value.message
    assert url in info.value.message


@pytest.mark.parametrize("url", ["https://demo.data.gouv.fr/api/1/", "http://127.0.0.1:5000/api/1",
                                 "http://localhost:5000/api/1", "http://[::1]:5000/api/1"])
def test_https_and_loopback_http_are_accepted(url):
    assert check_api_url(url) == url.rstrip("/")


def test_reads_licences_and_extensions(udata_server):
    with client_for(udata_server.api_url, udata_server.api_key) as client:
        assert "lov2" in client.licenses()
        extensions = client.extensions()
        assert "csv" in extensions and "parquet" in extensions and "html" not in extensions
        assert client.stats.requests == 2


def test_a_5xx_is_retried_with_backoff_then_succeeds(udata_server, proxy):
    proxy.fail("500", nth=1, path="/datasets/licenses/")
    proxy.fail("500", nth=2, path="/datasets/licenses/")
    sleeps = Sleeps()
    with client_for(proxy.api_url, udata_server.api_key, sleeps, backoff_base=0.2) as client:
        assert "lov2" in client.licenses()
    assert [s.outcome for s in proxy.seen] == ["500", "500", "forwarded"]
    assert client.stats.retries == 2 and len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.2 and 0 <= sleeps[1] <= 0.4  # full jitter under the exponential bound


def test_a_429_honours_retry_after_capped(udata_server, proxy):
    proxy.fail("429", nth=1, seconds=7)
    proxy.fail("429", nth=2, seconds=500)
    sleeps = Sleeps()
    with client_for(proxy.api_url, udata_server.api_key, sleeps, retry_after_cap=30) as client:
        assert client.extensions()
    assert sleeps == [7.0, 30.0]


def test_a_429_with_an_http_date_waits_until_then(udata_server, proxy):
    proxy.fail("429-date", nth=1, seconds=20)
    sleeps = Sleeps()
    with client_for(proxy.api_url, udata_server.api_key, sleeps) as client:
        assert client.extensions()
    assert len(sleeps) == 1 and 10 < sleeps[0] <= 20  # whole seconds in the header


def test_retries_are_bounded_and_the_error_is_typed(udata_server, proxy):
    for n in range(1, 4):
        proxy.fail("500", nth=n)
    with client_for(proxy.api_url, udata_server.api_key, max_retries=2) as client:
        with pytest.raises(ServerError) as info:
            client.licenses()
    assert info.value.status == 500 and info.value.body == {"message": "panne injectee"}
    assert len(proxy.seen) == 3


def test_other_4xx_are_never_retried(udata_server, proxy):
    with client_for(proxy.api_url, udata_server.api_key) as client:
        with pytest.raises(NotFoundError) as info:
            client.get_dataset("0" * 24)
    assert info.value.status == 404
    assert len(proxy.seen) == 1 and client.stats.retries == 0


def test_a_bad_key_gives_an_auth_error_that_never_shows_the_key(udata_server, proxy, dataset_id, tmp_path):
    sentinel = "udata_SENTINEL-wrong-key-0123456789"
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n")
    with client_for(proxy.api_url, sentinel) as client:
        with pytest.raises(AuthError) as info:
            client.upload_new(dataset_id, path, "a.csv")
    assert info.value.status == 401 and len(proxy.seen) == 1
    for text in (str(info.value), repr(info.value), str(info.value.body), info.value.message, repr(client)):
        assert sentinel not in text
    assert "clé d'API" in info.value.message


def test_a_stalled_server_times_out_and_is_retried(udata_server, proxy):
    proxy.fail("stall", nth=1, seconds=3)
    with client_for(proxy.api_url, udata_server.api_key, timeout=0.5) as client:
        assert "lov2" in client.licenses()
    assert client.stats.retries == 1 and len(proxy.seen) == 2


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_answer_at_all_is_a_connection_error(udata_server):
    port = free_port()  # nothing listens there any more
    with client_for(f"http://127.0.0.1:{port}/api/1", udata_server.api_key, max_retries=1, timeout=2) as client:
        with pytest.raises(ConnectionFailed) as info:
            client.licenses()
    assert info.value.status is None and client.stats.requests == 2 and client.stats.retries == 1


def test_upload_is_verified_and_counted(udata_server, dataset_id, tmp_path):
    path = tmp_path / "donnees.csv"
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    with client_for(udata_server.api_url, udata_server.api_key) as client:
        resource = client.upload_new(dataset_id, path, "donnees.csv")
    assert resource["checksum"] == {"type": "sha1", "value": file_sha1(path)}
    assert resource["title"] == "donnees.csv" and resource["filesize"] == path.stat().st_size
    assert client.stats.uploads == 1 and client.stats.bytes_uploaded == path.stat().st_size


def test_chunked_upload_assembles_the_parts(udata_server, dataset_id, tmp_path):
    path = tmp_path / "gros.csv"
    content = b"".join(f"{i},{i * i}\n".encode() for i in range(400))
    path.write_bytes(content)
    # Real sleep: replacing within the same second as the first upload collides on udata (500
    # FileExists), and the client must wait for the next second before assembling again.
    with DatagouvClient(udata_server.api_url, udata_server.api_key, chunk_threshold=1000, chunk_size=700) as client:
        resource = client.upload_new(dataset_id, path, "gros.csv")
        replaced = client.upload_replace(dataset_id, resource["id"], path, "gros.csv")
    parts = -(-len(content) // 700)
    assert client.stats.upload_requests == 2 * parts  # parts carry bytes; assembling calls do not
    assert resource["checksum"]["value"] == hashlib.sha1(content).hexdigest()
    assert resource["filesize"] == len(content) and replaced["id"] == resource["id"]
    assert client.stats.bytes_uploaded == 2 * len(content)
    served = requests.get(f"{udata_server.api_url}/datasets/r/{resource['id']}", timeout=30)
    assert served.content == content


def test_a_part_retried_after_a_reset_still_gives_the_right_file(udata_server, proxy, dataset_id, tmp_path):
    path = tmp_path / "parts.csv"
    content = b"".join(f"ligne {i}\n".encode() for i in range(300))
    path.write_bytes(content)
    proxy.fail("reset-upload", nth=2, path="/upload/")
    with client_for(proxy.api_url, udata_server.api_key, chunk_threshold=1000, chunk_size=800) as client:
        resource = client.upload_new(dataset_id, path, "parts.csv")
    assert resource["checksum"]["value"] == hashlib.sha1(content).hexdigest()
    assert client.stats.retries == 1


def test_a_file_damaged_in_transit_fails_without_blind_retry(udata_server, proxy, dataset_id, tmp_path):
    path = tmp_path / "abime.csv"
    path.write_text("projet\nPANORAMA\n", encoding="utf-8")
    proxy.fail("corrupt", nth=1, path="/upload/", old=b"PANORAMA", new=b"PANORAMB")
    with client_for(proxy.api_url, udata_server.api_key) as client:
        with pytest.raises(ChecksumMismatch) as info:
            client.upload_new(dataset_id, path, "abime.csv")
    assert info.value.local == file_sha1(path) and info.value.remote != info.value.local
    assert info.value.resource_id and len([s for s in proxy.seen if s.method == "POST"]) == 1


def test_creating_calls_are_not_repeated_after_a_doubtful_failure(udata_server, proxy):
    org = udata_server.new_organization("Pas de doublon")
    proxy.fail("500-after", nth=1, method="POST")
    with client_for(proxy.api_url, udata_server.api_key) as client:
        with pytest.raises(ServerError):
            client.create_dataset({"title": "Une fois", "description": "x", "organization": org})
    assert len([s for s in proxy.seen if s.method == "POST"]) == 1
    assert udata_server.count_datasets(org) == 1  # the server did create it: apply must reconcile


def test_a_refused_file_type_is_a_typed_error(udata_server_no_parquet, tmp_path):
    server = udata_server_no_parquet
    org = server.new_organization("Sans parquet")
    ds = requests.post(server.api_url + "/datasets/", headers=server.headers, timeout=30,
                       json={"title": "Refus", "description": "x", "organization": org}).json()
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 not really")
    with client_for(server.api_url, server.api_key) as client:
        assert "parquet" not in client.extensions()
        with pytest.raises(RefusedExtension) as info:
            client.upload_new(ds["id"], path, "t.parquet")
    assert info.value.status == 400 and "type de fichier refusé" in info.value.message


def test_every_open_file_is_closed(udata_server, dataset_id, tmp_path, recwarn):
    path = tmp_path / "f.csv"
    path.write_text("a\n1\n")
    with client_for(udata_server.api_url, udata_server.api_key, chunk_threshold=3, chunk_size=2) as client:
        client.upload_new(dataset_id, path, "f.csv")
    import gc

    gc.collect()
    assert not [w for w in recwarn if issubclass(w.category, ResourceWarning)]


@pytest.mark.parametrize("key", ["", "udata_a\nX-Other: 1"])
def test_an_empty_or_malformed_key_is_refused(key):
    with pytest.raises(SettingsError):
        DatagouvClient("https://demo.data.gouv.fr/api/1", key)
