"""Generate the bundled sample editions under data/raw (synthetic but plausible).

Why: the pipeline needs editions to run on from a fresh clone, and those editions must carry every
quirk the ministries really send (encodings, separators, decimal commas, text-stored numbers and
dates in spreadsheets, title rows, blank rows/columns, renamed projects and ministries) plus the
findings a steward must see. The output is byte-identical on every run: one seeded RNG, fixed
spreadsheet metadata and fixed zip timestamps.

Usage: python scripts/generate_samples.py data/raw
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Border, Font, Side

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_catalogue import (  # noqa: E402  (the catalogue sits beside this script)
    BASE_FIELDS, EDITIONS, EXTRA_LINES, FR_MONTHS, LABELS, MINISTRIES, NEW_GOVERNMENT, PHASES, PROGRAMMES, RATE_FIELDS,
    RENAMED, SHORT_MONTHS, P, name_in,
)

SEED = 20261122
FIXED_TIME = dt.datetime(2025, 1, 1)
ZIP_TIME = (2025, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class FileSpec:
    """One submission: which projects, which header style and which physical format."""
    name: str
    ministry: str
    fmt: str            # csv | xlsx_text | xlsx | ods
    labels: bool = True  # French labels of format 1, else schema field names
    encoding: str = "utf-8"
    delimiter: str = ","
    dates: str = "iso"   # iso | dmy | month | month2 (short month, two-digit year) | native
    decimal: str = "."
    sub: str = ""        # MEF sub-file tag
    quirk: str = ""      # trailing: trailing-space header + empty columns/rows; comment: extra column
    ministry_cells: tuple[str, str] | None = None  # (code, name) as the ministry wrote them, when not the catalogue's


def _specs(e: int) -> list[FileSpec]:
    """Each ministry's habits in edition `e`; formats rotate so every edition mixes CSV, XLSX and ODS."""
    ed, mtss = EDITIONS[e][0], ("MTSSF" if e >= 2 else "MTSS")
    cp = dict(fmt="csv", encoding="cp1252", delimiter=";", dates="dmy", decimal=",")
    if e == 3:  # edition 22: a later edition, as the dashboard's exports and a new government wrote it
        return [
            FileSpec(f"MI_grands_projets_{ed}.xlsx", "MI", "xlsx_text", dates="dmy", decimal=","),
            FileSpec("MJ_panorama.csv", "MJ", "csv", dates="month2"),
            FileSpec("MINARM_remontee_panorama.xlsx", "MINARM", "xlsx", dates="native"),
            FileSpec("MEF_SG_panorama.csv", "MEF", sub="SG", **cp),
            FileSpec("MEF_DGFiP_DGDDI.csv", "MEF", "csv", labels=False, encoding="utf-8-sig", sub="DG"),
            FileSpec("MEN_panorama.tsv", "MEN", "csv", labels=False, delimiter="\t"),
            FileSpec("MTS_panorama.xlsx", mtss, "xlsx", dates="native", ministry_cells=NEW_GOVERNMENT),
            FileSpec("MASA_panorama.csv", "MASA", "csv", encoding="cp1252", delimiter=";", decimal=",", dates="month2"),
            FileSpec("MTE_panorama.csv", "MTE", "csv", labels=False),
            FileSpec("MC_panorama.xlsx", "MC", "xlsx", labels=False, dates="native"),
            FileSpec("MEAE_panorama.csv", "MEAE", "csv"),
            FileSpec("SPM_panorama.csv", "SPM", "csv", encoding="utf-8-sig"),
        ]
    specs = [
        FileSpec(f"MI_grands_projets_{ed}.xlsx", "MI", "xlsx_text", dates="dmy", decimal=","),
        FileSpec("MJ_panorama.csv", "MJ", "csv", quirk="comment" if e == 1 else ""),
        FileSpec("MINARM_remontee_panorama." + ("ods" if e == 1 else "xlsx"), "MINARM", "ods" if e == 1 else "xlsx", dates="native"),
        FileSpec("MEF_SG_panorama.csv", "MEF", sub="SG", **cp),
        FileSpec("MEF_DGFiP_DGDDI." + ("xlsx" if e == 1 else "csv"), "MEF", "xlsx" if e == 1 else "csv", labels=False,
                 encoding="utf-8-sig", sub="DG", dates="native" if e == 1 else "iso"),
        FileSpec("MEN_panorama.tsv", "MEN", "csv", labels=False, delimiter="\t"),
        FileSpec(f"{mtss}_panorama." + ("csv" if e == 1 else "ods"), mtss, "csv" if e == 1 else "ods",
                 encoding="utf-8-sig", dates="iso" if e == 1 else "native"),
        FileSpec("MASA_panorama.csv", "MASA", "csv", dates="month", quirk="trailing"),
        FileSpec("MTE_panorama." + ("xlsx" if e == 2 else "csv"), "MTE", "xlsx" if e == 2 else "csv", labels=False,
                 dates="native" if e == 2 else "iso"),
        FileSpec("MC_panorama." + ("csv" if e == 2 else "xlsx"), "MC", "csv" if e == 2 else "xlsx", labels=False,
                 dates="iso" if e == 2 else "native"),
        FileSpec("MEAE_panorama.csv", "MEAE", "csv", encoding="utf-8-sig" if e == 1 else "utf-8"),
        FileSpec("SPM_panorama.csv", "SPM", "csv", encoding="utf-8" if e == 1 else "utf-8-sig"),
    ]
    return specs


