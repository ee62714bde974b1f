"""The Markdown report: same content as tables, with hostile content that cannot break out."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from govscan.report.data import ReportData, build_report_data
from govscan.report.markdown import md_escape, render_markdown
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.testing.beside import load_beside

rdb = load_beside(__file__, "report_db.py")
report_db = rdb.report_db


@pytest.fixture(scope="module")
def data(report_db) -> ReportData:
    with Session(open_engine(report_db.url)) as session:
        return build_report_data(session, load_rules())


def test_hostile_content_is_escaped(data: ReportData) -> None:
    md = render_markdown(data, "ru", strict=True)
    assert "<script" not in md and "<img" not in md and "<b>" not in md and "<i>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;ИИН" in md
    assert "&lt;b&gt;list.csv" in md
    assert "names of officials \\| not PD" in md  # a pipe cannot split the table cell


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_rule_titles_and_remediation_in_the_report_language(data: ReportData, lang: str) -> None:
    rule = load_rules()["pii.kz-iin"]
    md = render_markdown(data, lang, strict=True)
    assert md_escape(rule.title_in(lang)) in md and md_escape(rule.remediation_in(lang)) in md
    for other in {"ru", "kk", "en"} - {lang}:
        assert md_escape(rule.title_in(other)) not in md
    iin = next(f for f in data.findings if f.rule_id == "pii.kz-iin")
    assert iin.rule_title == rule.title  # the data keeps English for the JSON, CSV and SARIF contract


def test_no_raw_identifier(report_db, data: ReportData) -> None:
    for lang in ("ru", "kk", "en"):
        md = render_markdown(data, lang, strict=True)
        for value in report_db.raw_values():
            assert value not in md


def test_same_content_as_tables(data: ReportData) -> None:
    md = render_markdown(data, "en", strict=True)
    for heading in (
        "## Executive summary",
        "## Compliance with requirements",
        "## Findings by target",
        "## Methodology",
    ):
        assert heading in md
    assert "| Critical | 2 |" in md and "| #3 |" in md
    assert "tls://portal.example.kz:443" in md and "**B**" in md
    assert "False positive" in md and "auditor" in md
    assert md_escape(load_rules()["pii.kz-iin"].remediation) in md
    failed = [r for fw in data.frameworks for r in fw.requirements if r.status == "failed" and r.obligation]
    assert failed and all(md_escape(r.obligation.en) in md for r in failed if r.obligation)
    # every table row has as many cells as its header
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|---") or line.startswith("| ---") or line.startswith("|:"):
            width = _cells(lines[i - 1])
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert _cells(lines[j]) == width, lines[j]
                j += 1


def _cells(row: str) -> int:
    count, escaped = 0, False
    for ch in row.strip():
        if ch == "|" and not escaped:
            count += 1
        escaped = ch == "\\" and not escaped
    return count - 1


def test_md_escape() -> None:
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("<x>&") == "&lt;x&gt;&amp;"
    assert md_escape("*bold* [link](u) `c`") == "\\*bold\\* \\[link\\](u) \\`c\\`"
    assert md_escape("line\nbreak\u202e") == "line break"
    assert md_escape(None) == ""
