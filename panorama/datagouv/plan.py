"""The publication plan: what data.gouv.fr holds versus what we hold, before any write.

Building a plan only reads (GET). Each file gets one action — create, replace, unchanged or
refused — plus the metadata to put right; the dataset gets create / update / unchanged.
`--dry-run` prints it and writes it as JSON; `apply.py` carries it out step by step.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from panorama.datagouv.client import DatagouvClient, file_sha1
from panorama.datagouv.errors import NotFoundError, PublicationError
from panorama.datagouv.metadata import DATASET_TITLE, LICENSE, dataset_metadata, metadata_changes
from panorama.datagouv.resources import SCHEMA_FILE, ResourceSpec, catalogue
from panorama.datagouv.state import PublicationState
from panorama.errors import SettingsError
from panorama.export.atomic import write_text_atomic
from panorama.settings import Target

CREATE, REPLACE, UNCHANGED, REFUSED = "create", "replace", "unchanged", "refused"
LABELS = {CREATE: "créer", REPLACE: "remplacer", UNCHANGED: "inchangé", REFUSED: "refusé", "update": "mettre à jour"}


@dataclass
class FileStep:
    key: str
    upload_name: str | None
    title: str
    action: str
    local_sha1: str
    size: int
    resource_id: str | None = None
    remote_sha1: str | None = None
    chunked: bool = False
    adopted: bool = False
    reason: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_changes: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class DatasetStep:
    action: str  # create, update, unchanged
    dataset_id: str | None
    organization_id: str | None
    adopted: bool = False
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Plan:
    target: str
    api_url: str
    production: bool
    force: bool
    dataset: DatasetStep
    files: list[FileStep]
    notes: list[str] = field(default_factory=list)
    schema_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def write_json(self, path: Path) -> None:
        """Atomic, deterministic JSON (no timestamp) for review before a real run."""
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_text_atomic(path, text, mode=0o600)  # as before: readable by its owner only

    def lines(self) -> list[str]:
        """The plan in French, one line per step, for people."""
        ds = self.dataset
        head = {"create": f"Jeu de données : créer « {DATASET_TITLE} » dans l'organisation {ds.organization_id}",
                "update": f"Jeu de données {ds.dataset_id} : mettre à jour {', '.join(sorted(ds.changes))}",
                "unchanged": f"Jeu de données {ds.dataset_id} : métadonnées à jour"}[ds.action]
        if ds.adopted:
            head += " (retrouvé par son titre dans l'organisation)"
        out = [f"Cible « {self.target} » ({self.api_url})", head]
        for step in self.files:
            text = f"  {step.key} : {LABELS[step.action]}"
            if step.action == REFUSED:
                text += f" — {step.reason}"
            else:
                if step.metadata_changes:
                    text += f" ; métadonnées : {', '.join(sorted(step.metadata_changes))}"
                if step.reason:
                    text += f" ({step.reason})"
            out.append(text)
        out.extend(f"Note : {note}" for note in self.notes)
        return out


def schema_reference(plan_schema_name: str | None, schema_url: str | None) -> dict[str, str] | None:
    """`{"name": …}` for a schema of the schema.data.gouv.fr catalogue when configured, else
    `{"url": …}` pointing to our published schema.json (None while it has no id yet)."""
    if plan_schema_name:
        return {"name": plan_schema_name}
    return {"url": schema_url} if schema_url else None


def resource_metadata(spec: ResourceSpec, schema: Mapping[str, str] | None) -> dict[str, Any]:
    """What a resource's metadata should be."""
    meta: dict[str, Any] = {"title": spec.title, "description": spec.description, "type": spec.type}
    if spec.schema and schema:
        meta["schema"] = dict(schema)
    if spec.extras:
        meta["extras"] = dict(spec.extras)
    return meta


