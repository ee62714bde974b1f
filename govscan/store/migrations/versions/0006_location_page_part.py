"""A finding's stored location says its page (PDF and other paged documents) and hidden part.

Locations are stored as JSON (``finding.location_json``, written from ``Location.as_dict()``),
so new findings carry ``page`` and ``part`` already; this step gives the rows stored before
them the same two keys, as null, so every stored location has one shape for the reports and
for anyone reading the database. Downgrading drops the keys where they are null (older code
ignores the others).

Revision ID: 0006
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KEYS = ("page", "part")
BATCH = 1000

finding = sa.table("finding", sa.column("id"), sa.column("location_json"))


def upgrade() -> None:
    _rewrite(op.get_bind(), _with_keys)


def downgrade() -> None:
    _rewrite(op.get_bind(), _without_null_keys)


def _with_keys(location: dict[str, Any]) -> dict[str, Any]:
    return {**location, **{k: location.get(k) for k in KEYS}}


def _without_null_keys(location: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in location.items() if not (k in KEYS and v is None)}


def _rewrite(connection: sa.Connection, change: Any) -> None:
    """Apply ``change`` to every stored location, in id order and batches (memory stays flat)."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(finding.c.id, finding.c.location_json)
            .where(finding.c.id > last)
            .order_by(finding.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        updates = []
        for row_id, stored in rows:
            try:
                location = json.loads(stored)
            except (TypeError, ValueError):
                continue  # not JSON: left as it is, the reports already treat it as unknown
            if isinstance(location, dict):
                changed = change(location)
                if changed != location or list(changed) != list(location):
                    updates.append({"b_id": row_id, "b_loc": json.dumps(changed, ensure_ascii=False)})
        if updates:
            connection.execute(
                finding.update()
                .where(finding.c.id == sa.bindparam("b_id"))
                .values(location_json=sa.bindparam("b_loc")),
                updates,
            )
        last = rows[-1][0]
