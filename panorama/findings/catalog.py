"""The finding types: a stable code, its default severity and a French title.

Reports group and count findings by these codes; the frictionless codes keep frictionless's
meaning so that a reuser who knows one knows the other. A code's severity may depend on the
field it concerns (`by_field`): a cost that is not a number blocks (the total would silently
change), an unreadable date only warns (no figure uses it). The severity a run applies is this
default unless the steward's `data/raw/politique.toml` changes it (`panorama.findings.policy`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from panorama.findings.core import Severity


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: Severity
    title: str
    by_field: Mapping[str, Severity] = field(default_factory=dict)
    fixed: bool = False  # the pipeline cannot go on otherwise: politique.toml may not change it

    def severity_for(self, field_name: str | None) -> Severity:
        return self.by_field.get(field_name or "", self.severity)


_B, _W, _I = Severity.BLOCKING, Severity.WARNING, Severity.INFO

# The fields behind the headline figures: a filled value that is not a usable number would change
# the total cost, the mean duration or a deviation rate without anyone noticing.
FIGURE_FIELDS = ("duree_previsionnelle_annees", "cout_estime_meur", "cout_initial_meur", "cout_actualise_meur",
                 "duree_initiale_annees", "duree_actualisee_annees")
# The fields without which a row is no project: its name and the ministry that carries it.
KEY_FIELDS = ("nom_projet", "ministere_code", "ministere_nom")


def _fields(severity: Severity, *names: str) -> Mapping[str, Severity]:
    return MappingProxyType({n: severity for n in names})


CATALOG: dict[str, FindingType] = {t.code: t for t in (
    # Table Schema (frictionless codes): blocking only where a figure or the row itself depends on it
    FindingType("type-error", _W, "Valeur d'un type inattendu", _fields(_B, *FIGURE_FIELDS)),
    FindingType("constraint-error", _W, "Valeur qui ne respecte pas une contrainte du schéma",
                _fields(_B, *FIGURE_FIELDS, *KEY_FIELDS)),
    FindingType("unique-error", _B, "Valeur répétée dans une colonne à valeurs uniques", fixed=True),
    FindingType("primary-key", _B, "Clé primaire répétée", fixed=True),
    FindingType("missing-label", _B, "Intitulé de colonne manquant"),
    FindingType("duplicate-label", _B, "Colonne en double"),
    FindingType("blank-header", _W, "Colonne sans intitulé"),
    FindingType("extra-cell", _B, "Cellule en trop sur une ligne"),
    FindingType("missing-cell", _W, "Cellule manquante sur une ligne"),
    FindingType("blank-row", _I, "Ligne vide"),
    # File and header
    FindingType("fichier-illisible", _B, "Fichier illisible", fixed=True),
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
    FindingType("ministere-inconnu", _W, "Ministère absent de la table de référence : code provisoire"),
    FindingType("valeur-non-communiquee", _I, "Mention « non communiqué » lue comme une case vide"),
    FindingType("cout-en-cadrage", _W, "Coût « En cadrage » pour un projet hors phase de cadrage"),
    FindingType("duree-en-cadrage", _W, "Durée « En cadrage » pour un projet hors phase de cadrage"),
    FindingType("date-debut-en-cadrage", _W, "Date de début absente pour un projet en cadrage"),
    FindingType("formule-tableur", _B, "Formule de tableur dans une cellule"),
    FindingType("caractere-de-controle", _B, "Caractère de contrôle dans une cellule"),
    # Cross-field and cross-file
    FindingType("tranche-incoherente", _W, "Tranche de coût incohérente avec le coût estimé"),
    FindingType("date-debut-manquante", _W, "Date de début absente pour un projet hors cadrage"),
    FindingType("date-debut-future", _W, "Date de début postérieure à la date de l'édition (projet prévu)"),
    FindingType("duree-non-positive", _B, "Durée nulle ou négative"),
    FindingType("projet-en-double", _B, "Projet déclaré deux fois dans l'édition", fixed=True),
    # Reading: encodings, mis-encoded text, hidden sheets
    FindingType("encodage-detecte", _I, "Fichier lu dans un encodage autre que UTF-8"),
    FindingType("encodage-incertain", _W, "Encodage du fichier incertain : accents à vérifier"),
    FindingType("texte-mal-encode", _W, "Texte abîmé par un mauvais encodage (ex. « Ã© » pour « é »)"),
    FindingType("feuille-masquee-lue", _W, "Feuille masquée lue, faute de feuille visible remplie"),
)}


def severity_of(code: str, field_name: str | None = None) -> Severity:
    """The catalogue's (default) severity of a finding type, for a field when it depends on it."""
    return CATALOG[code].severity_for(field_name)


def title_of(code: str) -> str:
    found = CATALOG.get(code)
    return found.title if found else code


def brief(value: object, limit: int = 60) -> str:
    """A value short enough to sit inside a sentence (the full clipped value goes in `value`)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + f"… ({len(str(value))} caractères)"
