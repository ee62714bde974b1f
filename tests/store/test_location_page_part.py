"""A stored finding keeps where it is in a paged document: its page and the hidden part it is in.

Locations are stored as JSON; migration 0006 gives the rows stored before pages existed the same
keys (``page``/``part`` = null), and stored reports read both back into every output format.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session

from govscan.model import Finding, Location, Severity
from govscan.report import render
from govscan.report.data import build_report_data
from govscan.report.stored import as_scan_result
from govscan.rules import load_rules
from govscan.store.engine import migrate, open_engine
from govscan.store.lifecycle import AssetOutcome, finish_scan, record, start_scan

RULES = load_rules(plugins=False)


def covered_iin(uri: str) -> Finding:
    return Finding(
        rule_id="pii.failed-redaction",
        entity="KZ_IIN",
        severity=Severity.CRITICAL,
        title="Personal data under a redaction box can be copied out of the document",
        location=Location(uri, page=3, part="under a redaction box"),
        count=1,
        evidence="8805******12",
        confidence=0.99,
        fingerprint="f" * 64,
    )


def test_page_and_part_are_stored_and_come_back_in_stored_reports(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'g.db'}")
    uri = str(tmp_path / "decision.pdf")
    with Session(engine) as session:
        scan = start_scan(session, "nightly")
        record(session, scan, "site", "datasets", [AssetOutcome(uri, True)], [covered_iin(uri)])
        finish_scan(session, scan)
    with Session(engine) as session:
        data = build_report_data(session, RULES)
    (item,) = data.findings
    assert (item.page, item.part) == (3, "under a redaction box")
    out = io.StringIO()
    render("json", as_scan_result(data, RULES), out)
    (finding,) = json.loads(out.getvalue())["findings"]
    assert finding["location"]["page"] == 3 and finding["location"]["part"] == "under a redaction box"


def test_migration_0006_gives_older_locations_the_page_and_part_keys(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old = create_engine(f"sqlite:///{db}")
    migrate(old, "0005")
    with old.begin() as c:
        c.execute(text(
            "INSERT INTO scan (name, started_at, status, govscan_version, ruleset_digest, fingerprint_key_id)"
            " VALUES ('s', '2026-01-01', 'completed', '0.1', '', '')"
        ))  # fmt: skip
        c.execute(text("INSERT INTO target (name, kind) VALUES ('t', 'datasets')"))
        c.execute(text("INSERT INTO asset (target_id, uri_normal, uri_display) VALUES (1, 'a.csv', 'a.csv')"))
        c.execute(
            text(
                "INSERT INTO finding (fingerprint, rule_id, severity, title, asset_id, location_json, evidence_masked,"
                " count, confidence, status, reopened_count, first_seen_scan_id, last_seen_scan_id, first_seen_at,"
                " last_seen_at) VALUES ('fp', 'pii.kz-iin', 'critical', 't', 1, :loc, 'x', 1, 0.9, 'open', 0, 1, 1,"
                " '2026-01-01', '2026-01-01')"
            ),
            {"loc": json.dumps({"uri": "a.csv", "column": "ИИН", "column_index": 2, "line": None})},
        )
    old.dispose()
    engine = open_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        (stored,) = c.execute(text("SELECT location_json FROM finding")).scalars()
        assert json.loads(stored) == {
            "uri": "a.csv",
            "column": "ИИН",
            "column_index": 2,
            "line": None,
            "page": None,
            "part": None,
        }
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0008"


def test_markdown_and_html_reports_name_the_page_and_the_part(tmp_path: Path) -> None:
    from govscan.report.html import render_html
    from govscan.report.markdown import render_markdown

    engine = open_engine(f"sqlite:///{tmp_path / 'g.db'}")
    uri = str(tmp_path / "decision.pdf")
    with Session(engine) as session:
        scan = start_scan(session, "nightly")
        record(session, scan, "site", "datasets", [AssetOutcome(uri, True)], [covered_iin(uri)])
        finish_scan(session, scan)
    with Session(engine) as session:
        data = build_report_data(session, RULES)
    assert "(страница 3)" in render_markdown(data, "ru") and "(под закрашенным прямоугольником)" in render_markdown(
        data, "ru"
    )
    assert "(бет 3)" in render_markdown(data, "kk")
    html = render_html(data, "en")
    assert "(page 3)" in html and "(under a redaction box)" in html
