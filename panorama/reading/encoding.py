"""Which encoding a text submission is in: UTF-8/16 by their marks, 8-bit ones by French plausibility.

Ministries' tools write UTF-8 (with or without BOM), UTF-16 ("Texte Unicode" in Excel, with a
BOM; some tools without), Windows-1252, and older ones Mac Roman, ISO-8859-15/-1 or DOS CP850;
PowerShell's `-Encoding UTF32` writes UTF-32 (with a BOM).
Any 8-bit file decodes in several of these, so the choice is made on what the text becomes: the
non-ASCII bytes (collected with their neighbours over the whole file, never the whole text in
memory) must become French letters and typography in the right places. charset-normalizer's
mess measure breaks ties; when two readings that differ stay close, the guess is said unsure.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import BinaryIO

from panorama.reading.safety import RegularFile, looks_binary, read_head, unreadable

SCAN_CHUNK_BYTES = 1 << 20
MAX_CONTEXTS = 4_000               # non-ASCII runs kept (with neighbours) to judge 8-bit encodings
EIGHT_BIT = ("cp1252", "iso8859_15", "latin_1", "mac_roman", "cp850")   # order breaks exact ties
LABELS = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (avec BOM)", "utf-16": "UTF-16 (avec BOM, « Texte Unicode »)",
    "utf-16-le": "UTF-16 LE (sans BOM)", "utf-16-be": "UTF-16 BE (sans BOM)", "cp1252": "Windows-1252 (ANSI)",
    "utf-32": "UTF-32 (avec BOM)", "utf-32-le": "UTF-32 LE (sans BOM)", "utf-32-be": "UTF-32 BE (sans BOM)",
    "iso8859_15": "ISO-8859-15 (Latin-9)", "latin_1": "ISO-8859-1 (Latin-1)", "mac_roman": "Mac Roman",
    "cp850": "CP850 (DOS)",
}
EXPECTED_TEXT = (
    "un fichier texte CSV encodé en UTF-8 (ou Windows-1252), séparateur virgule, point-virgule ou "
    "tabulation, avec une ligne d'en-têtes puis une ligne par projet."
)
_FRENCH = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
_TYPOGRAPHY = set("«»’‘“”…–—°\u00a0\u202f·€")
_FOREIGN = set("áíóúñãõåøßìòÁÍÓÚÑÃÕÅØÌÒ")
_NON_ASCII_RUN = re.compile(rb"[\x80-\xff]+")


@dataclass(frozen=True)
class EncodingGuess:
    codec: str                  # a Python codec name, also what RawTable.encoding records
    certain: bool = True
    runner_up: str | None = None   # the other close reading when unsure
    example: tuple[str, str] | None = None  # the same bytes in the chosen and the runner-up encodings

    @property
    def label(self) -> str:
        return LABELS.get(self.codec, self.codec)


def detect(source: RegularFile) -> EncodingGuess:
    """The file's encoding, or UnreadableSubmission when it is no text at all."""
    head = read_head(source)
    if head.startswith(codecs.BOM_UTF8):
        if _decodes(source, "utf-8"):
            return EncodingGuess("utf-8-sig")
        raise unreadable(source.path, "texte marqué UTF-8 (BOM) mais qui contient des octets invalides en UTF-8 "
                         "(plusieurs encodages mêlés ?).", EXPECTED_TEXT)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00 starts with FF FE
        return _wide(source, "utf-32")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _wide(source, "utf-16")
    bare = _bare_wide(head)
    if bare:
        return _wide(source, bare)
    if looks_binary(head):
        raise unreadable(source.path, "ce fichier n'est pas un texte CSV (contenu binaire).", EXPECTED_TEXT)
    if _decodes(source, "utf-8"):
        return EncodingGuess("utf-8")
    return _eight_bit(source)


def _wide(source: RegularFile, codec: str) -> EncodingGuess:
    if not _decodes(source, codec):
        width = "UTF-32" if codec.startswith("utf-32") else "UTF-16"
        raise unreadable(source.path, f"texte {width} illisible (tronqué ou mêlé d'autres octets).", EXPECTED_TEXT)
    return EncodingGuess(codec)


