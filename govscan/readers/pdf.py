"""PDF reader (PyMuPDF): text, tables and hidden content page by page, OCR where there is no text.

Why PyMuPDF: on generated Russian/Kazakh lists (``benchmarks/bench_pdf.py``) it reads the text
layer ~2x faster than pypdfium2 and ~100x faster than pdfplumber with the same fidelity, finds
ruled tables (pypdfium2 has no table finder), and reaches everything a leak hides in: drawings
(black boxes), annotations, form fields, embedded files, metadata; it also renders scanned pages
for OCR. Its AGPL licence fits govscan's. Tables are read from the page's ruling lines and words
(:mod:`govscan.readers.pdf_layout`), not by PyMuPDF's table finder (10-60x slower) nor its ONNX
layout model (the ``pymupdf-layout`` extra, never imported).

What comes out, each with ``page`` (1-based):

* a page's prose as ``Text``; its ruled tables as ``Values`` with real columns (the shared
  header finder places the header; a table continued on the next page without a header of its
  own keeps the previous page's header when it has as many columns);
* text under a drawn dark box as ``Text`` whose field part is ``under a redaction box`` (the
  detector reports it under ``pii.failed-redaction``);
* form fields as ``Values`` (column = field name, part ``form field``); the document's author as
  ``Values`` (column ``creator``, part ``metadata:author``, as the Word readers do); embedded files read like archive members,
  ``report.pdf!/list.csv``, with part ``attachment``;
* pages without a text layer go through Tesseract (``Limits.ocr``: auto/off/force). Pages that
  needed OCR and did not get it end the stream with one line naming them (an unread input).

Bounds: pages (``pdf_max_pages``), seconds (``pdf_max_seconds``, between pages), characters
(``pdf_max_chars``), the inflated size of every compressed stream (``pdf_max_stream_bytes``,
checked before any page is parsed: decompression bombs), OCR pixels and seconds per page.
An encrypted PDF is one line, ``encrypted, not read``.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from typing import Any

from govscan.errors import described
from govscan.model import Asset, Field, Piece, ReadError, Text, Values
from govscan.readers.limits import Limits, ReadContext, ReaderError
from govscan.readers.ocr import Ocr, OcrUnavailable, page_span
from govscan.readers.office import metadata_values
from govscan.readers.pdf_layout import PageLayout, layout
from govscan.readers.table import TableBuilder, find_header

REDACTION = "under a redaction box"
FORM_FIELD = "form field"
ATTACHMENT = "attachment"
FILE_ATTACHMENT = 17  # PDF_ANNOT_FILE_ATTACHMENT
MIN_TEXT_LAYER = 16
"""Non-blank characters below which a page with an image counts as scanned."""
MIN_READABLE = 0.5
"""Share of letters and digits below which a text layer is gibberish (legacy fonts without a
character map: the page renders right, its text does not), and the page is OCR'd instead."""
INFLATE_CHUNK = 1 << 20


def load_pymupdf() -> Any:
    """PyMuPDF without its ONNX layout model, quiet; imported only when a PDF shows up.

    PyMuPDF 2 imports ``pymupdf.layout`` (the ``pymupdf-layout`` extra: onnxruntime) when it is
    installed; govscan finds tables from ruling lines and never uses it, and not importing it
    saves ~1 s and ~50 MB per process. Its advice to install it would be printed on stdout,
    where ``--format json`` writes the report.
    """
    if "pymupdf" not in sys.modules:
        sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]
    import pymupdf

    if hasattr(pymupdf, "no_recommend_layout"):
        pymupdf.no_recommend_layout()
    pymupdf.TOOLS.mupdf_display_errors(False)  # damaged files: our one line, not MuPDF's stderr
    pymupdf.TOOLS.mupdf_display_warnings(False)
    return pymupdf


