"""Refuse hostile or broken files before any parser touches them.

Parsers are the soft spot: openpyxl will happily inflate a 300 KB zip into gigabytes, and a CSV
reader fed binary junk produces nonsense instead of an error. Everything here looks only at sizes,
magic bytes and container directories, so it is cheap and runs first.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import olefile

from panorama.errors import UnreadableSubmission

MAX_CELL_CHARS = 16 * 1024 * 1024          # one cell above this is refused (16 Mio)
ZIP_MAX_TOTAL_BYTES = 200 * 1000 * 1000    # total uncompressed size of a workbook's parts
ZIP_MAX_RATIO = 200                        # uncompressed / compressed, per part
ZIP_RATIO_MIN_BYTES = 1024 * 1024          # tiny parts compress well legitimately: ratio checked above 1 Mio
BINARY_SAMPLE_BYTES = 64 * 1024
MAX_CONTROL_SHARE = 0.01                   # share of control characters tolerated in text

EXPECTED_TABLE = (
    "un tableau CSV (UTF-8, séparateur virgule, point-virgule ou tabulation), XLSX, XLS ou ODS : "
    "une ligne d'en-têtes puis une ligne par projet."
)
EXPECTED_UNPROTECTED = ("un classeur sans mot de passe (Fichier > Informations > Protéger le classeur : "
                        "retirer le chiffrement), ou son export CSV.")

Kind = Literal["zip", "cfb", "text"]
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class ZipWorkbook:
    """What the zip directory says the workbook is."""

    format: Literal["xlsx", "ods"]


def unreadable(path: Path, reason: str, expected: str = EXPECTED_TABLE) -> UnreadableSubmission:
    """The error for `path`, naming it as the person gave it."""
    return UnreadableSubmission(str(path), reason, expected)


def check_file(path: Path, max_bytes: int) -> int:
    """The file's size, after refusing a missing, empty or oversized file."""
    try:
        if not path.exists():
            raise unreadable(path, "fichier introuvable.", "le chemin d'un fichier existant.")
        if not path.is_file():
            raise unreadable(path, "ce chemin n'est pas un fichier (dossier ?).", "le chemin d'un fichier.")
        size = path.stat().st_size
    except OSError as exc:
        raise unreadable(path, f"fichier illisible ({exc.strerror or exc}).") from exc
    if size == 0:
        raise unreadable(path, "fichier vide.", "une ligne d'en-têtes puis une ligne par projet.")
    if size > max_bytes:
        raise unreadable(
            path,
            f"fichier trop volumineux ({size / 1e6:.1f} Mo, limite {max_bytes / 1e6:.0f} Mo).",
            "un fichier ne contenant que le tableau des projets.",
        )
    return size


def read_head(path: Path, size: int = BINARY_SAMPLE_BYTES) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise unreadable(path, f"fichier illisible ({exc.strerror or exc}).") from exc


def sniff_kind(head: bytes) -> Kind:
    """Zip container (XLSX/ODS), OLE compound file (XLS or encrypted OOXML) or anything else."""
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
        return "zip"
    if head.startswith(CFB_MAGIC):
        return "cfb"
    return "text"


def check_zip_workbook(path: Path) -> ZipWorkbook:
    """Refuse a corrupt, truncated or bomb-like zip BEFORE a spreadsheet library inflates it."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            mimetype = _small_member(zf, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise unreadable(path, "classeur corrompu ou tronqué (archive ZIP illisible).",
                         "le classeur tel qu'enregistré par le tableur, ou son export CSV.") from exc
    except OSError as exc:
        raise unreadable(path, f"fichier illisible ({exc.strerror or exc}).") from exc
    if any(info.flag_bits & 0x1 for info in infos):
        raise unreadable(path, "fichier protégé par mot de passe : archive chiffrée.", EXPECTED_UNPROTECTED)
    total = sum(info.file_size for info in infos)
    if total > ZIP_MAX_TOTAL_BYTES:
        raise unreadable(
            path,
            f"classeur refusé : son contenu décompressé ferait {total / 1e6:.0f} Mo "
            f"(limite {ZIP_MAX_TOTAL_BYTES / 1e6:.0f} Mo).",
            "un classeur ne contenant que le tableau des projets.",
        )
    for info in infos:
        if info.file_size >= ZIP_RATIO_MIN_BYTES and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise unreadable(
                path,
                f"classeur refusé : la partie « {info.filename} » se décompresse "
                f"{info.file_size // max(info.compress_size, 1)} fois (limite {ZIP_MAX_RATIO}), "
                "ce qui ressemble à une bombe de décompression.",
                "un classeur ne contenant que le tableau des projets.",
            )
    if mimetype.strip() == ODS_MIMETYPE.encode():
        return ZipWorkbook("ods")
    if "xl/workbook.xml" in names:
        return ZipWorkbook("xlsx")
    if "xl/workbook.bin" in names:
        raise unreadable(path, "classeur Excel binaire (XLSB), format non pris en charge.",
                         "le classeur enregistré au format XLSX (Fichier > Enregistrer sous > Classeur Excel).")
    if "content.xml" in names and not mimetype:
        return ZipWorkbook("ods")
    if "[Content_Types].xml" in names or mimetype:
        raise unreadable(path, "document bureautique qui n'est pas un classeur (texte, présentation ?).")
    raise unreadable(path, "archive ZIP qui n'est pas un classeur (ni XLSX ni ODS).")


def _small_member(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > 1024:
        return b""
    return zf.read(name)


def check_cfb(path: Path) -> None:
    """An OLE container is either a legacy XLS (fine) or an encrypted OOXML workbook (refused)."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
            legacy = ole.exists("Workbook") or ole.exists("Book")
    except (OSError, ValueError, IndexError, EOFError) as exc:
        raise unreadable(path, "classeur Excel 97-2003 corrompu ou tronqué.",
                         "le classeur tel qu'enregistré par le tableur, ou son export CSV.") from exc
    if encrypted:
        raise unreadable(path, "fichier protégé par mot de passe : il ne peut pas être lu.", EXPECTED_UNPROTECTED)
    if not legacy:
        raise unreadable(path, "document Office qui n'est pas un classeur Excel (pas de feuille de calcul).")


def looks_binary(head: bytes) -> bool:
    """NUL bytes or a noticeable share of control characters: not a text table."""
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13, 12))
    controls += head.count(b"\x7f")
    return controls / len(head) > MAX_CONTROL_SHARE


def looks_html(text_head: str) -> bool:
    """Web exports saved as .xls/.csv are HTML pages, not tables we can read."""
    start = text_head.lstrip("\ufeff \t\r\n")[:512].lower()
    return start.startswith("<!doctype html") or start.startswith("<html") or start.startswith("<table")
