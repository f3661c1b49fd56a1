"""pytest fixtures running a real udata 17.18.0 (with mongomock) for the publication tests.

The udata virtualenv lives in `<repo>/.cache/udata-venv`: created once (~45 s, `pip install
udata==17.18.0 mongomock`), reused while importable. One server per session and per flavour
(with / without Parquet among the allowed extensions); each test isolates itself in its own
organisation (`new_organization`), so tests never see each other's datasets.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".cache" / "udata-venv"
SERVER_SCRIPT = Path(__file__).with_name("udata_server.py")
UDATA_VERSION = "17.18.0"
CHECK = ("import importlib.metadata as m, sys, udata, mongomock; "
         f"sys.exit(0 if m.version('udata') == '{UDATA_VERSION}' else 1)")


def _python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _usable(venv: Path) -> bool:
    py = _python(venv)
    return py.exists() and subprocess.run([str(py), "-c", CHECK], capture_output=True).returncode == 0


def ensure_udata_venv(venv: Path = VENV) -> Path:
    """Create the udata virtualenv when missing or broken; return its python."""
    if _usable(venv):
        return _python(venv)
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    base = shutil.which("python3") or sys.executable
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(_python(venv)), "-m", "pip", "install", "--quiet", f"udata=={UDATA_VERSION}", "mongomock"],
                   check=True)
    if not _usable(venv):
        pytest.fail(f"udata {UDATA_VERSION} installé dans {venv} mais non importable.")
    return _python(venv)


@dataclass
class UdataServer:
    """A running udata: its API URL, seeded organisation and key, and read helpers."""

    api_url: str
    org_id: str
    api_key: str = field(repr=False)
    port: int
    parquet: bool
    process: subprocess.Popen
    workdir: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-KEY": self.api_key}

    def get(self, path: str) -> Any:
        response = requests.get(self.api_url + path, headers=self.headers, timeout=30)
        response.raise_for_status()
        return response.json()

    def dataset(self, dataset_id: str) -> dict:
        return self.get(f"/datasets/{dataset_id}/")

    def resources(self, dataset_id: str) -> list[dict]:
        return list(self.dataset(dataset_id)["resources"])

    def count_resources(self, dataset_id: str) -> int:
        return len(self.resources(dataset_id))

    def org_datasets(self, org_id: str) -> list[dict]:
        return list(self.get(f"/organizations/{org_id}/datasets/?page_size=100")["data"])

    def count_datasets(self, org_id: str) -> int:
        return len(self.org_datasets(org_id))

    def new_organization(self, name: str) -> str:
        """A fresh organisation (the seeded user is its admin) so each test starts empty."""
        response = requests.post(self.api_url + "/organizations/", headers=self.headers, timeout=30,
                                 json={"name": name, "description": "Organisation de test."})
        response.raise_for_status()
        return str(response.json()["id"])

    def log_text(self) -> str:
        path = self.workdir / "server.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def start_udata_server(python: Path, workdir: Path, parquet: bool, wait: float = 120.0) -> UdataServer:
    workdir.mkdir(parents=True, exist_ok=True)
    info_path = workdir / "info.json"
    args = [str(python), "-I", str(SERVER_SCRIPT), str(workdir), str(info_path)] + ([] if parquet else ["--no-parquet"])
    with (workdir / "server.log").open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                                   env={k: v for k, v in os.environ.items() if k != "UDATA_SETTINGS"})
    deadline = time.monotonic() + wait
    while not info_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            tail = (workdir / "server.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"le serveur udata n'a pas démarré :\n{tail}")
        time.sleep(0.1)
    info = json.loads(info_path.read_text(encoding="utf-8"))
    server = UdataServer(info["api_url"], info["org_id"], info["api_key"], info["port"], parquet, process, workdir)
    while True:  # the info file is written just before serving: wait for the socket to answer
        try:
            requests.get(server.api_url + "/datasets/licenses/", timeout=5).raise_for_status()
            return server
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_udata_server(server)
                pytest.fail(f"le serveur udata ne répond pas :\n{server.log_text()[-3000:]}")
            time.sleep(0.1)


def stop_udata_server(server: UdataServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def udata_venv() -> Path:
    """The python of the udata virtualenv (created on first use)."""
    return ensure_udata_venv()


@pytest.fixture(scope="session")
def udata_server(udata_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UdataServer]:
    """A real udata accepting Parquet (mirrors a platform that allows it)."""
    server = start_udata_server(udata_venv, tmp_path_factory.mktemp("udata-parquet"), parquet=True)
    yield server
    stop_udata_server(server)


@pytest.fixture(scope="session")
def udata_server_no_parquet(udata_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UdataServer]:
    """A real udata with its default extensions: Parquet refused."""
    server = start_udata_server(udata_venv, tmp_path_factory.mktemp("udata-default"), parquet=False)
    yield server
    stop_udata_server(server)


# ------------------------------------------------------------------ output folder for the tests
def _png(width: int, height: int, shade: int) -> bytes:
    """A real (tiny, grey) PNG, built by hand to keep matplotlib out of these tests."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def write_output_folder(out: Path, editions: int = 3) -> Path:
    """A small but real output folder, as the export stage writes it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    dates = [f"{2016 + (i + 1) // 2}-{'11' if i % 2 == 0 else '05'}-15" for i in range(editions)]
    history = pa.table({
        "edition": [f"ed-{i}" for i in range(editions) for _ in range(2)],
        "identifiant": [f"P{j}" for _ in range(editions) for j in range(2)],
        "nom_projet": [f"Projet {j}" for _ in range(editions) for j in range(2)],
        "cout_estime_meur": [float(10 + i + j) for i in range(editions) for j in range(2)],
    })
    last = history.slice(2 * (editions - 1), 2)
    indicators = pa.table({"edition": [f"ed-{i}" for i in range(editions)], "date_publication": dates,
                           "nombre_projets": [2] * editions})
    splits = pa.table({"edition": [f"ed-{i}" for i in range(editions)], "ministere": ["MIN"] * editions,
                       "nombre_projets": [2] * editions})
    for stem, table in (("panorama-historique", history), ("panorama-derniere-edition", last),
                        ("panorama-indicateurs", indicators), ("panorama-repartitions", splits)):
        pq.write_table(table, out / f"{stem}.parquet")
        table.to_pandas().to_csv(out / f"{stem}.csv", index=False, lineterminator="\n")
    schema = {"name": "panorama-grands-projets", "fields": [{"name": n, "type": "string"} for n in history.column_names]}
    (out / "schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    (out / "datapackage.json").write_text(json.dumps({"name": "panorama", "resources": []}), encoding="utf-8")
    (out / "dictionnaire-des-donnees.md").write_text("# Dictionnaire\n\n- `identifiant` : identifiant.\n",
                                                     encoding="utf-8")
    (out / "CHANGELOG.md").write_text("# Journal\n\n## 1.0.0\n- Première publication.\n", encoding="utf-8")
    (out / "description-jeu-de-donnees.md").write_text(
        "Le panorama des grands projets numériques de l'État.\n\n"
        "- [Historique]({{lien:panorama-historique.csv}})\n"
        "- [Historique Parquet]({{lien:panorama-historique.parquet}})\n"
        "- [Schéma]({{lien:schema.json}})\n", encoding="utf-8")
    charts = out / "graphiques"
    charts.mkdir(exist_ok=True)
    (charts / "evolution-couts.png").write_bytes(_png(8, 4, 120))
    (charts / "projets-par-ministere.png").write_bytes(_png(6, 6, 60))
    dashboard = out / "tableau-de-bord"
    dashboard.mkdir(exist_ok=True)
    (dashboard / "index.html").write_text("<html><body>tableau</body></html>", encoding="utf-8")
    return out


def assert_published(server: UdataServer, dataset_id: str, out: Path, allowed: set[str], state_file: Path) -> dict:
    """Read everything back through the API: one resource per publishable file, no duplicate,
    each with the catalogue's title and the local file's sha1; returns the dataset."""
    from panorama.datagouv.client import file_sha1
    from panorama.datagouv.resources import catalogue

    dataset = server.dataset(dataset_id)
    recorded = json.loads(state_file.read_text(encoding="utf-8"))["resources"]
    by_id = {r["id"]: r for r in dataset["resources"]}
    titles = {spec.key: spec.title for spec in catalogue(out) if spec.upload_name(allowed)}
    assert set(recorded) == set(titles)
    assert len(dataset["resources"]) == len(titles), sorted(r["title"] for r in dataset["resources"])
    for key, title in titles.items():
        resource = by_id[recorded[key]]
        assert resource["checksum"]["value"] == file_sha1(out / key), key
        assert resource["title"] == title
    assert "{{lien:" not in dataset["description"] and "(lien attribué" not in dataset["description"]
    return dataset
