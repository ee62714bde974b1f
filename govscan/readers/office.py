"""What Word and OpenDocument readers share: container sniffing, bounded XML parts, prose, tables.

Office files are zips (OOXML, ODF) or OLE2 compound files (legacy Office, and *encrypted*
OOXML, which Office wraps in OLE2 with ``EncryptionInfo``/``EncryptedPackage`` streams). What
a container holds is decided from its content, never from the extension alone:

* OOXML by ``[Content_Types].xml`` (the main part's content type: Word, Excel, PowerPoint);
* ODF by its ``mimetype`` member (``application/vnd.oasis.opendocument.text`` …);
* OLE2 by its streams (``WordDocument``, ``Workbook``/``Book``, ``EncryptedPackage``).

A document is never read as a generic zip: a docx read as a zip of XML loses its tables (all
cells fall under one XML path) and fails on its own thumbnail.

Parts are parsed with defusedxml's ``iterparse`` (no DTD, no entities, no network) from a stream
that counts unpacked bytes (zip bombs: declared sizes can lie), and readers detach elements as
they end, so memory stays bounded by one paragraph, not by the document.
"""

from __future__ import annotations

import io
import itertools
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as safe_et

from govscan.errors import described
from govscan.model import Field, Piece, Text, Values
from govscan.readers.archive import _check_central_directory as check_central_directory  # noqa: PLC2701
from govscan.readers.archive import ratio_exceeded
from govscan.readers.encoding import TokenGuard
from govscan.readers.limits import MIB, Limits, ReadContext, ReaderError
from govscan.readers.table import TableBuilder

ENCRYPTED = "encrypted, not read (a password-protected Office document)"

MAX_PART_BYTES = 512 * MIB
"""Unpacked bytes of one XML part (a 512 MB document.xml is tens of thousands of pages)."""
MAX_PARAGRAPHS = 2_000_000
"""Paragraphs (prose and table-cell ones) read from one document."""
MAX_CELLS = 20_000_000
"""Table cells read from one document."""
MAX_COLUMNS = 1024
"""Columns of one table (Word allows 63): cells beyond are read as the table's prose, so a row of
100,000 cells or ``gridSpan`` padding cannot widen every row of the table (memory) unnoticed."""
MAX_SECONDS = 600.0
"""Wall-clock bound on reading one document."""
SMALL_PART = 4 * MIB  # [Content_Types].xml, mimetype, core.xml: anything bigger is hostile

_WORD_TYPES = (
    "wordprocessingml.document.main+xml",
    "wordprocessingml.template.main+xml",
    "ms-word.document.macroenabled.main+xml",
    "ms-word.template.macroenabledtemplate.main+xml",
)
_SHEET_TYPES = (
    "spreadsheetml.sheet.main+xml",
    "spreadsheetml.template.main+xml",
    "ms-excel.sheet.macroenabled.main+xml",
    "ms-excel.template.macroenabled.main+xml",
)
_XLSB_TYPE = "ms-excel.sheet.binary.macroenabled.main"
_SLIDE_TYPES = ("presentationml.presentation.main+xml", "presentationml.slideshow.main+xml", "ms-powerpoint")
_ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.text-template": "odt",
    "application/vnd.oasis.opendocument.text-master": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.spreadsheet-template": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.presentation-template": "odp",
}


# --- sniffing -----------------------------------------------------------------------------------


def zip_document_kind(path: str) -> str | None:
    """``docx``/``xlsx``/``xlsb``/``pptx``/``odt``/``ods``/``odp`` for an Office zip, else None.

    None for a plain zip, and for one that cannot be opened (the extension then decides).
    """
    try:
        check_central_directory(path)
        with zipfile.ZipFile(path) as archive:
            names = {info.filename: info for info in archive.infolist()}
            if "[Content_Types].xml" in names:
                kind = _ooxml_kind(_small_member(archive, names["[Content_Types].xml"]), archive, names)
                if kind:
                    return kind
            if "mimetype" in names:
                mimetype = _small_member(archive, names["mimetype"]).decode("ascii", "replace").strip()
                if mimetype in _ODF_KINDS:
                    return _ODF_KINDS[mimetype]
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, ReaderError):
        return None
    return None


def _small_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > SMALL_PART:
        return b""
    with archive.open(info) as stream:
        return stream.read(SMALL_PART)


