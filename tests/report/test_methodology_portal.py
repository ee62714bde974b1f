"""The methodology tells what a portal audit really did: robots.txt overrides, deadline and NER cuts.

A scan recorded through the store (settings as ``govscan scan`` records them, the portal's summary
as ``audit_portal`` writes it) is rendered in every language, strictly (a missing message fails).
"""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from govscan.config import ScanConfig
from govscan.engine.plan import scan_settings
from govscan.model import AssetOutcome
from govscan.report.data import build_report_data
from govscan.report.html import render_html
from govscan.report.markdown import render_markdown
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.store.lifecycle import finish_scan, record, start_scan

PORTAL = "http://portal.example.kz/"
SUMMARY = {
    "kind": "portal",
    "pages": 12,
    "robots": "obeyed by the crawl only",
    "robots_mode": "audit",
    "robots_txt": "rules",
    "robots_skipped": 3,
    "robots_overridden": 41,
    "ner": True,
    "ner_max_chars": 100000,
    "ner_cut_assets": 2,
    "ner_cut_chars": 5123456,
    "deadline": {"by": "portal", "seconds": 900, "not_done": ["probes", "data_files"], "data_files_unread": 4},
    "grade": "F",
}


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    config = ScanConfig.model_validate(
        {"name": "nightly", "targets": [{"name": "akimat", "url": PORTAL, "crawl": {"robots": "audit"}}]}
    )
    engine = open_engine("sqlite://")
    with Session(engine) as session:
        scan = start_scan(session, "nightly", settings_json=json.dumps(scan_settings(config)))
        record(session, scan, "akimat", "url", [AssetOutcome(PORTAL, True, None, SUMMARY)], [])
        finish_scan(session, scan)
        return build_report_data(session, load_rules(plugins=False))


def test_the_plan_carries_the_robots_choice_and_what_the_audit_recorded(data) -> None:  # type: ignore[no-untyped-def]
    (plan,) = data.methodology.targets
    assert plan.robots == "audit" and "robots" not in plan.options
    (run,) = plan.portal_runs
    assert (run.overridden, run.skipped) == (41, 3)
    assert run.deadline_by == "portal" and run.not_done == ["probes", "data_files"] and run.data_files_unread == 4
    assert (run.ner_cut_assets, run.ner_cut_chars) == (2, 5123456)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_html_and_markdown_say_it_in_every_language(data, lang: str) -> None:  # type: ignore[no-untyped-def]
    for text in (render_html(data, lang, strict=True), render_markdown(data, lang, strict=True)):
        assert "41" in text and "5123456" in text and "900" in text


def test_english_methodology_words(data) -> None:  # type: ignore[no-untyped-def]
    text = render_markdown(data, "en", strict=True)
    assert "41 requests made despite robots.txt, 3 left out because of it" in text
    assert "respected by the crawl; exposure probes, portal APIs" in text
    assert "The deadline of the portal (900 s) cut the audit; not done: exposure probes, 4 data files" in text
    assert "past that, 5123456 characters of 2 pages/files were checked by the rule-based recognizers only" in text
