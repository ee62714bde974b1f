"""Identity is a rule of the schema: one asset per target and uri, one finding per asset and fingerprint.

Migration 0005 folds the duplicates earlier concurrent scans left behind into one row each,
keeping what a person decided, and a unique index refuses new ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from govscan.store.engine import migrate, open_engine


def _database_at_0004_with_a_race_left_behind(db: Path) -> None:
    """Three scans raced: asset a.csv stored three times, its two findings once per copy."""
    old = create_engine(f"sqlite:///{db}")
    migrate(old, "0004")
    with old.begin() as c:
        c.execute(
            text(
                "INSERT INTO scan (name, started_at, status, govscan_version, ruleset_digest, fingerprint_key_id)"
                " VALUES (:name, :at, 'completed', '0.1', '', '')"
            ),
            [{"name": f"s{n}", "at": f"2026-01-0{n}"} for n in (1, 2, 3)],
        )
        c.execute(text("INSERT INTO target (name, kind) VALUES ('t', 'datasets')"))
        for _ in range(3):
            c.execute(text("INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'a.csv', 'a.csv')"))
        c.execute(text("INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'b.csv', 'b.csv')"))
        c.execute(
            text("INSERT INTO assetread (scan_id, asset_id, status) VALUES (:scan, :asset, 'ok')"),
            [{"scan": scan, "asset": asset} for scan, asset in ((1, 1), (2, 2), (3, 3), (3, 4))],
        )
        rows = [
            # (fingerprint, asset, status, first scan, last scan)
            ("iin", 1, "open", 1, 1),  # finding 1: the oldest copy of the IIN finding
            ("iin", 2, "accepted_risk", 2, 2),  # finding 2: a person accepted this copy
            ("iin", 3, "open", 3, 3),  # finding 3
            ("name", 1, "open", 1, 1),  # finding 4: oldest copy of the name finding
            ("name", 3, "fixed", 3, 3),  # finding 5: the copy seen last says fixed
            ("iin", 4, "open", 3, 3),  # finding 6: another file, no duplicate
        ]
        c.execute(
            text(
                "INSERT INTO finding (fingerprint, rule_id, severity, title, asset_id, location_json, evidence_masked,"
                " count, confidence, status, reopened_count, first_seen_scan_id, last_seen_scan_id, first_seen_at,"
                " last_seen_at) VALUES (:fp, 'r', 'critical', 't', :asset, '{}', 'x', 1, 0.9, :status, 0, :first,"
                " :last, :first_at, :last_at)"
            ),
            [
                {
                    "fp": fp,
                    "asset": asset,
                    "status": status,
                    "first": first,
                    "last": last,
                    "first_at": f"2026-01-0{first}",
                    "last_at": f"2026-01-0{last}",
                }  # fmt: skip
                for fp, asset, status, first, last in rows
            ],
        )
        c.execute(
            text("INSERT INTO findingevent (finding_id, scan_id, kind, count) VALUES (:finding, :scan, 'new', 1)"),
            [{"finding": f, "scan": s} for f, s in ((1, 1), (2, 2), (3, 3), (4, 1), (5, 3), (6, 3))],
        )
        c.execute(text(
            "INSERT INTO triagenote (finding_id, from_status, to_status, note, actor, at)"
            " VALUES (2, 'open', 'accepted_risk', 'published by law', 'auditor', '2026-01-02')"
        ))  # fmt: skip
    old.dispose()


def test_migration_0005_folds_raced_duplicates_into_one_row_keeping_triage(tmp_path: Path) -> None:
    db = tmp_path / "raced.db"
    _database_at_0004_with_a_race_left_behind(db)

    engine = open_engine(f"sqlite:///{db}")

    with engine.connect() as c:
        assert c.execute(text("SELECT id, uri_normal FROM asset ORDER BY id")).all() == [(1, "a.csv"), (4, "b.csv")]
        assert c.execute(text("SELECT asset_id FROM assetread ORDER BY scan_id, asset_id")).scalars().all() == [
            1,
            1,
            1,
            4,
        ]
        findings = c.execute(text(
            "SELECT id, fingerprint, asset_id, status, first_seen_scan_id, last_seen_scan_id FROM finding ORDER BY id"
        )).all()  # fmt: skip
        assert findings == [
            (2, "iin", 1, "accepted_risk", 1, 3),  # the triaged copy survives, with the whole history
            (4, "name", 1, "fixed", 1, 3),  # untriaged: the oldest survives with the latest status
            (6, "iin", 4, "open", 3, 3),
        ]
        events = c.execute(text("SELECT finding_id, scan_id FROM findingevent ORDER BY finding_id, scan_id")).all()
        assert events == [(2, 1), (2, 2), (2, 3), (4, 1), (4, 3), (6, 3)]
        assert c.execute(text("SELECT finding_id FROM triagenote")).scalars().all() == [2]


def test_a_second_copy_of_an_asset_is_refused_by_the_schema(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.begin() as c:
        c.execute(text("INSERT INTO target (name, kind) VALUES ('t', 'datasets')"))
        c.execute(text("INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'a.csv', 'a.csv')"))
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(text("INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'a.csv', 'a.csv')"))
