"""How the headline figures are computed, in French: one text for the page, the dataset
description and the published files, so that they can never disagree.

Paragraphs are plain text (no markup); each renderer escapes and wraps them itself.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One rule: a short title and its explanation in plain French."""

    title: str
    paragraphs: tuple[str, ...]


INTRODUCTION = (
    "Les chiffres clés de chaque édition sont recalculés à partir des lignes de projets publiées, "
    "selon les règles ci-dessous. Elles reprennent celles des tableaux de bord publiés depuis 2016 "
    "et précisent ce que ceux-ci laissaient implicite. Les calculs portent sur les valeurs exactes ; "
    "seul l'affichage est arrondi."
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "Nombre de projets",
        ("Toutes les lignes de projet non vides de l'édition. Une ligne entièrement vide n'est pas un projet. "
         "Les projets en révision de trajectoire, dont le coût et la durée ne sont pas publiés, sont comptés.",),
    ),
    Section(
        "Projets interministériels",
        ("Les projets dont la case « Projet interministériel » vaut « Oui ».",),
    ),
    Section(
        "Coût total",
        (
            "Somme des coûts estimés numériques des projets, en millions d'euros (M€). Les projets en "
            "cadrage, dont le coût n'est pas encore estimé (case « En cadrage » ou vide), sont laissés "
            "de côté : c'est le sens de la mention « hors projets en cadrage ». Le total est affiché en "
            "milliards d'euros (Md€) avec deux décimales.",
            "Les projets en révision de trajectoire sont eux aussi laissés de côté, même si un coût a été "
            "transmis : leur coût et leur durée sont réservés tant que la trajectoire est revue, comme dans les "
            "éditions publiées par la DINUM depuis 2019 (« hors projets en cadrage ou en révision de "
            "trajectoire »). Ils restent dans l'historique et dans le nombre de projets ; dans les "
            "répartitions, ils comptent parmi les projets mais pas dans les coûts.",
        ),
    ),
    Section(
        "Durée moyenne",
        (
            "Moyenne simple (non pondérée) des durées prévisionnelles renseignées, en années, affichée "
            "avec une décimale, hors projets en révision de trajectoire.",
        ),
    ),
    Section(
        "Taux d'écart budgétaire",
        (
            "Moyenne, sur les projets dont le coût initial et le coût actualisé sont connus, de "
            "(coût actualisé − coût initial) / coût initial. Un taux de 13,5 % signifie qu'en moyenne "
            "le coût d'un projet a augmenté de 13,5 % par rapport à sa première estimation. Les projets en "
            "révision de trajectoire n'y entrent pas, pas plus que dans le taux d'écart calendaire.",
        ),
    ),
    Section(
        "Taux d'écart calendaire",
        (
            "Moyenne des écarts entre durées initiales et actualisées, pondérée par la durée initiale : "
            "Σ (durée actualisée − durée initiale) / Σ durée initiale, sur les projets dont les deux "
            "durées sont connues. Les éditions précédentes parlaient de « moyenne pondérée » sans "
            "préciser la pondération ; nous l'indiquons ici.",
        ),
    ),
    Section(
        "Taux calculés ou déclarés",
        (
            "Quand les coûts et durées initiaux et actualisés de chaque projet sont transmis, les deux "
            "taux sont calculés selon les règles ci-dessus et marqués « calculé ».",
            "Pour les éditions dont ces valeurs par projet n'ont jamais été publiées, les taux repris "
            "sont ceux annoncés lors de la publication de l'édition et sont marqués « déclaré » : ils ne "
            "peuvent pas être recalculés à partir des données. Sans l'un ni l'autre, le taux est "
            "marqué « absent ». Quand l'un des deux taux est calculé et l'autre déclaré, l'édition est "
            "marquée « mixte » et chaque taux est signalé comme calculé ou déclaré.",
        ),
    ),
    Section(
        "Projets entrants et sortants",
        (
            "Comparaison avec l'édition précédente, par identifiant de projet : un projet entrant figure "
            "dans l'édition mais pas dans la précédente ; un projet sortant figurait dans la précédente "
            "et n'y est plus (projet terminé, abandonné ou sorti du périmètre). Sans objet pour la "
            "première édition.",
        ),
    ),
    Section(
        "Identifiants des projets",
        (
            "Les fichiers publiés à l'origine ne portaient pas d'identifiant, et les noms changent d'une "
            "édition à l'autre (« Réseau Interministériel de l'Etat » devenu « RIE », par exemple). "
            "Chaque projet reçoit donc un identifiant stable, écrit en minuscules, chiffres et tirets, "
            "attribué à sa première apparition et conservé tant qu'il figure au panorama, même si son "
            "nom change. Un identifiant n'est jamais réutilisé pour un autre projet.",
            "Chaque ligne reçoit son identifiant, par ordre d'autorité : d'abord la table de correspondance "
            "tenue par l'administrateur des données (identifiants.csv), qui l'emporte toujours ; puis "
            "l'identifiant transmis par le ministère avec son projet ; puis un rapprochement sûr avec un "
            "projet d'une édition antérieure, fondé sur le ministère, le nom, son sigle, la description, "
            "la date de début, la durée, le coût et la zone fonctionnelle ; à défaut, un nouvel identifiant "
            "formé du code du ministère et du nom du projet (par exemple « spm-france-connect »). Un "
            "rapprochement incertain n'est jamais retenu automatiquement : il est soumis à "
            "l'administrateur des données, qui le tranche dans la table de correspondance.",
        ),
    ),
)


def methodology_markdown(heading_level: int = 2) -> str:
    """The whole methodology as Markdown, headings starting at `heading_level`."""
    hashes = "#" * heading_level
    parts = [f"{hashes} Méthodologie", INTRODUCTION]
    for section in SECTIONS:
        parts.append(f"{hashes}# {section.title}")
        parts.extend(section.paragraphs)
    return "\n\n".join(parts) + "\n"
