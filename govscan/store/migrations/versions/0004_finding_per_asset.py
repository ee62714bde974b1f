"""A finding is a fingerprint at one target's asset, no longer unique by fingerprint alone:
two targets that name the same file each keep (and fix) their own findings.

Revision ID: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_index("ix_finding_fingerprint")
        batch.create_index("ix_finding_fingerprint", ["fingerprint"], unique=False)
        batch.create_unique_constraint("uq_finding_asset_fingerprint", ["asset_id", "fingerprint"])


def downgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.drop_constraint("uq_finding_asset_fingerprint", type_="unique")
        batch.drop_index("ix_finding_fingerprint")
        batch.create_index("ix_finding_fingerprint", ["fingerprint"], unique=True)
