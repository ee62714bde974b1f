"""Record which configuration a scan ran (a changed config explains a burst of fixed findings).

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan") as batch:
        batch.add_column(sa.Column("config_digest", sa.String, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("scan") as batch:
        batch.drop_column("config_digest")
