"""The catalogue behind the sample editions: ministries, programmes and projects.

Why a separate module: it is data, not logic; scripts/generate_samples.py turns it into files.
Each project lists its name in editions 19, 20 and 21 (None when absent), which encodes the
projects entering, leaving and renamed between editions; a fourth name, when given, is its name in
edition 22 (otherwise it keeps its edition-21 name).
"""
from __future__ import annotations

NBSP = "\u00a0"
EDITIONS = (  # id, numero, date, libelle, declared budget rate, declared schedule rate
    ("2024-06", 19, "2024-06-30", "19e édition (juin 2024)", 0.118, 0.176),
    ("2024-12", 20, "2024-12-31", "20e édition (décembre 2024)", 0.112, 0.169),
    ("2025-06", 21, "2025-06-30", "21e édition (juin 2025)", None, None),
    ("2025-12", 22, "2025-12-31", "22e édition (décembre 2025)", None, None),
)
# Edition 22: the labour ministry writes its new government's name (and a code of its own).
NEW_GOVERNMENT = ("MTS", "Ministère du travail, et des solidarités")
# Edition 22: the short month and two-digit year that the dashboard's exports write ("juil.-19").
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
MINISTRIES = {
    "MI": "Ministère de l'Intérieur",
    "MJ": "Ministère de la Justice",
    "MINARM": "Ministère des Armées",
    "MEF": "Ministère de l'Économie, des Finances et de la Souveraineté industrielle et numérique",
    "MEN": "Ministère de l'Éducation nationale",
    "MTSS": "Ministère du Travail, de la Santé et des Solidarités",
    "MTSSF": "Ministère du Travail, de la Santé, des Solidarités et des Familles",
    "MASA": "Ministère de l'Agriculture et de la Souveraineté alimentaire",
    "MTE": "Ministère de la Transition écologique",
    "MC": "Ministère de la Culture",
    "MEAE": "Ministère de l'Europe et des Affaires étrangères",
    "SPM": "Services du Premier ministre",
}
# The ministry renamed between editions 20 and 21 (code and name change).
RENAMED = {"MTSS": ("MTSSF", 2)}
PROGRAMMES = {
    "SPM": "Coordination du travail gouvernemental (P129)", "MI": "Administration territoriale (P307)",
    "MIP": "Police nationale (P176) / Gendarmerie nationale (P152)",
    "MJ": "Conduite et pilotage de la politique de la justice (P310)", "MJP": "Administration pénitentiaire (P107)",
    "MINARM": "Soutien de la politique de la défense (P212)",
    "MEF": "Conduite et pilotage des politiques économiques et financières (P218)",
    "MEFF": "Gestion fiscale et financière de l'État et du secteur public local (P156)",
    "MEFD": "Facilitation et sécurisation des échanges (P302)",
    "MEN": "Soutien de la politique de l'éducation nationale (P214)",
    "MTSS": "Conduite et soutien des politiques sanitaires et sociales (P124)",
    "MTSSE": "Conception, gestion et évaluation des politiques de l'emploi et du travail (P155)",
    "MASA": "Conduite et pilotage des politiques de l'agriculture (P215)",
    "MASAS": "Sécurité et qualité sanitaires de l'alimentation (P206)",
    "MTE": "Conduite et pilotage des politiques de l'écologie, du développement et de la mobilité durables (P217)",
    "MC": "Patrimoines (P175)", "MEAE": "Action de la France en Europe et dans le monde (P105)",
    "MEAEC": "Français à l'étranger et affaires consulaires (P151)",
}
# ministry, programme key, names in editions 19/20/21 (None = absent), zone, interministerial, sub-file, goal
P = [
    ("SPM", "SPM", ("FranceConnect Phase II", "FRANCECONNECT PHASE 2", "FRANCECONNECT PHASE 2"), "Gestion et contrôle des accès / Identification & Authentification", 1, "", "Étendre FranceConnect aux entreprises et aux agents publics"),
    ("SPM", "SPM", ("Réseau interministériel de l'État (RIE)",) * 3, "Gestion des Systèmes d'Information et de Communication", 1, "", "Moderniser le réseau qui relie les services de l'État"),
    ("SPM", "SPM", ("VITAM", "VITAM", "PANAME (Plateforme d'archivage numérique de l'État)"), "Archives définitives", 1, "", "Fournir un socle logiciel libre d'archivage électronique"),
    ("SPM", "SPM", ("ProConnect",) * 3, "Gestion et contrôle des accès / Identification & Authentification", 1, "", "Offrir une identité numérique unique aux agents publics"),
    ("SPM", "SPM", (None, None, "Albert (IA générative pour les agents)"), "Relation avec les Agents", 1, "", "Mettre un assistant d'intelligence artificielle à disposition des agents d'accueil"),
    ("MI", "MIP", ("Réseau radio du futur (RRF)",) * 3, "Sécurité intérieure", 1, "", "Doter les forces de sécurité d'un réseau radio à très haut débit"),
    ("MI", "MI", ("PC STORM", "PC STORM", "Poste de commandement de crise nouvelle génération"), "Alerte & Gestion de crises", 0, "", "Équiper les préfectures d'un outil de gestion de crise"),
    ("MI", "MI", ("France Titres - refonte du SI",) * 3, "Administration générale et territoriale de l'État", 0, "", "Refondre le système de délivrance des titres sécurisés"),
    ("MI", "MIP", ("NEOGEND / NEOPOL",) * 3, "Sécurité intérieure", 0, "", "Équiper les forces de l'ordre de terminaux mobiles"),
    ("MI", "MI", ("SIV nouvelle génération", "SIV nouvelle génération", None), "Administration générale et territoriale de l'État", 0, "", "Refondre le système d'immatriculation des véhicules"),
    ("MI", "MI", ("Plateforme des élections (ELIRE 2)",) * 3, "Administration générale et territoriale de l'État", 0, "", "Dématérialiser les candidatures et les résultats électoraux"),
    ("MI", "MI", (None, "ANEF (Administration numérique des étrangers en France)", "ANEF (Administration numérique des étrangers en France)"), "Délivrance de visas d'entrée en France", 0, "", "Dématérialiser les démarches des étrangers en France"),
    ("MJ", "MJ", ("PORTALIS", "PORTALIS", "Portalis"), "Justice Civile, Sociale et Commerciale", 0, "", "Refondre les applications civiles des juridictions et ouvrir un portail du justiciable"),
    ("MJ", "MJ", ("Procédure pénale numérique (PPN)",) * 3, "Justice Pénale", 1, "", "Dématérialiser la procédure pénale de bout en bout"),
    ("MJ", "MJ", ("ASTREA", "ASTREA", None), "Justice Pénale", 0, "", "Refondre le casier judiciaire national"),
    ("MJ", "MJ", ("Système d'information de l'aide juridictionnelle (SIAJ)", "SIAJ", "SIAJ"), "Justice Civile, Sociale et Commerciale", 0, "", "Permettre la demande d'aide juridictionnelle en ligne"),
    ("MJ", "MJP", ("GENESIS V2",) * 3, "Gestion des personnes mises sous main de justice", 0, "", "Gérer le parcours des personnes détenues"),
    ("MJ", "MJP", (None, None, "PRISME (SI des greffes pénitentiaires)"), "Gestion des personnes mises sous main de justice", 0, "", "Outiller les greffes des établissements pénitentiaires"),
    ("MINARM", "MINARM", ("SOURCE SOLDE",) * 3, "Ressources Humaines", 0, "", "Remplacer le calculateur de solde des militaires"),
    ("MINARM", "MINARM", ("ARCHIPEL-NG",) * 3, "Gestion des Systèmes d'Information et de Communication", 0, "", "Renouveler l'infrastructure de messagerie et de collaboration"),
    ("MINARM", "MINARM", ("ALPHA",) * 3, "Ressources Humaines", 0, "", "Unifier la gestion des ressources humaines civiles"),
    ("MEF", "MEF", ("SIRHIUS", "SIRHIUS (SI RH interministériel)", "SIRHIUS (SI RH interministériel)"), "Ressources Humaines", 1, "SG", "Remplacer les outils de gestion des ressources humaines des ministères économiques"),
    ("MEF", "MEFF", ("PAYSAGE : modernisation de la paye",) * 3, "Finances", 1, "SG", "Moderniser la chaîne de paye des agents de l'État"),
    ("MEF", "MEF", ("Chorus Pro 2", "Chorus Pro 2", "CHORUS PRO 2"), "Relation Fournisseurs", 1, "SG", "Faire évoluer le portail de facturation des fournisseurs publics"),
    ("MEF", "MEFF", ("Gérer mes biens immobiliers (GMBI)",) * 3, "Fiscalité", 0, "DG", "Permettre aux propriétaires de déclarer leurs biens en ligne"),
    ("MEF", "MEFD", ("DELTA G",) * 3, "Fiscalité indirecte, Dédouanement et gestion des imports & exports", 0, "DG", "Refondre le dédouanement des marchandises"),
    ("MEF", "MEFF", ("PILAT",) * 3, "Fiscalité", 0, "DG", "Refondre le pilotage et le contrôle fiscal"),
    ("MEF", "MEFF", ("Facturation électronique (PPF)",) * 3, "Fiscalité", 1, "DG", "Généraliser la facture électronique entre entreprises"),
    ("MEF", "MEFF", ("ROCSP (Recouvrement fiscal)", "ROCSP (Recouvrement fiscal)", None), "Fiscalité", 0, "DG", "Unifier le recouvrement forcé des créances publiques"),
    ("MEF", "MEFF", ("Foncier innovant", None, None), "Fiscalité", 0, "DG", "Détecter par l'image les constructions non déclarées"),
    ("MEF", "MEFF", (None, "Cap Numérique DGFiP", "Cap Numérique DGFiP"), "Gestion publique", 0, "DG", "Moderniser le socle applicatif de la gestion publique"),
    ("MEN", "MEN", ("CYCLADES",) * 3, "Examens et Concours", 0, "", "Gérer les inscriptions et les résultats des examens"),
    ("MEN", "MEN", ("OP@LE",) * 3, "Finances", 0, "", "Moderniser la gestion financière des établissements scolaires"),
    ("MEN", "MEN", ("SIRHEN",) * 3, "Ressources Humaines", 0, "", "Refondre la gestion des personnels de l'éducation"),
    ("MEN", "MEN", ("ÉCOLE NUMÉRIQUE (ENT)", "ÉCOLE NUMÉRIQUE (ENT)", "ECOLE NUMERIQUE (ENT)"), "Scolarité de l'élève", 0, "", "Généraliser les espaces numériques de travail"),
    ("MEN", "MEN", ("Télé-procédures de l'Éducation (TPE)", "Tele-procedures de l'Education (TPE)", "Tele-procedures de l'Education (TPE)"), "Scolarité de l'élève", 0, "", "Dématérialiser les démarches des familles"),
    ("MTSS", "MTSS", ("SI-Samu (phase II)", "SI-Samu (PHASE 2)", "SI-Samu (PHASE 2)"), "Offre de soins", 1, "", "Doter les SAMU d'un système d'information commun"),
    ("MTSS", "MTSSE", ("Compte personnel de formation (CPF)",) * 3, "Emploi et formation professionnelle", 0, "", "Faire évoluer la plateforme Mon compte formation"),
    ("MTSS", "MTSSE", ("SI Inspection du travail (WIKI'T)",) * 3, "Emploi et formation professionnelle", 0, "", "Outiller les contrôles de l'inspection du travail"),
    ("MTSS", "MTSS", ("Mon espace santé",) * 3, "Offre de soins", 1, "", "Offrir à chaque assuré un espace numérique de santé"),
    ("MTSS", "MTSS", (None, None, "SI Petite enfance"), "Relation avec les Autorités Administratives", 0, "", "Simplifier la recherche d'un mode de garde"),
    ("MASA", "MASAS", ("RESYTAL CYCLE 2",) * 3, "Alimentation", 0, "", "Refondre le SI de la sécurité sanitaire de l'alimentation"),
    ("MASA", "MASA", ("EXPADON 2", "Expadon 2", "Expadon 2"), "Alimentation", 0, "", "Dématérialiser les certificats sanitaires à l'export"),
    ("MASA", "MASA", ("SIRENA Cycle 2",) * 3, "Enseignement Agricole", 0, "", "Moderniser la gestion de l'enseignement agricole"),
    ("MASA", "MASA", ("Télépac nouvelle génération", None, None), "Alimentation", 0, "", "Refondre la télédéclaration des aides de la PAC"),
    ("MASA", "MASA", (None, "Portail des démarches agricoles (MesDémarches)", "Portail des démarches agricoles (MesDémarches)"), "Relation avec les Autorités Administratives", 0, "", "Regrouper les démarches des exploitants"),
    ("MTE", "MTE", ("Géoportail",) * 3, "Information géographique", 1, "", "Diffuser les données géographiques de référence"),
    ("MTE", "MTE", ("GUN Environnement",) * 3, "Infrastructure, Transports et Mer", 0, "", "Instruire en ligne les autorisations environnementales"),
    ("MTE", "MTE", ("REVTC V2", "REVTC V2", None), "Infrastructure, Transports et Mer", 0, "", "Tenir le registre des exploitants de VTC"),
    ("MTE", "MTE", ("MaPrimeRénov' - SI",) * 3, "Immobilier", 0, "", "Instruire les aides à la rénovation énergétique"),
    ("MTE", "MTE", (None, None, "Ecosphères (données environnementales)"), "Information géographique", 1, "", "Ouvrir les données environnementales des territoires"),
    ("MC", "MC", ("ADAMANT",) * 3, "Archives définitives", 0, "", "Archiver les documents numériques de l'État"),
    ("MC", "MC", ("Pass Culture",) * 3, "Données culturelles transverses", 1, "", "Donner aux jeunes un accès numérique à l'offre culturelle"),
    ("MC", "MC", ("AGREGEE (monuments historiques)",) * 3, "Données culturelles transverses", 0, "", "Inventorier les monuments historiques protégés"),
    ("MEAE", "MEAEC", ("FRANCE-VISAS",) * 3, "Délivrance de visas d'entrée en France", 1, "", "Dématérialiser la demande de visa"),
    ("MEAE", "MEAE", ("DIPLOMATIE v3", "DIPLOMATIE V3", "DIPLOMATIE V3"), "Action Diplomatique", 0, "", "Refondre la messagerie diplomatique"),
    ("MEAE", "MEAEC", ("Registre des Français de l'étranger (REGISTRE 2)",) * 3, "Echanges & Relations", 0, "", "Moderniser l'inscription consulaire"),
    ("MEAE", "MEAE", (None, "CROCUS 2", "CROCUS 2", None), "Action Diplomatique", 0, "", "Gérer les crédits de coopération des postes"),
    ("MEAE", "MEAE", (None, "SAPHIR NG", "SAPHIR NG"), "Ressources Humaines", 0, "", "Refondre la gestion des agents de droit local"),
    ("MTE", "MTE", (None, None, None, "Vigicrues nouvelle génération"), "Alerte & Gestion de crises", 0, "", "Refondre la vigilance et la prévision des crues"),
]


