"""HTML reader: visible text as ``Text`` blocks, ``<table>``s as tables.

Uses the stdlib ``HTMLParser`` fed in bounded chunks (linear in the page size; pieces are
drained after every chunk, so a 50 MB page streams). What is read:

* visible text only: ``script``, ``style``, ``template``, ``noscript`` and ``head`` are
  skipped, except the ``<title>``;
* each ``<table>`` is a table whose header the shared ``find_header`` finds: rows of ``<th>``
  cells are the header as the page marks it (a one-cell ``<th>`` title row above them is a
  title), otherwise the header heuristic decides; ``Field.sheet`` is the table's caption, else
  its ``id``, else ``table N`` (1-based, document order); ``colspan`` is padded so columns
  stay aligned; nested tables are tables of their own;
* other text is split into paragraphs at block-level elements, whitespace collapsed, and
  paragraphs are grouped into ``Text`` blocks of at most ``text_block_chars`` with the line
  of their first paragraph.

The page is decoded with, in order: a BOM, the ``charset`` of the Content-Type, a
``<meta charset>``/``http-equiv`` declaration, and otherwise the encoding detector (a declared
UTF-8 that is not valid UTF-8 is overruled by the detector).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from govscan.model import Asset, Field, Piece, Text
from govscan.readers.encoding import detect_encoding, is_utf8, read_sample
from govscan.readers.limits import Limits, ReadContext, ReaderError
from govscan.readers.table import TableBuilder, is_value_like

FEED_CHARS = 1 << 20
SKIPPED = frozenset({"script", "style", "template", "noscript"})
HEAD_CONTENT = frozenset({"meta", "link", "title", "script", "style", "base", "noscript", "template"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCKS = frozenset(
    "address article aside blockquote br caption dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead "
    "tr ul option select textarea label button".split()
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HINT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def html_encoding(sample: bytes, media_hint: str | None) -> str:
    """Codec for a page: BOM, then Content-Type charset, then ``<meta>``, then detection."""
    detected = detect_encoding(sample)
    if detected in ("utf-8-sig", "utf-16"):
        return detected  # a BOM wins over any declaration
    declared = None
    hint = _HINT_CHARSET.search(media_hint or "")
    meta = _META_CHARSET.search(sample)
    for candidate in (hint.group(1) if hint else None, meta.group(1).decode("ascii") if meta else None):
        if candidate and _known_codec(candidate):
            declared = candidate
            break
    if declared is None or codecs.lookup(declared).name.startswith("utf-16"):
        return detected
    if codecs.lookup(declared).name == "utf-8" and not is_utf8(sample):
        return detected
    return declared


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def read_html(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    limits = ctx.limits
    encoding = html_encoding(read_sample(asset.path), asset.media_hint)
    parser = _Extractor(asset.uri, limits)
    pending_limit = max(16 * limits.max_field_chars, FEED_CHARS)
    with open(asset.path, encoding=encoding, errors="replace") as stream:
        while chunk := stream.read(FEED_CHARS):
            parser.feed(chunk)
            if len(parser.rawdata) > pending_limit:
                raise ReaderError(f"unterminated HTML markup longer than {pending_limit} characters")
            yield from parser.drain()
    close_safely(parser)
    parser.finish()
    yield from parser.drain()


BROKEN_TAIL_CHARS = 1024


def close_safely(parser: HTMLParser) -> None:
    """``parser.close()`` without the quadratic end-of-input case (CVE-2025-6069 in Python < 3.11.13).

    At close, the stdlib parser rescans unterminated markup from every ``<`` to the end: 30 KB
    of ``<a <a <a`` takes seconds, 100 KB minutes. Such a tail is handed over as plain text
    instead (its words are still searched), which is what the parser would make of it anyway.
    """
    pending = parser.rawdata
    if len(pending) > BROKEN_TAIL_CHARS and getattr(parser, "cdata_elem", None) is None:
        parser.rawdata = ""
        parser.handle_data(pending.replace("<", " ").replace(">", " "))
    parser.close()


@dataclass(slots=True)
class _Table:
    number: int
    element_id: str | None
    caption: list[str] = field(default_factory=list)
    in_caption: bool = False
    builder: TableBuilder | None = None
    row: list[str] | None = None
    row_line: int | None = None
    row_all_th: bool = True
    cell: list[str] | None = None
    cell_th: bool = False
    cell_span: int = 1

    def name(self) -> str:
        caption = " ".join("".join(self.caption).split())[:80]
        if caption and not is_value_like(caption):
            return caption
        return self.element_id or f"table {self.number}"


class _Extractor(HTMLParser):
    """Collects pieces into ``self.out``; the caller drains them after each ``feed``."""

    def __init__(self, uri: str, limits: Limits) -> None:
        super().__init__(convert_charrefs=True)
        self.uri = uri
        self.limits = limits
        self.out: list[Piece] = []
        self._skip: list[str] = []
        self._in_head = False
        self._in_title = False
        self._title: list[str] = []
        self._title_line: int | None = None
        self._tables: list[_Table] = []
        self._table_count = 0
        self._para: list[str] = []
        self._para_len = 0
        self._para_line: int | None = None
        self._block: list[str] = []
        self._block_len = 0
        self._block_line: int | None = None

    # --- parser callbacks -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._in_head and tag not in HEAD_CONTENT:
            self._in_head = False  # content without </head>: the head ended implicitly
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        if tag in SKIPPED:
            self._skip.append(tag)
            return
        if tag == "title" and not self._skip:
            self._in_title = True
            self._title_line = self.getpos()[0]
            return
        if self._skip or self._in_head:
            return
        if tag == "table":
            self._break_paragraph()
            self._table_count += 1
            self._tables.append(_Table(self._table_count, dict(attrs).get("id") or None))
            return
        table = self._tables[-1] if self._tables else None
        if table is not None and self._table_tag_start(table, tag, attrs):
            return
        if tag in BLOCKS:
            if table is not None and table.cell is not None:
                table.cell.append(" ")
            else:
                self._break_paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skip:
            while self._skip and self._skip.pop() != tag:
                pass
            return
        if tag == "title":
            self._end_title()
            return
        if tag == "head":
            self._in_head = False
            return
        if self._skip or self._in_head:
            return
        if self._tables and self._table_tag_end(self._tables[-1], tag):
            return
        if tag in BLOCKS:
            table = self._tables[-1] if self._tables else None
            if table is not None and table.cell is not None:
                table.cell.append(" ")
            else:
                self._break_paragraph()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._in_title:
            self._title.append(data)
            return
        if self._in_head:
            return
        if self._tables:
            table = self._tables[-1]
            if table.in_caption:
                table.caption.append(data)
            elif table.cell is not None:
                table.cell.append(data)
                return
        self._add_text(data)

    # --- tables -------------------------------------------------------------------------

    def _table_tag_start(self, table: _Table, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag == "caption":
            self._break_paragraph()
            table.in_caption = True
        elif tag == "tr":
            self._end_row(table)
            table.row, table.row_line, table.row_all_th = [], self.getpos()[0], True
        elif tag in ("td", "th"):
            if table.row is None:
                table.row, table.row_line, table.row_all_th = [], self.getpos()[0], True
            self._end_cell(table)
            table.cell, table.cell_th = [], tag == "th"
            table.cell_span = _colspan(attrs)
        else:
            return False
        return True

    def _table_tag_end(self, table: _Table, tag: str) -> bool:
        if tag == "caption":
            table.in_caption = False
            self._break_paragraph()
        elif tag in ("td", "th"):
            self._end_cell(table)
        elif tag == "tr":
            self._end_row(table)
        elif tag == "table":
            self._end_table()
        else:
            return False
        return True

    def _end_cell(self, table: _Table) -> None:
        if table.cell is None or table.row is None:
            table.cell = None
            return
        text = " ".join("".join(table.cell).split())[: self.limits.max_field_chars]
        table.row.append(text)
        table.row.extend([""] * (table.cell_span - 1))
        table.row_all_th = table.row_all_th and table.cell_th
        table.cell = None

    def _end_row(self, table: _Table) -> None:
        self._end_cell(table)
        row, table.row = table.row, None
        if not row:
            return
        if table.builder is None:
            table.builder = TableBuilder(self.uri, self.limits, table.name())
        # <th> rows are the header as the page marks it; find_header still skips a caption-like
        # title row above them and joins a two-line header.
        self.out.extend(table.builder.add(row, table.row_line, marked=table.row_all_th))

    def _end_table(self) -> None:
        table = self._tables.pop()
        self._end_row(table)
        if table.builder is not None:
            self.out.extend(table.builder.finish())

    # --- text ---------------------------------------------------------------------------

    def _end_title(self) -> None:
        if self._in_title:
            title = " ".join("".join(self._title).split())
            if title:
                self.out.append(Text(self.uri, title, Field(), self._title_line))
        self._in_title = False
        self._title = []

    def _add_text(self, data: str) -> None:
        if not self._para:
            if not data.strip():
                return
            self._para_line = self.getpos()[0]
        self._para.append(data)
        self._para_len += len(data)
        if self._para_len > 4 * self.limits.text_block_chars:
            self._break_paragraph(keep_partial_word=True)

    def _break_paragraph(self, keep_partial_word: bool = False) -> None:
        raw = "".join(self._para)
        rest = ""
        if keep_partial_word and raw and not raw[-1].isspace():
            cut = max(raw.rfind(" "), raw.rfind("\n"), raw.rfind("\t"))
            if cut > 0:
                raw, rest = raw[:cut], raw[cut:]
        line = self._para_line
        self._para, self._para_len = ([rest], len(rest)) if rest else ([], 0)
        text = " ".join(raw.split())
        if text:
            self._add_paragraph(text, line)

    def _add_paragraph(self, text: str, line: int | None) -> None:
        size = max(1, self.limits.text_block_chars)
        while text:
            if len(text) > size:
                cut = text.rfind(" ", 0, size)
                cut = cut if cut > 0 else size
                piece, text = text[:cut], text[cut:].lstrip()
            else:
                piece, text = text, ""
            if self._block and self._block_len + 1 + len(piece) > size:
                self._emit_block()
            if not self._block:
                self._block_line = line
            self._block.append(piece)
            self._block_len += len(piece) + 1

    def _emit_block(self) -> None:
        if self._block:
            self.out.append(Text(self.uri, "\n".join(self._block), Field(), self._block_line))
        self._block, self._block_len = [], 0

    # --- driver -------------------------------------------------------------------------

    def drain(self) -> list[Piece]:
        out, self.out = self.out, []
        return out

    def finish(self) -> None:
        """End of document: close what the page left open and flush everything."""
        self._end_title()
        while self._tables:
            self._end_table()
        self._break_paragraph()
        self._emit_block()


def _colspan(attrs: list[tuple[str, str | None]]) -> int:
    for name, value in attrs:
        if name == "colspan" and value and value.strip().isdigit():
            return max(1, min(int(value.strip()), 100))
    return 1
