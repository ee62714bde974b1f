"""Plain text reader: blocks of consecutive lines, never the whole file at once.

A block holds whole lines up to ``text_block_chars``; a longer line is read in slices of that
size (``readline(limit)``), each slice its own block, so a file without newlines streams too.
"""

from __future__ import annotations

from collections.abc import Iterator

from govscan.model import Asset, Text
from govscan.readers.encoding import open_text
from govscan.readers.limits import ReadContext


def read_text(asset: Asset, ctx: ReadContext) -> Iterator[Text]:
    stream, _ = open_text(asset.path)
    with stream:
        yield from text_blocks(asset.uri, iter(lambda: stream.readline(ctx.limits.text_block_chars), ""), ctx)


def text_blocks(uri: str, parts: Iterator[str], ctx: ReadContext) -> Iterator[Text]:
    """Group line parts (each ending in a newline unless a long line was sliced) into blocks."""
    size = max(1, ctx.limits.text_block_chars)
    block: list[str] = []
    block_len = 0
    block_line = 1
    line = 1
    for part in parts:
        if block and block_len + len(part) > size:
            yield from _emit(uri, block, block_line)
            block, block_len = [], 0
        if not block:
            block_line = line
        block.append(part)
        block_len += len(part)
        if part.endswith("\n"):
            line += 1
    yield from _emit(uri, block, block_line)


def _emit(uri: str, block: list[str], line: int) -> Iterator[Text]:
    text = "".join(block).rstrip("\n")
    if text.strip():
        yield Text(uri, text, line=line)
