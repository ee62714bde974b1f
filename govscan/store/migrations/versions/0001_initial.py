"""The first schema: scans, targets, assets, reads, findings, events, triage notes.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("govscan_version", sa.String, nullable=False),
        sa.Column("ruleset_digest", sa.String, nullable=False),
        sa.Column("fingerprint_key_id", sa.String, nullable=False),
    )
    op.create_table(
        "target",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String, nullable=False, unique=True, index=True),
        sa.Column("kind", sa.String, nullable=False),
    )
    op.create_table(
        "asset",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("target.id"), nullable=False, index=True),
        sa.Column("uri_normal", sa.String, nullable=False, index=True),
        sa.Column("uri_display", sa.String, nullable=False),
    )
    op.create_table(
        "assetread",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scan.id"), nullable=False, index=True),
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id"), nullable=False, index=True),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=True),
    )
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String, nullable=False, unique=True, index=True),
        sa.Column("rule_id", sa.String, nullable=False, index=True),
        sa.Column("entity", sa.String, nullable=True),
        sa.Column("severity", sa.String, nullable=False, index=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("asset_id", sa.Integer, sa.ForeignKey("asset.id"), nullable=False, index=True),
        sa.Column("location_json", sa.String, nullable=False),
        sa.Column("evidence_masked", sa.String, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("status", sa.String, nullable=False, index=True),
        sa.Column("reopened_count", sa.Integer, nullable=False),
        sa.Column("first_seen_scan_id", sa.Integer, sa.ForeignKey("scan.id"), nullable=False),
        sa.Column("last_seen_scan_id", sa.Integer, sa.ForeignKey("scan.id"), nullable=False),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "findingevent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("finding.id"), nullable=False, index=True),
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scan.id"), nullable=False, index=True),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "triagenote",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("finding.id"), nullable=False, index=True),
        sa.Column("from_status", sa.String, nullable=False),
        sa.Column("to_status", sa.String, nullable=False),
        sa.Column("note", sa.String, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("triagenote", "findingevent", "finding", "assetread", "asset", "target", "scan"):
        op.drop_table(table)
