"""What a steward may change without touching code, loaded once per run from the raw folder.

`Rules` bundles the severity policy (`politique.toml`), the ministries reference
(`ministeres.csv`) and the placeholder texts (`valeurs-non-communiquees.csv`) of a raw folder, each
extending the bundled defaults. Validation receives it explicitly; `rules_for(edition)` finds the
raw folder of an edition (its parent), and `panorama validate FILE` outside any edition uses the
defaults. A malformed file is a `SettingsError` in French (exit 2) before anything is written.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from panorama.edition import Edition
from panorama.findings.policy import POLICY_FILE, Policy, load_policy
from panorama.normalise.ministries import STEWARD_FILE as MINISTRIES_FILE
from panorama.normalise.ministries import MinistryReference, load_reference
from panorama.normalise.placeholders import STEWARD_FILE as PLACEHOLDERS_FILE
from panorama.normalise.placeholders import Placeholders, load_placeholders

RULE_FILES = (POLICY_FILE, MINISTRIES_FILE, PLACEHOLDERS_FILE)


@dataclass(frozen=True)
class Rules:
    policy: Policy
    ministries: MinistryReference
    placeholders: Placeholders
    digest: str  # of the steward's files: a cached validation result is reused only under the same rules


def rules_digest(raw_dir: Path | None) -> str:
    """A hash of the steward's rule files of a raw folder ("defaut" without any)."""
    if raw_dir is None:
        return "defaut"
    digest = hashlib.sha256()
    found = False
    for name in RULE_FILES:
        path = Path(raw_dir) / name
        if path.is_file():
            found = True
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16] if found else "defaut"


_LOADED: dict[tuple[str | None, str], Rules] = {}
_KEPT = 8  # raw folders remembered per process (a run has one; tests use many)


def load_rules(raw_dir: Path | None) -> Rules:
    """The rules of a raw folder (None: the bundled defaults).

    Loaded once per folder and content of its rule files (a run validates every submission under
    the same rules: rebuilding the ministries' index each time cost more than validating a small
    file); a rule file that changed has another digest, so it is read again and takes effect. A
    malformed file raises each time (nothing is kept for it).
    """
    try:
        digest = rules_digest(raw_dir)
    except OSError:  # an unreadable rule file: the loaders say which, in French
        return _load(raw_dir)
    key = (str(Path(raw_dir).resolve()) if raw_dir is not None else None, digest)
    rules = _LOADED.get(key)
    if rules is None:
        rules = _load(raw_dir)
        if len(_LOADED) >= _KEPT:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = rules
    return rules


def _load(raw_dir: Path | None) -> Rules:
    return Rules(load_policy(Path(raw_dir) / POLICY_FILE) if raw_dir is not None else Policy(),
                 load_reference(raw_dir), load_placeholders(raw_dir), rules_digest(raw_dir))


def rules_for(edition: Edition | None) -> Rules:
    """The rules that apply to an edition: those of the raw folder that holds it."""
    return load_rules(Path(edition.path).parent if edition is not None else None)
