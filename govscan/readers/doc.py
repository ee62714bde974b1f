"""Legacy Word (``.doc``, Word 97–2003) reader: Debian's ``antiword``, else ``catdoc``.

No maintained Python library reads the Word binary format, so a converter runs as a
subprocess, bounded: its output goes to a temporary file capped by ``RLIMIT_FSIZE``, its memory
by ``RLIMIT_AS``, its CPU time by ``RLIMIT_CPU`` and its wall-clock time by a timeout; a
converter that exceeds one is killed and the file is reported unread.

* ``antiword -x db`` writes DocBook XML: paragraphs become prose and ``informaltable`` rows
  tables (through the shared header finder), cells whole even when long, ``|`` in a cell
  harmless. The XML is parsed with the same safe parser as every other part (its DOCTYPE line,
  antiword's own, is dropped before parsing).
* ``catdoc -w`` (when antiword is missing or refuses the file: Word 6/95, fast-saved files)
  writes one line per paragraph, table cells separated by tabs.
* Authors come from the OLE2 ``SummaryInformation`` stream via olefile: author
  (``metadata:author``) and last saved by (``metadata:last modified by``).

Where neither converter is installed, each ``.doc`` is one line — ``legacy .doc needs Debian's
antiword or catdoc`` — and counts as an unread input.
"""

from __future__ import annotations

import codecs
import io
import itertools
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element

from govscan.errors import one_line
from govscan.model import Asset, Piece
from govscan.readers.limits import MIB, Limits, ReadContext, ReaderError
from govscan.readers.office import Budget, DocTable, Prose, iter_xml, line_pieces, metadata_values

MISSING = "legacy .doc needs Debian's antiword or catdoc (apt-get install antiword)"
MAX_OUTPUT_BYTES = 256 * MIB
MAX_MEMORY_BYTES = 1024 * MIB
MAX_SECONDS = 120
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>]*>")
_TABLES = frozenset({"informaltable", "table"})
_PARAGRAPHS = frozenset({"para", "simpara", "title", "literallayout", "programlisting", "bridgehead", "term"})


def converters() -> tuple[str | None, str | None]:
    """Paths of antiword and catdoc (None where not installed)."""
    return shutil.which("antiword"), shutil.which("catdoc")


def read_doc(asset: Asset, ctx: ReadContext) -> Iterator[Piece]:
    antiword, catdoc = converters()
    if antiword is None and catdoc is None:
        raise ReaderError(MISSING)
    with tempfile.TemporaryDirectory(prefix="govscan-doc-") as tmp:
        output = os.path.join(tmp, "out")
        problem = None
        if antiword is not None:
            problem = _convert([antiword, "-x", "db", asset.path], output, asset.path)
            if problem is None:
                yield from _docbook(asset.uri, ctx.limits, output)
        if antiword is None or (problem is not None and catdoc is not None):
            problem = _convert([catdoc, "-w", "-d", "utf-8", asset.path], output, asset.path)  # type: ignore[list-item]
            if problem is None:
                with open(output, encoding="utf-8", errors="replace") as lines:
                    yield from line_pieces(
                        asset.uri, ctx.limits, (line.rstrip("\n") for line in lines), _tab_row, Budget()
                    )
        if problem is not None:
            raise ReaderError(problem)
    yield from _metadata(asset)


def _convert(argv: list[str], output: str, source: str) -> str | None:
    """Run a converter into ``output`` within bounds; the problem in one line, or None."""
    name = os.path.basename(argv[0])
    with open(output, "wb") as out, tempfile.TemporaryFile() as err:
        try:
            process = subprocess.run(  # noqa: S603 - fixed argv, no shell
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                timeout=MAX_SECONDS,
                preexec_fn=_limits,  # noqa: PLW1509 - only sets rlimits
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"{name} took longer than {MAX_SECONDS} s; not read"
        except OSError as exc:
            return f"{name} could not run ({exc.strerror or exc})"
        if process.returncode == 0:
            return None
        if process.returncode in (-25, -24):  # SIGXFSZ, SIGXCPU
            return f"{name} output or CPU time beyond its bounds; not read"
        err.seek(0)
        message = err.read(2000).decode("utf-8", "replace").replace(source, "the file")
        message = one_line(message, 200)
        return f"{name} could not read it ({message or f'exit code {process.returncode}'})"


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_OUTPUT_BYTES, MAX_OUTPUT_BYTES))
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (MAX_SECONDS, MAX_SECONDS + 5))