def _fmt_num(x: float, decimal: str) -> str:
    """A number as a spreadsheet export writes it: up to 13 significant digits, no trailing zeros."""
    text = "%.13g" % x
    return text.replace(".", ",") if decimal == "," else text


def _tranche(cost: float) -> str:
    bounds = ((5, "moins de 5 M€"), (9, "entre 5 et 9 M€"), (20, "entre 9 et 20 M€"), (100, "entre 20 et 100 M€"))
    return next((label for limit, label in bounds if cost < limit), "plus de 100 M€")


def _away_from_bounds(cost: float) -> float:
    """Keep costs clear of bracket limits, so that only the deliberate bracket mismatch is flagged."""
    for b in (5, 9, 20, 100):
        if abs(cost - b) < 0.6:
            cost = b + 0.8
    return round(cost, 2)


def _build_projects(rng: random.Random) -> list[dict]:
    """Draw each project's trajectory over the three editions (dates, phases, costs)."""
    projects = []
    for code, prog, names, zone, inter, sub, goal in P:
        first = next(i for i, n in enumerate(names) if n)
        year = rng.randint(2012, 2022) if first == 0 else rng.randint(2023, 2024)
        day = 1 if rng.random() < 0.85 or code == "MASA" else rng.choice((2, 15, 16))
        start = dt.date(year, rng.randint(1, 12), day)
        phase = 0 if (year >= 2022 or first > 0) and rng.random() < 0.6 else rng.choice((1, 1, 1, 2, 3, 3))
        cost = _away_from_bounds(rng.choice((rng.uniform(2, 9), rng.uniform(9, 60), rng.uniform(60, 300))))
        init_cost = round(cost / (1 + rng.choice((0, rng.uniform(0.02, 0.3)))), 2)
        days = rng.randint(700, 4200)
        dur = round(days / 365, 13) if rng.random() < 0.5 else round(days / 182.5) / 2
        init_dur = round(dur / (1 + rng.choice((0, rng.uniform(0.05, 0.4)))), 2)
        extras = rng.sample(EXTRA_LINES, rng.randint(0, 2))
        desc = goal + "." + "".join(("\n" if rng.random() < 0.6 else " ") + x.format(n=rng.randint(2, 90)) for x in extras)
        ascii_name = unicodedata.normalize("NFKD", names[first]).encode("ascii", "ignore").decode().lower()
        links = f"https://www.numerique.gouv.fr/grands-projets/{re.sub(r'[^a-z0-9]+', '-', ascii_name).strip('-')}/"
        if rng.random() < 0.25:
            links += " https://www.data.gouv.fr/"
        states = []
        for e in range(3):
            if e > first and rng.random() < 0.25:
                phase = min(phase + 1, 3)
            if e > first and rng.random() < 0.3:
                cost = _away_from_bounds(cost * rng.uniform(1.01, 1.08))
            if e > first and rng.random() < 0.25:
                dur = round(dur + 0.5, 13)
            states.append((PHASES[phase], cost, dur))
        if names[2] is None and first <= 2:  # a project that leaves is finished in its last edition
            last = max(i for i, n in enumerate(names) if n)
            states[last] = ("Terminé",) + states[last][1:]
        projects.append(dict(code=code, prog=prog, names=names, zone=zone, inter=inter, sub=sub, start=start,
                             desc=desc, links=links if rng.random() < 0.85 else None, states=states,
                             init_cost=min(init_cost, states[2][1]), init_dur=min(init_dur, states[2][2])))
    _later_states(projects)
    return projects


