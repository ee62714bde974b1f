"""Read a large asset in a child process while the parent detects: both cores at work.

Parsing (csv, openpyxl…) and detection are each about half of a big table's cost and the GIL
keeps them on one core in one process. A forked child runs ``read_asset`` and sends pieces in
batches through a pipe; the pipe's buffer is the back-pressure, so memory stays bounded. The
child's failures come back as ``ReadError`` items, like any reader problem.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from multiprocessing.connection import Connection

from govscan.model import Asset, Piece, ReadError, Values
from govscan.readers import read_asset
from govscan.readers.limits import Limits

MIN_BYTES = 8 * 1024 * 1024  # below this, starting a process costs more than it saves
BATCH_PIECES = 8
# Pickling a list of a million short strings costs more than reading them; one joined string per
# column chunk is a memcpy. The separator is ASCII "record separator", which the data would have
# to contain for the list to be sent as is.
SEPARATOR = "\x1e"


def worth_it(asset: Asset) -> bool:
    try:
        size = os.path.getsize(asset.path)
    except OSError:
        return False
    return size >= MIN_BYTES and (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def read_in_background(asset: Asset, limits: Limits | None = None) -> Iterator[Piece | ReadError]:
    """Same stream as ``read_asset(asset, limits)``, produced by a forked child process."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(asset, limits, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                batch = receiver.recv()
            except EOFError:
                yield ReadError(asset.uri, "reader process ended unexpectedly")
                return
            if batch is None:
                return
            for piece in batch:
                yield _unpack(piece)
    finally:
        receiver.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()


def _produce(asset: Asset, limits: Limits | None, sender: Connection) -> None:
    batch: list[Piece | ReadError] = []
    try:
        for piece in read_asset(asset, limits):
            batch.append(_pack(piece))
            if len(batch) >= BATCH_PIECES:
                sender.send(batch)
                batch = []
    except BaseException as exc:  # noqa: BLE001 - whatever happens, the parent gets one line
        batch.append(ReadError(asset.uri, f"could not be read ({type(exc).__name__})"))
    try:
        if batch:
            sender.send(batch)
        sender.send(None)
    except (BrokenPipeError, OSError):
        pass  # the parent stopped listening
    finally:
        sender.close()


def _pack(piece: Piece | ReadError) -> object:
    if isinstance(piece, Values):
        joined = SEPARATOR.join(piece.values)
        if joined.count(SEPARATOR) == len(piece.values) - 1:
            return (piece.uri, piece.field, piece.first_line, joined)
    return piece


def _unpack(item: object) -> Piece | ReadError:
    if isinstance(item, tuple):
        uri, field, first_line, joined = item
        return Values(uri, field, joined.split(SEPARATOR), first_line)
    return item  # type: ignore[return-value]