def _tab_row(line: str) -> list[str] | None:
    return line.split("\t") if "\t" in line else None


class _Chain(io.RawIOBase):
    """``head`` then the rest of ``rest``: antiword's output without its DOCTYPE line."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _docbook(uri: str, limits: Limits, path: str) -> Iterator[Piece]:
    """Prose and tables of antiword's DocBook output, streamed; elements detached as they end."""
    budget = Budget()
    prose = Prose(uri, limits, None)
    numbers = itertools.count(1)
    tables: list[DocTable] = []
    row: list[str] | None = None
    parents: list[Element] = []
    with open(path, "rb") as raw:
        head = raw.read(4096)
        stream = _Chain(_DOCTYPE.sub(b"", head, count=1), raw)
        try:
            for event, elem in iter_xml(stream, limits, "DOC"):  # type: ignore[arg-type]
                tag = elem.tag
                if event == "start":
                    parents.append(elem)
                    if tag in _TABLES:
                        tables.append(DocTable(uri, limits, f"table {next(numbers)}", None))
                    elif tag == "row":
                        row = []
                    continue
                parents.pop()
                if tag == "bookinfo":
                    elem.clear()  # metadata is read from the OLE2 summary, decoded properly
                elif tag == "entry" and row is not None:
                    budget.cell()
                    row.append(" ".join("".join(elem.itertext()).split()))
                    _drop(elem, parents)
                elif tag == "row" and tables and row is not None:
                    while row and not row[-1]:
                        row.pop()
                    yield from tables[-1].add(row)
                    row = None
                    _drop(elem, parents)
                elif tag in _TABLES and tables:
                    yield from tables.pop().finish()
                    _drop(elem, parents)
                elif tag in _PARAGRAPHS and not tables:
                    budget.paragraph()
                    yield from prose.add(" ".join("".join(elem.itertext()).split()))
                    _drop(elem, parents)
        finally:
            while tables:
                yield from tables.pop().finish()
            yield from prose.finish()


def _drop(elem: Element, parents: list[Element]) -> None:
    """Free a handled element; keep its tail where the parent is mixed text (a para)."""
    tail = elem.tail
    elem.clear()
    parent = parents[-1] if parents else None
    if parent is None:
        return
    if parent.tag in _PARAGRAPHS and tail and tail.strip():
        elem.tail = tail
    else:
        parent.remove(elem)


def _metadata(asset: Asset) -> Iterator[Piece]:
    import olefile

    try:
        with olefile.OleFileIO(asset.path) as ole:
            meta = ole.get_metadata()
    except Exception:  # a summary olefile cannot parse: the text was read, the names are not  # noqa: BLE001
        return
    codec = _codec(meta.codepage)
    author, saved_by = (_decode(value, codec) for value in (meta.author, meta.last_saved_by))
    yield from metadata_values(asset.uri, {"creator": [author] if author else []}, "metadata:author")
    yield from metadata_values(
        asset.uri, {"last modified by": [saved_by] if saved_by else []}, "metadata:last modified by"
    )


def _codec(codepage: int | None) -> str:
    page = (codepage or 0) & 0xFFFF
    if page == 65001:
        return "utf-8"
    try:
        return codecs.lookup(f"cp{page}").name if page else "cp1251"
    except LookupError:
        return "cp1251"


def _decode(value: bytes | str | None, codec: str) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value.strip()
    try:
        return value.decode(codec).strip("\x00 ").strip()
    except UnicodeDecodeError:
        return value.decode("cp1251", "replace").strip("\x00 ").strip()