def _later_states(projects: list[dict]) -> None:
    """Each project's state in edition 22, from its own RNG (the three earlier editions stay as they were)."""
    rng = random.Random(SEED + 22)
    for p in projects:
        phase, cost, dur = p["states"][2]
        index = PHASES.index(phase) if phase in PHASES else 1
        if rng.random() < 0.25:
            index = min(index + 1, 3)
        if rng.random() < 0.3:
            cost = _away_from_bounds(cost * rng.uniform(1.01, 1.08))
        if rng.random() < 0.2:
            dur = round(dur + 0.5, 13)
        p["states"].append((PHASES[index], cost, dur))


def _records(projects: list[dict], e: int) -> list[dict]:
    """Canonical values (Python types) of every project present in edition `e`."""
    ed_year = 2024 if e == 0 else 2025
    rows = []
    for p in projects:
        name = name_in(p["names"], e)
        if name is None:
            continue
        code = RENAMED[p["code"]][0] if p["code"] in RENAMED and e >= RENAMED[p["code"]][1] else p["code"]
        phase, cost, dur = p["states"][e]
        if name == "SIRHEN" and e > 0:
            phase = "Révision de trajectoire"
        desc = p["desc"]
        if name.startswith("PANAME"):
            desc = "Plateforme mutualisée d'archivage électronique, ouverte aux ministères et aux opérateurs.\nElle prend la suite du programme interministériel lancé en 2013."
        elif phase == "Déploiement" and e > 0:
            desc += f"\nLe déploiement se poursuit en {ed_year}."
        pnum = re.search(r"P(\d+)", PROGRAMMES[p["prog"]]).group(1)
        cadrage = phase == "Cadrage"
        r = dict(ministere_code=code, ministere_nom=MINISTRIES[code], nom_projet=name,
                 projet_interministeriel="Oui" if p["inter"] else "Non", description=desc, liens_projet=p["links"],
                 date_debut=p["start"], duree_previsionnelle_annees=None if cadrage else dur, phase=phase,
                 cout_estime_meur="En cadrage" if cadrage else cost, tranche_cout="en cadrage" if cadrage else _tranche(cost),
                 zone_fonctionnelle=p["zone"], programme_financement=PROGRAMMES[p["prog"]],
                 lien_pap=f"https://www.budget.gouv.fr/documentation/documents-budgetaires/PLF{ed_year}/PAP/P{pnum}",
                 _sub=p["sub"])
        if e >= 2:
            r.update(cout_initial_meur=None if cadrage else p["init_cost"], cout_actualise_meur=None if cadrage else cost,
                     duree_initiale_annees=None if cadrage else p["init_dur"],
                     duree_actualisee_annees=None if cadrage else dur)
        rows.append(r)
    _inject_warnings(rows, e)
    return rows


