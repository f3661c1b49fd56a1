"""A long chain of editions with known project identity, for the matcher's benchmark and tests.

What the real panorama does to projects over the years, drawn from one seeded RNG:
- projects enter and leave at known editions; a few vanish for one table and come back;
- some editions are missing from the chain (the published tables skip editions);
- ministries are renamed at given editions, following `successeur` in panorama/reference/ministeres.csv;
- names are rewritten: acronym ↔ full name ↔ both, case, accents, "PHASE II" / "V2" suffixes,
  words glued or split, abbreviations, spelling slips;
- descriptions are edited (a sentence added, dropped or reworded, a link added), start dates
  re-planned now and then, costs and durations drift;
- "successor" projects (a new phase, a new project of the same office in the same domain) enter as
  their predecessor leaves: a different project that looks alike, which must not be linked.
Every row carries its true project key in `_vrai` (dropped before the matcher sees the table).
"""
from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from panorama.edition import Edition
from panorama.model import BOOLEAN_FIELDS, DATE_FIELDS, NUMBER_FIELDS, PROVENANCE_COLUMNS, project_fields
from panorama.normalise.ministries import load_ministries

SEED = 20261130
TRUTH = "_vrai"

# Ministry code → (edition number from which it is renamed, its successor), from the reference table.
RENAMINGS = {"MEEM": 4, "MTES": 10, "MINDEF": 4, "MAAF": 4, "MAA": 12, "MCC": 4, "MENESR": 4, "MAEDI": 4,
             "MCAS": 9, "MACP": 8, "MEF": 13}
START_MINISTRIES = ("MEEM", "MINDEF", "MAAF", "MCC", "MENESR", "MAEDI", "MCAS", "MACP", "MEF", "MI", "MJ", "SPM",
                    "MEF", "MI", "MCAS", "MINDEF")

DOMAINS = [  # (long name words, description words specific to the domain)
    ("Système d'information des ressources humaines", "carrières agents paie effectifs mobilité gestion administrative"),
    ("Plateforme nationale des interceptions judiciaires", "réquisitions enquêteurs opérateurs interceptions investigation"),
    ("Réseau interministériel de l'État", "réseau sécurité échanges ministères infrastructure maintenance"),
    ("Portail des démarches agricoles", "exploitants aides déclarations parcelles subventions agriculteurs"),
    ("Gestion des titres sécurisés", "passeports cartes identité délivrance préfectures biométrie"),
    ("Système d'immatriculation des véhicules", "véhicules certificats immatriculation concessionnaires garages"),
    ("Facturation électronique de l'État", "factures fournisseurs dépôt portail transmission comptable"),
    ("Application de gestion des visas", "visas voyageurs demandes consulats instruction paiement"),
    ("Système d'information des achats", "achats marchés acheteurs fournisseurs programmation sourcing"),
    ("Archivage électronique mutualisé", "archives versement conservation pérenne documents numériques"),
    ("Gestion des personnes détenues", "greffe détention établissements pénitentiaires probation insertion"),
    ("Recouvrement des amendes", "amendes contraventions recouvrement paiement automatisé radars"),
    ("Modernisation du recensement", "recensement enquêtes communes collecte internet population"),
    ("Messagerie collaborative des agents", "messagerie agenda collaboration bureautique postes agents"),
    ("Hébergement et centres de données", "hébergement serveurs salles informatiques migration cloud"),
    ("Identité numérique des usagers", "identification usagers connexion services comptes fournisseurs"),
    ("Déclaration sociale nominative", "déclarations employeurs cotisations flux contrôles rejets"),
    ("Suivi des stages des internes", "internes médecine stages affectations agences régionales santé"),
    ("Cartographie et données géographiques", "cartes données géographiques territoires interfaces développeurs"),
    ("Procédure pénale numérique", "procédures dossiers juridictions magistrats greffiers dématérialisation"),
    ("Gestion des aides au logement", "logement aides allocataires bailleurs versements droits"),
    ("Pilotage de la masse salariale", "masse salariale budgets prévisions crédits ministères pilotage"),
    ("Contrôle fiscal et analyse des données", "contrôle fraude fiscale données analyse ciblage entreprises"),
    ("Inscription sur les listes électorales", "électeurs listes répertoire communes inscriptions scrutins"),
    ("Soutien logistique des forces", "logistique matériels stocks forces armées maintenance"),
    ("Formation en ligne des agents", "formation apprentissage modules agents parcours compétences"),
    ("Gestion des bourses des élèves", "bourses élèves familles établissements scolaires versements"),
    ("Plateforme des signalements", "signalements citoyens traitement services enquêtes plaintes"),
    ("Surveillance sanitaire des animaux", "élevages vétérinaires maladies animales contrôles abattoirs"),
    ("Gestion des subventions culturelles", "subventions culture associations spectacles patrimoine dossiers"),
]
COMMON = ("Le projet vise à moderniser {a} et à simplifier le travail des agents.",
          "Il remplace une application vieillissante par une solution unifiée pour {b}.",
          "La nouvelle version couvre {a} et {b}, avec des échanges dématérialisés.",
          "Les usagers disposent d'un service en ligne pour {b}.",
          "Le déploiement se fait par vagues successives dans les services concernés pour {a}.",
          "Le projet améliore la qualité des données de {b} et le pilotage.",
          "Une refonte de l'architecture technique accompagne {a}.")
