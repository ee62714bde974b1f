"""Open the findings database: SQLite by default (file mode 0600, WAL), any SQLAlchemy URL otherwise.

Whatever keeps a database from being used — a path that does not exist (for a command that only
reads), a directory, a dangling link, a file that is not a database, an unknown dialect, a driver
that is not installed, a server that does not answer — is a :class:`StoreError`: one line naming
the database (its password masked) and the problem, never a traceback.

Migrations run under a lock (SQLite: ``BEGIN EXCLUSIVE``; PostgreSQL: a transaction-level advisory
lock), so scans started together on a new database do not race to create the same tables.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic.util import CommandError as AlembicCommandError
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import create_engine

from govscan.errors import InputError
from govscan.redact import shorten

DEFAULT_URL = "sqlite:///govscan.db"
SHOWN_CHARS = 200  # a database named in an error line is clipped to this
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's companions: they hold the same rows
MIGRATION_WAIT_MS = 120_000  # how long a scan waits for another process's migration
PG_MIGRATION_LOCK = 0x676F767363616E  # "govscan": the advisory lock key migrations share
PG_CONNECT_TIMEOUT = 10  # seconds: an unreachable server is an error, not a hang
NO_DATA = "holds no govscan data (no scan has been recorded in it)"


class StoreError(InputError):
    """The database cannot be used; ``str()`` is one line fit for ``govscan: error:`` (exit 2)."""


class MigrationError(StoreError):
    """A migration that would leave the database inconsistent; nothing of it was committed."""


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("GOVSCAN_DB") or DEFAULT_URL


def shown_url(url: str) -> str:
    """The URL as it may be printed: password masked, one line, control characters escaped, clipped."""
    try:
        text = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        text = re.sub(r"(://[^/@]*?:)[^/@]*@", r"\1***@", url)
    return clip(text)


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.split()))
    return shorten(text, limit)  # masked before the cut


def open_engine(url: str | None = None, *, create: bool = True, warn: Callable[[str], None] | None = None) -> Engine:
    """An engine whose tables exist and are current.

    ``create=False`` (the read-only commands): a database that does not exist, or holds no
    govscan tables, is an error instead of an empty new one — a mistyped ``--db`` must not read
    as "no findings". A new SQLite file is created private (0600); an existing one readable by
    others is made private, and ``warn`` is told.
    """
    url = database_url(url)
    shown = shown_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database {shown}: not a database URL (e.g. sqlite:///govscan.db)") from None
    backend = parsed.get_backend_name()
    file = Path(parsed.database) if backend == "sqlite" and parsed.database not in (None, "", ":memory:") else None
    if file is not None:
        _prepare_sqlite_file(file, shown, create)
    engine = _create_engine(url, parsed, shown)
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        engine.dispose()
        cannot = "" if backend == "sqlite" else "cannot connect: "
        raise StoreError(f"database {shown}: {cannot}{problem(exc, parsed)}") from None
    try:
        if not create and not _has_schema(engine):
            raise StoreError(f"database {shown}: {NO_DATA}")
        if file is not None:  # only once it proved to be a database: a stray file is not chmod-ed
            _make_private(file, shown, warn)
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"database {shown}: {problem(exc, parsed)}") from None
    except MigrationError as exc:
        engine.dispose()
        raise StoreError(f"database {shown}: {exc}") from None
    except AlembicCommandError:  # a revision this govscan does not have: written by a newer one
        engine.dispose()
        raise StoreError(f"database {shown}: its schema is newer than this govscan knows; upgrade govscan") from None
    except StoreError:
        engine.dispose()
        raise
    return engine


def failure(url: str | None, exc: BaseException) -> StoreError:
    """A database error met while using the database, as the one line that names it."""
    url = database_url(url)
    try:
        parsed: URL | None = make_url(url)
    except ArgumentError:
        parsed = None
    return StoreError(f"database {shown_url(url)}: {problem(exc, parsed)}")


def problem(exc: BaseException, url: URL | None = None) -> str:
    """The driver's own words for what went wrong, on one line, with no password in it."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if url is not None and url.password:
        text = text.replace(str(url.password), "***")
    return clip(text, 300)