def _ooxml_kind(content_types: bytes, archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str | None:
    try:
        root = safe_et.fromstring(content_types, forbid_dtd=True)
    except (ParseError, defusedxml.DefusedXmlException, ValueError):
        return None
    overrides = [
        ((e.get("PartName") or "").lstrip("/"), (e.get("ContentType") or "").lower())
        for e in root
        if e.tag.endswith("Override")
    ]
    for kind, markers in (
        ("docx", _WORD_TYPES),
        ("xlsx", _SHEET_TYPES),
        ("xlsb", (_XLSB_TYPE,)),
        ("pptx", _SLIDE_TYPES),
    ):
        if any(
            (t.endswith(markers) or any(m in t for m in markers))
            and not _speaks_otherwise(archive, names.get(part), kind)
            for part, t in overrides
        ):
            return kind
    return None


_VOCABULARIES = {"docx": b"wordprocessingml", "xlsx": b"spreadsheetml", "pptx": b"presentationml"}
_ROOT_BYTES = 16 * 1024  # a root element's namespace declarations come first


def _speaks_otherwise(archive: zipfile.ZipFile, info: zipfile.ZipInfo | None, kind: str) -> bool:
    """True when the declared main part is XML of another vocabulary (a workbook labelled Word).

    ``[Content_Types].xml`` is only a label; a lying one must not send a workbook to the Word
    reader, which would find nothing in it and pass it as clean.
    """
    marker = _VOCABULARIES.get(kind)
    if info is None or marker is None or info.flag_bits & 0x1:
        return False
    with archive.open(info) as stream:
        head = stream.read(_ROOT_BYTES)
    return head.lstrip().startswith(b"<") and marker not in head


def ole_kind(path: str) -> str:
    """``encrypted``, ``doc``, ``xls``, ``ppt``, ``ole`` (unknown) or ``broken`` for an OLE2 file."""
    import olefile  # only when an OLE2 file shows up

    try:
        with olefile.OleFileIO(path) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=False)}
            if {"EncryptionInfo", "EncryptedPackage"} <= streams:
                return "encrypted"
            if "WordDocument" in streams:
                return "encrypted" if _word_fib_encrypted(ole) else "doc"
            if "Workbook" in streams or "Book" in streams:
                return "xls"
            if "PowerPoint Document" in streams:
                return "ppt"
    except Exception:  # olefile raises OSError, struct errors, IndexError… on broken files  # noqa: BLE001
        return "broken"
    return "ole"


def _word_fib_encrypted(ole: object) -> bool:
    """Word 97+ FIB flag ``fEncrypted`` (bit 8 of the flags at offset 10 of ``WordDocument``)."""
    with ole.openstream("WordDocument") as stream:  # type: ignore[attr-defined]
        fib = stream.read(12)
    return len(fib) >= 12 and bool(int.from_bytes(fib[10:12], "little") & 0x0100)


# --- bounded parts ------------------------------------------------------------------------------


class _CountingStream(io.RawIOBase):
    """A zip member that refuses to unpack beyond its bounds (counted, not declared)."""

    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo, ctx: ReadContext, what: str) -> None:
        super().__init__()
        self._raw, self._info, self._ctx, self._what = raw, info, ctx, what
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size is not None and size >= 0 else 64 * 1024)
        self.count += len(data)
        limits = self._ctx.limits
        if self.count > min(MAX_PART_BYTES, limits.archive_max_member_bytes) or ratio_exceeded(
            self.count, self._info.compress_size, limits
        ):
            raise ReaderError(f"{self._what} part {self._info.filename} unpacks beyond its bounds (zip bomb?)")
        self._ctx.budget.take(len(data), limits.archive_max_total_bytes)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_zip(path: str, what: str) -> zipfile.ZipFile:
    check_central_directory(path)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReaderError(f"not a valid {what} ({described(exc, 200)})") from None


