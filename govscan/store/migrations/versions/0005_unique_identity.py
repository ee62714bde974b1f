"""An asset is unique per target and normal uri: scans racing on one database had stored the same
file several times (and every finding in it once per copy).

Duplicates left by such races are merged first: the oldest asset of each (target, normal uri)
keeps its id and takes the others' reads and findings; of the findings that then share an
asset and a fingerprint, the triaged one (else the oldest) survives and takes the others'
events and triage notes, their first and last sightings, and — when nobody triaged it — the
status of the copy seen last. Then a unique index makes the identity a rule of the schema.

Revision ID: 0005
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TRIAGED = ("false_positive", "accepted_risk")

asset = sa.table("asset", sa.column("id"), sa.column("target_id"), sa.column("uri_normal"))
assetread = sa.table("assetread", sa.column("id"), sa.column("asset_id"))
finding = sa.table(
    "finding",
    sa.column("id"),
    sa.column("asset_id"),
    sa.column("fingerprint"),
    sa.column("status"),
    sa.column("reopened_count"),
    sa.column("first_seen_scan_id"),
    sa.column("last_seen_scan_id"),
    sa.column("first_seen_at"),
    sa.column("last_seen_at"),
)
findingevent = sa.table("findingevent", sa.column("finding_id"))
triagenote = sa.table("triagenote", sa.column("finding_id"))


def upgrade() -> None:
    merge_duplicate_assets(op.get_bind())
    op.create_index("uq_asset_target_uri", "asset", ["target_id", "uri_normal"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_asset_target_uri", table_name="asset")


def merge_duplicate_assets(conn: Any) -> None:
    """Fold every duplicate asset (and the duplicate findings this exposes) into its oldest copy."""
    groups = conn.execute(
        sa.select(asset.c.target_id, asset.c.uri_normal)
        .group_by(asset.c.target_id, asset.c.uri_normal)
        .having(sa.func.count() > 1)
    ).all()
    for target_id, uri in groups:
        ids = sorted(
            conn.execute(
                sa.select(asset.c.id).where(asset.c.target_id == target_id, asset.c.uri_normal == uri)
            ).scalars()
        )
        keeper, copies = ids[0], ids[1:]
        _merge_findings(conn, ids, keeper)
        conn.execute(sa.update(assetread).where(assetread.c.asset_id.in_(copies)).values(asset_id=keeper))
        conn.execute(sa.update(finding).where(finding.c.asset_id.in_(copies)).values(asset_id=keeper))
        conn.execute(sa.delete(asset).where(asset.c.id.in_(copies)))


def _merge_findings(conn: Any, asset_ids: list[int], keeper_asset: int) -> None:
    rows = conn.execute(sa.select(finding).where(finding.c.asset_id.in_(asset_ids))).mappings().all()
    noted = set(
        conn.execute(
            sa.select(triagenote.c.finding_id).where(triagenote.c.finding_id.in_([r["id"] for r in rows]))
        ).scalars()
    )
    by_fingerprint: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_fingerprint[row["fingerprint"]].append(row)
    for copies in by_fingerprint.values():
        if len(copies) < 2:
            continue
        # the survivor: a person's decision first (a triage status or a note), then the oldest row
        survivor = min(copies, key=lambda r: (r["status"] not in TRIAGED and r["id"] not in noted, r["id"]))
        latest = max(copies, key=lambda r: (r["last_seen_scan_id"], r["id"]))
        others = [r["id"] for r in copies if r["id"] != survivor["id"]]
        conn.execute(
            sa.update(findingevent).where(findingevent.c.finding_id.in_(others)).values(finding_id=survivor["id"])
        )
        conn.execute(sa.update(triagenote).where(triagenote.c.finding_id.in_(others)).values(finding_id=survivor["id"]))
        conn.execute(sa.delete(finding).where(finding.c.id.in_(others)))
        conn.execute(
            sa.update(finding)
            .where(finding.c.id == survivor["id"])
            .values(
                asset_id=keeper_asset,
                status=survivor["status"] if survivor["status"] in TRIAGED else latest["status"],
                reopened_count=max(r["reopened_count"] for r in copies),
                first_seen_scan_id=min(r["first_seen_scan_id"] for r in copies),
                first_seen_at=min(r["first_seen_at"] for r in copies),
                last_seen_scan_id=latest["last_seen_scan_id"],
                last_seen_at=max(r["last_seen_at"] for r in copies),
            )
        )
