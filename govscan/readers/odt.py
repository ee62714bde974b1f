"""ODT/OTT reader: OpenDocument text streamed with a safe parser, tables as tables.

Like the DOCX reader, it reads what a person could find in the file and says where it hides
(``Field.part``):

* ``content.xml``: paragraphs and headings as ``Text`` blocks; each ``table:table`` as a
  table named by its ``table:name`` (``Таблица1``), whose ``table:table-header-rows`` are the
  header; repeated rows and cells are expanded within bounds, covered (merged) cells keep the
  columns aligned; footnotes and endnotes (``footnote``/``endnote``), annotations
  (``comment``) and tracked deletions kept in ``text:tracked-changes`` (``tracked
  deletion``) and sections hidden from display (``hidden text``) are read apart from the
  body, and a footnote's citation mark is not glued to the
  word before it (``…363018¹`` would break an IIN);
* ``styles.xml``: page headers and footers (``header/footer``);
* ``meta.xml``: ``meta:initial-creator`` (``metadata:author``) and ``dc:creator``, who saved
  it last (``metadata:last modified by``), the authors of annotations and tracked changes
  (``metadata:author``); title, subject, description and keywords as ``metadata`` text.

ODF mixes text and elements (``<text:p>ИИН <text:span>…</text:span> выдан</text:p>``): text is
taken from ``.text`` and the children's ``.tail`` as the parse goes, and every element is
detached once its tail is known, so memory is one paragraph whatever the document's size.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from govscan.model import Asset, Field, Piece, Text
from govscan.readers.limits import ReadContext, ReaderError
from govscan.readers.office import (
    MAX_COLUMNS,
    DocTable,
    Document,
    Prose,
    check_odf_encryption,
    iter_part,
    member_copies,
    metadata_values,
    open_zip,
)

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
WHAT = "ODT"
MAX_ROW_REPEAT = 1000
"""Copies of one repeated non-blank row."""

_PARAGRAPHS = frozenset({TEXT + "p", TEXT + "h"})
_CELLS = frozenset({TABLE + "table-cell", TABLE + "covered-table-cell"})
_HEADERS = frozenset(
    STYLE + name for name in ("header", "footer", "header-left", "footer-left", "header-first", "footer-first")
)
_MUTE = frozenset({TEXT + "note-citation", TEXT + "tracked-changes", OFFICE + "change-info", OFFICE + "annotation"})


def read_odt(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    with open_zip(asset.path, WHAT) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        if "content.xml" not in infos:
            raise ReaderError("not a valid ODT (no content.xml)")
        check_odf_encryption(archive, infos)
        doc = Document(asset.uri, ctx.limits)
        copies = member_copies(archive)
        for name in ("content.xml", "styles.xml"):
            for info in copies.get(name, []):
                yield from _read_part(archive, info, ctx, doc)
        people: dict[str, list[str]] = {"creator": [], "last modified by": []}
        if "meta.xml" in infos:
            yield from _read_meta(asset.uri, archive, infos["meta.xml"], ctx, people)
        yield from metadata_values(asset.uri, {"creator": people["creator"]}, "metadata:author")
        yield from metadata_values(
            asset.uri, {"last modified by": people["last modified by"]}, "metadata:last modified by"
        )
        yield from metadata_values(asset.uri, doc.authors, "metadata:author")


@dataclass(slots=True)
class _Frame:
    elem: Element
    sink: list[str] | None  # where the text of this element goes (None: nowhere)
    last_child: Element | None = None


@dataclass(slots=True)
class _Table:
    table: DocTable
    in_header: bool = False
    row: list[str] | None = None
    row_repeat: int = 1
    row_header: bool = False
    cell: list[str] | None = None
    cell_repeat: int = 1


@dataclass(slots=True)
class _Paragraph:
    words: list[str]
    target: _Table | str | None  # a table cell, or the part whose prose it belongs to


class _Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.frames: list[_Frame] = []
        self.containers: list[_Table | str] = []  # innermost: where a paragraph goes
        self.tables: list[_Table] = []
        self.paragraphs: list[_Paragraph] = []
        self.prose: dict[str | None, Prose] = {}
        self.out: list[Piece] = []
        self.author_kind: str | None = None
        self._chars = 0

    # --- events ----------------------------------------------------------------------------

    def start(self, elem: Element) -> None:
        parent = self.frames[-1] if self.frames else None
        sink = None
        if parent is not None:
            self._release(parent)
            parent.last_child = elem
            sink = parent.sink
        sink = self._open(elem, sink)
        self.frames.append(_Frame(elem, sink))

    def end(self, elem: Element) -> None:
        frame = self.frames.pop()
        self._release(frame)
        self._close(elem, frame)
        if not self.frames:
            elem.clear()

    def finish(self) -> list[Piece]:
        while self.paragraphs:
            self._end_paragraph()
        while self.tables:
            self._end_table()
        for prose in self.prose.values():
            self.out.extend(prose.finish())
        return self.drain()

    def drain(self) -> list[Piece]:
        out, self.out = self.out, []
        return out

    # --- text ------------------------------------------------------------------------------

    def _release(self, frame: _Frame) -> None:
        """Text seen so far inside ``frame``: its own ``.text`` or the last child's ``.tail``."""
        child = frame.last_child
        if child is None:
            self._put(frame.sink, frame.elem.text)
            return
        self._put(frame.sink, child.tail)
        child.clear()
        frame.elem.remove(child)
        frame.last_child = None

    def _put(self, sink: list[str] | None, text: str | None) -> None:
        if sink is None or not text:
            return
        self._chars += len(text)
        if self._chars > self.doc.limits.max_field_chars:
            raise ReaderError(f"an ODT paragraph is longer than {self.doc.limits.max_field_chars} characters")
        sink.append(text)

    # --- structure -------------------------------------------------------------------------

    def _open(self, elem: Element, sink: list[str] | None) -> list[str] | None:
        tag = elem.tag
        if tag in _PARAGRAPHS:
            words: list[str] = []
            self.paragraphs.append(_Paragraph(words, self.containers[-1] if self.containers else None))
            self._chars = 0
            return words
        if tag == TEXT + "s":
            count = elem.get(TEXT + "c") or "1"
            self._put(sink, " " * (min(int(count), 100) if count.isdigit() else 1))
        elif tag == TEXT + "tab":
            self._put(sink, "\t")
        elif tag == TEXT + "line-break":
            self._put(sink, "\n")
        elif tag in _MUTE:
            if tag == OFFICE + "annotation":
                self.containers.append("comment")
                self.author_kind = "comment author"
            elif tag == OFFICE + "change-info":
                self.author_kind = "revision author"
            return None
        elif tag == TEXT + "note-body":
            note = elem.get(TEXT + "note-class") or ""
            self.containers.append("endnote" if note == "endnote" else "footnote")
            return None
        elif tag == TEXT + "note":
            self.containers.append("endnote" if elem.get(TEXT + "note-class") == "endnote" else "footnote")
        elif tag == TEXT + "deletion":
            self.containers.append("tracked deletion")
            return None
        elif tag == TEXT + "section":
            hidden = (elem.get(TEXT + "display") or "").lower() == "none"
            self.containers.append("hidden text" if hidden else self._part() or "")
        elif tag in _HEADERS:
            self.containers.append("header/footer")
            return None
        elif tag == TABLE + "table":
            self._start_table(elem)
            return None
        elif tag == TABLE + "table-header-rows" and self.tables:
            self.tables[-1].in_header = True
        elif tag == TABLE + "table-row" and self.tables:
            table = self.tables[-1]
            table.row, table.row_header = [], table.in_header
            table.row_repeat = _count(elem.get(TABLE + "number-rows-repeated"), MAX_ROW_REPEAT)
        elif tag in _CELLS and self.tables:
            table = self.tables[-1]
            table.cell = []
            table.cell_repeat = _count(elem.get(TABLE + "number-columns-repeated"), MAX_COLUMNS)
            self.containers.append(table)
            return None
        return sink

    def _close(self, elem: Element, frame: _Frame) -> None:
        tag = elem.tag
        if tag in _PARAGRAPHS:
            self._end_paragraph()
        elif tag == DC + "creator" and self.author_kind:
            self.doc.author(self.author_kind, " ".join((elem.text or "").split()))
        elif tag in (OFFICE + "annotation", TEXT + "note", TEXT + "deletion", TEXT + "section") or tag in _HEADERS:
            self._pop_container()
            if tag == OFFICE + "annotation":
                self.author_kind = None
        elif tag == TEXT + "note-body":
            self._pop_container()
        elif tag == OFFICE + "change-info":
            self.author_kind = None
        elif tag in _CELLS:
            self._end_cell()
        elif tag == TABLE + "table-row":
            self._end_row()
        elif tag == TABLE + "table-header-rows" and self.tables:
            self.tables[-1].in_header = False
        elif tag == TABLE + "table":
            self._end_table()

    def _pop_container(self) -> None:
        if self.containers and isinstance(self.containers[-1], str):
            self.containers.pop()

    def _part(self) -> str | None:
        for container in reversed(self.containers):
            if isinstance(container, str):
                return container or None  # "": a visible section, in the body
        return None

    def _prose(self, part: str | None) -> Prose:
        if part not in self.prose:
            self.prose[part] = Prose(self.doc.uri, self.doc.limits, part)
        return self.prose[part]

    def _end_paragraph(self) -> None:
        if not self.paragraphs:
            return
        self.doc.budget.paragraph()
        paragraph = self.paragraphs.pop()
        text = "".join(paragraph.words)
        if not text.strip():
            return
        if isinstance(paragraph.target, _Table):
            if paragraph.target.cell is not None:
                paragraph.target.cell.append(text)
        else:
            self.out.extend(self._prose(paragraph.target or None).add(text))

    def _start_table(self, elem: Element) -> None:
        number = next(self.doc.table_numbers)
        name = " ".join((elem.get(TABLE + "name") or "").split())[:80] or f"table {number}"
        part = self._part()
        self.tables.append(_Table(DocTable(self.doc.uri, self.doc.limits, name, part)))

    def _end_cell(self) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if self.containers and self.containers[-1] is table:
            self.containers.pop()
        if table.cell is None:
            return
        if table.row is None:
            table.row = []
        text = " ".join(" ".join(table.cell).split())
        room = MAX_COLUMNS - len(table.row)
        for _ in range(min(table.cell_repeat, room)):
            self.doc.budget.cell()
            table.row.append(text)
        if table.cell_repeat > room:  # beyond the column bound: read once as prose, not dropped
            self.doc.budget.cell()
            self.out.extend(table.table.beyond([text]))
        table.cell, table.cell_repeat = None, 1

    def _end_row(self) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        row, table.row = table.row, None
        if row is None:
            return
        while row and not row[-1]:
            row.pop()
        for copy in range(table.row_repeat if row else 1):
            if copy:  # a repeated row is read again: its cells count again
                self.doc.budget.cell(len(row))
            self.out.extend(table.table.add(list(row), table.row_header))

    def _end_table(self) -> None:
        if not self.tables:
            return
        self._end_row()
        table = self.tables.pop()
        while self.containers and self.containers[-1] is table:
            self.containers.pop()
        self.out.extend(table.table.finish())