def _inject_warnings(rows: list[dict], e: int) -> None:
    """Non-blocking findings the steward must see in the published editions."""
    by_name = {r["nom_projet"]: r for r in rows}
    if e == 0:  # a cost bracket inconsistent with the cost
        r = by_name["GENESIS V2"]
        r["cout_estime_meur"], r["tranche_cout"], r["phase"] = 12.4, "entre 20 et 100 M€", "Conception / Réalisation"
        r["duree_previsionnelle_annees"] = r["duree_previsionnelle_annees"] or 4.5
    if e == 1:  # an unknown extra column
        by_name["PORTALIS"]["Commentaire interne"] = "À confirmer avec la DSJ avant envoi"
        by_name["ASTREA"]["Commentaire interne"] = "Chiffrage revu en comité du 12/11"
    if e >= 2:  # "En cadrage" typed in the cost of a project that is not in Cadrage
        r = by_name["AGREGEE (monuments historiques)"]
        r["phase"], r["cout_estime_meur"], r["tranche_cout"] = "Conception / Réalisation", "En cadrage", "en cadrage"
        r["duree_previsionnelle_annees"] = r["duree_previsionnelle_annees"] or 3.0
        for f in RATE_FIELDS[:2]:
            r[f] = None
    if e == 3:
        _later_edition_classes(by_name)


def _later_edition_classes(by_name: dict[str, dict]) -> None:
    """Edition 22 carries what later real editions carry: withheld figures and "nothing here" texts."""
    r = by_name["SIRHEN"]  # figures withheld while the trajectory is reviewed, as DINUM published them
    r["phase"] = "Révision de trajectoire"
    for f in ("cout_estime_meur", "tranche_cout", "duree_previsionnelle_annees", *RATE_FIELDS):
        r[f] = None
    by_name["Portalis"]["lien_pap"] = "NC"
    by_name["CHORUS PRO 2"]["tranche_cout"] = "n.c."
    by_name["ADAMANT"]["liens_projet"] = "-"
    r = by_name["Vigicrues nouvelle génération"]  # a new project in cadrage: its start date is still to come
    r["phase"], r["date_debut"], r["cout_estime_meur"], r["tranche_cout"] = "Cadrage", "à venir", "En cadrage", "en cadrage"
    for f in ("duree_previsionnelle_annees", *RATE_FIELDS):
        r[f] = None


