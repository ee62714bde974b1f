"""Text encoding detection and bounded text/byte streams.

Files from Kazakh portals come as UTF-8 (with or without BOM), Excel "Unicode text" (UTF-16 LE
with BOM, TAB-separated), Windows cp1251, the occasional KOI8-R or DOS cp866, and rarely
KZ-1048 (cp1251 with the Serbian letters replaced by Kazakh ones). Detection looks at the first
64 KiB only, so it is cheap and bounded:

1. a BOM decides (UTF-8-sig, UTF-16 LE/BE);
2. BOM-less UTF-16 is recognised by its NUL bytes in every other position;
3. UTF-8: strict, or with a few broken bytes among many valid sequences (pure ASCII counts);
4. otherwise charset-normalizer restricted to Cyrillic candidates drops the decodings that
   produce gibberish, and the survivors are ranked by Russian letter frequencies. The
   normalizer alone misreads short KOI8-R samples ("иин;фио" → "ЙЙО;ЖЙП" as cp1251), and a
   header line is often all a file has before the digits start.

Streams never hold more than a bounded amount: :func:`bounded_lines` refuses a physical line
longer than the limit instead of accumulating a 1 GB line, and :class:`TokenGuard` refuses a
parser that has produced no event for too long (a JSON string or XML text node that the parser
would otherwise accumulate whole).
"""

from __future__ import annotations

import codecs
import io
import math
from collections.abc import Iterator
from typing import BinaryIO, TextIO

from govscan.readers.limits import ReaderError

SAMPLE_BYTES = 64 * 1024

_CYRILLIC_CANDIDATES = ("cp1251", "koi8_r", "cp866")
_NORMALIZER_CANDIDATES = [*_CYRILLIC_CANDIDATES, "utf_16"]

# Bytes that are Serbian/Macedonian letters in cp1251 but common Kazakh letters (Қ қ Һ һ Ұ ұ
# Ә ә Ң ң) in KZ-1048; they practically never occur in cp1251 text from Kazakhstan.
_KZ1048_MARKERS = frozenset(b"\x8d\x8e\x9d\x9e\xa1\xa2\xa3\xbc\xbd\xbe")

# Relative frequencies (percent) of Russian letters; і (Kazakh/Ukrainian) gets a modest weight.
_LETTER_FREQ = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47,
    "р": 4.73, "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81,
    "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59,
    "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48,
    "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04, "ё": 0.04, "і": 0.50,
}  # fmt: skip
_LOG_FREQ = {ch: math.log(f) for ch, f in _LETTER_FREQ.items()}
_TYPOGRAPHY = frozenset("«»№–—“”„…’‘•·°±§\u00a0")


