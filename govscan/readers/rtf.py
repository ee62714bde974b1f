"""RTF reader: striprtf turns the markup into text; table rows come back as tables.

RTF is plain ASCII markup, but striprtf holds the whole document (and its text) in memory and
runs at a few MB/s, so a file above :data:`MAX_RTF_BYTES` is refused in one line rather than
read for minutes (an RTF with that much markup is mostly embedded pictures).

Non-ASCII text is written as ``\\'xx`` escapes in the document's ANSI code page
(``\\ansicpg1251`` for Russian Windows) or as ``\\uNNNN`` escapes; the code page is taken from
the header (``\\ansicpg``), else a Cyrillic font charset (``\\fcharset204``) means cp1251.
striprtf writes a table row as its cells each followed by ``|``: such lines become table rows
and go through the shared header finder. The ``{\\info}`` group's ``\\author`` and ``\\operator``
are the names of who wrote the document and who saved it last (``metadata:author``,
``metadata:last modified by``).
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator

from govscan.model import Asset, Piece
from govscan.readers.limits import MIB, ReadContext, ReaderError
from govscan.readers.office import Budget, line_pieces, metadata_values

MAX_RTF_BYTES = 64 * MIB
_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")
_CYRILLIC_FONT = re.compile(rb"\\fcharset204\b")
_INFO_NAME = re.compile(r"\{\\(author|operator)\s+((?:[^{}\\]|\\[^{}])*)\}")
_INFO_BYTES = 1 * MIB  # the {\info} group sits in the header, before the text
MAX_GROUP_DEPTH = 2000
"""Nesting of ``{…}`` groups (Word writes a few dozen levels)."""
_BRACES = re.compile(rb"[{}]+")
_UNICODE = re.compile(r"\\u(-?\d{1,10})")


def read_rtf(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    size = os.path.getsize(asset.path)
    if size > MAX_RTF_BYTES:
        raise ReaderError(f"RTF of {size} bytes is larger than the {MAX_RTF_BYTES} bytes read")
    with open(asset.path, "rb") as stream:
        raw = stream.read(MAX_RTF_BYTES + 1)
    check_depth(raw)
    encoding = rtf_encoding(raw[: 64 * 1024])
    from striprtf.striprtf import rtf_to_text  # only when an RTF shows up

    markup = _UNICODE.sub(_unicode_in_range, raw.decode(encoding, errors="replace"))
    try:
        text = rtf_to_text(markup, encoding=encoding, errors="replace")
    except (ValueError, IndexError, RecursionError, OverflowError) as exc:  # unbalanced or malformed markup
        raise ReaderError(f"malformed RTF ({type(exc).__name__})") from None
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # Word's \u pairs above U+FFFF
    yield from line_pieces(asset.uri, ctx.limits, text.splitlines(), _row, Budget())
    people = authors(raw[:_INFO_BYTES].decode(encoding, errors="replace"), encoding)
    yield from metadata_values(asset.uri, {"creator": people["author"]}, "metadata:author")
    yield from metadata_values(asset.uri, {"last modified by": people["operator"]}, "metadata:last modified by")


def authors(markup: str, encoding: str) -> dict[str, list[str]]:
    """Names in the ``{\\info}`` group: ``\\author`` (who wrote it) and ``\\operator`` (who saved it last)."""
    from striprtf.striprtf import rtf_to_text

    found: dict[str, list[str]] = {"author": [], "operator": []}
    for match in _INFO_NAME.finditer(markup):
        name = rtf_to_text("{\\rtf1 " + match.group(2) + "}", encoding=encoding, errors="replace").strip()
        if name and len(found[match.group(1)]) < 100:
            found[match.group(1)].append(name)
    return found


def check_depth(raw: bytes) -> None:
    """Refuse groups nested deeper than :data:`MAX_GROUP_DEPTH` before striprtf stacks them.

    striprtf keeps a state per open group: 30 MB of ``{`` took 2.6 GB. Escaped braces do not
    count; a run of braces is walked one by one only when it could pass the bound.
    """
    plain = raw.replace(b"\\\\", b"").replace(b"\\{", b"").replace(b"\\}", b"")
    if plain.count(b"{") <= MAX_GROUP_DEPTH:
        return
    depth = 0  # as striprtf counts: a "}" with no group open is ignored
    for run in _BRACES.finditer(plain):
        braces = run.group()
        opened = braces.count(b"{")
        if opened == len(braces):
            depth += opened
        elif not opened:
            depth = max(0, depth - len(braces))
        else:
            for brace in braces:
                depth = depth + 1 if brace == 0x7B else max(0, depth - 1)
                if depth > MAX_GROUP_DEPTH:
                    break
        if depth > MAX_GROUP_DEPTH:
            raise ReaderError(f"RTF groups nested deeper than {MAX_GROUP_DEPTH} levels; not read")


def _unicode_in_range(match: re.Match[str]) -> str:
    """A ``\\uN`` escape outside 16 bits (striprtf's ``chr`` fails on it) becomes ``?``."""
    return match.group(0) if -32768 <= int(match.group(1)) <= 65535 else "\\u63"


def rtf_encoding(head: bytes) -> str:
    """Codec of ``\\'xx`` escapes: ``\\ansicpgN``, else cp1251 for a Cyrillic font, else cp1252."""
    match = _CODE_PAGE.search(head)
    if match:
        name = f"cp{int(match.group(1))}"
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    return "cp1251" if _CYRILLIC_FONT.search(head) else "cp1252"


def _row(line: str) -> list[str] | None:
    if not line.endswith("|"):
        return None
    return line[:-1].split("|")
