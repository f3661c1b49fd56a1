"""What we created on a target: the dataset id and one resource id per published file.

Written atomically right after each creation, so a run killed at any point leaves a record a
second run can trust. Ids set in the settings (`dataset_id`, `resources`) take precedence.
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


def save_state(path: Path, state: PublicationState) -> None:
    """Atomic write: a temp file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(state.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_text_atomic(path, text, mode=0o600)  # as before: readable by its owner only