POOL = ("dossiers", "usagers", "contrôles", "paiements", "référentiels", "statistiques", "tableaux de bord",
        "habilitations", "workflows", "notifications", "formulaires", "pièces justificatives", "rendez-vous",
        "courriers", "signatures", "annuaires", "budgets", "inventaires", "échéanciers", "requêtes", "conventions",
        "partenaires", "interfaces", "portails", "applications mobiles", "alertes", "indicateurs", "historiques",
        "agences", "collectivités", "opérateurs", "associations", "entreprises", "bénéficiaires", "demandeurs",
        "agents", "comptables", "magistrats", "enseignants", "médecins", "inspecteurs", "militaires", "consulats",
        "données ouvertes", "échanges", "archives", "décisions", "recours", "versements", "remboursements")
SYLLABLES = ("ca", "re", "si", "to", "pa", "li", "mo", "ne", "ra", "vi", "su", "do", "ge", "la", "ti", "ro",
             "pe", "ha", "mi", "no", "sa", "te", "ri", "ba", "lo", "fe", "di", "ma")
ZONES = ("Ressources humaines", "Finances publiques", "Justice", "Sécurité", "Santé", "Agriculture", "Culture",
         "Éducation", "Infrastructures", "Relations aux usagers")
PHASES = ("Cadrage", "Conception / Réalisation", "Expérimentation", "Déploiement")


@dataclass
class Project:
    key: str
    ministry: str
    acronym: str
    long_name: str
    words: tuple[str, str]
    sentences: list[str]
    start: dt.date
    cost: float
    duration: float
    zone: str
    style: int  # 0 acronym, 1 long name, 2 "ACRONYM – long name", 3 "long name (ACRONYM)"
    case: int = 0  # 0 as written, 1 upper, 2 without accents
    suffix: str = ""
    link: bool = False
    blank: bool = False  # description left empty in this edition
    glitch: str = ""  # a spelling slip or an abbreviation applied to the long name


@dataclass
class Chain:
    editions: list[Edition]  # the editions given to the matcher (missing ones left out)
    tables: list[pd.DataFrame]  # canonical tables with the truth in TRUTH
    missing: list[int] = field(default_factory=list)  # edition numbers left out of the chain

    def inputs(self) -> list[tuple[Edition, pd.DataFrame]]:
        return [(e, t.drop(columns=[TRUTH])) for e, t in zip(self.editions, self.tables)]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _initials(long_name: str) -> str:
    small = {"de", "des", "du", "la", "le", "les", "et", "l", "d", "en", "au", "aux"}
    parts = [w for w in _strip_accents(long_name).replace("'", " ").split() if w.lower() not in small]
    return "".join(w[0] for w in parts).upper()


class _Factory:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        self.acronyms: set[str] = set()

    def acronym(self, long_name: str) -> str:
        rng = self.rng
        if rng.random() < 0.4 and (a := _initials(long_name)) not in self.acronyms and len(a) >= 3:
            self.acronyms.add(a)
            return a
        while True:
            a = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).upper()
            if a not in self.acronyms:
                self.acronyms.add(a)
                return a

    def project(self, ministry: str, earliest: dt.date, latest: dt.date, domain: int | None = None,
                not_named: str = "") -> Project:
        """A new project; `not_named` is a predecessor's name the new one must differ from."""
        rng = self.rng
        self.count += 1
        index = domain if domain is not None else rng.randrange(len(DOMAINS))
        base, vocab = DOMAINS[index]
        qualifiers = ["", "", " de l'administration centrale", " des services déconcentrés", " des opérateurs",
                      " du ministère", " 2", " NG"]
        long_name = base + rng.choice([q for q in qualifiers if base + q != not_named])
        own = vocab.split()
        rng.shuffle(own)
        tool = self.acronym("x").lower()  # a project-specific word, as real descriptions name their tools
        mine = rng.sample(POOL, 4)  # what this project deals with, beyond its domain
        a, b = f"les {mine[0]} et les {mine[1]}", f"les {mine[2]} des {mine[3]}"
        sentences = [f"{base} : {own[0]}, {own[1]} et {own[2]}, autour de l'outil {tool}.",
                     f"L'outil {tool} traite {a} ainsi que {b}."] + [s.format(a=a, b=b) for s in rng.sample(COMMON, 2)]
        return Project(
            key=f"p{self.count:03d}", ministry=ministry, acronym=self.acronym(long_name), long_name=long_name,
            words=(a, b), sentences=sentences,
            start=_month_between(rng, earliest, latest),
            cost=round(rng.uniform(9, 250), 1), duration=round(rng.uniform(2, 9), 2), zone=rng.choice(ZONES),
            style=rng.randrange(4),
        )