def read_pdf(asset: Asset, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    pymupdf = load_pymupdf()
    limits = ctx.limits
    started = time.monotonic()
    pymupdf.TOOLS.reset_mupdf_warnings()
    try:
        doc = pymupdf.open(asset.path, filetype="pdf")
    except Exception as exc:  # MuPDF raises its own FileDataError, RuntimeError, ValueError…
        reason = described(exc, 200).replace(f" '{asset.path}'", "").replace(asset.path, "file")  # no temp paths
        raise ReaderError(f"not a valid PDF ({reason})") from None
    with doc:
        if doc.needs_pass:  # an owner password alone (printing, copying) does not stop reading
            raise ReaderError("encrypted, not read")
        _check_streams(doc, limits, started)
        yield from _metadata(doc, asset.uri)
        reading = _Pages(asset.uri, limits, started)
        yield from reading.read(doc)
        damage = _damage(pymupdf.TOOLS.mupdf_warnings(reset=True))
        if doc.is_repaired:  # MuPDF rebuilt a broken cross-reference table: parts may be missing
            reading.problems.insert(0, "damaged PDF (truncated or corrupt; read as far as it could be repaired)")
        elif damage:  # MuPDF skips what it cannot load (an over-deep object, a broken page) with a warning only
            reading.problems.insert(0, f"damaged PDF, parts not read (MuPDF: {damage})")
        yield from _attachments(doc, asset, ctx)
        if reading.problems:
            raise ReaderError("; ".join(reading.problems))


class _Pages:
    """The page loop with its bounds, the OCR session and the table header carried across pages."""

    def __init__(self, uri: str, limits: Limits, started: float) -> None:
        self.uri = uri
        self.limits = limits
        self.started = started
        self.ocr = Ocr(limits)
        self.chars = 0
        self.problems: list[str] = []
        self.unread: dict[str, list[int]] = {}  # reason -> page numbers that needed OCR and did not get it
        self.damaged: list[int] = []
        self.oversized: list[int] = []
        self.damage = ""
        self.last_header: list[str] | None = None

    def read(self, doc: Any) -> Iterator[Piece]:
        total = _page_count(doc)
        stop = min(total, self.limits.pdf_max_pages)
        for index in range(stop):
            number = index + 1
            elapsed = time.monotonic() - self.started
            if elapsed > self.limits.pdf_max_seconds:
                self.problems.append(f"pages {number}-{total} not read: over {self.limits.pdf_max_seconds:g} s")
                break
            if self.chars > self.limits.pdf_max_chars:
                self.problems.append(f"pages {number}-{total} not read: over {self.limits.pdf_max_chars} characters")
                break
            try:
                page = doc.load_page(index)
                size = _content_bytes(doc, page)
                if size > self.limits.pdf_max_page_bytes:
                    self.oversized.append(number)
                    continue
                pieces = list(self._page(page, number, layout(page, size <= self.limits.pdf_max_drawing_bytes)))
            except Exception as exc:  # noqa: BLE001 - MuPDF's errors on a broken page are that page's problem
                self.damaged.append(number)
                self.damage = self.damage or described(exc, 200)
                continue
            yield from pieces
        if total > stop and stop == self.limits.pdf_max_pages:
            self.problems.append(f"pages {stop + 1}-{total} not read (limit of {stop} pages)")
        if self.damaged:
            self.problems.append(f"{page_span(self.damaged)} damaged, not read ({self.damage})")
        if self.oversized:
            self.problems.append(
                f"{page_span(self.oversized)} not read: content over {self.limits.pdf_max_page_bytes} bytes (limit)"
            )
        for reason, numbers in self.unread.items():
            self.problems.append(f"{page_span(numbers)} not read: {reason}")

    def _page(self, page: Any, number: int, found: PageLayout) -> Iterator[Piece]:
        uri = self.uri
        layer = "".join(found.prose.split()) + "".join(c for t in found.tables for r in t.rows for c in r)
        why = None
        if len(layer) < MIN_TEXT_LAYER and page.get_images(full=False):
            why = "no text layer"
        elif _gibberish(layer):
            why = "text layer unreadable (no character map)"
        if self.ocr.mode == "force" or why:
            text = self._ocr(page, number, why or "OCR forced")
            if text is not None:
                found.prose, found.tables = text, []
        if found.prose.strip():
            self.chars += len(found.prose)
            yield from _text_pieces(uri, found.prose, number, self.limits.text_block_chars)
        for table in found.tables:
            yield from self._table(table.rows, number)
        for covered in found.covered:
            yield Text(uri, covered, field=Field(part=REDACTION), page=number)
        yield from _form_fields(page, uri, number)

    def _ocr(self, page: Any, number: int, why: str) -> str | None:
        if self.ocr.mode == "off" or not self.ocr.available:
            self.unread.setdefault(self.ocr.missing(why), []).append(number)
            return None
        try:
            text = self.ocr.png(_render(page, self.limits))
        except OcrUnavailable as exc:
            self.unread.setdefault(str(exc), []).append(number)
            return None
        self.chars += len(text)
        return text

    def _table(self, rows: list[list[str]], number: int) -> Iterator[Piece]:
        width = max(map(len, rows), default=0)
        header = None
        own = find_header(rows)
        if own is None and self.last_header is not None and len(self.last_header) == width:
            header = self.last_header  # a list continued from the previous page, header not repeated
        elif own is not None:
            self.last_header = own.names
        builder = TableBuilder(self.uri, self.limits, header=header)
        for row in rows:
            yield from _on_page(builder.add(row), number)
        yield from _on_page(builder.finish(), number)


_LEADERS = re.compile(r"([^\w\s])\1{2,}")


def _gibberish(layer: str) -> bool:
    """A text layer (blanks removed) that is mostly not letters or digits, dot leaders and rules
    ("Раздел 1 ........ 5", "______") left out: what legacy fonts without a character map give."""
    kept = _LEADERS.sub("", layer)
    return len(kept) >= MIN_TEXT_LAYER and sum(ch.isalnum() for ch in kept) < len(kept) * MIN_READABLE


def _content_bytes(doc: Any, page: Any) -> int:
    """Inflated size of what MuPDF interprets for ``page``: its content streams and form XObjects."""
    size = len(page.read_contents())
    for xref, *_ in page.get_xobjects():
        try:
            size += len(doc.xref_stream(xref) or b"")
        except Exception:  # noqa: BLE001, S112 - a broken XObject: MuPDF skips it too
            continue
    return size


def _on_page(pieces: list[Any], number: int) -> Iterator[Piece]:
    for piece in pieces:
        piece.page = number
        yield piece


def _text_pieces(uri: str, text: str, page: int, block: int) -> Iterator[Text]:
    """A page's prose in pieces of about ``block`` characters, cut at paragraph breaks."""
    if len(text) <= block:
        yield Text(uri, text, page=page)
        return
    buf: list[str] = []
    size = 0
    for para in text.split("\n\n"):
        if buf and size + len(para) > block:
            yield Text(uri, "\n\n".join(buf), page=page)
            buf, size = [], 0
        buf.append(para)
        size += len(para) + 2
    if buf:
        yield Text(uri, "\n\n".join(buf), page=page)


def _render(page: Any, limits: Limits) -> bytes:
    """The page as a grey PNG at ``ocr_dpi``, scaled down to ``ocr_max_pixels`` (huge page boxes)."""
    pymupdf = load_pymupdf()

    rect = page.rect
    scale = limits.ocr_dpi / 72
    area = max(rect.width, 1) * max(rect.height, 1) * scale * scale
    if area > limits.ocr_max_pixels:
        scale *= (limits.ocr_max_pixels / area) ** 0.5
    pix = page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csGRAY, alpha=False)
    return pix.tobytes("png")


