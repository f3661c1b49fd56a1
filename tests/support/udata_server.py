"""Run a real udata 17.18.0 API server for the tests. Executed INSIDE the udata virtualenv.

Usage: python udata_server.py WORKDIR INFO_JSON [--no-parquet]

The store is mongomock inside this process, so this process seeds it (licence `lov2`, an active
user, an organisation with that user as admin, an API token, the zone `country:fr`) before serving. The ids, the
plaintext key and the port are written to INFO_JSON (atomically) once the socket listens.
"""
from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

# This folder holds `udata.py` (the pytest fixtures): keep it off the path so `import udata`
# finds the real package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

CONFIG = """
import mongomock
MONGODB_SETTINGS = {{"host": "mongodb://localhost:27017/udata", "mongo_client_class": mongomock.MongoClient}}
SECRET_KEY = "tests-only-secret-key"
API_TOKEN_SECRET = "tests-only-token-secret"
SECURITY_PASSWORD_SALT = "tests-only-salt"
SERVER_NAME = "127.0.0.1:{port}"
CACHE_TYPE = "flask_caching.backends.NullCache"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
FS_ROOT = {fs_root!r}
SCHEMA_CATALOG_URL = None
SEND_MAIL = False
# Uploaded files get URLs on this loopback host; udata refuses local URLs by default.
URLS_ALLOW_LOCAL = True
URLS_ALLOW_PRIVATE = True
DEBUG = False
TESTING = False
"""


def free_port() -> int:
    """A port the kernel says is free now (a race is possible but harmless in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(workdir: Path, port: int, allow_parquet: bool) -> Path:
    fs_root = workdir / "fs"
    fs_root.mkdir(parents=True, exist_ok=True)
    text = CONFIG.format(port=port, fs_root=str(fs_root))
    if allow_parquet:
        text += (
            "from udata.settings import Defaults as _Defaults\n"
            "ALLOWED_RESOURCES_EXTENSIONS = list(_Defaults.ALLOWED_RESOURCES_EXTENSIONS) + ['parquet']\n"
        )
    cfg = workdir / "udata.cfg"
    cfg.write_text(text, encoding="utf-8")
    return cfg


def seed() -> dict:
    """Create the licence, user, organisation and token the tests publish with."""
    from datetime import UTC, datetime

    from udata.core.spatial.models import GeoLevel, GeoZone
    from udata.models import ApiToken, License, Member, Organization, User

    # France as data.gouv.fr knows it (its spatial referential is not loaded here): the
    # "country" level and the zone `country:fr` a national dataset's spatial coverage names.
    GeoLevel(id="country", name="Pays", admin_level=10).save()
    GeoZone(id="country:fr", slug="france", name="France", code="fr", level="country").save()

    License(id="lov2", title="Licence Ouverte / Open Licence version 2.0", active=True,
            url="https://www.etalab.gouv.fr/licence-ouverte-open-licence").save()
    License(id="notspecified", title="License Not Specified", active=True).save()
    user = User(first_name="Agent", last_name="Panorama", email="agent@panorama.test",
                active=True, confirmed_at=datetime.now(UTC)).save()
    org = Organization(name="Direction interministérielle du numérique (tests)",
                       description="Organisation de test.",
                       members=[Member(user=user, role="admin")]).save()
    _token, key = ApiToken.generate(user, name="panorama-tests")
    return {"user_id": str(user.id), "org_id": str(org.id), "api_key": key}


def main(argv: list[str]) -> int:
    workdir, info_path = Path(argv[1]), Path(argv[2])
    allow_parquet = "--no-parquet" not in argv[3:]
    port = free_port()
    cfg = write_config(workdir, port, allow_parquet)
    os.environ["UDATA_SETTINGS"] = str(cfg)
    os.chdir(workdir)

    from udata.app import create_app, standalone
    from werkzeug.serving import make_server

    app = standalone(create_app())
    with app.app_context():
        info = seed()
    # Single-threaded on purpose: mongomock is not thread-safe and the client is sequential.
    server = make_server("127.0.0.1", port, app, threaded=False)
    info.update(port=port, api_url=f"http://127.0.0.1:{port}/api/1", pid=os.getpid(),
                parquet=allow_parquet)
    tmp = info_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info), encoding="utf-8")
    os.replace(tmp, info_path)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
