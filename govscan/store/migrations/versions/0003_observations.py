"""Keep what a scan observed beside its findings: an asset's summary (a TLS grade, crawl figures)
and the scan's settings (limits, robots choice) for the report's methodology section.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assetread") as batch:
        batch.add_column(sa.Column("summary_json", sa.Text, nullable=True))
    with op.batch_alter_table("scan") as batch:
        batch.add_column(sa.Column("settings_json", sa.Text, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("scan") as batch:
        batch.drop_column("settings_json")
    with op.batch_alter_table("assetread") as batch:
        batch.drop_column("summary_json")
