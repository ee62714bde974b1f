"""Alembic environment: the connection comes from govscan (``config.attributes['connection']``)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from govscan.store import tables  # noqa: F401 - the metadata alembic compares against

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
