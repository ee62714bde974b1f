"""One fingerprint key per database: a scan under another key is refused before it writes.

Findings are matched across scans by their keyed fingerprint. Under another key (another user's
auto-created key file, a lost one, a CI job without ``GOVSCAN_SECRET``) no fingerprint matches:
the scan would mark every finding fixed, re-create each as new and lose its triage. Every scan
records its key's public id (``Scan.fingerprint_key_id``), so the run compares it with the latest
scan that recorded one and stops with one line instead.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from govscan.errors import InputError, shown
from govscan.store.tables import Scan


class KeyMismatchError(InputError):
    """This run's fingerprint key is not the one the database was scanned with."""


def check_key(session: Session, key_id: str) -> None:
    """Raise :class:`KeyMismatchError` unless the database's latest keyed scan used ``key_id``.

    A database with no scans, or whose scans recorded no key id, accepts any key; so does a
    database whose key was replaced on purpose before (the latest scan's key is the database's).
    """
    latest = session.exec(select(Scan).where(Scan.fingerprint_key_id != "").order_by(col(Scan.id).desc())).first()
    if latest is None or latest.fingerprint_key_id == key_id:
        return
    bind = session.get_bind()
    database = shown(bind.url.render_as_string(hide_password=True), 200)
    raise KeyMismatchError(
        f"{database}: scanned with fingerprint key {latest.fingerprint_key_id} (scan {latest.id}, "
        f"{latest.started_at:%Y-%m-%d}), this run's key is {key_id}; nothing was written (every finding "
        f"would read as fixed and new, losing its triage): set GOVSCAN_SECRET to the team's key or use the "
        f"key file of the machine that made the database, or scan into a new database"
    )
