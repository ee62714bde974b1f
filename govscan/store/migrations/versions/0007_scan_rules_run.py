"""Record which rules a scan ran (the compliance report's "tested" verdicts rest on it).

Before this step the report inferred the rules from what a scan read, against the rule set of
the day the report was built: a rule added after the scan counted as run. Scans recorded before
keep ``rules_run_json`` null, and the report still infers theirs.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scan") as batch:
        batch.add_column(sa.Column("rules_run_json", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scan") as batch:
        batch.drop_column("rules_run_json")