def _cell(value: object, spec: FileSpec) -> object:
    """A canonical value rendered as the ministry's tool would write it."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        if spec.dates == "native":
            return dt.datetime(value.year, value.month, value.day)
        if spec.dates == "dmy":
            return value.strftime("%d/%m/%Y")
        if spec.dates == "month":
            return f"{FR_MONTHS[value.month - 1]} {value.year}"
        if spec.dates == "month2":  # "juil.-19", "janv. 21", "mars-22": both separators occur
            return f"{SHORT_MONTHS[value.month - 1]}{'-' if (value.month + value.year) % 3 else ' '}{value.year % 100:02d}"
        return value.isoformat()
    if isinstance(value, float):
        return value if spec.fmt in ("xlsx", "ods") else _fmt_num(value, spec.decimal)
    return value


def _table(rows: list[dict], spec: FileSpec, e: int) -> tuple[list[str], list[list[object]]]:
    """Header and cells of one submission; rate columns only in the latest edition."""
    fields = list(BASE_FIELDS) + (list(RATE_FIELDS) if e >= 2 else [])
    if any("Commentaire interne" in r for r in rows):
        fields.append("Commentaire interne")
    header = [LABELS.get(f, f) if spec.labels else f for f in fields]
    if spec.quirk == "trailing":
        header[0] += " "
    if spec.ministry_cells:
        rows = [{**r, "ministere_code": spec.ministry_cells[0], "ministere_nom": spec.ministry_cells[1]} for r in rows]
    body = [[_cell(r.get(f), spec) for f in fields] for r in rows]
    return header, body


def _csv_bytes(header: list[str], body: list[list[object]], spec: FileSpec) -> bytes:
    """CSV as Excel would save it: CRLF for the Windows-1252 export, LF otherwise."""
    buf = io.StringIO(newline="")
    terminator = "\r\n" if spec.encoding == "cp1252" else "\n"
    w = csv.writer(buf, delimiter=spec.delimiter, lineterminator=terminator)
    pad = [""] * (4 if spec.quirk == "trailing" else 0)
    w.writerow(header + pad)
    for row in body:
        w.writerow(["" if v is None else v for v in row] + pad)
    for _ in range(3 if spec.quirk == "trailing" else 0):
        w.writerow([""] * (len(header) + len(pad)))
    return buf.getvalue().encode(spec.encoding)


def _xlsx_bytes(header: list[str], body: list[list[object]], spec: FileSpec, e: int) -> bytes:
    """XLSX: typed cells, or (xlsx_text) a ministry template with everything typed as text."""
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "DINUM - panorama (échantillon)"
    ws = wb.active
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    if spec.fmt == "xlsx_text":  # cover sheet first, two title rows, blank rows and an empty column
        ws.title = "Consignes"
        for i, line in enumerate((
            "Panorama des grands projets numériques de l'État : consignes de remplissage",
            "Une ligne par projet ; coûts en millions d'euros (M€), durées en années.",
            "Phases : Cadrage, Conception / Réalisation, Expérimentation, Déploiement, Terminé, Révision de trajectoire.",
            "Renvoyer le fichier à la DINUM avant la date de clôture de l'édition."), start=1):
            ws.cell(i, 1, line)
        ws = wb.create_sheet("Projets")
        ws.cell(1, 1, f"Panorama des grands projets numériques - {MINISTRIES[spec.ministry]}").font = Font(bold=True, size=14)
        ws.cell(2, 1, f"Remontée de l'édition {EDITIONS[e][3]} - montants en M€")
        top = 3
    else:
        ws.title = "Panorama"
        top = 1
    for j, label in enumerate(header, start=1):
        c = ws.cell(top, j, label)
        c.font, c.border = Font(bold=True), box
    width = len(header) + (2 if spec.fmt == "xlsx_text" else 0)
    r = top
    for i, row in enumerate(body):
        r += 1
        if spec.fmt == "xlsx_text" and i == 3:  # a blank row in the middle of the data
            r += 1
        for j, v in enumerate(row, start=1):
            c = ws.cell(r, j, v)
            if isinstance(v, dt.datetime):
                c.number_format = "DD/MM/YYYY"
        for j in range(1, width + 1):
            ws.cell(r, j).border = box
    if spec.fmt == "xlsx_text":  # formatted but empty rows below the data
        for extra in range(1, 4):
            for j in range(1, width + 1):
                ws.cell(r + extra, j).border = box
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _ods_bytes(header: list[str], body: list[list[object]]) -> bytes:
    """ODS with typed float and date cells, as LibreOffice users send."""
    frame = pd.DataFrame(body, columns=header, dtype=object)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="odf") as writer:
        frame.to_excel(writer, sheet_name="Panorama", index=False)
    return buf.getvalue()


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (XLSX/ODS) with fixed entry timestamps and metadata dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename in ("docProps/core.xml", "meta.xml"):
                text = content.decode("utf-8")
                text = re.sub(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?", "2025-01-01T00:00:00Z", text)
                content = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type, zi.external_attr, zi.create_system = info.compress_type, 0o600 << 16, 0
            zout.writestr(zi, content, compresslevel=6 if info.compress_type == zipfile.ZIP_DEFLATED else None)
    return out.getvalue()


def _failing_file() -> bytes:
    """MEAE's late extra submission to the oldest edition, with blocking errors."""
    header = [LABELS[f] for f in BASE_FIELDS]
    base = ["MEAE", MINISTRIES["MEAE"], "", "Non", "", "", "", "4", "Conception / Réalisation", "12.5",
            "entre 9 et 20 M€", "Action Diplomatique", PROGRAMMES["MEAE"],
            "https://www.budget.gouv.fr/documentation/documents-budgetaires/PLF2024/PAP/P105"]
    crocus = base.copy()
    crocus[2], crocus[4], crocus[6], crocus[11] = "CROCUS 2", "Gérer les crédits de coopération des postes.", "2024-02-31", "=SOMME(A1:A3)"
    saphir = base.copy()
    saphir[2], saphir[4], saphir[6], saphir[8] = "SAPHIR NG", "Refondre la gestion des agents de droit local.", "2023-09-01", "En pause"
    saphir[11] = "Ressources Humaines"
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows([header, crocus, saphir, saphir])
    return buf.getvalue().encode("utf-8")


