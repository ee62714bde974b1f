"""One running scan per config and database, held by a lock that dies with its holder.

Two scans of one config at once would read every portal twice (double the load a polite scanner
promises), mark findings fixed or new against each other, and leave ``--resume`` unable to tell
which unfinished scan is its own. So the second one is refused. The lock is one the operating
system (SQLite: ``flock`` on a file beside the database) or the server (PostgreSQL: a
session-level advisory lock) releases when the holding process dies — a scan killed with
``kill -9`` never leaves a stale lock behind, and nothing has to be cleared by hand.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from govscan.store.engine import StoreError, clip

try:
    import fcntl
except ImportError:  # not POSIX: SQLite scans go unlocked (the database stays consistent regardless)
    fcntl = None  # type: ignore[assignment]


_HELD: set[int] = set()  # descriptors of the lock files this process holds


def _close_in_child() -> None:
    """A forked parsing worker must not keep its coordinator's lock alive after a kill -9."""
    for fd in _HELD:
        try:
            os.close(fd)  # the lock stays the parent's: it holds the same open file
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


class ScanBusy(Exception):
    """Another live process holds the lock of this config's scans."""


def lock_path(database: str, config_name: str) -> Path:
    """The lock file of one config's scans: beside the database, named by a digest of the config name."""
    return Path(f"{database}-scan-{_digest(config_name).hex()[:12]}.lock")


@contextmanager
def scan_lock(engine: Engine, config_name: str) -> Iterator[None]:
    """Hold the lock of ``config_name``'s scans on this database for the block, or raise ``ScanBusy``."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        database = engine.url.database
        if fcntl is None or not database or database == ":memory:":
            yield
            return
        with _file_lock(lock_path(database, config_name)):
            yield
    elif dialect == "postgresql":
        with _advisory_lock(engine, int.from_bytes(_digest(config_name)[:8], "big", signed=True)):
            yield
    else:
        yield


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot create the scan lock {clip(str(path))}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScanBusy from None
        _HELD.add(fd)
        yield  # the file stays: removing it would let a waiting opener lock a file nobody else sees
    finally:
        _HELD.discard(fd)
        os.close(fd)  # closing releases the lock, as the kernel does when the process dies


@contextmanager
def _advisory_lock(engine: Engine, key: int) -> Iterator[None]:
    with engine.connect() as connection:  # its own connection: the lock lives as long as it does
        acquired = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        connection.commit()
        if not acquired:
            raise ScanBusy
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


def _digest(config_name: str) -> bytes:
    return hashlib.sha256(b"govscan-scan-lock|" + config_name.encode()).digest()
