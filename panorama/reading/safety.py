"""Refuse hostile or broken files before any parser touches them.

Parsers are the soft spot: openpyxl will happily inflate a 300 KB zip into gigabytes, and a CSV
reader fed binary junk produces nonsense instead of an error. Everything here looks only at sizes,
magic bytes and container directories, so it is cheap and runs first.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, Self

from panorama.errors import UnreadableSubmission

MAX_CELL_CHARS = 16 * 1024 * 1024          # one cell above this is refused (16 Mio)
ZIP_MAX_TOTAL_BYTES = 200 * 1000 * 1000    # total uncompressed size of a workbook's parts
ZIP_MAX_RATIO = 200                        # uncompressed / compressed, per part
ZIP_RATIO_MIN_BYTES = 1024 * 1024          # tiny parts compress well legitimately: ratio checked above 1 Mio
ZIP_MAX_MEMBERS = 10_000                   # parts in a workbook archive (a real one has a few dozen)
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


EXPECTED_REGULAR = "le fichier lui-même (un fichier ordinaire, lisible), déposé dans le dossier de l'édition."
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


class RegularFile:
    """A submission opened once, checked to be a regular file, and read only through this descriptor.

    Why one descriptor: the check (regular file, not a link) and every later read then concern the
    same inode, whatever happens to the path meanwhile. Each `stream()` is an independent positional
    reader (os.pread), so a zip library and a hash can read the file without sharing an offset.
    """

    def __init__(self, path: Path, fd: int, size: int) -> None:
        self.path, self.fd, self.size = path, fd, size

    def stream(self) -> BinaryIO:
        return io.BufferedReader(_PositionalReader(self.fd, self.size), buffer_size=1 << 16)

    def head(self, size: int = 8) -> bytes:
        chunks, offset = [], 0
        while offset < size:
            chunk = os.pread(self.fd, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _PositionalReader(io.RawIOBase):
    """A read-only raw stream over a descriptor it does not own (closing it leaves the fd open)."""

    def __init__(self, fd: int, size: int) -> None:
        super().__init__()
        self._fd, self._size, self._pos = fd, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = os.pread(self._fd, len(buffer), self._pos)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(base + offset, 0)
        return self._pos

    def tell(self) -> int:
        return self._pos


def _not_regular(path: Path, mode: int, dir_fd: int | None) -> UnreadableSubmission:
    """Why a non-regular entry is refused, said without opening (or following) it."""
    if stat.S_ISLNK(mode):
        try:
            target = os.stat(path, dir_fd=dir_fd)
            what = "vers un dossier" if stat.S_ISDIR(target.st_mode) else "vers un autre fichier"
            reason = f"ce fichier est un lien symbolique ({what}) : il n'est pas suivi, seuls les fichiers ordinaires sont lus."
        except FileNotFoundError:
            reason = "ce fichier est un lien symbolique cassé (sa cible n'existe pas) : il n'est pas suivi."
        except OSError as exc:
            reason = ("ce fichier est un lien symbolique qui boucle sur lui-même : il n'est pas suivi."
                      if exc.errno == errno.ELOOP else
                      "ce fichier est un lien symbolique : il n'est pas suivi, seuls les fichiers ordinaires sont lus.")
        return unreadable(path, reason, EXPECTED_REGULAR)
    if stat.S_ISDIR(mode):
        return unreadable(path, "ce chemin n'est pas un fichier mais un dossier.", "le chemin d'un fichier de remontée.")
    kinds = ((stat.S_ISFIFO, "un tube nommé (FIFO)"), (stat.S_ISSOCK, "une socket"),
             (stat.S_ISCHR, "un périphérique (caractère)"), (stat.S_ISBLK, "un périphérique (bloc)"))
    kind = next((label for test, label in kinds if test(mode)), "un fichier spécial")
    return unreadable(path, f"ce chemin n'est pas un fichier ordinaire mais {kind} : il n'est pas lu.", EXPECTED_REGULAR)


def _open_error(path: Path, exc: OSError) -> UnreadableSubmission:
    if exc.errno == errno.ENOENT:
        return unreadable(path, "fichier introuvable.", "le chemin d'un fichier existant.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return unreadable(path, "accès refusé : ce programme n'a pas le droit de lire ce fichier.",
                          "un fichier lisible par le compte qui lance panorama (droit de lecture).")
    if exc.errno == errno.ELOOP:
        return unreadable(path, "ce fichier est un lien symbolique : il n'est pas suivi, seuls les fichiers "
                          "ordinaires sont lus.", EXPECTED_REGULAR)
    if exc.errno == errno.ENOTDIR:
        return unreadable(path, "fichier introuvable : un élément du chemin n'est pas un dossier.",
                          "le chemin d'un fichier existant.")
    return unreadable(path, f"fichier illisible ({exc.strerror or exc}).", EXPECTED_REGULAR)


def open_regular_file(path: Path, *, dir_fd: int | None = None) -> RegularFile:
    """Open `path` for reading only if it is a regular file, never through a symbolic link.

    An lstat first refuses links, folders, FIFOs, sockets and devices without opening them (opening
    a FIFO or a device can block or have effects); then O_NOFOLLOW | O_NONBLOCK and an fstat of the
    opened descriptor make sure what is read is the very regular file that was checked.
    Raises UnreadableSubmission, in French: missing, link, special file, access denied.
    """
    path = Path(path)
    try:
        before = os.lstat(path, dir_fd=dir_fd)
    except OSError as exc:
        raise _open_error(path, exc) from exc
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(path, before.st_mode, dir_fd)
    try:
        fd = os.open(path, _OPEN_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        raise _open_error(path, exc) from exc
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise unreadable(path, "le fichier a été remplacé pendant son ouverture : il n'est pas lu.", EXPECTED_REGULAR)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return RegularFile(path, fd, now.st_size)


def sha256(source: RegularFile) -> str:
    """The hex SHA-256 of an opened submission (its own stream: no shared offset)."""
    digest = hashlib.sha256()
    try:
        with source.stream() as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise unreadable(source.path, f"fichier illisible ({exc.strerror or exc}).", EXPECTED_REGULAR) from exc
    return digest.hexdigest()


def regular_file_sha256(path: Path, *, dir_fd: int | None = None) -> str:
    """SHA-256 of a submission for cache keys and fingerprints, with the same refusals as reading it.

    Why: hashing with `path.read_bytes()` follows a link out of the folder, blocks on a FIFO and
    ends in a traceback on a permission error; this never does (UnreadableSubmission instead).
    """
    with open_regular_file(path, dir_fd=dir_fd) as source:
        return sha256(source)


def check_size(source: RegularFile, max_bytes: int) -> int:
    """The file's size, after refusing an empty or oversized file."""
    path, size = source.path, source.size
    if size == 0:
        raise unreadable(path, "fichier vide.", "une ligne d'en-têtes puis une ligne par projet.")
    if size > max_bytes:
        raise unreadable(
            path,
            f"fichier trop volumineux ({size / 1e6:.1f} Mo, limite {max_bytes / 1e6:.0f} Mo).",
            "un fichier ne contenant que le tableau des projets.",
        )
    return size


