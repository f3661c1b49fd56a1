"""What we created on a target: the dataset id and one resource id per published file.

Written atomically right after each creation, so a run killed at any point leaves a record a
second run can trust. Ids set in the settings (`dataset_id`, `resources`) take precedence.
Each save re-reads the file and adds to it (read-modify-write, under the target's publication
lock, see panorama/lock.py): an id recorded by another run is never dropped by a partial view.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from panorama.datagouv.errors import PublicationError
from panorama.export.atomic import write_text_atomic
from panorama.settings import Target


@dataclass
class PublicationState:
    target: str
    api_url: str
    dataset_id: str | None = None
    resources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"cible": self.target, "api_url": self.api_url, "dataset_id": self.dataset_id,
                "resources": dict(sorted(self.resources.items()))}


def state_path(state_dir: Path, target_name: str) -> Path:
    return state_dir / f"{target_name}.json"


def load_state(path: Path, target: Target) -> PublicationState:
    """The recorded ids merged with the target's configured ones (configured wins)."""
    state = PublicationState(target=target.name, api_url=target.api_url)
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise PublicationError(
                f"{path} : fichier d'état illisible (JSON attendu). Corrigez-le ou supprimez-le ; "
                "la publication retrouvera alors le jeu de données et ses ressources par leur titre."
            ) from None
        if data.get("api_url") not in (None, target.api_url):
            raise PublicationError(
                f"{path} : ce fichier d'état concerne {data.get('api_url')}, pas {target.api_url}."
            )
        state.dataset_id = data.get("dataset_id") or None
        state.resources = {str(k): str(v) for k, v in (data.get("resources") or {}).items()}
    if target.dataset_id:
        state.dataset_id = target.dataset_id
    state.resources.update({k: v for k, v in target.resource_ids.items() if v})
    return state


def _recorded(path: Path, api_url: str) -> dict:
    """What the file holds now, if it is ours and readable; {} otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("api_url") not in (None, api_url):
        return {}
    return data


def save_state(path: Path, state: PublicationState) -> None:
    """Merge `state` into the file (our ids win, ids only the file knows are kept), atomically."""
    recorded = _recorded(path, state.api_url)
    on_disk = recorded.get("resources")
    on_disk = on_disk if isinstance(on_disk, dict) else {}
    state.resources = {**{str(k): str(v) for k, v in on_disk.items()}, **state.resources}
    state.dataset_id = state.dataset_id or recorded.get("dataset_id") or None
    text = json.dumps(state.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_text_atomic(path, text, mode=0o600)  # readable by its owner only
