"""Synthetic inputs for the benchmarks: one large submission, and a long history of editions.

Why our own generator (and not scripts/generate_samples.py): the benchmarks need sizes the samples
do not have (a million rows, forty editions) and must not depend on the samples' private helpers.
Everything is drawn from one seeded RNG and spreadsheets get fixed metadata and zip timestamps, so
the same arguments give the same bytes, and the same measurement can be repeated elsewhere.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20261122
FIXED_TIME = dt.datetime(2025, 1, 1)
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")

FIELDS = (
    "identifiant", "ministere_code", "ministere_nom", "nom_projet", "description", "liens_projet",
    "projet_interministeriel", "date_debut", "duree_previsionnelle_annees", "phase", "cout_estime_meur",
    "tranche_cout", "zone_fonctionnelle", "programme_financement", "lien_pap", "cout_initial_meur",
    "cout_actualise_meur", "duree_initiale_annees", "duree_actualisee_annees",
)
LABELS = (
    "Identifiant du projet", "Code du ministère porteur", "Ministère porteur", "Nom du projet",
    "Description et objectifs du projet", "En savoir plus sur le projet", "Projet interministériel",
    "Date de début du projet", "Durée prévisionnelle (années)", "Phase du projet en cours", "Coût estimé (M€)",
    "Tranche de coût", "Zone fonctionnelle principale", "Programme de financement",
    "Lien vers le projet annuel de performances", "Coût initial (M€)", "Coût actualisé (M€)",
    "Durée initiale (années)", "Durée actualisée (années)",
)
# Codes and names as in panorama/reference/ministeres.csv (current ministries only).
MINISTRIES = (
    ("SPM", "Services du Premier ministre", "Coordination du travail gouvernemental (P129)"),
    ("MI", "Ministère de l'Intérieur", "Administration territoriale (P307)"),
    ("MJ", "Ministère de la Justice", "Conduite et pilotage de la politique de la justice (P310)"),
    ("MAr", "Ministère des Armées", "Soutien de la politique de la défense (P212)"),
    ("MEN", "Ministère de l'Éducation nationale", "Soutien de la politique de l'éducation nationale (P214)"),
    ("MTE", "Ministère de la Transition écologique",
     "Conduite et pilotage des politiques de l'écologie, du développement et de la mobilité durables (P217)"),
    ("MASA", "Ministère de l'Agriculture et de la Souveraineté alimentaire",
     "Conduite et pilotage des politiques de l'agriculture (P215)"),
    ("MC", "Ministère de la Culture", "Patrimoines (P175)"),
    ("MEAE", "Ministère de l'Europe et des Affaires étrangères", "Action de la France en Europe et dans le monde (P105)"),
    ("MTSS", "Ministère du Travail, de la Santé et des Solidarités",
     "Conduite et soutien des politiques sanitaires et sociales (P124)"),
)
PHASES = ("Cadrage", "Conception / Réalisation", "Expérimentation", "Déploiement", "Terminé")
ZONES = ("Ressources Humaines", "Finances", "Sécurité intérieure", "Justice Pénale", "Fiscalité",
         "Gestion des Systèmes d'Information et de Communication", "Relation avec les usagers", "Archives définitives")
WORDS = ("SIRH", "PORTAIL", "REFONTE", "SOCLE", "PLATEFORME", "NUMERIQUE", "ARCHIVES", "TITRES", "PAYE", "RESEAU",
         "MESSAGERIE", "DOSSIER", "GESTION", "PILOTAGE", "USAGERS", "AGENTS", "CONTROLE", "DEMATERIALISATION")
GOALS = ("Moderniser le système d'information", "Dématérialiser les démarches des usagers",
         "Remplacer une application en fin de vie", "Mutualiser les outils entre services",
         "Simplifier le travail des agents", "Sécuriser les échanges de données")
FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")


def bracket(cost: float | None) -> str:
    """The cost bracket consistent with a cost, as the schema spells it."""
    if cost is None:
        return "en cadrage"
    for limit, label in ((5, "moins de 5 M€"), (9, "entre 5 et 9 M€"), (20, "entre 9 et 20 M€"), (100, "entre 20 et 100 M€")):
        if cost < limit:
            return label
    return "plus de 100 M€"


def _clear_of_bounds(cost: float) -> float:
    """Costs stay away from bracket limits so that rounding never makes a bracket inconsistent."""
    for limit in (5, 9, 20, 100):
        if abs(cost - limit) < 0.5:
            cost = limit + 0.7
    return round(cost, 2)


def _number(value: float | None, decimal: str = ".") -> str:
    if value is None:
        return ""
    text = "%.10g" % value
    return text.replace(".", ",") if decimal == "," else text


# ----------------------------------------------------------------------------------- big submission
@dataclass(frozen=True)
class SubmissionFile:
    """A generated submission and the deliberate errors placed in it (1-based spreadsheet rows)."""

    path: Path
    rows: int
    headers: str
    errors: dict[int, str] = field(default_factory=dict)


def error_rows(rows: int) -> dict[int, str]:
    """Where the deliberate errors go: spread over the file, at most one per row, row 1 is the header."""
    kinds = ("date-invalide", "cout-negatif", "phase-inconnue", "identifiant-duplique", "nom-manquant")
    if rows < 2 * len(kinds):
        return {}
    step = rows // (len(kinds) + 1)
    return {2 + step * (i + 1) - 1: kind for i, kind in enumerate(kinds)}


def write_submission(path: Path, rows: int, *, headers: str = "names", seed: int = SEED,
                     errors: bool = True) -> SubmissionFile:
    """One large CSV submission (UTF-8, comma, ISO dates, dot decimals): valid rows plus a few errors.

    `headers` is "names" (schema field names, what frictionless expects) or "labels" (French titles).
    Values are drawn from small pools, as real submissions repeat ministries, phases and zones, but
    names, identifiers and descriptions are unique per row.
    """
    if headers not in ("names", "labels"):
        raise ValueError(f"headers must be 'names' or 'labels', not {headers!r}")
    rng = random.Random(seed)
    placed = error_rows(rows) if errors else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(FIELDS if headers == "names" else LABELS)
        for i in range(rows):
            line = i + 2
            code, name, programme = MINISTRIES[i % len(MINISTRIES)]
            words = f"{WORDS[rng.randrange(len(WORDS))]} {WORDS[rng.randrange(len(WORDS))]}"
            phase = PHASES[rng.randrange(len(PHASES))]
            cost = None if phase == "Cadrage" else _clear_of_bounds(rng.choice((rng.uniform(1, 9), rng.uniform(9, 400))))
            duration = round(rng.uniform(1, 12), 2)
            initial = None if cost is None else round(cost / rng.uniform(1.0, 1.3), 2)
            start = dt.date(rng.randint(2005, 2025), rng.randint(1, 12), 1)
            description = f"{GOALS[rng.randrange(len(GOALS))]} ({words.lower()}), projet n° {i}."
            if i % 7 == 0:
                description += "\nLe projet concerne « plusieurs milliers » d'agents, et leurs \"usagers\"."
            row = [
                f"{code.lower()}-projet-{i}", code, name, f"{words} {i}", description,
                f"https://www.numerique.gouv.fr/grands-projets/projet-{i}/", "Oui" if i % 5 == 0 else "Non",
                start.isoformat(), _number(duration), phase, _number(cost), bracket(cost),
                ZONES[i % len(ZONES)], programme, f"https://www.budget.gouv.fr/pap/P{100 + i % 90}",
                _number(initial), _number(cost), _number(None if cost is None else round(duration / 1.1, 2)),
                _number(None if cost is None else duration),
            ]
            kind = placed.get(line)
            if kind == "date-invalide":
                row[7] = "2019-13-45"
            elif kind == "cout-negatif":
                row[10], row[11] = "-12.5", "moins de 5 M€"
            elif kind == "phase-inconnue":
                row[9] = "En production"
            elif kind == "identifiant-duplique":
                row[0] = f"{MINISTRIES[0][0].lower()}-projet-0"
            elif kind == "nom-manquant":
                row[3] = ""
            writer.writerow(row)
    return SubmissionFile(path, rows, headers, placed)


# ----------------------------------------------------------------------------------- history
@dataclass
class Project:
    ministry: int
    name: str
    start: dt.date
    goal: str
    zone: str
    interministerial: bool
    phase: int
    cost: float
    initial_cost: float
    duration: float
    initial_duration: float


@dataclass(frozen=True)
class History:
    """A generated raw folder: its editions (ids in order), files and rows per edition."""

    raw_dir: Path
    editions: tuple[str, ...]
    files: tuple[Path, ...]
    rows_per_edition: tuple[int, ...]

    @property
    def rows(self) -> int:
        return sum(self.rows_per_edition)


def edition_id(index: int) -> str:
    """Two editions a year from June 2010: 2010-06, 2010-12, 2011-06…"""
    return f"{2010 + index // 2}-{'06' if index % 2 == 0 else '12'}"


def _new_project(rng: random.Random, serial: int, year: int) -> Project:
    ministry = serial % len(MINISTRIES)
    name = f"{WORDS[rng.randrange(len(WORDS))]} {WORDS[rng.randrange(len(WORDS))]} {serial}"
    cost = _clear_of_bounds(rng.choice((rng.uniform(2, 9), rng.uniform(9, 60), rng.uniform(60, 300))))
    duration = round(rng.uniform(2, 10) * 2) / 2
    return Project(
        ministry=ministry, name=name, start=dt.date(year - rng.randint(1, 4), rng.randint(1, 12), 1),
        goal=f"{GOALS[rng.randrange(len(GOALS))]} : {name.lower()}.", zone=ZONES[rng.randrange(len(ZONES))],
        interministerial=rng.random() < 0.2, phase=rng.randrange(1, 4), cost=cost, initial_cost=round(cost / rng.uniform(1.0, 1.25), 2),
        duration=duration, initial_duration=round(duration / rng.uniform(1.0, 1.3), 2),
    )


def _evolve(rng: random.Random, project: Project) -> None:
    """Between two editions a project may advance, cost more, last longer or be renamed."""
    if rng.random() < 0.2:
        project.phase = min(project.phase + 1, 3)
    if rng.random() < 0.3:
        project.cost = _clear_of_bounds(project.cost * rng.uniform(1.01, 1.08))
    if rng.random() < 0.2:
        project.duration += 0.5
    if rng.random() < 0.03:  # a renaming the identity stage must follow: an acronym added
        project.name = f"{project.name} ({''.join(w[0] for w in project.name.split()[:2])})"


def _style(ministry: int, index: int) -> str:
    """Each ministry's file format in an edition: a third XLSX, the rest CSV in two dialects."""
    turn = (ministry + index) % 3
    return ("xlsx", "csv-fr", "csv")[turn]