def read_head(source: RegularFile, size: int = BINARY_SAMPLE_BYTES) -> bytes:
    try:
        return source.head(size)
    except OSError as exc:
        raise unreadable(source.path, f"fichier illisible ({exc.strerror or exc}).") from exc

def sniff_kind(head: bytes) -> Kind:
    """Zip container (XLSX/ODS), OLE compound file (XLS or encrypted OOXML) or anything else."""
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
        return "zip"
    if head.startswith(CFB_MAGIC):
        return "cfb"
    return "text"


def check_zip_workbook(source: RegularFile) -> ZipWorkbook:
    """Refuse a corrupt, truncated or bomb-like zip BEFORE a spreadsheet library inflates it."""
    path = source.path
    try:
        with zipfile.ZipFile(source.stream()) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            mimetype = _small_member(zf, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise unreadable(path, "classeur corrompu ou tronqué (archive ZIP illisible).",
                         "le classeur tel qu'enregistré par le tableur, ou son export CSV.") from exc
    except OSError as exc:
        raise unreadable(path, f"fichier illisible ({exc.strerror or exc}).") from exc
    if len(infos) > ZIP_MAX_MEMBERS:
        raise unreadable(path, f"classeur refusé : l'archive compte {len(infos)} parties (limite {ZIP_MAX_MEMBERS}).",
                         "un classeur ne contenant que le tableau des projets.")
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


def check_cfb(source: RegularFile) -> None:
    """An OLE container is either a legacy XLS (fine) or an encrypted OOXML workbook (refused)."""
    path = source.path
    try:
        import olefile  # only for an XLS (compound file): a CSV never needs it

        with olefile.OleFileIO(source.stream()) as ole:
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
