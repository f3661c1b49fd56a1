"""The finding types: a stable code, its default severity and a French title.

Reports group and count findings by these codes; the frictionless codes keep frictionless's
meaning so that a reuser who knows one knows the other.
"""
from __future__ import annotations

from dataclasses import dataclass

from panorama.findings.core import Severity


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: Severity
    title: str


_B, _W, _I = Severity.BLOCKING, Severity.WARNING, Severity.INFO

CATALOG: dict[str, FindingType] = {t.code: t for t in (
    # Table Schema (frictionless codes)
    FindingType("type-error", _B, "Valeur d'un type inattendu"),
    FindingType("constraint-error", _B, "Valeur qui ne respecte pas une contrainte du schéma"),
    FindingType("unique-error", _B, "Valeur répétée dans une colonne à valeurs uniques"),
    FindingType("primary-key", _B, "Clé primaire répétée"),
    FindingType("missing-label", _B, "Intitulé de colonne manquant"),
    FindingType("duplicate-label", _B, "Colonne en double"),
    FindingType("blank-header", _W, "Colonne sans intitulé"),
    FindingType("extra-cell", _B, "Cellule en trop sur une ligne"),
    FindingType("missing-cell", _B, "Cellule manquante sur une ligne"),
    FindingType("blank-row", _I, "Ligne vide"),
    # File and header
    FindingType("fichier-illisible", _B, "Fichier illisible"),
    FindingType("fichier-sans-donnees", _B, "Fichier sans aucune ligne de projet"),
    FindingType("colonne-manquante", _B, "Colonne obligatoire absente"),
    FindingType("colonne-inconnue", _W, "Colonne inconnue, ignorée"),
    FindingType("colonne-ignoree", _I, "Colonne connue, non reprise"),
    FindingType("colonnes-vides-ignorees", _I, "Colonnes vides ignorées"),
    FindingType("lignes-vides-ignorees", _I, "Lignes vides ignorées"),
    FindingType("lignes-avant-en-tete-ignorees", _I, "Lignes de titre au-dessus des en-têtes ignorées"),
    FindingType("feuille-lue", _I, "Feuille du classeur lue"),
    FindingType("feuille-ignoree", _I, "Feuille du classeur ignorée"),
    FindingType("encodage-windows-1252", _I, "Fichier encodé en Windows-1252 (et non UTF-8)"),
    # Values
    FindingType("ministere-inconnu", _B, "Ministère absent de la table de référence"),
    FindingType("cout-en-cadrage", _W, "Coût « En cadrage » pour un projet hors phase de cadrage"),
    FindingType("duree-en-cadrage", _W, "Durée « En cadrage » pour un projet hors phase de cadrage"),
    FindingType("date-debut-en-cadrage", _W, "Date de début absente pour un projet en cadrage"),
    FindingType("formule-tableur", _B, "Formule de tableur dans une cellule"),
    FindingType("caractere-de-controle", _B, "Caractère de contrôle dans une cellule"),
    # Cross-field and cross-file
    FindingType("tranche-incoherente", _W, "Tranche de coût incohérente avec le coût estimé"),
    FindingType("date-debut-manquante", _B, "Date de début absente pour un projet hors cadrage"),
    FindingType("date-debut-future", _B, "Date de début postérieure à la date de l'édition"),
    FindingType("duree-non-positive", _B, "Durée nulle ou négative"),
    FindingType("projet-en-double", _B, "Projet déclaré deux fois dans l'édition"),
)}


def severity_of(code: str) -> Severity:
    return CATALOG[code].severity


def title_of(code: str) -> str:
    found = CATALOG.get(code)
    return found.title if found else code


def brief(value: object, limit: int = 60) -> str:
    """A value short enough to sit inside a sentence (the full clipped value goes in `value`)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + f"… ({len(str(value))} caractères)"
