"""The Table Schema as the checks need it, and what both check paths share.

Why not frictionless's `Schema`: importing frictionless costs about a second, which a person
validating one 60-row file would pay on every call. The checks only need each field's name, type,
constraints, example and boolean values, the missing values and the primary key: read here from
the same `schema.json` with frictionless's defaults. `tests/test_schema_examples.py` checks that
our checks report exactly what `frictionless validate` reports on the schema's examples.

This module is the bottom of the validation package: `tableschema.py` (vectorised) and
`schema_cells.py` (lists, for small tables) both build on it and never import each other's
internals.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from panorama.findings.core import Finding
from panorama.model import SCHEMA_PATH, SUBMISSION_REQUIRED_FIELDS, load_schema_descriptor

if TYPE_CHECKING:
    import pandas as pd

# frictionless's defaults (BooleanField.true_values / false_values, Schema.missing_values)
DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    constraints: Mapping[str, Any] = field(default_factory=dict)
    example: Any = None
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()

    @classmethod
    def from_descriptor(cls, d: Mapping[str, Any]) -> FieldSpec:
        kind = str(d.get("type", "any"))
        boolean = kind == "boolean"
        return cls(
            name=str(d["name"]), type=kind, constraints=dict(d.get("constraints") or {}), example=d.get("example"),
            true_values=tuple(d.get("trueValues") or DEFAULT_TRUE) if boolean else (),
            false_values=tuple(d.get("falseValues") or DEFAULT_FALSE) if boolean else (),
        )


@dataclass(frozen=True)
class SchemaSpec:
    fields: tuple[FieldSpec, ...]
    missing_values: list[str] = field(default_factory=lambda: [""])
    primary_key: list[str] = field(default_factory=list)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def get_field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @classmethod
    def from_descriptor(cls, d: Mapping[str, Any]) -> SchemaSpec:
        key = d.get("primaryKey") or ()
        return cls(
            fields=tuple(FieldSpec.from_descriptor(f) for f in d["fields"]),
            missing_values=list(d.get("missingValues", [""])),
            primary_key=[key] if isinstance(key, str) else list(key),
        )


@lru_cache(maxsize=1)
def publication_schema() -> SchemaSpec:
    """The schema as published: identifiant required, unique and primary key."""
    return SchemaSpec.from_descriptor(load_schema_descriptor(SCHEMA_PATH))


@lru_cache(maxsize=1)
def submission_schema() -> SchemaSpec:
    """The schema ministries' files are held to: identifiant optional, no primary key, phase and
    interministerial flag required."""
    descriptor = dict(load_schema_descriptor(SCHEMA_PATH))
    descriptor["fields"] = [dict(f) for f in descriptor["fields"]]
    descriptor.pop("primaryKey", None)
    for f in descriptor["fields"]:
        if f["name"] == "identifiant":
            f["constraints"] = {k: v for k, v in f["constraints"].items() if k != "required"}
        elif f["name"] in SUBMISSION_REQUIRED_FIELDS:
            f["constraints"] = {"required": True, **(f.get("constraints") or {})}
    return SchemaSpec.from_descriptor(descriptor)


def re2_pattern(pattern: str) -> str:
    """A schema pattern for a full match by Arrow's RE2 (no anchors, no \\s \\S \\d classes)."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    body = body[:-1] if body.endswith("$") and not body.endswith("\\$") else body
    space = r" \t\n\r\f\v" + "\u00a0\u2007\u202f\u2009"  # real characters: "\\u" escapes defeat RE2
    return (body.replace(r"\S", f"[^{space}]").replace(r"\s", f"[{space}]").replace(r"\d", "[0-9]"))


@dataclass
class SchemaCheck:
    """Typed columns (float64, datetime64[ns], boolean, object) and the findings, row-positioned."""

    typed: dict[str, pd.Series] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # row position (0-based) of each finding


TYPE_EXPECTED = {
    "number": "un nombre, avec une virgule ou un point décimal, par exemple « {example} »",
    "integer": "un nombre entier, par exemple « {example} »",
    "date": "une date, par exemple « {example} », « 01/07/2013 » ou « juillet 2013 »",
    "boolean": "« Oui » ou « Non »",
}

CONSTRAINT_TEXT = {
    "required": "est vide alors qu'elle est obligatoire",
    "enum": "ne fait pas partie des valeurs admises",
    "maxLength": "est trop longue",
    "minLength": "est trop courte",
    "minimum": "est trop petite",
    "maximum": "est trop grande",
    "pattern": "n'a pas la forme attendue",
}


def expected(f: FieldSpec, constraint: str | None) -> str:
    """The French "expected" text of a finding on field `f` (type error when `constraint` is None)."""
    example = str(f.example or "")
    c = f.constraints or {}
    if constraint is None:
        shown = example.replace(".", ",") if f.type == "number" else example
        return TYPE_EXPECTED.get(f.type, "du texte").format(example=shown)
    if constraint == "required":
        return f"une valeur non vide, par exemple « {example} »"
    if constraint == "enum":
        return "l'une des valeurs : " + ", ".join(f"« {v} »" for v in c["enum"])
    if constraint == "maxLength":
        return f"au plus {c['maxLength']} caractères"
    if constraint == "minLength":
        return f"au moins {c['minLength']} caractères"
    if constraint == "minimum":
        return f"une valeur supérieure ou égale à {c['minimum']}, par exemple « {example} »"
    if constraint == "maximum":
        return f"une valeur inférieure ou égale à {c['maximum']}, par exemple « {example} »"
    if constraint == "pattern" and f.name in ("liens_projet", "lien_pap"):
        return ("une ou plusieurs adresses web commençant par http:// ou https://, séparées par une espace, "
                f"par exemple « {example} »")
    return f"une valeur de la forme attendue, par exemple « {example} »"
