"""Store a finding's evidence as message templates too, so reports can say it in their language.

``evidence_masked`` keeps the English sentence (JSON, SARIF and text outputs print it); the new
``evidence_messages_json`` holds ``[{"id": …, "params": {…}}]`` for the HTML and Markdown reports.
Rows stored before it keep null, and reports show their English evidence as before.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("evidence_messages_json", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_column("evidence_messages_json")