def _bare_wide(head: bytes) -> str | None:
    """UTF-32 or UTF-16 without BOM: ASCII-heavy text has NUL bytes in fixed positions of each unit."""
    if b"\x00" not in head:
        return None
    for width, codec in ((4, "utf-32"), (2, "utf-16")):
        units = len(head) // width
        if units < 4:
            continue
        zeros = [head[i: units * width: width].count(0) for i in range(width)]
        if zeros[0] < units * 0.02 and min(zeros[1:]) > units * 0.3:
            return f"{codec}-le"
        if zeros[-1] < units * 0.02 and min(zeros[:-1]) > units * 0.3:
            return f"{codec}-be"
    return None


def _decodes(source: RegularFile, codec: str) -> bool:
    """Whether the whole file decodes, in chunks; a NUL character means a binary file."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        with source.stream() as fh:
            while chunk := fh.read(SCAN_CHUNK_BYTES):
                if "\x00" in decoder.decode(chunk):
                    raise unreadable(source.path, "ce fichier n'est pas un texte CSV (octets nuls).", EXPECTED_TEXT)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    except OSError as exc:
        raise unreadable(source.path, f"fichier illisible ({exc.strerror or exc}).") from exc
    return True


def _contexts(fh: BinaryIO) -> bytes:
    """Up to MAX_CONTEXTS non-ASCII runs with four bytes each side, separated by newlines."""
    found: list[bytes] = []
    seen: set[bytes] = set()
    tail = b""
    while chunk := fh.read(SCAN_CHUNK_BYTES):
        data = tail + chunk
        for match in _NON_ASCII_RUN.finditer(data):
            piece = data[max(match.start() - 4, 0): match.end() + 4]
            if piece not in seen:
                seen.add(piece)
                found.append(piece)
                if len(found) >= MAX_CONTEXTS:
                    return b"\n".join(found)
        tail = data[-8:] if not data[-8:].isascii() else b""
    return b"\n".join(found)


def _score(text: str) -> float:
    """How French the non-ASCII characters of `text` look: letters inside words, typography around."""
    score = 0.0
    for i, ch in enumerate(text):
        if ch.isascii():
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        in_word = (before.isalpha() and (before.isascii() or before in _FRENCH)) or \
                  (after.isalpha() and (after.isascii() or after in _FRENCH))
        if ch.isupper() and before.islower():
            score -= 2   # "DonnÈes": a capital inside a lowercase word is another encoding's letter
        elif ch in _FRENCH:
            score += 2 if in_word else 1
        elif ch in _TYPOGRAPHY:
            score += 2 if ch == "€" and (before.isdigit() or before == " ") else 1
        elif ch in _FOREIGN:
            score += 0
        else:
            score -= 3 if in_word else 2
    return score


def _eight_bit(source: RegularFile) -> EncodingGuess:
    try:
        with source.stream() as fh:
            sample = _contexts(fh)
    except OSError as exc:
        raise unreadable(source.path, f"fichier illisible ({exc.strerror or exc}).") from exc
    readings: dict[str, str] = {}
    for codec in EIGHT_BIT:
        try:
            readings[codec] = sample.decode(codec)
        except UnicodeDecodeError:
            continue
    mess = _mess(sample)
    ranked = sorted(readings, key=lambda c: (-_score(readings[c]) + mess.get(c, 1.0), EIGHT_BIT.index(c)))
    best = ranked[0]
    others = [c for c in ranked[1:] if readings[c] != readings[best]]
    if not others:
        return EncodingGuess(best)
    runner = others[0]
    best_score, runner_score = _score(readings[best]), _score(readings[runner])
    margin = max(2.0, abs(best_score) * 0.1)
    if best_score > 0 and best_score - runner_score >= margin:
        return EncodingGuess(best)
    return EncodingGuess(best, certain=False, runner_up=runner, example=_example(sample, best, runner))


def _mess(sample: bytes) -> dict[str, float]:
    """charset-normalizer's chaos (0 clean … 1 garbage) per candidate, as a tie-breaker."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with requests; the French score alone then decides
        return {}
    try:
        matches = from_bytes(sample, cp_isolation=list(EIGHT_BIT), explain=False)
    except (ValueError, LookupError, RuntimeError):
        return {}
    return {m.encoding: float(m.chaos) for m in matches}


def _example(sample: bytes, best: str, runner: str) -> tuple[str, str] | None:
    for piece in sample.split(b"\n"):
        a, b = piece.decode(best, errors="replace"), piece.decode(runner, errors="replace")
        if a != b:
            return a.strip(), b.strip()
    return None
