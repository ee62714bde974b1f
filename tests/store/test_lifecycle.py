"""The findings database, on real SQLite files: lifecycle across scans, triage, privacy at rest."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlmodel import Session, select, text

from govscan.engine.documents import CheckOptions, run_check
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.store.lifecycle import AssetOutcome, finish_scan, record, start_scan, triage
from govscan.store.tables import FindingEvent, FindingRow, TriageNote

IINS = ["900101300017", "851231400120", "100715501237"]


def export(path: Path, with_iins: bool) -> Path:
    rows = ["ФИО,ИИН"] + [f"Иванов Иван Иванович,{iin if with_iins else ''}" for iin in IINS]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def scan_once(engine, files: list[Path], missing: list[Path] = ()):
    result = run_check(
        CheckOptions([str(f) for f in [*files, *missing]], parallel=False), load_rules(plugins=False), load_secret()
    )
    failed = {e.uri for e in result.errors}
    outcomes = [AssetOutcome(str(f), str(f) not in failed) for f in [*files, *missing]]
    with Session(engine) as session:
        scan = start_scan(session, "nightly")
        changes = record(session, scan, "exports", "datasets", outcomes, result.findings)
        finish_scan(session, scan)
    return changes


def rows(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {r.rule_id: r.status for r in session.exec(select(FindingRow)).all()}


def test_open_then_fixed_then_reopened_with_triage_kept(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'g.db'}")
    data = tmp_path / "list.csv"

    first = scan_once(engine, [export(data, True)])
    assert first.new and rows(engine) == {"pii.kz-iin": "open", "pii.person": "open"}

    with Session(engine) as session:
        person = session.exec(select(FindingRow).where(FindingRow.rule_id == "pii.person")).one()
        triage(session, person.id, "accepted_risk", note="names are public by law", by="auditor")

    second = scan_once(engine, [export(data, False)])
    assert len(second.fixed) == 1
    assert rows(engine) == {"pii.kz-iin": "fixed", "pii.person": "accepted_risk"}

    third = scan_once(engine, [export(data, True)])
    assert len(third.reopened) == 1
    with Session(engine) as session:
        iin = session.exec(select(FindingRow).where(FindingRow.rule_id == "pii.kz-iin")).one()
        assert (iin.status, iin.reopened_count) == ("open", 1)
        kinds = [e.kind for e in session.exec(select(FindingEvent).where(FindingEvent.finding_id == iin.id)).all()]
        assert kinds == ["new", "fixed", "reopened"]
        notes = session.exec(select(TriageNote)).all()
        assert [(n.from_status, n.to_status, n.actor) for n in notes] == [("open", "accepted_risk", "auditor")]
    assert rows(engine)["pii.person"] == "accepted_risk"


def test_an_asset_that_could_not_be_read_keeps_its_findings_open(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'g.db'}")
    data = export(tmp_path / "list.csv", True)
    scan_once(engine, [data])
    data.unlink()
    scan_once(engine, [], missing=[data])
    assert rows(engine)["pii.kz-iin"] == "open"


def test_the_database_file_is_private_in_wal_mode_and_holds_no_raw_identifier(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    engine = open_engine(f"sqlite:///{db}")
    scan_once(engine, [export(tmp_path / "list.csv", True)])
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("g.db*"))
    for iin in IINS:
        assert iin.encode() not in raw
    with Session(engine) as session:  # the IINs were found (so their absence from the bytes means something)
        iin = session.exec(select(FindingRow).where(FindingRow.rule_id == "pii.kz-iin")).one()
        assert iin.count == len(IINS) and iin.evidence_masked.count("*") >= 6


def test_an_old_database_is_migrated_without_losing_findings(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect

    from govscan.store.engine import migrate

    db = tmp_path / "old.db"
    old = create_engine(f"sqlite:///{db}")
    migrate(old, "0001")  # the first released schema, without scan.config_digest
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO scan (name, started_at, status, govscan_version, ruleset_digest, fingerprint_key_id) VALUES ('n', '2026-01-01', 'completed', '0.1', '', '')"
            )
        )
        connection.execute(text("INSERT INTO target (name, kind) VALUES ('t', 'datasets')"))
        connection.execute(text("INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'a.csv', 'a.csv')"))
        connection.execute(text(
            "INSERT INTO finding (fingerprint, rule_id, severity, title, asset_id, location_json, evidence_masked, count, confidence,"
            " status, reopened_count, first_seen_scan_id, last_seen_scan_id, first_seen_at, last_seen_at)"
            " VALUES ('fp', 'pii.kz-iin', 'critical', 't', 1, '{}', '9001******17', 3, 0.9, 'accepted_risk', 0, 1, 1, '2026-01-01', '2026-01-01')"
        ))  # fmt: skip
    old.dispose()
    engine = open_engine(f"sqlite:///{db}")
    assert "config_digest" in {c["name"] for c in inspect(engine).get_columns("scan")}
    with Session(engine) as session:
        row = session.exec(select(FindingRow)).one()
        assert (row.fingerprint, row.status, row.count) == ("fp", "accepted_risk", 3)


def test_an_old_database_with_events_and_triage_notes_is_migrated_whole(tmp_path: Path) -> None:
    """Rebuilding ``finding`` (migration 0004) must not trip over the events and notes pointing at it."""
    from sqlalchemy import create_engine

    from govscan.store.engine import migrate

    db = tmp_path / "old.db"
    old = create_engine(f"sqlite:///{db}")
    migrate(old, "0001")
    statements = [
        "INSERT INTO scan (name, started_at, status, govscan_version, ruleset_digest, fingerprint_key_id)"
        " VALUES ('n', '2026-01-01', 'completed', '0.1', '', '')",
        "INSERT INTO target (name, kind) VALUES ('t', 'datasets')",
        "INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'a.csv', 'a.csv')",
        "INSERT INTO assetread (scan_id, asset_id, status) VALUES (1, 1, 'ok')",
        "INSERT INTO finding (fingerprint, rule_id, severity, title, asset_id, location_json, evidence_masked, count,"
        " confidence, status, reopened_count, first_seen_scan_id, last_seen_scan_id, first_seen_at, last_seen_at)"
        " VALUES ('fp', 'pii.kz-iin', 'critical', 't', 1, '{}', '9001******17', 3, 0.9, 'accepted_risk', 0, 1, 1,"
        " '2026-01-01', '2026-01-01')",
        "INSERT INTO findingevent (finding_id, scan_id, kind, count) VALUES (1, 1, 'new', 3)",
        "INSERT INTO triagenote (finding_id, from_status, to_status, note, actor, at)"
        " VALUES (1, 'open', 'accepted_risk', 'published by law', 'auditor', '2026-01-01')",
    ]
    with old.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    old.dispose()

    engine = open_engine(f"sqlite:///{db}")

    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again for the scans
        assert connection.execute(text("SELECT finding_id, kind FROM findingevent")).all() == [(1, "new")]
        assert connection.execute(text("SELECT finding_id, note FROM triagenote")).all() == [(1, "published by law")]
        assert connection.execute(text("SELECT id, status FROM finding")).all() == [(1, "accepted_risk")]
