"""Settings from one place: `panorama.toml` (or the file named by PANORAMA_SETTINGS) plus
environment variables. Nothing is read at import time; the API key is never stored here.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from panorama.errors import SettingsError, toml_error_text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS_FILE = PROJECT_ROOT / "panorama.toml"
API_KEY_ENV = "DATAGOUV_API_KEY"


@dataclass(frozen=True)
class Target:
    """A data.gouv.fr instance and the dataset we publish there."""

    name: str
    api_url: str
    dataset_id: str | None = None
    organization_id: str | None = None
    resource_ids: Mapping[str, str] = field(default_factory=dict)
    production: bool = False
    secret_block: str | None = None
    chunk_size: int = 5 * 1024 * 1024
    chunk_threshold: int = 20 * 1024 * 1024
    timeout_seconds: float = 60.0
    max_retries: int = 4


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    out_dir: Path
    report_dir: Path
    state_dir: Path
    targets: Mapping[str, Target]
    max_findings_listed: int = 1000

    def target(self, name: str) -> Target:
        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.targets)) or "aucune"
            raise SettingsError(f"Cible « {name} » inconnue. Cibles configurées : {known}.") from None

    def state_file(self, target: str) -> Path:
        """Where the ids created on a target are recorded for the next run."""
        return self.state_dir / f"{target}.json"


def _path(value: object, base: Path, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise SettingsError(f"Réglage « {key} » : un chemin est attendu (exemple : \"data/raw\").")
    p = Path(value)
    return p if p.is_absolute() else base / p


def _target(name: str, raw: Mapping[str, object]) -> Target:
    api_url = raw.get("api_url")
    if not isinstance(api_url, str) or not api_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"Cible « {name} » : « api_url » doit être une adresse http(s) (exemple : https://demo.data.gouv.fr/api/1)."
        )
    resources = raw.get("resources", {})
    if not isinstance(resources, Mapping):
        raise SettingsError(f"Cible « {name} » : « resources » doit associer un nom de fichier à un identifiant.")
    known = {k for k in Target.__dataclass_fields__ if k not in {"name", "resource_ids", "api_url"}}
    extra = {k: v for k, v in raw.items() if k in known}
    return Target(name=name, api_url=api_url.rstrip("/"), resource_ids=dict(resources), **extra)  # type: ignore[arg-type]


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Load settings; `env` defaults to os.environ and may override the file's folders."""
    env = os.environ if env is None else env
    path = path or Path(env.get("PANORAMA_SETTINGS", DEFAULT_SETTINGS_FILE))
    data: dict = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} : TOML illisible ({toml_error_text(exc)}).") from None
    base = path.parent if path.is_file() else PROJECT_ROOT
    folders = data.get("dossiers", {})
    targets = {name: _target(name, raw) for name, raw in data.get("cibles", {}).items()}
    return Settings(
        raw_dir=_path(env.get("PANORAMA_RAW_DIR", folders.get("raw", "data/raw")), base, "raw"),
        out_dir=_path(env.get("PANORAMA_OUT_DIR", folders.get("published", "data/published")), base, "published"),
        report_dir=_path(env.get("PANORAMA_REPORT_DIR", folders.get("reports", "data/rapports")), base, "reports"),
        state_dir=_path(env.get("PANORAMA_STATE_DIR", folders.get("publication", "data/publication")), base, "publication"),
        targets=targets,
    )


def api_key(target: Target, env: Mapping[str, str] | None = None) -> str:
    """The API key from DATAGOUV_API_KEY, else from the target's Prefect Secret block."""
    env = os.environ if env is None else env
    key = env.get(API_KEY_ENV, "").strip()
    if key:
        return key
    if target.secret_block:
        from prefect.blocks.system import Secret  # only when a block is configured

        try:
            return str(Secret.load(target.secret_block).get())
        except ValueError:
            raise SettingsError(f"Bloc Secret Prefect « {target.secret_block} » introuvable.") from None
    raise SettingsError(
        f"Clé d'API absente pour la cible « {target.name} » : définissez {API_KEY_ENV} "
        "ou un bloc Secret Prefect (réglage « secret_block »)."
    )
