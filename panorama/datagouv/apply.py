"""Carry out a publication plan, step by step, each step safe to repeat.

- Upload and metadata update are separate steps: a failed metadata PUT never causes a second upload.
- A creating call (dataset, new resource) is never repeated blindly: after a doubtful failure the
  server is read again and what the lost call created is adopted; only then is the call repeated.
- Ids are recorded (atomically) right after each creation, so a run killed anywhere resumes cleanly.
- A file is replaced in place (the replace endpoint stores the new file before dropping the old
  one); nothing is deleted first.
- The dataset is updated by GET, change, PUT of the whole object (a partial PUT wipes fields).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from panorama.datagouv.client import DatagouvClient
from panorama.datagouv.errors import ApiError, ChecksumMismatch, PublicationError, PublicationRefused
from panorama.datagouv.metadata import dataset_metadata, metadata_changes, updated_whole
from panorama.datagouv.plan import (
    CREATE,
    REFUSED,
    REPLACE,
    FileStep,
    Plan,
    find_adoptable,
    find_dataset_in_org,
    resource_metadata,
    resource_metadata_changes,
    schema_reference,
)
from panorama.datagouv.resources import SCHEMA_FILE, ResourceSpec, catalogue, display_order
from panorama.datagouv.state import PublicationState, save_state
from panorama.settings import Target

log = logging.getLogger("panorama.datagouv")

DONE_LABELS = {CREATE: "créé", REPLACE: "remplacé", "unchanged": "inchangé", REFUSED: "refusé (format non accepté)"}


@dataclass
class PublicationResult:
    dataset_id: str
    rows: list[dict[str, str]]
    stats: dict[str, int] = field(default_factory=dict)


def check_production(target: Target, yes: bool, confirm: Callable[[str], bool] | None) -> None:
    """A production target needs --yes or an explicit interactive confirmation."""
    if not target.production or yes:
        return
    question = (f"Publier sur la cible de PRODUCTION « {target.name} » ({target.api_url}) ? "
                "Les fichiers seront visibles de tous.")
    if confirm is not None and confirm(question):
        return
    raise PublicationRefused(
        f"Publication refusée : « {target.name} » est une cible de production. Relancez avec --yes "
        "après avoir relu le plan (--dry-run), ou confirmez dans un terminal interactif."
    )


class _Run:
    def __init__(self, client: DatagouvClient, plan: Plan, out_dir: Path, state: PublicationState,
                 state_file: Path) -> None:
        self.client = client
        self.plan = plan
        self.out_dir = out_dir
        self.state = state
        self.state_file = state_file
        self.specs = {spec.key: spec for spec in catalogue(out_dir)}
        self.dataset_id = ""

    # ----------------------------------------------------------------- state
    def record_dataset(self, dataset_id: str) -> None:
        self.dataset_id = dataset_id
        if self.state.dataset_id != dataset_id:
            self.state.dataset_id = dataset_id
            save_state(self.state_file, self.state)

    def record(self, key: str, resource_id: str) -> None:
        if self.state.resources.get(key) != resource_id:
            self.state.resources[key] = resource_id
            save_state(self.state_file, self.state)

    def resources(self) -> list[dict]:
        return list(self.client.get_dataset(self.dataset_id).get("resources") or [])

    # --------------------------------------------------------------- dataset
    def ensure_dataset(self) -> dict:
        step = self.plan.dataset
        if step.action != CREATE:
            self.record_dataset(str(step.dataset_id))
            return self.client.get_dataset(self.dataset_id)
        org = str(step.organization_id)
        pending = {key: None for s in self.plan.files if s.action != REFUSED for key in (s.key, Path(s.key).name)}
        payload = dataset_metadata(self.out_dir, pending).as_payload() | {"organization": org}
        attempt = 0
        while True:
            try:
                created = self.client.create_dataset(payload)
                break
            except ApiError as exc:
                if not exc.transient or attempt >= self.client.max_retries:
                    raise
            attempt += 1
            found = find_dataset_in_org(self.client, org)
            if found is not None:
                log.info("dataset found after a doubtful creation: %s", found["id"])
                created = found
                break
            self.client.pause(attempt)
        self.record_dataset(created["id"])
        return created

    # ----------------------------------------------------------------- files
    def create_file(self, step: FileStep, spec: ResourceSpec) -> dict:
        path = self.out_dir / step.key
        name = str(step.upload_name)
        attempt = 0
        while True:
            try:
                return self.client.upload_new(self.dataset_id, path, name, step.local_sha1)
            except ChecksumMismatch as exc:
                if exc.resource_id:
                    self.record(step.key, exc.resource_id)
                raise
            except ApiError as exc:
                if not exc.transient or attempt >= self.client.max_retries:
                    raise
            attempt += 1
            claimed = set(self.state.resources.values())
            found = find_adoptable(self.resources(), spec, name, claimed)
            if found is not None:
                self.record(step.key, found["id"])
                if (found.get("checksum") or {}).get("value") == step.local_sha1:
                    return found
                return self.replace_file(step, found["id"])
            self.client.pause(attempt, floor=self.client.upload_retry_floor)

    def replace_file(self, step: FileStep, resource_id: str) -> dict:
        path = self.out_dir / step.key
        attempt = 0
        while True:
            try:
                return self.client.upload_replace(self.dataset_id, resource_id, path, str(step.upload_name),
                                                  step.local_sha1)
            except ChecksumMismatch:
                raise
            except ApiError as exc:
                if not exc.transient or attempt >= self.client.max_retries:
                    raise
            attempt += 1
            current = next((r for r in self.resources() if r["id"] == resource_id), None)
            if current is not None and (current.get("checksum") or {}).get("value") == step.local_sha1:
                return current
            self.client.pause(attempt, floor=self.client.upload_retry_floor)

    def put_metadata(self, resource: dict, spec: ResourceSpec, schema_urls: dict[str, str]) -> bool:
        # The catalogue's schema name, when configured, is the project schema's only.
        name = self.plan.schema_name if spec.schema == SCHEMA_FILE else None
        schema = schema_reference(name, schema_urls.get(spec.schema)) if spec.schema else None
        wanted = resource_metadata(spec, schema)
        if not resource_metadata_changes(resource, wanted):
            return False
        self.client.update_resource(self.dataset_id, resource["id"], wanted)
        return True

    # ------------------------------------------------------------------ run
    def run(self) -> PublicationResult:
        dataset = self.ensure_dataset()
        by_id = {r["id"]: r for r in dataset.get("resources") or []}
        schema_urls: dict[str, str] = {}  # Table Schema key → its stable URL, once uploaded (they come first)
        rows: list[dict[str, str]] = []
        links: dict[str, str | None] = {}
        for step in self.plan.files:
            spec = self.specs[step.key]
            if step.action == REFUSED:
                rows.append(self.row(step, DONE_LABELS[REFUSED], None))
                continue
            if step.action == CREATE:
                resource = self.create_file(step, spec)
            elif step.action == REPLACE:
                resource = self.replace_file(step, str(step.resource_id))
            else:
                resource = by_id.get(str(step.resource_id)) or {}
                if not resource:
                    raise PublicationError(f"{step.key} : la ressource {step.resource_id} a disparu pendant la publication ; relancez.")
            self.record(step.key, resource["id"])
            if any(other.schema == step.key for other in self.specs.values()):
                schema_urls[step.key] = self.client.stable_url(resource["id"])
            changed = self.put_metadata(resource, spec, schema_urls)
            label = DONE_LABELS[step.action] + (" ; métadonnées mises à jour" if changed else "")
            rows.append(self.row(step, label, resource["id"]))
            links[step.key] = links[Path(step.key).name] = self.client.stable_url(resource["id"])
        self.finish_dataset(links)
        return PublicationResult(self.dataset_id, rows, asdict(self.client.stats))

    def finish_dataset(self, links: dict[str, str | None]) -> None:
        """GET, change, PUT the whole object, now that every stable URL is known; then put the
        resources in display order (udata lists the latest upload first)."""
        current = self.client.get_dataset(self.dataset_id)
        wanted = dataset_metadata(self.out_dir, links)
        if metadata_changes(current, wanted):
            current = self.client.put_dataset(self.dataset_id, updated_whole(current, wanted))
        present = [r["id"] for r in current.get("resources") or []]
        ours = [self.state.resources[spec.key] for spec in display_order(self.specs.values())
                if self.state.resources.get(spec.key) in present]
        order = ours + [rid for rid in present if rid not in ours]
        if order != present:
            self.client.reorder_resources(self.dataset_id, order)

    def row(self, step: FileStep, label: str, resource_id: str | None) -> dict[str, str]:
        return {"fichier": step.key, "ressource": step.title, "action": label, "sha1": step.local_sha1,
                "url": self.client.stable_url(resource_id) if resource_id else "", "id": resource_id or ""}


def apply_plan(client: DatagouvClient, plan: Plan, out_dir: Path, state: PublicationState,
               state_file: Path) -> PublicationResult:
    """Carry out `plan`; returns the summary rows (also for Prefect artifacts) and the counters."""
    return _Run(client, plan, out_dir, state, state_file).run()


def summary_rows(plan: Plan) -> list[dict[str, Any]]:
    """The plan as rows (dry run): same columns as the result of `apply_plan`."""
    labels = {CREATE: "à créer", REPLACE: "à remplacer", "unchanged": "inchangé", REFUSED: "refusé (format non accepté)"}
    return [{"fichier": s.key, "ressource": s.title, "action": labels[s.action], "sha1": s.local_sha1,
             "url": "", "id": s.resource_id or ""} for s in plan.files]
