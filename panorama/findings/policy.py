"""The severity policy of a run: the catalogue's severities, as the steward adjusted them.

`data/raw/politique.toml` lets the steward raise or lower a finding type's severity without
touching code:

    [gravite]
    date-debut-future = "bloquant"           # the whole type
    type-error.date_debut = "bloquant"       # one field of a type

It is read once per run and handed to validation explicitly (no process-wide state); a file that
names an unknown code, field or severity stops the run with a French message naming the file and
the line (exit 2). Without the file, the catalogue's defaults apply.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from panorama.errors import SettingsError
from panorama.findings.catalog import CATALOG
from panorama.findings.core import Finding, Severity

POLICY_FILE = "politique.toml"
SECTION = "gravite"
_SEVERITIES = {str(s): s for s in Severity}
# A non-blocking finding of these types leaves the cell's typed value empty (the cell as written
# stays in the report): a value the schema refuses is never published.
EMPTIES_VALUE = frozenset({"type-error", "constraint-error", "formule-tableur", "caractere-de-controle"})


class PolicyError(SettingsError):
    """politique.toml cannot be used: unreadable TOML, unknown code, field or severity (exit 2)."""


@dataclass(frozen=True)
class Policy:
    """Severity per finding type (and per field where the steward or the catalogue says so)."""

    by_code: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    by_field: Mapping[tuple[str, str], Severity] = field(default_factory=lambda: MappingProxyType({}))
    source: str = "catalogue"
    digest: str = "defaut"

    def severity(self, code: str, field_name: str | None = None) -> Severity | None:
        """The severity of `code` (for `field_name`) in this run; None for a code not in the catalogue."""
        found = self.by_field.get((code, field_name or ""))
        if found is not None:
            return found
        entry = CATALOG.get(code)
        if entry is None:
            return None
        if field_name and field_name in entry.by_field and code not in self.by_code:
            return entry.by_field[field_name]
        return self.by_code.get(code, entry.severity_for(field_name))

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings with this policy's severity (a finding the catalogue does not know keeps its own)."""
        out = []
        for f in findings:
            wanted = self.severity(f.type, f.field)
            out.append(f if wanted is None or wanted is f.severity else replace(f, severity=wanted))
        return out


DEFAULT_POLICY = Policy()


def _line_of(text: str, code: str, sub: str | None = None) -> int | None:
    """The line of politique.toml where a key is written (for the error message)."""
    wanted = [code, f'"{code}"'] if sub is None else [sub, f'"{sub}"', f"{code}.{sub}", f'"{code}".{sub}']
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0]
        if any(re.search(rf"(^|[\s.\"[]){re.escape(w)}([\s.\"=\]]|$)", stripped) for w in wanted):
            return number
    return None


def _error(path: Path, text: str, code: str, sub: str | None, what: str) -> PolicyError:
    line = _line_of(text, code, sub)
    where = f"{path}, ligne {line}" if line else str(path)
    return PolicyError(f"{where} : {what}")


def _severity(path: Path, text: str, code: str, sub: str | None, value: object) -> Severity:
    if isinstance(value, str) and value.strip().lower() in _SEVERITIES:
        return _SEVERITIES[value.strip().lower()]
    name = f"{code}.{sub}" if sub else code
    raise _error(path, text, code, sub, f"gravité inconnue {value!r} pour « {name} ». Attendu : « bloquant », "
                                        "« avertissement » ou « information ».")


def _fixed(path: Path, text: str, code: str, sub: str | None, severity: Severity) -> None:
    entry = CATALOG[code]
    if entry.fixed and severity is not entry.severity_for(sub):
        raise _error(path, text, code, sub, f"la gravité de « {code} » ne peut pas être changée "
                                            f"(« {entry.title} » : sans elle, l'historique ne peut pas être construit).")


def load_policy(path: Path) -> Policy:
    """Read and check politique.toml; a missing file is the catalogue's defaults."""
    if not path.is_file():
        return DEFAULT_POLICY
    from panorama.model import project_fields  # the schema's field names, for `code.champ` keys

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise PolicyError(f"{path} : le fichier n'est pas en UTF-8. Attendu : un fichier TOML enregistré en UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path} : TOML illisible ({exc}). Attendu par exemple :\n[{SECTION}]\n"
                          'date-debut-future = "bloquant"') from None
    for key in data:
        if key != SECTION:
            raise _error(path, text, key, None, f"section ou clé inconnue « {key} ». Attendu : une section "
                                                f"[{SECTION}] qui associe un type de constat à une gravité.")
    fields = set(project_fields())
    by_code: dict[str, Severity] = {}
    by_field: dict[tuple[str, str], Severity] = {}
    for code, value in (data.get(SECTION) or {}).items():
        if code not in CATALOG:
            raise _error(path, text, code, None, f"type de constat inconnu « {code} ». Attendu : un code du catalogue "
                                                 "des constats, par exemple « date-debut-future » ou « type-error ».")
        if isinstance(value, dict):
            for sub, level in value.items():
                if sub not in fields:
                    raise _error(path, text, code, sub, f"champ inconnu « {sub} » pour « {code} ». Attendu : un champ "
                                                        "du schéma, par exemple « date_debut » ou « cout_estime_meur ».")
                severity = _severity(path, text, code, sub, level)
                _fixed(path, text, code, sub, severity)
                by_field[(code, sub)] = severity
        else:
            severity = _severity(path, text, code, None, value)
            _fixed(path, text, code, None, severity)
            by_code[code] = severity
    return Policy(MappingProxyType(by_code), MappingProxyType(by_field), str(path),
                  hashlib.sha256(raw).hexdigest()[:16])


def policy_for(raw_dir: Path | None) -> Policy:
    """The policy of a raw folder (its politique.toml), or the catalogue's defaults."""
    return DEFAULT_POLICY if raw_dir is None else load_policy(Path(raw_dir) / POLICY_FILE)