def _toml(e: int) -> bytes:
    """edition.toml: declared rates before the latest edition, partial publication in the oldest."""
    ed, num, date, label, budget, schedule = EDITIONS[e]
    lines = [f"# {label}: synthetic sample edition generated by scripts/generate_samples.py.",
             f"numero = {num}", f"date_publication = {date}", f'libelle = "{label}"']
    if budget is not None:
        lines += ["# Rates as declared; this edition's submissions carry no initial costs or durations.",
                  f"taux_ecart_budgetaire_declare = {budget}", f"taux_ecart_calendaire_declare = {schedule}"]
    else:
        lines.append("# The submissions carry initial and updated costs and durations: the rates are computed.")
    if e == 0:
        lines += ["# The steward allowed a partial edition: MEAE_complement.csv carries blocking errors",
                  "# (invalid date, unknown phase, formula, duplicated project); it is left out and the",
                  "# other submissions are published.", "publication_partielle = true"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _aliases() -> bytes:
    """The steward's alias table: two projects renamed beyond recognition, linked by force."""
    rows = [("edition", "ministere", "nom_projet", "identifiant")]
    for p, ident in ((2, "spm-vitam"), (6, "mi-pc-storm")):
        rows += [(EDITIONS[e][0], P[p][0], name_in(P[p][2], e), ident) for e in range(len(EDITIONS))]
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


POLICY = """\
# Politique de gravité des constats : ce que le contrôle des remontées bloque, signale ou note.
# Sans ligne sous [gravite], les gravités du catalogue s'appliquent (panorama/findings/catalog.py ;
# README, « What blocks, what warns, and why »).
# Une ligne par changement : le code d'un type de constat, éventuellement suivi d'un point et d'un
# champ du schéma, puis la gravité voulue : "bloquant", "avertissement" ou "information". Exemples :
#   date-debut-future = "bloquant"
#   type-error.date_debut = "bloquant"
#   colonne-inconnue = "information"
[gravite]
"""
# The steward's additions to the bundled ministries reference (panorama/reference/ministeres.csv):
# a ministry listed in data/rapports/ministeres-a-verifier.csv is settled by a line here.
MINISTRIES_HEADER = "code,nom,aliases,successeur\n"


def build_samples() -> dict[str, bytes]:
    """Every sample file, keyed by its path relative to the raw folder."""
    rng = random.Random(SEED)
    projects = _build_projects(rng)
    out: dict[str, bytes] = {"identifiants.csv": _aliases(), "politique.toml": POLICY.encode("utf-8"),
                             "ministeres.csv": MINISTRIES_HEADER.encode("utf-8")}
    for e in range(len(EDITIONS)):
        ed = EDITIONS[e][0]
        rows = _records(projects, e)
        out[f"{ed}/edition.toml"] = _toml(e)
        for spec in _specs(e):
            mine = [r for r in rows if r["ministere_code"] == spec.ministry and (not spec.sub or r["_sub"] == spec.sub)]
            header, body = _table(mine, spec, e)
            if spec.fmt == "csv":
                data = _csv_bytes(header, body, spec)
            elif spec.fmt == "ods":
                data = _fixed_zip(_ods_bytes(header, body))
            else:
                data = _fixed_zip(_xlsx_bytes(header, body, spec, e))
            out[f"{ed}/{spec.name}"] = data
        if e == 0:
            out[f"{ed}/MEAE_complement.csv"] = _failing_file()
    return out


def write_samples(raw_dir: Path) -> list[Path]:
    """Write the samples atomically; stale files in the generated edition folders are removed."""
    samples = build_samples()
    written = []
    for rel, data in sorted(samples.items()):
        target = raw_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        written.append(target)
    for ed in {rel.split("/")[0] for rel in samples if "/" in rel}:
        for stale in (raw_dir / ed).iterdir():
            if stale.is_file() and f"{ed}/{stale.name}" not in samples:
                stale.unlink()
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage : python scripts/generate_samples.py <dossier des éditions, ex. data/raw>")
    paths = write_samples(Path(sys.argv[1]))
    print(f"{len(paths)} fichiers écrits sous {sys.argv[1]}")