def member_copies(archive: zipfile.ZipFile) -> dict[str, list[zipfile.ZipInfo]]:
    """The members stored under each name: a zip may hold a name twice and an application may
    show either copy, so readers read both (entries pointing at the same bytes only once)."""
    found: dict[str, dict[int, zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        found.setdefault(info.filename, {}).setdefault(info.header_offset, info)
    return {name: list(entries.values()) for name, entries in found.items()}


def check_odf_encryption(archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> None:
    """ODF encrypts parts, not the zip: ``encryption-data`` in the manifest means a password."""
    info = infos.get("META-INF/manifest.xml")
    if info is not None and b"encryption-data" in _small_member(archive, info):
        raise ReaderError(ENCRYPTED)


def check_part(info: zipfile.ZipInfo, limits: Limits, what: str) -> None:
    """Refuse a part whose declared size already announces a bomb, or that is encrypted."""
    if info.flag_bits & 0x1:
        raise ReaderError(ENCRYPTED)
    if info.file_size > min(MAX_PART_BYTES, limits.archive_max_member_bytes) or ratio_exceeded(
        info.file_size, info.compress_size, limits
    ):
        raise ReaderError(f"{what} part {info.filename} declares {info.file_size} bytes (zip bomb?)")


def iter_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ReadContext, what: str
) -> Iterator[tuple[str, Element]]:
    """``(event, element)`` pairs of one XML part: safe parser, bounded bytes, depth and text runs."""
    check_part(info, ctx.limits, what)
    try:
        raw = archive.open(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ReaderError(f"not a valid {what} ({described(exc, 200)})") from None
    with raw:
        try:
            yield from iter_xml(
                _CountingStream(raw, info, ctx, what), ctx.limits, what, f" in {what} part {info.filename}"
            )
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:  # zlib/CRC errors of a truncated zip
            raise ReaderError(f"not a valid {what} ({described(exc, 200)})") from None


def iter_xml(stream: IO[bytes], limits: Limits, what: str, where: str = "") -> Iterator[tuple[str, Element]]:
    """``(event, element)`` pairs of an XML stream: no DTD, no entities, bounded depth and text runs."""
    guard = TokenGuard(stream, limits.max_field_chars, f"{what} XML text")
    depth = 0
    try:
        events = safe_et.iterparse(
            guard, events=("start", "end"), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        for event, elem in events:
            guard.since_event = 0
            depth += 1 if event == "start" else -1
            if depth > limits.xml_max_depth:
                raise ReaderError(f"{what} XML nested deeper than {limits.xml_max_depth} levels")
            yield event, elem
    except defusedxml.DefusedXmlException as exc:
        raise ReaderError(f"{what} XML entity/DTD refused ({type(exc).__name__})") from None
    except ParseError as exc:
        raise ReaderError(f"malformed XML{where}: {exc}") from None
    except (LookupError, ValueError) as exc:  # expat on a declared encoding it cannot decode
        raise ReaderError(f"malformed XML{where}: encoding not supported ({exc})") from None


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


MAX_AUTHORS = 10_000  # names of comment and change authors kept per kind and document

# --- bounds -------------------------------------------------------------------------------------


class Budget:
    """Paragraphs, cells and seconds left for one document (the bounds are read when it starts).

    A bound is reported once: after that the calls pass, so that what is open (the paragraph,
    the table being read) can still be flushed before the error ends the document.
    """

    def __init__(self) -> None:
        self.max_paragraphs, self.max_cells, self.seconds = MAX_PARAGRAPHS, MAX_CELLS, MAX_SECONDS
        self.paragraphs, self.cells = MAX_PARAGRAPHS, MAX_CELLS
        self.deadline = time.monotonic() + MAX_SECONDS
        self.spent = False
        self._ticks = 0

    def paragraph(self) -> None:
        self.paragraphs -= 1
        if self.paragraphs < 0:
            self._spend(f"more than {self.max_paragraphs} paragraphs; rest not read")
        self.tick()

    def cell(self, count: int = 1) -> None:
        """``count`` cells read (a row repeated N times is N times its cells)."""
        self.cells -= count
        if self.cells < 0:
            self._spend(f"more than {self.max_cells} table cells; rest not read")
        self.tick()

    def tick(self) -> None:
        self._ticks += 1
        if self._ticks & 0x3FF == 0 and time.monotonic() > self.deadline:
            self._spend(f"reading took longer than {self.seconds:.0f} s; rest not read")

    def _spend(self, problem: str) -> None:
        if not self.spent:
            self.spent = True
            raise ReaderError(problem)


@dataclass
class Document:
    """What the parts of one Word or ODT document share: table numbering, bounds, authors of changes."""

    uri: str
    limits: Limits
    budget: Budget = field(default_factory=Budget)
    table_numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    authors: dict[str, list[str]] = field(default_factory=lambda: {"comment author": [], "revision author": []})

    def author(self, kind: str, name: str | None) -> None:
        """Remember the author of a comment or a change (bounded: a hostile file may name millions)."""
        names = self.authors[kind]
        if name and len(names) < MAX_AUTHORS:
            names.append(name)


# --- prose --------------------------------------------------------------------------------------


class Prose:
    """Paragraphs in, ``Text`` blocks of at most ``text_block_chars`` out (one per part)."""

    def __init__(self, uri: str, limits: Limits, part: str | None) -> None:
        self.uri = uri
        self.field = Field(part=part)
        self._size = max(1, limits.text_block_chars)
        self._block: list[str] = []
        self._len = 0

    def add(self, paragraph: str) -> list[Text]:
        text = " ".join(paragraph.split())
        out: list[Text] = []
        while text:
            if len(text) > self._size:
                cut = text.rfind(" ", 0, self._size)
                cut = cut if cut > 0 else self._size
                piece, text = text[:cut], text[cut:].lstrip()
            else:
                piece, text = text, ""
            if self._block and self._len + 1 + len(piece) > self._size:
                out.extend(self.finish())
            self._block.append(piece)
            self._len += len(piece) + 1
        return out

    def finish(self) -> list[Text]:
        if not self._block:
            return []
        block, self._block, self._len = self._block, [], 0
        return [Text(self.uri, "\n".join(block), self.field)]


# --- tables -------------------------------------------------------------------------------------


class DocTable:
    """Rows of a Word/ODF table in, column ``Values`` out, through the shared :class:`TableBuilder`.

    Rows the document marks as header rows (Word "repeat as header row", ODF
    ``table:table-header-rows``) are passed as marked; :func:`~govscan.readers.table.find_header`
    does the rest (title rows merged across the table go to prose, two-line headers, a
    numbering row). ``first_line`` of a chunk is the 1-based row number within the table.
    """

    def __init__(self, uri: str, limits: Limits, name: str, part: str | None) -> None:
        self._builder = TableBuilder(uri, limits, name, part=part)
        self._overflow = Prose(uri, limits, part)
        self._overflow.field = Field(sheet=name, part=part)
        self._row = 0

    def add(self, cells: list[str], header: bool = False) -> list[Piece]:
        """One row; cells beyond :data:`MAX_COLUMNS` are the table's prose (see :meth:`beyond`)."""
        self._row += 1
        out = self.beyond(cells[MAX_COLUMNS:]) if len(cells) > MAX_COLUMNS else []
        out.extend(self._builder.add(cells[:MAX_COLUMNS], self._row, marked=header))
        return out

    def beyond(self, cells: Iterable[str]) -> list[Piece]:
        """Cells past the column bound: read as text of the table, never dropped."""
        out: list[Piece] = []
        for cell in cells:
            if cell:
                out.extend(self._overflow.add(cell))
        return out

    def finish(self) -> list[Piece]:
        return [*self._builder.finish(), *self._overflow.finish()]


def metadata_values(uri: str, people: dict[str, list[str]], part: str) -> list[Values]:
    """Names found in a document's metadata, one ``Values`` per field (``creator``…)."""
    out = []
    for column, names in people.items():
        kept = [n for n in dict.fromkeys(" ".join(n.split()) for n in names) if n]
        if kept:
            out.append(Values(uri, Field(column=column, part=part), kept[:1000]))
    return out


def line_pieces(
    uri: str, limits: Limits, lines: Iterable[str], split_row: Callable[[str], list[str] | None], budget: Budget
) -> Iterator[Piece]:
    """Text lines of a converted document (RTF, legacy Word) in, prose and tables out.

    ``split_row`` returns the cells of a line that is a table row (striprtf ends them with
    ``|``, catdoc separates cells by tabs), else None. Consecutive rows are one table (``table
    N``); blank lines do not end a table, any other line does. Every other line is a paragraph.
    """
    prose = Prose(uri, limits, None)
    numbers = itertools.count(1)
    table: DocTable | None = None
    for line in lines:
        cells = split_row(line)
        if cells is not None:
            if table is None:
                table = DocTable(uri, limits, f"table {next(numbers)}", None)
            for _ in cells:
                budget.cell()
            yield from table.add([" ".join(c.split()) for c in cells])
            continue
        if not line.strip():
            continue
        if table is not None:
            yield from table.finish()
            table = None
        budget.paragraph()
        yield from prose.add(line)
    if table is not None:
        yield from table.finish()
    yield from prose.finish()