def _form_fields(page: Any, uri: str, number: int) -> Iterator[Values]:
    for widget in page.widgets() or ():
        value = widget.field_value
        if isinstance(value, str) and value.strip() and value not in ("Off", "Yes"):
            name = " ".join((widget.field_label or widget.field_name or "").split()) or None
            yield Values(uri, Field(column=name, part=FORM_FIELD), [value.strip()], page=number)


def _metadata(doc: Any, uri: str) -> list[Values]:
    """The document's author (a person's name, often an official's), judged like a column of names."""
    meta = doc.metadata or {}
    return metadata_values(uri, {"creator": [str(meta.get("author") or "")]}, "metadata:author")


def _attachments(doc: Any, asset: Asset, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    """Embedded files (the document's and file-attachment annotations'), read like archive members."""
    from govscan.readers import read_with_context  # the dispatcher imports this module

    items = _embedded(doc, ctx.limits)
    if not items:
        return
    limits = ctx.limits
    if ctx.depth >= limits.archive_max_depth:
        yield ReadError(asset.uri, f"attachments nested deeper than {limits.archive_max_depth} levels; not opened")
        return
    with tempfile.TemporaryDirectory(prefix="govscan-") as tmp:
        for number, (name, size, load) in enumerate(items):
            uri = f"{asset.uri}!/{name}"
            if number >= limits.archive_max_members:
                yield ReadError(asset.uri, f"more than {limits.archive_max_members} attachments; rest skipped")
                return
            if size > limits.archive_max_member_bytes:
                yield ReadError(uri, f"attachment of {size} bytes skipped (limit {limits.archive_max_member_bytes})")
                continue
            try:
                data = load()
            except Exception as exc:  # noqa: BLE001 - a damaged attachment is that attachment's problem
                yield ReadError(uri, f"damaged attachment ({described(exc, 200)})")
                continue
            ctx.budget.take(len(data), limits.archive_max_total_bytes)
            path = os.path.join(tmp, f"attachment-{number}")
            with open(path, "wb") as sink:
                sink.write(data)
            del data
            try:
                for piece in read_with_context(Asset(uri=uri, path=path), ctx.nested()):
                    yield _as_attachment(piece)
            finally:
                os.remove(path)


def _embedded(doc: Any, limits: Limits) -> list[tuple[str, int, Any]]:
    """``(name, declared size, load)`` of the document's embedded files and its pages' attached files."""
    items: list[tuple[str, int, Any]] = []
    for i in range(doc.embfile_count()):
        info = doc.embfile_info(i)
        name = _safe_name(info.get("ufilename") or info.get("filename") or info.get("name") or f"attachment-{i + 1}")
        items.append((name, int(info.get("size") or info.get("length") or 0), lambda i=i: doc.embfile_get(i)))
    for index in range(min(_page_count(doc), limits.pdf_max_pages)):
        try:
            page = doc.load_page(index)
            annots = list(page.annots(types=[FILE_ATTACHMENT]) or ())
        except Exception:  # noqa: BLE001, S112 - a damaged page is reported by the page loop
            continue
        for annot in annots:
            info = annot.file_info
            name = _safe_name(info.get("filename") or f"attachment-p{index + 1}")
            load = lambda page=page, xref=annot.xref: page.load_annot(xref).get_file()  # noqa: E731 - page kept alive
            items.append((name, int(info.get("size") or info.get("length") or 0), load))
    return items


def _as_attachment(piece: Piece | ReadError) -> Piece | ReadError:
    if isinstance(piece, (Values, Text)) and piece.field.part is None:
        piece.field = dataclasses.replace(piece.field, part=ATTACHMENT)
    return piece


def _safe_name(name: str) -> str:
    """The attachment's file name, never a path; UTF-8 bytes stored as PDFDocEncoding are undone."""
    name = str(name)
    try:
        raw = name.encode("latin-1")
        if not raw.isascii():
            name = raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return posixpath.basename(name.replace("\\", "/")) or "attachment"


def _page_count(doc: Any) -> int:
    try:
        return int(doc.page_count)
    except Exception as exc:  # noqa: BLE001 - a broken page tree
        raise ReaderError(f"not a valid PDF (page tree: {described(exc, 200)})") from None


def _check_streams(doc: Any, limits: Limits, started: float) -> None:
    """Refuse a PDF with a compressed stream that inflates past ``pdf_max_stream_bytes``.

    MuPDF decodes images, fonts and embedded files whole into memory; a few kilobytes of
    deflated zeros can claim gigabytes. Every Flate stream is inflated here once, in bounded
    chunks that are thrown away, before MuPDF parses any page.
    """
    for xref in range(1, doc.xref_length()):
        if time.monotonic() - started > limits.pdf_max_seconds:
            raise ReaderError(f"not read: checking its streams took over {limits.pdf_max_seconds:g} s")
        try:
            if not doc.xref_is_stream(xref) or "Flate" not in doc.xref_get_key(xref, "Filter")[1]:
                continue
            raw = doc.xref_stream_raw(xref)
        except Exception:  # noqa: BLE001, S112 - a broken object: MuPDF reports it when it gets there
            continue
        if _inflates_past(raw, limits.pdf_max_stream_bytes):
            raise ReaderError(
                f"a stream inflates to more than {limits.pdf_max_stream_bytes} bytes (decompression bomb?); not read"
            )


def _inflates_past(raw: bytes, limit: int) -> bool:
    inflater = zlib.decompressobj()
    total = 0
    data = raw
    try:
        while data:
            out = inflater.decompress(data, INFLATE_CHUNK)
            total += len(out)
            if total > limit:
                return True
            data = inflater.unconsumed_tail
            if not out and not data:
                break
    except zlib.error:
        return False  # damaged stream: MuPDF decides what it can read of it
    return False


_DAMAGE = re.compile(r"error|cannot|overflow|invalid|broken|damaged", re.IGNORECASE)


def _damage(warnings: str) -> str:
    """The first of MuPDF's warnings that says something was not read, if any."""
    for line in (warnings or "").splitlines():
        if _DAMAGE.search(line):
            return " ".join(line.split())[:160]
    return ""