def detect_encoding(sample: bytes) -> str:
    """Return a Python codec name for text whose first bytes are ``sample``."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads the BOM and picks the byte order
    bomless = _bomless_utf16(sample)
    if bomless:
        return bomless
    if is_utf8(sample) or _mostly_utf8(sample):
        return "utf-8"
    return _guess_single_byte(sample)


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without BOM: mostly-ASCII text has a NUL in every other byte."""
    head = sample[:4096]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def is_utf8(sample: bytes) -> bool:
    """Strict UTF-8, tolerating a multi-byte sequence cut by the end of the sample."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(sample, final=len(sample) < SAMPLE_BYTES)
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(sample: bytes) -> bool:
    """UTF-8 with a few broken bytes (a concatenated or damaged export) is still UTF-8.

    In genuine cp1251/KOI8-R/cp866 text almost no high byte forms a valid UTF-8 sequence.
    """
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return good >= 8 and good >= 4 * bad


def _guess_single_byte(sample: bytes) -> str:
    import charset_normalizer  # needed only for files that are neither BOM-marked nor UTF-8

    matches = charset_normalizer.from_bytes(sample, cp_isolation=_NORMALIZER_CANDIDATES)
    plausible = [m.encoding for m in matches]
    cyrillic = [enc for enc in _CYRILLIC_CANDIDATES if enc in plausible] or list(_CYRILLIC_CANDIDATES)
    if plausible and plausible[0] not in _CYRILLIC_CANDIDATES:
        return plausible[0]  # e.g. utf_16 that step 2 did not catch
    best = max(cyrillic, key=lambda enc: cyrillic_score(sample, enc))
    if best == "cp1251" and any(b in _KZ1048_MARKERS for b in sample):
        return "kz1048"
    return best


def cyrillic_score(sample: bytes, encoding: str) -> float:
    """How much ``sample`` decoded as ``encoding`` looks like Russian/Kazakh text.

    Only characters from bytes >= 0x80 matter (ASCII is the same in every candidate): letters
    score their log frequency, an uppercase letter right after a lowercase one is penalised
    (wrong-codepage text swaps cases), and symbols such as box drawing are heavily penalised.
    """
    text = sample.decode(encoding, errors="replace")
    score = 0.0
    previous_lower = False
    for byte, ch in zip(sample, text, strict=False):
        if byte < 0x80:
            previous_lower = False
            continue
        low = ch.lower()
        if low in _LOG_FREQ:
            score += _LOG_FREQ[low]
            if ch != low and previous_lower:
                score -= 4.0
            previous_lower = ch == low
        else:
            score -= 1.0 if ch in _TYPOGRAPHY else 8.0
            previous_lower = False
    return score


def read_sample(path: str, size: int = SAMPLE_BYTES) -> bytes:
    with open(path, "rb") as f:
        return f.read(size)


def open_text(path: str, newline: str | None = None) -> tuple[TextIO, str]:
    """Open ``path`` as text in its detected encoding, replacing undecodable bytes.

    ``newline=""`` is what the csv module wants (quoted newlines stay intact); the default
    ``None`` translates all line endings to ``\\n``.
    """
    encoding = detect_encoding(read_sample(path))
    stream = open(path, encoding=encoding, errors="replace", newline=newline)  # noqa: SIM115
    return stream, encoding


def bounded_lines(stream: TextIO, max_chars: int, what: str = "line") -> Iterator[str]:
    """Yield the physical lines of ``stream``; a line longer than ``max_chars`` raises.

    The stream is read in blocks of at most ``max_chars`` characters and split in C
    (``str.split``), so a long table costs no Python call per line, and a 1 GB file without
    a single newline is refused after one block instead of being accumulated. A file whose
    first block has ``\r`` but no ``\n`` (old Mac exports) is split on ``\r``.
    """
    block_size = max(1, min(max_chars, 1 << 20))
    block = stream.read(block_size)
    sep = "\r" if "\n" not in block and "\r" in block else "\n"
    number = 0  # lines completed so far
    carry = ""
    while block:
        parts = (carry + block).split(sep)
        carry = parts.pop()
        if parts:
            number += len(parts)
            yield from [p + sep for p in parts]
        if len(carry) > max_chars:
            raise ReaderError(f"{what} {number + 1} longer than {max_chars} characters")
        block = stream.read(block_size)
    if carry:
        yield carry


class TokenGuard(io.RawIOBase):
    """A binary reader that refuses to feed a parser that has produced no event for too long.

    Streaming parsers (ijson's yajl, expat) hold one token whole: a 1 GB JSON string or XML text
    node would sit in memory. The parser's consumer sets ``since_event = 0`` for every event it
    receives; when more than ``limit`` bytes have been read without one, the current token is
    longer than the limit and reading stops. Long runs of small tokens (a GeoJSON coordinate
    array) produce events all along and pass.
    """

    def __init__(self, raw: BinaryIO, limit: int, what: str) -> None:
        super().__init__()
        self._raw = raw
        self._limit = limit
        self._what = what
        self.since_event = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.since_event > self._limit:
            raise ReaderError(f"{self._what} longer than {self._limit} bytes")
        data = self._raw.read(size if size is not None and size >= 0 else 64 * 1024)
        self.since_event += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class Utf8Recoder(io.RawIOBase):
    """Present a text stream as UTF-8 bytes (feeds cp1251 XML to an expat parser)."""

    def __init__(self, text: TextIO) -> None:
        super().__init__()
        self._text = text
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = size if size is not None and size >= 0 else 64 * 1024
        while len(self._pending) < want:
            chunk = self._text.read(max(want // 2, 1))
            if not chunk:
                break
            self._pending += chunk.encode("utf-8")
        out, self._pending = self._pending[:want], self._pending[want:]
        return out

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
