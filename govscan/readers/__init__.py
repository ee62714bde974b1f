"""Readers: turn an ``Asset`` into a stream of ``Values``/``Text`` pieces, never crashing.

``read_asset`` sniffs the format and dispatches to the reader registered for it (the
``govscan_readers`` hook of :mod:`govscan.plugins`). Any problem with
the input (a limit, a parse error, an unexpected exception inside a parser) ends that asset's
stream with one ``ReadError`` item; pieces yielded before it stay valid.

Format sniffing, in order:

1. magic bytes of binary containers. A zip ``PK\\x03\\x04`` is an Office or OpenDocument file
   when its content says so (``[Content_Types].xml``, the ODF ``mimetype`` member: see
   :mod:`govscan.readers.office`) and is then never read as a generic archive; otherwise the
   extension or Content-Type of an Office format decides (its reader reports a broken file),
   else it is an archive. OLE2 files are told apart by their streams (legacy Word, Excel;
   encrypted OOXML is "encrypted, not read"); RTF by ``{\\rtf``; gzip ``\\x1f\\x8b`` (TAR when
   named ``.tar.gz``/``.tgz``), ``ustar`` tar; PDF (``%PDF-``) and images (PNG, JPEG,
   TIFF: read through OCR) have readers; known unsupported binaries (RAR, 7z, GIF) are
   reported as such;
2. a document that starts like HTML (``<!doctype html``, ``<html``) is HTML whatever its name
   (portals serve error pages as ``.csv``);
3. the extension of the URI (for URLs, of the path without the query), then the
   Content-Type (``Asset.media_hint``), for the text formats they name;
4. the content: ``<?xml``/``<`` → XML, ``{``/``[`` → JSON (JSON Lines sniffed by the JSON
   reader), NUL bytes → unsupported binary, otherwise CSV when the first lines split
   consistently on one delimiter, else plain text (``.txt`` files go through this step
   too: Excel "Unicode text" exports are TAB-separated ``.txt``).

Plugins add formats by implementing ``govscan_readers`` (returning :class:`Format` entries); the
built-in ones below are registered through the same hook.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from govscan import plugins
from govscan.errors import one_line
from govscan.model import Asset, Piece, ReadError
from govscan.readers.archive import BudgetExhausted, read_gzip, read_tar, read_zip
from govscan.readers.csv_ import looks_like_table, read_csv
from govscan.readers.doc import read_doc
from govscan.readers.docx import read_docx
from govscan.readers.encoding import detect_encoding, read_sample
from govscan.readers.html import read_html
from govscan.readers.json_ import read_json, read_json_lines
from govscan.readers.limits import DEFAULT_LIMITS, Limits, ReadContext, ReaderError
from govscan.readers.ocr import read_image
from govscan.readers.odt import read_odt
from govscan.readers.office import ENCRYPTED, ole_kind, zip_document_kind
from govscan.readers.pdf import read_pdf
from govscan.readers.rtf import read_rtf
from govscan.readers.spreadsheet import read_ods, read_xls, read_xlsb, read_xlsx
from govscan.readers.text import read_text
from govscan.readers.xml_ import read_xml

__all__ = [
    "SNIFF",
    "Format",
    "Limits",
    "ReadContext",
    "Reader",
    "ReaderError",
    "read_asset",
    "read_with_context",
    "sniff_format",
]

Reader = Callable[[Asset, ReadContext], Iterator[Piece | ReadError]]
"""A reader streams pieces of one asset; it raises ``ReaderError`` for bad input."""


@dataclass(frozen=True)
class Format:
    """One document format a plugin offers: its reader and the names that announce it.

    ``extensions`` include the dot (``.ods``). A format without a reader only claims names for
    another decision (:data:`SNIFF`: "text of some kind, decided by content").
    """

    name: str
    reader: Reader | None
    extensions: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()


_READERS: dict[str, Reader] = {
    "csv": read_csv,
    "text": read_text,
    "json": read_json,
    "jsonl": read_json_lines,
    "xml": read_xml,
    "html": read_html,
    "xlsx": read_xlsx,
    "xls": read_xls,
    "xlsb": read_xlsb,
    "ods": read_ods,
    "docx": read_docx,
    "odt": read_odt,
    "rtf": read_rtf,
    "doc": read_doc,
    "pdf": read_pdf,
    "image": read_image,
    "zip": read_zip,
    "gzip": read_gzip,
    "tar": read_tar,
}

SNIFF = "sniff"  # an extension/media type that says "text of some kind": decide by content
_CONTAINERS = frozenset({"zip", "gzip", "tar", "xlsx", "doc", "rtf", "docx", "odt"})  # named so, but sniffed by content
_OFFICE_ZIPS = frozenset({"xlsx", "xlsb", "ods", "docx", "odt"})
_KIND_NAMES = {  # container kinds no reader is registered for
    "pptx": "PowerPoint presentation (.pptx)",
    "odp": "OpenDocument presentation (.odp)",
    "ppt": "legacy PowerPoint presentation (.ppt)",
    "xls": "legacy Excel workbook (OLE2 .xls)",
    "xlsb": "binary Excel workbook (.xlsb)",
    "ods": "OpenDocument spreadsheet (.ods)",
    "doc": "legacy Word document (.doc)",
    "odt": "OpenDocument text (.odt)",
    "rtf": "RTF document",
    "ole": "OLE2 compound file of an unknown kind",
}

_EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": SNIFF,
    ".text": SNIFF,
    ".log": "text",
    ".md": "text",
    ".json": "json",
    ".geojson": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".xml": "xml",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xltx": "xlsx",
    ".xltm": "xlsx",
    ".xls": "xls",
    ".xlt": "xls",
    ".xlsb": "xlsb",
    ".ods": "ods",
    ".ots": "ods",
    ".docx": "docx",
    ".docm": "docx",
    ".dotx": "docx",
    ".dotm": "docx",
    ".odt": "odt",
    ".ott": "odt",
    ".rtf": "rtf",
    ".doc": "doc",
    ".dot": "doc",
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".zip": "zip",
    ".gz": "gzip",
    ".gzip": "gzip",
    ".tar": "tar",
    ".tgz": "tar",
    ".tar.gz": "tar",
}

_MEDIA_TYPES: dict[str, str] = {
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/csv": "csv",
    "text/plain": SNIFF,
    "application/json": "json",
    "text/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": "xlsx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-excel.sheet.binary.macroenabled.12": "xlsb",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-word.document.macroenabled.12": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "application/msword": "doc",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "image/png": "image",
    "image/jpeg": "image",
    "image/tiff": "image",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/gzip": "gzip",
    "application/x-gzip": "gzip",
    "application/x-tar": "tar",
}

_UNSUPPORTED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"Rar!\x1a\x07", "RAR archives are not supported"),
    (b"7z\xbc\xaf\x27\x1c", "7z archives are not supported"),
    (b"\xfd7zXZ\x00", "xz archives are not supported"),
    (b"GIF8", "image (GIF) is not supported"),
)


def builtin_formats() -> list[Format]:
    """The formats govscan ships (:mod:`govscan.builtins` registers them like a plugin's)."""
    return [
        Format(
            name,
            _READERS.get(name),
            tuple(e for e, f in _EXTENSIONS.items() if f == name),
            tuple(m for m, f in _MEDIA_TYPES.items() if f == name),
        )
        for name in dict.fromkeys([*_READERS, SNIFF])
    ]


def read_asset(asset: Asset, limits: Limits | None = None, *, depth: int = 0) -> Iterator[Piece | ReadError]:
    """Stream the pieces of ``asset``; problems become one trailing ``ReadError`` item.

    ``depth`` is the archive nesting level of ``asset`` (0 for a file given by the user).
    """
    ctx = ReadContext.top(limits or DEFAULT_LIMITS)
    ctx.depth = depth
    yield from read_with_context(asset, ctx)


def read_with_context(asset: Asset, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    """``read_asset`` for readers that recurse (archives): shares depth and byte budget."""
    try:
        reader = plugins.formats()[sniff_format(asset)]
        yield from reader(asset, ctx)
    except BudgetExhausted as exc:
        if ctx.depth > 0:
            raise  # reported once, by the top-level asset
        yield ReadError(asset.uri, str(exc))
    except ReaderError as exc:
        yield ReadError(asset.uri, one_line(exc, 500) or type(exc).__name__)
    except RecursionError:
        yield ReadError(asset.uri, "nesting too deep")
    except Exception as exc:  # a parser bug or an exotic failure must not end the scan
        text = one_line(exc, 500)
        yield ReadError(asset.uri, f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def sniff_format(asset: Asset) -> str:
    """Name of the format of ``asset`` (a key of ``plugins.formats()``); see the module docstring."""
    try:
        head = read_sample(asset.path)
    except IsADirectoryError:
        raise ReaderError("is a directory") from None
    except FileNotFoundError:
        raise ReaderError("no such file or directory") from None
    except OSError as exc:
        raise ReaderError(one_line(exc.strerror or exc, 500)) from None
    by_ext = format_by_extension(asset.uri)
    by_media = format_by_media_type(asset.media_hint)
    container = _container_by_magic(asset.path, head, by_ext, by_media)
    if container:
        return container
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    start = text.lstrip()[:1024].lower()
    if start.startswith(("<!doctype html", "<html")) or (start.startswith("<") and "<html" in start):
        return "html"
    for declared in (by_ext, by_media):
        if declared and declared != SNIFF and declared not in _CONTAINERS:
            return declared
    if start.startswith("<"):
        return "xml"
    if start.startswith(("{", "[")):
        return "json"
    if b"\x00" in head[:8192] and not encoding.startswith("utf-16"):
        raise ReaderError("binary file in an unsupported format")
    return "csv" if looks_like_table(text) else "text"


def format_by_extension(uri: str) -> str | None:
    name = posixpath.basename(_uri_path(uri)).lower()
    if name.endswith((".tar.gz", ".tar.gzip")):
        return plugins.extensions().get(".tar.gz")
    return plugins.extensions().get(posixpath.splitext(name)[1])


def format_by_media_type(media_hint: str | None) -> str | None:
    if not media_hint:
        return None
    return plugins.media_types().get(media_hint.split(";", 1)[0].strip().lower())


def _uri_path(uri: str) -> str:
    """The part of a URI that names the file: the last archive member, without a query."""
    inner = uri.rsplit("!/", 1)[-1]
    if "://" in inner:
        inner = inner.split("://", 1)[1]
        inner = inner.split("/", 1)[1] if "/" in inner else ""
        inner = inner.split("?", 1)[0].split("#", 1)[0]
    return inner


def _container_by_magic(path: str, head: bytes, by_ext: str | None, by_media: str | None) -> str | None:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        kind = zip_document_kind(path)
        if kind:
            return _registered(kind)
        declared = next((f for f in (by_ext, by_media) if f in _OFFICE_ZIPS), None)
        return _registered(declared) if declared else "zip"
    if head.startswith(_OLE2):
        kind = ole_kind(path)
        if kind == "encrypted":
            raise ReaderError(ENCRYPTED)
        if kind == "broken":
            raise ReaderError("not a valid OLE2 (legacy Office) file: truncated or damaged")
        return _registered(kind)
    if head.startswith(b"{\\rtf"):
        return _registered("rtf")
    if head.startswith(b"\x1f\x8b"):
        return "tar" if by_ext == "tar" else "gzip"
    if head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"%PDF-") or ("pdf" in (by_ext, by_media) and b"%PDF-" in head[:1024]):
        return "pdf"  # PDF readers accept junk before the header, and portals serve such files
    if head.startswith(_IMAGES):
        return "image"
    for magic, problem in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise ReaderError(problem)
    return None


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")  # PNG, JPEG, TIFF: read through OCR


def _registered(kind: str) -> str:
    """The format of a container kind, or one clear line when no reader is registered for it."""
    if kind in plugins.formats():
        return kind
    raise ReaderError(f"{_KIND_NAMES.get(kind, kind)} is not supported")
