"""DOCX/DOCM reader: WordprocessingML parts streamed with a safe parser, tables as tables.

What a person could find in the file is read, and where it hides is said (``Field.part``):

* the body: paragraphs as ``Text`` blocks, each ``w:tbl`` as a table (``Field.sheet`` is
  ``table N`` in document order) whose columns are ``Values`` under their header; merged cells
  (``w:gridSpan``) are padded so columns stay aligned, nested tables are tables of their own,
  paragraphs in text boxes are prose (the VML fallback copy of a text box is skipped);
* headers and footers (``header/footer``), footnotes (``footnote``), endnotes (``endnote``)
  and comments (``comment``), each with its own tables;
* tracked deletions: ``w:delText`` is text a reviewer deleted but the file still carries
  (``tracked deletion``); runs formatted as hidden (``w:vanish``), text Word does not show
  but the file carries (``hidden text``);
* metadata: ``docProps/core.xml`` creator (``metadata:author``), lastModifiedBy
  (``metadata:last modified by``), the authors of comments and tracked changes
  (``metadata:author``) — names of people, judged like a column of names; title, subject,
  description and keywords as ``metadata`` text;
* spreadsheets and documents embedded in ``word/embeddings/`` (an Excel annex pasted into a
  decision), read as documents of their own under ``…docx!/word/embeddings/…``.

Parts are found by their content type in ``[Content_Types].xml`` (falling back on the usual
names), so a renamed part is still read; images, thumbnails and other binary parts are never
opened. Every element is detached once it ends: memory is one paragraph, whatever the size.
"""

from __future__ import annotations

