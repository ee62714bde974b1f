"""JSON and JSON Lines reader: leaf values streamed with ijson, grouped by normalised path.

Path conventions (``Field.json_path``):

* object keys are joined with dots, array items are ``[*]``: ``items[*].applicant.phone``;
  a top-level array of records gives ``[*].iin``; a scalar document is ``$``;
* a key containing ``.``, ``[``, ``]`` or spaces is written ``["a.b"]``;
* a key that looks like data (6+ digits, an ``@``, or longer than 64 characters — objects
  keyed by IIN or e-mail) is replaced by ``*`` in paths, and the keys themselves are
  emitted as values of ``<parent>.{key}``, so personal data never ends up in a path (paths
  are printed in reports unmasked);
* JSON Lines (``.jsonl``/``.ndjson``, or sniffed): each line is one record and paths have no
  ``[*]`` prefix (``applicant.phone``), as if every line were its own document — a JSONL file
  reads like a table whose columns are the paths.

Files are parsed as UTF-8; other encodings (a BOM, UTF-16, cp1251 exports) are recoded first.
Strings are kept as written, numbers keep their source text (``use_float=False``: IINs stay
exact integers, ``1.50`` stays ``1.50``), booleans and null are skipped. Values are buffered
per path and flushed every ``chunk_rows`` values, or all at once when ``max_buffered_values``
are held. Nesting deeper than ``json_max_depth`` and JSON strings longer than
``max_field_chars`` (which ijson would hold whole) are refused.
"""

from __future__ import annotations

import contextlib
import decimal
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import ijson

from govscan.model import Asset, Field, Values
from govscan.readers.encoding import TokenGuard, Utf8Recoder, detect_encoding, read_sample
from govscan.readers.limits import Limits, ReadContext, ReaderError
from govscan.redact import redact

_SPECIAL_KEY = re.compile(r"[.\[\]\s\"]")
_DATA_KEY = re.compile(r"\d{6,}|@")


class PathBuffer:
    """Values grouped by path, flushed in ``chunk_rows`` batches with a bound on the total."""

    def __init__(self, uri: str, limits: Limits) -> None:
        self.uri = uri
        self._chunk = max(1, limits.chunk_rows)
        self._max_total = max(1, limits.max_buffered_values)
        self._buffers: dict[str, list[str]] = {}
        self._fields: dict[str, Field] = {}
        self._total = 0

    def add(self, path: str, value: str) -> list[Values]:
        buffer = self._buffers.setdefault(path, [])
        buffer.append(value)
        self._total += 1
        if len(buffer) >= self._chunk:
            self._total -= len(buffer)
            del self._buffers[path]
            return [self._values(path, buffer)]
        if self._total >= self._max_total:
            return self.flush()
        return []

    def flush(self) -> list[Values]:
        out = [self._values(path, values) for path, values in self._buffers.items()]
        self._buffers.clear()
        self._total = 0
        if len(self._fields) > 10_000:
            self._fields.clear()  # a cache only; keeps memory bounded for key-rich documents
        return out

    def _values(self, path: str, values: list[str]) -> Values:
        field = self._fields.get(path)
        if field is None:
            field = self._fields[path] = Field(json_path=path)
        return Values(self.uri, field, values)


def key_segment(key: str) -> str:
    if _DATA_KEY.search(key) or len(key) > 64:
        return "*"
    if not key or _SPECIAL_KEY.search(key):
        return json.dumps([key], ensure_ascii=False)
    return key


def child_path(parent: str, segment: str) -> str:
    if segment.startswith("["):
        return parent + segment if parent else segment
    return f"{parent}.{segment}" if parent else segment


def is_json_lines(asset: Asset) -> bool:
    """JSON Lines by extension, or when the first line is a complete object and more follows."""
    name = asset.uri.lower().split("?", 1)[0]
    if name.endswith((".jsonl", ".ndjson", ".jsonlines")):
        return True
    sample = read_sample(asset.path)
    encoding = detect_encoding(sample)
    lines = [ln for ln in sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines() if ln.strip()]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return False
    return lines[1].lstrip().startswith(("{", "["))


def read_json(asset: Asset, ctx: ReadContext) -> Iterator[Values]:
    yield from _read(asset, ctx, lines=is_json_lines(asset))


def read_json_lines(asset: Asset, ctx: ReadContext) -> Iterator[Values]:
    yield from _read(asset, ctx, lines=True)


def _read(asset: Asset, ctx: ReadContext, lines: bool) -> Iterator[Values]:
    limits = ctx.limits
    buffer = PathBuffer(asset.uri, limits)
    with _open_utf8(asset.path) as raw:
        guard = TokenGuard(raw, limits.max_field_chars, "JSON token")
        events = ijson.basic_parse(guard, use_float=False, multiple_values=lines)
        try:
            yield from _walk(events, buffer, limits.json_max_depth, guard)
        except ijson.JSONError as exc:
            yield from buffer.flush()
            # yajl quotes the input around the fault: keep its first sentence, and scrub that too.
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ReaderError(f"malformed JSON: {redact(message)}") from None
        except ReaderError:
            yield from buffer.flush()
            raise
    yield from buffer.flush()


@contextlib.contextmanager
def _open_utf8(path: str) -> Iterator[BinaryIO]:
    """UTF-8 bytes for ijson: the file itself, or a recoding (BOM, UTF-16, cp1251 exports)."""
    encoding = detect_encoding(read_sample(path))
    if encoding == "utf-8":
        with open(path, "rb") as raw:
            yield raw
    else:
        with open(path, encoding=encoding, errors="replace") as text:
            yield Utf8Recoder(text)  # type: ignore[misc]


def _walk(events: Iterator[tuple[str, Any]], buffer: PathBuffer, max_depth: int, guard: TokenGuard) -> Iterator[Values]:
    # One frame per open container: (own path, is_array, path of the current key's value).
    frames: list[list[Any]] = []
    for event, value in events:
        guard.since_event = 0
        if event == "map_key":
            frame = frames[-1]
            segment = key_segment(value)
            frame[2] = child_path(frame[0], segment)
            if segment == "*":
                yield from buffer.add(frame[0] + ".{key}" if frame[0] else "{key}", value)
            continue
        if event in ("end_map", "end_array"):
            frames.pop()
            continue
        path = _value_path(frames)
        if event in ("start_map", "start_array"):
            if len(frames) >= max_depth:
                raise ReaderError(f"JSON nested deeper than {max_depth} levels")
            own = path if frames else ""  # the document root has an empty path
            frames.append([own, event == "start_array", own])
        elif event == "string":
            yield from buffer.add(path, value)
        elif event == "number":
            yield from buffer.add(path, _number_text(value))
        # boolean and null carry no personal data


def _value_path(frames: list[list[Any]]) -> str:
    if not frames:
        return "$"
    own, is_array, key_path = frames[-1]
    return child_path(own, "[*]") if is_array else key_path


def _number_text(value: int | decimal.Decimal) -> str:
    return str(value)
