"""Read a large asset in a child process while the parent detects: both cores at work.

Parsing (csv, openpyxl…) and detection are each about half of a big table's cost and the GIL
keeps them on one core in one process. A forked child runs ``read_asset`` and sends pieces in
batches through a bounded queue (the read-ahead), so memory stays bounded. The
child's failures come back as ``ReadError`` items, like any reader problem.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from multiprocessing.queues import Queue
from queue import Empty

from govscan.model import Asset, Piece, ReadError, Values
from govscan.readers import read_asset
from govscan.readers.limits import Limits

MIN_BYTES = 8 * 1024 * 1024  # below this, starting a process costs more than it saves
BATCH_PIECES = 16
QUEUE_BATCHES = 16  # read-ahead: a few column chunks, so neither side waits on the other
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
    queue: Queue[list[object] | None] = context.Queue(maxsize=QUEUE_BATCHES)
    child = context.Process(target=_produce, args=(asset, limits, queue), daemon=True)
    child.start()
    try:
        while True:
            try:
                batch = queue.get(timeout=1.0)
            except Empty:
                if child.is_alive():
                    continue
                try:  # the child may have put its last items just before ending
                    batch = queue.get(timeout=0.5)
                except Empty:
                    yield ReadError(asset.uri, "reader process ended unexpectedly")
                    return
            if batch is None:
                return
            for piece in batch:
                yield _unpack(piece)
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
            child.join()
        queue.close()


def _produce(asset: Asset, limits: Limits | None, queue: Queue[list[object] | None]) -> None:
    batch: list[object] = []
    try:
        for piece in read_asset(asset, limits):
            batch.append(_pack(piece))
            if len(batch) >= BATCH_PIECES:
                queue.put(batch)
                batch = []
    except BaseException as exc:  # noqa: BLE001 - whatever happens, the parent gets one line
        batch.append(ReadError(asset.uri, f"could not be read ({type(exc).__name__})"))
    if batch:
        queue.put(batch)
    queue.put(None)
    queue.close()
    queue.join_thread()  # flush everything to the pipe before the process ends


def _pack(piece: Piece | ReadError) -> object:
    if isinstance(piece, Values):
        joined = SEPARATOR.join(piece.values)
        if joined.count(SEPARATOR) == len(piece.values) - 1:
            return (piece.uri, piece.field, piece.first_line, joined, piece.page)
    return piece


def _unpack(item: object) -> Piece | ReadError:
    if isinstance(item, tuple):
        uri, field, first_line, joined, page = item
        return Values(uri, field, joined.split(SEPARATOR), first_line, page)
    return item  # type: ignore[return-value]