import posixpath
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from govscan.errors import described
from govscan.model import Asset, Field, Piece, ReadError, Text
from govscan.readers.limits import Limits, ReadContext, ReaderError
from govscan.readers.office import (
    MAX_COLUMNS,
    SMALL_PART,
    DocTable,
    Document,
    Prose,
    check_part,
    iter_part,
    local,
    member_copies,
    metadata_values,
    open_zip,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"  # Word's "Strict Open XML Document"
_ROOTS = frozenset({W + "document", W + "glossaryDocument"})
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
_PART_TYPES = (  # content-type suffix → part label, in reading order
    ("document.main+xml", None),
    ("template.main+xml", None),
    ("macroenabled.main+xml", None),
    ("macroenabledtemplate.main+xml", None),
    ("wordprocessingml.footnotes+xml", "footnote"),
    ("wordprocessingml.endnotes+xml", "endnote"),
    ("wordprocessingml.comments+xml", "comment"),
    ("wordprocessingml.header+xml", "header/footer"),
    ("wordprocessingml.footer+xml", "header/footer"),
)
_USUAL_NAMES = {
    "word/document.xml": None,
    "word/footnotes.xml": "footnote",
    "word/endnotes.xml": "endnote",
    "word/comments.xml": "comment",
}
_CHARS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
_FALSE = frozenset({"0", "false", "off"})
_NO_PART = "\0"  # sorts the body first
WHAT = "DOCX"


def read_docx(asset: Asset, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    with open_zip(asset.path, WHAT) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        parts, core = _parts(archive, infos, ctx.limits)
        if not any(part is None for _, part in parts):
            raise ReaderError("not a valid DOCX (no main document part)")
        state = Document(asset.uri, ctx.limits)
        copies = member_copies(archive)
        problems: list[ReaderError] = []
        for name, part in parts:
            for info in copies[name]:
                with _part_problem(problems, state, ctx):
                    yield from _read_part(archive, info, ctx, part, state)
        people: dict[str, list[str]] = {}
        if core is not None:
            with _part_problem(problems, state, ctx):
                yield from _read_core(asset.uri, archive, infos[core], ctx, people)
        yield from metadata_values(asset.uri, {"creator": people.get("creator", [])}, "metadata:author")
        yield from metadata_values(
            asset.uri, {"last modified by": people.get("lastModifiedBy", [])}, "metadata:last modified by"
        )
        yield from metadata_values(asset.uri, state.authors, "metadata:author")
        yield from _read_embedded(asset.uri, archive, ctx)
        if problems:
            raise problems[0]


@contextmanager
def _part_problem(problems: list[ReaderError], state: Document, ctx: ReadContext) -> Iterator[None]:
    """A broken part (malformed XML, a bomb, a bad CRC) is kept for the end, the other parts are
    still read; a spent bound of the whole document (paragraphs, cells, seconds, bytes) ends it."""
    try:
        yield
    except ReaderError as exc:
        if state.budget.spent or ctx.budget.remaining < 0:
            raise
        problems.append(exc)


def _parts(
    archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], limits: Limits
) -> tuple[list[tuple[str, str | None]], str | None]:
    """The text-bearing XML parts in reading order, and the core-properties part."""
    found: dict[str, str | None] = {}
    core = None
    info = infos.get("[Content_Types].xml")
    if info is not None:
        check_part(info, limits, WHAT)
        try:
            with archive.open(info) as stream:
                root = safe_et.fromstring(stream.read(SMALL_PART), forbid_dtd=True)
        except (ParseError, DefusedXmlException, zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise ReaderError(f"not a valid DOCX ([Content_Types].xml: {described(exc, 200)})") from None
        for override in root:
            if local(override.tag) != "Override":
                continue
            name = (override.get("PartName") or "").lstrip("/")
            content_type = (override.get("ContentType") or "").lower()
            if name not in infos:
                continue
            if content_type == _CORE_TYPE:
                core = name
            for suffix, part in _PART_TYPES:
                if content_type.endswith(suffix) and ("wordprocessingml" in content_type or "ms-word" in content_type):
                    found[name] = part
                    break
    for name, part in _USUAL_NAMES.items():
        if name in infos and name not in found:
            found[name] = part
    for name in infos:
        base = posixpath.basename(name)
        if name.startswith("word/") and base.startswith(("header", "footer")) and base.endswith(".xml"):
            found.setdefault(name, "header/footer")
    if core is None and "docProps/core.xml" in infos:
        core = "docProps/core.xml"
    order = sorted(found.items(), key=lambda item: (item[1] or _NO_PART, item[0]))
    return order, core


@dataclass(slots=True)
class _Table:
    table: DocTable
    row: list[str] | None = None
    header: bool = False
    cell: list[str] | None = None
    span: int = 1


class _Walker:
    """One WordprocessingML part: events in, pieces out (``self.out``, drained by the caller)."""

    def __init__(self, doc: Document, part: str | None) -> None:
        self.doc = doc
        self.part = part
        self.prose = Prose(doc.uri, doc.limits, part)
        self.deleted = Prose(doc.uri, doc.limits, "tracked deletion")
        self.hidden = Prose(doc.uri, doc.limits, "hidden text")
        self.paragraphs: list[tuple[list[str], list[str], list[str]]] = []  # shown, deleted, hidden
        self.tables: list[_Table] = []
        self.out: list[Piece] = []
        self.max_chars = doc.limits.max_field_chars
        self._chars = 0
        self._in_run = 0
        self._run_hidden = False

    def start(self, elem: Element) -> None:
        tag = elem.tag
        if tag == W + "r":
            self._in_run += 1
            self._run_hidden = False
        elif tag == W + "p":
            self.paragraphs.append(([], [], []))
            self._chars = 0
        elif tag == W + "tbl":
            number = next(self.doc.table_numbers)
            self.tables.append(_Table(DocTable(self.doc.uri, self.doc.limits, f"table {number}", self.part)))
        elif tag == W + "tr" and self.tables:
            self.tables[-1].row, self.tables[-1].header = [], False
        elif tag == W + "tc" and self.tables:
            self.tables[-1].cell, self.tables[-1].span = [], 1
        elif tag in (W + "del", W + "ins"):
            self.doc.author("revision author", elem.get(W + "author"))
        elif tag == W + "comment":
            self.doc.author("comment author", elem.get(W + "author"))

    def end(self, elem: Element) -> None:
        tag = elem.tag
        if tag == W + "t":
            self._add(2 if self._run_hidden else 0, elem.text)
        elif tag == W + "r":
            self._in_run = max(0, self._in_run - 1)
            self._run_hidden = False
        elif tag == W + "vanish" and self._in_run:  # a run formatted as hidden text
            self._run_hidden = (elem.get(W + "val") or "true").lower() not in _FALSE
        elif tag == W + "delText":
            self._add(1, elem.text)
        elif tag in _CHARS:
            self._add(0, _CHARS[tag])
        elif tag == W + "p":
            self._end_paragraph()
        elif tag == W + "tc":
            self._end_cell()
        elif tag == W + "tr":
            self._end_row()
        elif tag == W + "tbl":
            self._end_table()
        elif tag == W + "tblHeader" and self.tables:
            self.tables[-1].header = (elem.get(W + "val") or "true").lower() not in _FALSE
        elif tag == W + "gridSpan" and self.tables:
            value = elem.get(W + "val") or "1"
            self.tables[-1].span = max(1, min(int(value), 100)) if value.isdigit() else 1

    def finish(self) -> list[Piece]:
        """End of the part (or a failure in it): flush what is open, so nothing read is lost."""
        while self.paragraphs:
            self._end_paragraph()
        while self.tables:
            self._end_table()
        self.out.extend(self.prose.finish())
        self.out.extend(self.deleted.finish())
        self.out.extend(self.hidden.finish())
        return self.drain()

    def drain(self) -> list[Piece]:
        out, self.out = self.out, []
        return out

    def _add(self, which: int, text: str | None) -> None:
        if not text or not self.paragraphs:
            return
        self._chars += len(text)
        if self._chars > self.max_chars:
            raise ReaderError(f"a DOCX paragraph is longer than {self.max_chars} characters")
        self.paragraphs[-1][which].append(text)

    def _end_paragraph(self) -> None:
        if not self.paragraphs:
            return
        self.doc.budget.paragraph()
        normal, deleted, hidden = self.paragraphs.pop()
        text = "".join(normal)
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            if text.strip():
                table.cell.append(text)
        elif text.strip():
            self.out.extend(self.prose.add(text))
        if deleted:
            self.out.extend(self.deleted.add("".join(deleted)))
        if hidden:
            self.out.extend(self.hidden.add("".join(hidden)))

    def _end_cell(self) -> None:
        table = self.tables[-1] if self.tables else None
        if table is None or table.cell is None:
            return
        self.doc.budget.cell()
        if table.row is None:
            table.row = []
        text = " ".join(" ".join(table.cell).split())
        if len(table.row) < MAX_COLUMNS:
            table.row.append(text)
            table.row.extend([""] * min(table.span - 1, MAX_COLUMNS - len(table.row)))
        else:  # beyond the column bound: prose now, not a row that grows without end
            self.out.extend(table.table.beyond([text]))
        table.cell, table.span = None, 1

    def _end_row(self) -> None:
        table = self.tables[-1] if self.tables else None
        if table is None:
            return
        self._end_cell()
        row, table.row = table.row, None
        if row is not None:
            while row and not row[-1]:
                row.pop()
            self.out.extend(table.table.add(row, table.header))

    def _end_table(self) -> None:
        if not self.tables:
            return
        self._end_row()
        table = self.tables.pop()
        self.out.extend(table.table.finish())


def _read_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ReadContext, part: str | None, doc: Document
) -> Iterator[Piece]:
    walker = _Walker(doc, part)
    parents: list[Element] = []
    skipping = 0
    strict = False
    try:
        for event, elem in iter_part(archive, info, ctx, WHAT):
            if event == "start":
                if not parents:
                    strict = elem.tag.startswith(_STRICT)
                    _check_root(elem.tag, info.filename, part)
                if strict:
                    _to_transitional(elem)
                if skipping or elem.tag == _FALLBACK:
                    skipping += 1  # the VML copy of a text box: its text is already read once
                else:
                    walker.start(elem)
                parents.append(elem)
                continue
            parents.pop()
            if skipping:
                skipping -= 1
            else:
                walker.end(elem)
            elem.clear()
            if parents:
                parents[-1].remove(elem)
            if walker.out:
                yield from walker.drain()
            doc.budget.tick()
    except Exception:
        yield from walker.finish()
        raise
    yield from walker.finish()


def _check_root(tag: str, name: str, part: str | None) -> None:
    """The main part must be a Word document: a workbook behind a Word content type is no all-clear."""
    if part is None and tag.replace(_STRICT, W) not in _ROOTS:
        raise ReaderError(f"not a valid DOCX ({name} is not a WordprocessingML document)")


def _to_transitional(elem: Element) -> None:
    """Strict Open XML names (``purl.oclc.org``) as the transitional ones the walker knows."""
    if elem.tag.startswith(_STRICT):
        elem.tag = W + elem.tag[len(_STRICT) :]
    if any(key.startswith(_STRICT) for key in elem.attrib):
        attrib = {key.replace(_STRICT, W, 1): value for key, value in elem.attrib.items()}
        elem.attrib.clear()
        elem.attrib.update(attrib)


_CORE_TEXT = {"title", "subject", "description", "keywords"}


def _read_core(
    uri: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ReadContext, people: dict[str, list[str]]
) -> Iterator[Text]:
    texts = []
    for event, elem in iter_part(archive, info, ctx, WHAT):
        if event != "end":
            continue
        name = local(elem.tag)
        value = " ".join((elem.text or "").split())
        if value and name in ("creator", "lastModifiedBy"):
            people.setdefault(name, []).append(value)
        elif value and name in _CORE_TEXT:
            texts.append(value)
    if texts:
        yield Text(uri, "\n".join(texts), Field(part="metadata"))


EMBEDDED = (".xlsx", ".xlsm", ".xls", ".docx", ".docm", ".doc", ".ods", ".odt", ".csv")
"""Embedded objects read as documents of their own (an Excel annex pasted into a decision)."""
MAX_EMBEDDED = 200
"""Embedded documents read from one document (a decision embeds a few annexes)."""


def _read_embedded(uri: str, archive: zipfile.ZipFile, ctx: ReadContext) -> Iterator[Piece | ReadError]:
    """Spreadsheets and documents embedded in ``word/embeddings/``, read like archive members.

    They are extracted with the archive reader's bounds and read by the dispatcher
    (``decision.docx!/word/embeddings/Microsoft_Excel_Worksheet.xlsx``); other embeddings
    (pictures, ``oleObject*.bin`` packages) are not.
    """
    from govscan.readers.archive import _extract_and_read  # noqa: PLC2701 - the same bounded copy

    embedded: dict[int, zipfile.ZipInfo] = {}  # by offset: entries overlapping one member's bytes add nothing
    for info in archive.infolist():
        name = info.filename
        if name.startswith("word/embeddings/") and name.lower().endswith(EMBEDDED):
            embedded.setdefault(info.header_offset, info)
    if not embedded:
        return
    if ctx.depth >= ctx.limits.archive_max_depth:
        yield ReadError(uri, f"embedded documents nested deeper than {ctx.limits.archive_max_depth} levels not read")
        return
    with tempfile.TemporaryDirectory(prefix="govscan-docx-") as tmp:
        for number, info in enumerate(embedded.values()):
            if number >= MAX_EMBEDDED:
                yield ReadError(uri, f"more than {MAX_EMBEDDED} embedded documents; rest not read")
                return
            yield from _extract_and_read(
                lambda info=info: archive.open(info), f"{uri}!/{info.filename}", info.compress_size, tmp, number, ctx
            )