def _month_between(rng: random.Random, earliest: dt.date, latest: dt.date) -> dt.date:
    """A start date in [earliest, latest] (never after the edition: validation refuses that)."""
    months = (latest.year - earliest.year) * 12 + latest.month - earliest.month
    k = earliest.year * 12 + earliest.month - 1 + rng.randint(0, max(0, months))
    return dt.date(k // 12, k % 12 + 1, rng.choice((1, 1, 1, 15)))


def _name(p: Project) -> str:
    long_name = p.glitch or p.long_name
    name = (p.acronym, long_name, f"{p.acronym} – {long_name}", f"{long_name} ({p.acronym})")[p.style]
    name += p.suffix
    if p.case == 1:
        name = name.upper()
    elif p.case == 2:
        name = _strip_accents(name)
    return name


def _glitch(rng: random.Random, long_name: str) -> str:
    """A spelling slip, an abbreviation, words glued: how a name drifts when retyped."""
    words = long_name.split()
    i = rng.randrange(len(words))
    w = words[i]
    kind = rng.randrange(3)
    if kind == 0 and len(w) > 5:  # a letter dropped
        j = rng.randrange(1, len(w) - 1)
        words[i] = w[:j] + w[j + 1:]
    elif kind == 1 and len(w) > 7:  # abbreviated
        words[i] = w[:5] + "."
    elif i + 1 < len(words):  # two words glued
        words[i:i + 2] = [w + words[i + 1]]
    return " ".join(words)


def _rewrite_name(rng: random.Random, p: Project) -> None:
    kind = rng.randrange(6)
    if kind in (0, 1):
        p.style = rng.choice([s for s in range(4) if s != p.style])
    elif kind == 2:
        p.case = rng.choice([c for c in range(3) if c != p.case])
    elif kind == 3:
        p.suffix = rng.choice([s for s in ("", " PHASE II", " Phase 2", " V2", " - phase 2") if s != p.suffix])
    else:
        p.glitch = _glitch(rng, p.long_name) if not p.glitch else ""


def _edit_description(rng: random.Random, p: Project) -> None:
    kind = rng.randrange(6)
    if kind == 5:  # rewritten from scratch by a new project manager: only the domain remains
        vocab = next(v for b, v in DOMAINS if p.long_name.startswith(b))
        words = vocab.split()
        rng.shuffle(words)
        p.sentences = [f"Ce projet porte sur {words[0]}, {words[1]} et {words[2]}."] + [
            s.format(a=f"les {words[3]}", b=f"les {words[4]}") for s in rng.sample(COMMON, 2)]
    elif kind == 0 and len(p.sentences) < 6:
        p.sentences.append(rng.choice(COMMON).format(a=p.words[0], b=p.words[1]))
    elif kind == 1 and len(p.sentences) > 3:
        p.sentences.pop(rng.randrange(2, len(p.sentences)))
    elif kind == 2:
        i = rng.randrange(len(p.sentences))
        p.sentences[i] = p.sentences[i].replace("Le projet", "Ce programme").replace("agents", "personnels")
    elif kind == 3:
        p.link = not p.link
    else:  # a rewrite keeping the opening sentence
        p.sentences = p.sentences[:1] + [s.format(a=p.words[1], b=p.words[0]) for s in rng.sample(COMMON, 3)]


def _description(p: Project) -> str | None:
    if p.blank:
        return None
    text = " ".join(p.sentences)
    if p.link:
        text += f' (<a href="https://www.{p.acronym.lower()}.gouv.fr/">en savoir plus</a>)'
    return text


def _ministry(code: str, numero: int, names: dict[str, str]) -> tuple[str, str]:
    successors = {m.code: m.successeur for m in load_ministries()}
    while code in RENAMINGS and numero >= RENAMINGS[code] and successors.get(code):
        code = successors[code]
    return code, names[code]


def _row(p: Project, numero: int, names: dict[str, str], line: int) -> dict[str, object]:
    code, nom = _ministry(p.ministry, numero, names)
    return {
        "ministere_code": code, "ministere_nom": nom, "nom_projet": _name(p), "description": _description(p),
        "projet_interministeriel": False, "date_debut": pd.Timestamp(p.start), "duree_previsionnelle_annees": p.duration,
        "phase": PHASES[min(3, numero // 4)], "cout_estime_meur": p.cost, "zone_fonctionnelle": p.zone,
        "_fichier": f"{code}.csv", "_ligne": line, TRUTH: p.key,
    }


def _table(rows: list[dict[str, object]]) -> pd.DataFrame:
    columns = [*project_fields(), *PROVENANCE_COLUMNS, TRUTH]
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns, dtype=object)
    for c in NUMBER_FIELDS:
        frame[c] = pd.to_numeric(frame[c]).astype("float64")
    for c in DATE_FIELDS:
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    for c in BOOLEAN_FIELDS:
        frame[c] = frame[c].astype("boolean")
    frame["_ligne"] = frame["_ligne"].astype("int64")
    return frame


def build_chain(editions: int = 16, projects: int = 55, missing: tuple[int, ...] = (5, 9, 10),
                moves: tuple[int, int] = (3, 6), seed: int = SEED) -> Chain:
    """`editions` semestrial editions from 2016-11, `projects` at the first one, `moves` = (min, max)
    projects leaving (and as many entering) per edition; the `missing` edition numbers are left out."""
    rng = random.Random(seed)
    names = {m.code: m.nom for m in load_ministries()}
    factory = _Factory(rng)
    first = dt.date(2016, 11, 1)
    active = [factory.project(rng.choice(START_MINISTRIES), dt.date(2008, 1, 1), first) for _ in range(projects)]
    away: list[tuple[Project, int]] = []  # projects absent for one table, and when they come back
    chain_editions: list[Edition] = []
    tables: list[pd.DataFrame] = []
    for numero in range(1, editions + 1):
        months = 10 + 6 * (numero - 1)  # semestrial, the first one in November 2016
        year, month = 2016 + months // 12, months % 12 + 1
        if numero > 1:
            _evolve(rng, factory, active, away, numero, dt.date(year, month, 1), moves)
        if numero in missing:
            continue
        eid = f"{year}-{month:02d}"
        chain_editions.append(Edition(id=eid, numero=numero, date_publication=dt.date(year, month, 28),
                                      libelle=f"{numero}e édition", path=Path(eid)))
        rows = [_row(p, numero, names, i + 2) for i, p in enumerate(sorted(active, key=lambda p: p.key))]
        tables.append(_table(rows))
    return Chain(chain_editions, tables, list(missing))


def _evolve(rng: random.Random, factory: _Factory, active: list[Project], away: list[tuple[Project, int]],
            numero: int, today: dt.date, moves: tuple[int, int]) -> None:
    """One edition passes: leavers, enterers (some successors of leavers), absences, rewrites."""
    for p, back in list(away):
        if back == numero:
            active.append(p)
            away.remove((p, back))
    count = rng.randint(*moves)
    leaving = rng.sample(active, min(count, len(active) - 5))
    for p in leaving:
        active.remove(p)
    for k in range(count):
        if k == 0 and leaving and rng.random() < 0.5:  # a successor: same office and domain, new project
            old = leaving[0]
            domain = next(i for i, (base, _) in enumerate(DOMAINS) if old.long_name.startswith(base))
            new = factory.project(old.ministry, dt.date(today.year - 2, today.month, 1), today, domain,
                                  not_named=old.long_name)
        else:
            new = factory.project(rng.choice(START_MINISTRIES), dt.date(today.year - 3, today.month, 1), today)
        active.append(new)
    if numero % 4 == 2 and len(active) > 10:  # a project missing from one table, back in the next one
        gone = rng.choice(active)
        active.remove(gone)
        away.append((gone, numero + 1))
    for p in active:
        if rng.random() < 0.2:  # the real editions: 11 % of names change between two editions
            _rewrite_name(rng, p)
        if rng.random() < 0.3:  # one edit in five rewrites from scratch (4.5 % in the real editions)
            _edit_description(rng, p)
        p.blank = rng.random() < 0.03  # left empty in this edition only
        if rng.random() < 0.03:  # re-planned (1.3 % in the real editions): up to a year, never past the edition
            p.start = min(_month_between(rng, p.start - dt.timedelta(days=365), p.start + dt.timedelta(days=365)),
                          today)
        if rng.random() < 0.3:
            p.cost = round(p.cost * rng.uniform(0.9, 1.3), 1)
        if rng.random() < 0.2:
            p.duration = round(p.duration + rng.choice((0.5, 1.0)), 2)
