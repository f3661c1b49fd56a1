"""Header matching: each column label as a ministry wrote it → a schema field.

A label matches a field by its name, its French title or a known alias, ignoring case, accents,
spaces, punctuation and a trailing unit ("(M€)", "en années"), so that both historical formats and
hand-edited headers are understood without guessing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from panorama.findings.core import Finding, Severity
from panorama.model import load_schema_descriptor

# Pseudo-field: a "Ministère porteur" column may hold a code (format 1) or a full name (format 2).
MINISTRY = "ministere"
# Columns of known exports that carry nothing for the schema: recognised, then left out (INFO).
IGNORED = "__ignore__"

ALIASES: dict[str, tuple[str, ...]] = {
    "identifiant": ("Identifiant", "ID", "Id projet", "Identifiant projet"),
    "ministere_code": ("Code ministère", "Code du ministère", "Sigle du ministère", "Sigle ministère"),
    MINISTRY: ("Ministère porteur", "Ministère", "Ministère porteur du projet"),
    "ministere_nom": ("Ministère nom complet", "Nom du ministère", "Nom complet du ministère"),
    "nom_projet": ("Projet", "Nom", "Intitulé du projet", "Nom projet"),
    "description": ("Description et objectifs", "Description", "Objectifs", "Description du projet"),
    "liens_projet": ("En savoir plus", "Lien projet", "Liens projet", "Liens", "Site du projet"),
    "projet_interministeriel": ("Projet inter-ministériel", "Interministériel", "Inter-ministériel"),
    "date_debut": ("Début", "Date de début", "Date début", "Début du projet", "Date de lancement"),
    "duree_previsionnelle_annees": (
        "Durée prévisionnelle en année", "Durée prévisionnelle", "Durée du projet en années",
        "Durée du projet", "Durée",
    ),
    "phase": ("Phase", "Phase en cours", "Phase du projet"),
    "cout_estime_meur": ("Coût estimé", "Coût complet estimé", "Coût", "Coût total estimé"),
    "tranche_cout": ("Coût estimé par tranche", "Tranche", "Tranche de coût estimé"),
    "zone_fonctionnelle": ("Zone fonctionnelle", "Zone fonctionnelle principale"),
    "programme_financement": (
        "Financement [programme(s)]", "Financement", "Programme(s) de financement", "Programme LOLF",
        "Programmes",
    ),
    "lien_pap": (
        "Lien vers les Projets Annuels de Performances", "Lien vers le PAP", "Lien PAP",
        "Projet annuel de performances",
    ),
    "cout_initial_meur": (
        "Coût initial", "Budget initial", "Coût prévisionnel initial", "Coût initial estimé",
        "Budget prévisionnel initial",
    ),
    "cout_actualise_meur": (
        "Coût actualisé", "Budget actualisé", "Coût prévisionnel actualisé", "Budget prévisionnel actualisé",
    ),
    "duree_initiale_annees": ("Durée initiale", "Durée prévisionnelle initiale", "Durée initiale prévue"),
    "duree_actualisee_annees": ("Durée actualisée", "Durée prévisionnelle actualisée"),
    IGNORED: ("Date de publication", "Date d'édition", "Date de mise à jour"),
}

_UNIT = re.compile(
    r"(?:\s+|\s*[\(\[]\s*)(?:en\s+)?(?:m€|meur|m eur|millions? d.euros|annees?|ans)\s*[\)\]]?\s*$"
)


def header_key(label: str | None) -> str:
    """Comparison key of a label: no accents, case, trailing unit, spaces or punctuation."""
    if label is None:
        return ""
    text = str(label)
    return _short_key(text) if len(text) <= 200 else _key(text)


@lru_cache(maxsize=4096)
def _short_key(label: str) -> str:
    """`_key` once per distinct short text: every candidate header row of every file asks (a long
    cell, never a header, is not kept in the cache)."""
    return _key(label)


def _key(label: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(label))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()
    plain = _UNIT.sub("", plain)
    return re.sub(r"[^a-z0-9]", "", plain)


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for f in load_schema_descriptor()["fields"]:
        index[header_key(f["name"])] = f["name"]
        index[header_key(f["title"])] = f["name"]
    for target, labels in ALIASES.items():  # explicit aliases win over titles ("Ministère porteur")
        for label in labels:
            index[header_key(label)] = target
    index.pop("", None)
    return index


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    return _build_index()


def known_field(label: str | None) -> str | None:
    """The field (or MINISTRY / IGNORED) a label stands for, None when unknown."""
    return _index().get(header_key(label))


def header_score(cells: list[str | None]) -> int:
    """How many cells of a candidate header row match a known header (reading picks the best row)."""
    return sum(1 for c in cells if c is not None and known_field(c) is not None)


@dataclass
class HeaderMatch:
    columns: dict[str, int] = field(default_factory=dict)   # field → column index in the raw data
    labels: dict[str, str] = field(default_factory=dict)    # field → label as written
    unknown_columns: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return any(f.blocking for f in self.findings)


REQUIRED_COLUMNS: dict[str, str] = {
    "nom_projet": "Nom du projet",
    MINISTRY: "Ministère porteur",
    "projet_interministeriel": "Projet interministériel",
    "date_debut": "Début",
    "phase": "Phase du projet en cours",
}


def match_headers(
    header: list[str | None], column_empty: list[bool], file: str, sheet: str | None = None,
    header_row: int | None = None,
) -> HeaderMatch:
    """Map the header row to schema fields and report unknown, duplicated and missing columns."""
    m = HeaderMatch()
    first_seen: dict[str, str] = {}
    empty_unnamed = 0
    for index, label in enumerate(header):
        text = (label or "").strip()
        if not text:
            if column_empty[index]:
                empty_unnamed += 1
                continue
            m.findings.append(Finding(
                "blank-header", Severity.WARNING, file, sheet=sheet, row=header_row, column=f"colonne {index + 1}",
                message=f"La colonne n° {index + 1} n'a pas d'intitulé mais contient des valeurs : elle est ignorée.",
                expected="un intitulé connu, par exemple « Nom du projet » ou « Coût estimé »",
            ))
            continue
        target = known_field(text)
        if target is None:
            m.unknown_columns.append(text)
            m.findings.append(Finding(
                "colonne-inconnue", Severity.WARNING, file, sheet=sheet, row=header_row, column=label,
                value=text,
                message=f"La colonne « {text} » ne correspond à aucun champ du schéma : elle est ignorée.",
                expected="un intitulé du schéma, par exemple « Nom du projet », « Début », « Coût estimé »",
            ))
            continue
        if target == IGNORED:
            m.findings.append(Finding(
                "colonne-ignoree", Severity.INFO, file, sheet=sheet, row=header_row, column=label, value=text,
                message=f"La colonne « {text} » est connue mais n'est pas reprise (la date vient de l'édition).",
            ))
            continue
        if target in first_seen:
            m.findings.append(Finding(
                "duplicate-label", Severity.BLOCKING, file, sheet=sheet, row=header_row, column=label,
                field=None if target == MINISTRY else target, value=text,
                message=(f"La colonne « {text} » (n° {index + 1}) désigne le même champ que la colonne "
                         f"« {first_seen[target]} » : impossible de savoir laquelle retenir."),
                expected="une seule colonne par champ ; supprimez ou renommez le doublon",
            ))
            continue
        first_seen[target] = text
        m.columns[target] = index
        m.labels[target] = label if label is not None else text
    if empty_unnamed:
        m.findings.append(Finding(
            "colonnes-vides-ignorees", Severity.INFO, file, sheet=sheet, row=header_row,
            value=str(empty_unnamed),
            message=f"{empty_unnamed} colonne(s) sans intitulé et sans valeur ont été ignorées.",
        ))
    has_ministry = any(k in m.columns for k in (MINISTRY, "ministere_code", "ministere_nom"))
    for target, label in REQUIRED_COLUMNS.items():
        present = has_ministry if target == MINISTRY else target in m.columns
        if not present:
            m.findings.append(Finding(
                "colonne-manquante", Severity.BLOCKING, file, sheet=sheet, row=header_row, column=label,
                field=None if target == MINISTRY else target,
                message=f"La colonne obligatoire « {label} » est absente de l'en-tête.",
                expected=f"une colonne intitulée « {label} »",
            ))
    return m