def _records(projects: list[Project], index: int) -> list[dict[str, object]]:
    year = 2010 + index // 2
    rows = []
    for p in projects:
        code, name, programme = MINISTRIES[p.ministry]
        rows.append({
            "identifiant": None, "ministere_code": code, "ministere_nom": name, "nom_projet": p.name,
            "description": p.goal, "liens_projet": None,
            "projet_interministeriel": "Oui" if p.interministerial else "Non", "date_debut": p.start,
            "duree_previsionnelle_annees": p.duration, "phase": PHASES[p.phase], "cout_estime_meur": p.cost,
            "tranche_cout": bracket(p.cost), "zone_fonctionnelle": p.zone, "programme_financement": programme,
            "lien_pap": f"https://www.budget.gouv.fr/documentation/PLF{year}/PAP/{programme[-5:-1]}",
            "cout_initial_meur": p.initial_cost, "cout_actualise_meur": p.cost,
            "duree_initiale_annees": p.initial_duration, "duree_actualisee_annees": p.duration,
        })
    return rows


def _csv_cell(value: object, french: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if french else value.isoformat()
    if isinstance(value, float):
        return _number(value, "," if french else ".")
    return str(value)


def _write_csv(path: Path, rows: list[dict[str, object]], french: bool) -> None:
    """"csv-fr": French labels, semicolons, decimal commas, dd/mm/yyyy, Windows-1252; else the schema's form."""
    columns = [f for f in FIELDS if f != "identifiant"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n" if french else "\n")
    writer.writerow([LABELS[FIELDS.index(f)] for f in columns] if french else columns)
    for row in rows:
        writer.writerow([_csv_cell(row[f], french) for f in columns])
    path.write_bytes(buffer.getvalue().encode("cp1252" if french else "utf-8"))


def _write_xlsx(path: Path, rows: list[dict[str, object]]) -> None:
    """French labels, native numbers and dates, a title row above the header, as ministries send."""
    import openpyxl

    columns = [f for f in FIELDS if f != "identifiant"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Projets"
    sheet.append(["Panorama des grands projets numériques : remontée du ministère"])
    sheet.append([LABELS[FIELDS.index(f)] for f in columns])
    for row in rows:
        sheet.append([dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date) else v
                      for v in (row[f] for f in columns)])
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same workbook bytes on every run: entries rewritten with a fixed timestamp, and the
    modification date that openpyxl stamps at save time (whatever the properties say) fixed too."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


def _edition_toml(index: int) -> str:
    ident = edition_id(index)
    year, month = int(ident[:4]), int(ident[5:])
    last = calendar.monthrange(year, month)[1]
    return (f"# Synthetic edition generated by bench/synthetic.py.\nnumero = {index + 1}\n"
            f"date_publication = {year}-{month:02d}-{last:02d}\n"
            f"libelle = \"{index + 1}e édition ({FR_MONTHS[month - 1]} {year})\"\n")


def write_history(raw_dir: Path, editions: int = 20, projects: int = 60, seed: int = SEED,
                  churn: int = 3) -> History:
    """A raw folder of `editions` editions of about `projects` projects, one file per ministry
    (ten per edition) in mixed formats; `churn` projects leave and as many enter at each edition,
    and a few are renamed, so that the identity stage has real matching to do."""
    if editions < 1 or projects < len(MINISTRIES):
        raise ValueError("at least one edition and one project per ministry")
    rng = random.Random(seed)
    raw_dir.mkdir(parents=True, exist_ok=True)
    serial = 0
    alive: list[Project] = []
    for _ in range(projects):
        alive.append(_new_project(rng, serial, 2010))
        serial += 1
    ids: list[str] = []
    files: list[Path] = []
    counts: list[int] = []
    for index in range(editions):
        if index:
            for p in alive:
                _evolve(rng, p)
            for _ in range(min(churn, len(alive) - len(MINISTRIES))):
                alive.pop(rng.randrange(len(alive)))
            for _ in range(churn):
                alive.append(_new_project(rng, serial, 2010 + index // 2))
                serial += 1
        ident = edition_id(index)
        folder = raw_dir / ident
        folder.mkdir(exist_ok=True)
        (folder / "edition.toml").write_text(_edition_toml(index), encoding="utf-8")
        rows = 0
        for m, (code, _, _) in enumerate(MINISTRIES):
            mine = [p for p in alive if p.ministry == m]
            if not mine:
                continue
            style = _style(m, index)
            path = folder / f"{code}_panorama_{ident}.{'xlsx' if style == 'xlsx' else 'csv'}"
            records = _records(mine, index)
            if style == "xlsx":
                _write_xlsx(path, records)
            else:
                _write_csv(path, records, french=style == "csv-fr")
            files.append(path)
            rows += len(records)
        ids.append(ident)
        counts.append(rows)
    return History(raw_dir, tuple(ids), tuple(files), tuple(counts))