def _count(value: str | None, cap: int) -> int:
    return max(1, min(int(value), cap)) if value and value.isdigit() else 1


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ReadContext, doc: Document) -> Iterator[Piece]:
    walker = _Walker(doc)
    try:
        for event, elem in iter_part(archive, info, ctx, WHAT):
            if event == "start":
                walker.start(elem)
            else:
                walker.end(elem)
            if walker.out:
                yield from walker.drain()
            doc.budget.tick()
    except Exception:
        yield from walker.finish()
        raise
    yield from walker.finish()


_META_PEOPLE = {META + "initial-creator": "creator", DC + "creator": "last modified by"}
_META_TEXT = frozenset({DC + "title", DC + "subject", DC + "description", META + "keyword"})


def _read_meta(
    uri: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: ReadContext, people: dict[str, list[str]]
) -> Iterator[Text]:
    texts = []
    for event, elem in iter_part(archive, info, ctx, WHAT):
        if event != "end":
            continue
        value = " ".join((elem.text or "").split())
        if value and elem.tag in _META_PEOPLE:
            people[_META_PEOPLE[elem.tag]].append(value)
        elif value and elem.tag in _META_TEXT:
            texts.append(value)
    if texts:
        yield Text(uri, "\n".join(texts), Field(part="metadata"))