def name_in(names: tuple, e: int) -> str | None:
    """A project's name in edition `e` (a three-name entry keeps its edition-21 name in edition 22)."""
    return names[e] if e < len(names) else names[-1]
PHASES = ("Cadrage", "Conception / Réalisation", "Expérimentation", "Déploiement", "Terminé")
EXTRA_LINES = (
    "Il concerne près de {n}" + NBSP + "000 agents et usagers.",
    "Le lot «" + NBSP + "socle" + NBSP + "» est livré ; les lots suivants sont \"en recette\".",
    "Le projet s'appuie sur les services mutualisés de l'État (RIE, ProConnect).",
    "Les travaux sont menés en méthode agile, par incréments trimestriels.",
)
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
LABELS = {  # schema field -> published French label of format 1 (or the schema title)
    "ministere_code": "Ministère porteur", "ministere_nom": "Ministère nom complet", "nom_projet": "Nom du projet",
    "projet_interministeriel": "Projet interministériel", "description": "Description et objectifs du projet",
    "liens_projet": "En savoir plus sur le projet", "date_debut": "Début",
    "duree_previsionnelle_annees": "Durée prévisionnelle en année", "phase": "Phase du projet en cours",
    "cout_estime_meur": "Coût estimé", "tranche_cout": "Coût estimé par tranche",
    "zone_fonctionnelle": "Zone fonctionnelle", "programme_financement": "Financement [programme(s)]",
    "lien_pap": "Lien vers les Projets Annuels de Performances", "cout_initial_meur": "Coût initial (M€)",
    "cout_actualise_meur": "Coût actualisé (M€)", "duree_initiale_annees": "Durée initiale (années)",
    "duree_actualisee_annees": "Durée actualisée (années)",
}
BASE_FIELDS = tuple(list(LABELS)[:14])
RATE_FIELDS = tuple(list(LABELS)[14:])