def resource_metadata_changes(remote: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> dict[str, dict]:
    changes = {}
    for name, value in wanted.items():
        before = (remote or {}).get(name)
        if name in ("schema", "extras"):  # keys the server adds of its own are not ours to compare
            same = bool(before) == bool(value) and all((before or {}).get(k) == v for k, v in (value or {}).items())
        else:
            same = before == value
        if not same:
            changes[name] = {"avant": before, "apres": value}
    return changes


def _same_name(title: str | None, names: set[str]) -> bool:
    return bool(title) and title.strip().lower() in names


def find_adoptable(resources: list[dict], spec: ResourceSpec, upload_name: str, claimed: set[str]) -> dict | None:
    """A resource with our title, or the file name udata gives after an upload, not yet claimed."""
    names = {spec.title.lower(), upload_name.lower(), spec.file_name.lower()}
    for res in resources:
        if res.get("id") not in claimed and res.get("filetype") == "file" and _same_name(res.get("title"), names):
            return res
    return None


def find_dataset_in_org(client: DatagouvClient, org_id: str) -> dict | None:
    """Our dataset when a previous run created it but could not record its id."""
    mine = [d for d in client.organization_datasets(org_id)
            if d.get("title") == DATASET_TITLE and not d.get("deleted") and not d.get("archived")]
    if len(mine) > 1:
        ids = ", ".join(d["id"] for d in mine)
        raise PublicationError(
            f"Plusieurs jeux de données « {DATASET_TITLE} » dans l'organisation {org_id} ({ids}) : "
            "indiquez le bon dans le réglage « dataset_id » de la cible."
        )
    return client.get_dataset(mine[0]["id"]) if mine else None


def _dataset(client: DatagouvClient, target: Target, state: PublicationState) -> tuple[dict | None, bool]:
    if state.dataset_id:
        try:
            return client.get_dataset(state.dataset_id), False
        except NotFoundError:
            raise PublicationError(
                f"Le jeu de données {state.dataset_id} est introuvable sur {target.api_url} (supprimé ?). "
                "Corrigez « dataset_id » de la cible ou le fichier d'état."
            ) from None
    if not target.organization_id:
        raise SettingsError(
            f"Cible « {target.name} » : ni « dataset_id » ni « organization_id » ; indiquez l'organisation "
            "où créer le jeu de données (exemple : organization_id = \"534fff75a3a7292c64a77de4\")."
        )
    found = find_dataset_in_org(client, target.organization_id)
    return found, found is not None


def build_plan(client: DatagouvClient, target: Target, out_dir: Path, state: PublicationState,
               force: bool = False, schema_name: str | None = None) -> Plan:
    """Compare the output folder with the server. Only GET requests.

    `schema_name`: once the schema is in the schema.data.gouv.fr catalogue, its name there;
    otherwise the project tables point to the URL of the published schema.json.
    """
    specs = catalogue(out_dir)
    if not specs:
        raise PublicationError(f"{out_dir} : aucun fichier à publier (lancez d'abord l'export).")
    if LICENSE not in client.licenses():
        raise PublicationError(f"La licence « {LICENSE} » (Licence Ouverte 2.0) est inconnue de {target.api_url}.")
    allowed = client.extensions()
    remote_ds, adopted = _dataset(client, target, state)
    remote = list((remote_ds or {}).get("resources") or [])
    by_id = {r["id"]: r for r in remote}
    notes: list[str] = []
    claimed: set[str] = {rid for rid in state.resources.values() if rid in by_id}
    steps: list[FileStep] = []
    remotes: list[dict | None] = []
    for spec in specs:
        path = out_dir / spec.key
        step = FileStep(spec.key, spec.upload_name(allowed), spec.title, CREATE, file_sha1(path),
                        path.stat().st_size)
        step.chunked = step.size > client.chunk_threshold
        if step.upload_name is None:
            step.action = REFUSED
            step.reason = (f"le format .{spec.extension} n'est pas accepté par {target.api_url} "
                           "(absent de /datasets/extensions/) ; ce fichier n'est pas publié, les autres le sont")
            steps.append(step)
            remotes.append(None)
            continue
        if step.upload_name != spec.file_name:
            step.reason = f"publié sous le nom {step.upload_name}, le format .{spec.extension} n'étant pas accepté"
        recorded = state.resources.get(spec.key)
        res = by_id.get(recorded) if recorded else None
        if recorded and res is None:
            notes.append(f"{spec.key} : la ressource enregistrée {recorded} n'existe plus sur le serveur.")
        if res is None:
            res = find_adoptable(remote, spec, step.upload_name, claimed)
            step.adopted = res is not None
        if res is not None:
            claimed.add(res["id"])
            step.resource_id = res["id"]
            step.remote_sha1 = (res.get("checksum") or {}).get("value")
            step.action = UNCHANGED if step.remote_sha1 == step.local_sha1 and not force else REPLACE
        steps.append(step)
        remotes.append(res)
    schema_urls = {s.key: client.stable_url(s.resource_id) for s in steps
                   if s.action != REFUSED and s.resource_id and any(sp.schema == s.key for sp in specs)}
    links: dict[str, str | None] = {}
    for step, spec, res in zip(steps, specs, remotes):
        if step.action == REFUSED:
            continue
        # The catalogue's schema name, when configured, is the project schema's only.
        name = schema_name if spec.schema == SCHEMA_FILE else None
        schema = schema_reference(name, schema_urls.get(spec.schema)) if spec.schema else None
        step.metadata = resource_metadata(spec, schema)
        step.metadata_changes = resource_metadata_changes(res, step.metadata)
        url = client.stable_url(step.resource_id) if step.resource_id else None
        links[step.key] = url
        links[Path(step.key).name] = url
    extra = sorted(r.get("title") or r["id"] for r in remote if r["id"] not in claimed)
    if extra:
        notes.append("Ressources présentes sur data.gouv.fr hors catalogue, laissées telles quelles : "
                     + ", ".join(extra) + ".")
    wanted = dataset_metadata(out_dir, links)
    if remote_ds is None:
        ds = DatasetStep(CREATE, None, target.organization_id, changes={
            k: {"avant": None, "apres": v} for k, v in wanted.as_payload().items()})
    else:
        changes = metadata_changes(remote_ds, wanted)
        ds = DatasetStep("update" if changes else UNCHANGED, remote_ds["id"], target.organization_id, adopted, changes)
    return Plan(target.name, target.api_url, target.production, force, ds, steps, notes, schema_name)