def _prepare_sqlite_file(path: Path, shown: str, create: bool) -> None:
    """Refuse what cannot be a database file; create a missing one private when ``create``."""
    try:
        if path.is_symlink() and not path.exists():
            raise StoreError(f"database {shown}: is a dangling symbolic link")
        if path.is_dir():
            raise StoreError(f"database {shown}: is a directory, not a database file")
        if path.exists():
            if not create and path.stat().st_size == 0:  # opening it would write a header into it
                raise StoreError(f"database {shown}: {NO_DATA}")
            return
        if not create:
            raise StoreError(f"database {shown}: does not exist (check --db or $GOVSCAN_DB; `govscan scan` creates it)")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        return  # another process created it between our look and our open: it is private too
    except OSError as exc:
        raise StoreError(f"database {shown}: {exc.strerror or exc}") from None


def _make_private(path: Path, shown: str, warn: Callable[[str], None] | None) -> None:
    """Findings are evidence of personal data: the file and its companions are the owner's only."""
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                os.chmod(file, mode & 0o700)
            except OSError as exc:
                raise StoreError(
                    f"database {shown}: {file.name} is readable by others (mode {mode:04o}) and cannot be made"
                    f" private ({exc.strerror}); chmod 600 it"
                ) from None
            if warn is not None:
                warn(f"database {shown}: {file.name} was readable by others (mode {mode:04o}); now 0600")


def _create_engine(url: str, parsed: URL, shown: str) -> Engine:
    backend = parsed.get_backend_name()
    # PostgreSQL sessions in UTC: times are stored as UTC whatever the server's TimeZone (Asia/Almaty…)
    connect_args: dict[str, Any] = (
        {"options": "-c timezone=UTC", "connect_timeout": PG_CONNECT_TIMEOUT} if backend == "postgresql" else {}
    )
    try:
        engine = create_engine(url, connect_args=connect_args)
    except NoSuchModuleError:
        raise StoreError(
            f"database {shown}: unknown database dialect or driver {parsed.drivername!r}"
            " (e.g. sqlite:///govscan.db or postgresql+psycopg://…)"
        ) from None
    except ImportError as exc:
        module = exc.name or parsed.get_driver_name()
        hint = " (pip install 'govscan[postgres]')" if backend == "postgresql" else ""
        raise StoreError(f"database {shown}: the driver {module} is not installed{hint}") from None
    except (ArgumentError, ValueError, TypeError) as exc:
        raise StoreError(f"database {shown}: {clip(str(exc), 300)}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _has_schema(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table("alembic_version")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic; existing rows are kept by every step.

    A database already at ``head`` is only looked at; otherwise the migration runs under a lock
    and looks again once it has it — a process that waited finds the work done.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    head = ScriptDirectory.from_config(config).get_current_head()
    if revision == "head":
        with engine.connect() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head:
                return
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        try:
            _lock_for_migration(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if sqlite:
                _check_foreign_keys(connection)
            connection.commit()
        finally:
            if sqlite:
                _restore_pragmas(connection)


def _lock_for_migration(connection: Connection) -> None:
    """Serialise migrations across processes; held until the migration's transaction ends.

    SQLite: foreign keys are off while tables are rebuilt (batch mode drops the old ``finding``
    table, which events and notes point at) and checked before the commit instead — the
    procedure SQLite documents for schema changes; the pragma only takes effect outside a transaction.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql("BEGIN EXCLUSIVE")  # DDL then runs inside this one transaction
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")


def _restore_pragmas(connection: Connection) -> None:
    """The connection goes back to the pool (an in-memory database lives only in it): as it came."""
    try:
        if connection.in_transaction():
            connection.rollback()  # the migration failed: nothing of it stays
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.exec_driver_sql("PRAGMA busy_timeout=5000")
        connection.commit()
    except SQLAlchemyError:
        connection.invalidate()  # unusable anyway: the pool must not hand it out again


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        table, row, parent = broken[0][0], broken[0][1], broken[0][2]
        raise MigrationError(
            f"the migration would leave {len(broken)} rows pointing at missing rows (first: {table} row {row}"
            f" → {parent}); nothing was changed"
        )


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the single writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: consistent after a crash, fewer fsyncs
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
