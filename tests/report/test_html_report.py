"""The HTML report over a database built by real scans: escaping, self-containment, content."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from govscan.compliance import load_frameworks
from govscan.report.charts import TrendPoint, severity_bars, trend_line
from govscan.report.data import ReportData, build_report_data
from govscan.report.html import render_html
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.testing.beside import load_beside

rdb = load_beside(__file__, "report_db.py")
report_db = rdb.report_db


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "nav", "main", "section", "article", "footer",
    "h1", "h2", "h3", "h4", "p", "div", "span", "strong", "code", "br", "ol", "ul", "li", "a", "table", "thead",
    "tbody", "tr", "th", "td", "figure", "figcaption", "svg", "rect", "text", "line", "polyline", "circle",
    "details", "summary",  # folding without script
}  # fmt: skip


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag the browser would see, with its attributes (text content is not tags)."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

        handle_startendtag = handle_starttag

    Collect().feed(html)
    return found


def data_for(db, **kwargs) -> ReportData:
    with Session(open_engine(db.url)) as session:
        return build_report_data(session, load_rules(), **kwargs)


@pytest.fixture(scope="module")
def html(report_db) -> str:
    return render_html(data_for(report_db), "ru", strict=True)


def test_hostile_content_renders_as_text(html: str) -> None:
    assert "<script" not in html.lower()  # the report has no script at all, and none gets in
    assert "&lt;script&gt;alert(1)&lt;/script&gt;ИИН" in html
    assert "&lt;b&gt;list.csv" in html and "<b>list" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html and "<img" not in html
    assert "open &lt;i&gt;data&lt;/i&gt; &#34;&amp;&#34;" in html


def test_no_raw_identifier_reaches_the_report(report_db, html: str) -> None:
    for value in report_db.raw_values():
        assert value not in html


def test_self_contained_no_external_loads(html: str) -> None:
    lowered = html.lower()
    assert "<link" not in lowered and "<img" not in lowered and "<iframe" not in lowered
    assert "@import" not in lowered and "url(" not in lowered
    tags = _tags(html)
    assert {t for t, _ in tags} <= ALLOWED_TAGS, {t for t, _ in tags} - ALLOWED_TAGS
    for tag, attrs in tags:
        for name, value in attrs:
            assert name not in ("src", "srcset", "action", "xlink:href", "background", "poster", "data"), (tag, name)
            assert not name.startswith("on"), (tag, name)  # no event handlers
            if name == "href":
                assert (value or "").startswith("#"), (tag, value)  # only in-page links
    assert "default-src 'none'" in html  # CSP: the browser itself refuses any load


def test_structure_language_charts_and_print(html: str) -> None:
    assert re.search(r'<html lang="ru">', html)
    assert html.count("<svg") == 2 and 'class="chart chart-severity"' in html and 'class="chart chart-trend"' in html
    assert "@media print" in html and "break-before: page" in html
    for section in ("summary", "compliance", "targets", "methodology"):
        assert f'id="{section}"' in html


def test_summary_grades_triage_and_remediation(report_db, html: str) -> None:
    assert "tls://portal.example.kz:443" in html and '<td class="grade">B</td>' in html
    assert "auditor" in html and "Ложное срабатывание" in html  # who, and the status in Russian
    assert load_rules()["pii.kz-iin"].remediation_in("ru") in html  # the ru report shows the rule's Russian text
    assert "https://adilet.zan.kz/rus/docs/Z1300000094" in html  # references as plain text


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_rule_titles_and_remediation_in_the_report_language(report_db, lang: str) -> None:
    rule = load_rules()["pii.kz-iin"]
    html = render_html(data_for(report_db), lang, strict=True)
    assert rule.title_in(lang) in html and rule.remediation_in(lang) in html
    others = [other for other in ("ru", "kk", "en") if other != lang]
    for other in others:
        assert rule.title_in(other) not in html and rule.remediation_in(other) not in html
    if lang != "en":
        assert rule.title_in(lang) == rule.translations[lang].title != rule.title


def test_compliance_tables_in_the_chosen_language(report_db) -> None:
    data = data_for(report_db)
    for lang in ("ru", "kk", "en"):
        html = render_html(data, lang, strict=True)
        assert f'<html lang="{lang}">' in html
        for fw in data.frameworks:
            assert fw.title.get(lang).replace('"', "&#34;") in html
        failed = [r for fw in data.frameworks for r in fw.requirements if r.status == "failed"]
        assert failed and all(r.title.get(lang).replace('"', "&#34;") in html for r in failed)
    unconfirmed = [r for fw in data.frameworks for r in fw.requirements if not r.confirmed]
    html = render_html(data, "en", strict=True)
    assert unconfirmed and "Citation not confirmed" in html
    obligations = [r for fw in data.frameworks for r in fw.requirements if r.status == "failed" and r.obligation]
    assert obligations, "a failed personal-data requirement carries the breach-notification duty"
    for req in obligations:
        assert req.obligation is not None and req.obligation.en.replace("'", "&#39;") in html
    not_failed = [r for fw in data.frameworks for r in fw.requirements if r.status != "failed" and r.obligation]
    for req in not_failed:
        assert req.obligation is not None and req.obligation.en.replace("'", "&#39;") not in html


def test_report_data_story(report_db) -> None:
    data = data_for(report_db)
    assert data.scan.id == 3  # latest completed
    assert [(p.scan_id, p.present, p.open) for p in data.trend] == [(1, 4, 4), (2, 3, 2), (3, 4, 3)]
    assert data.counts_by_severity == {"critical": 2, "high": 1, "medium": 0, "low": 0, "info": 0}
    assert (data.open_total, data.seen_total, data.triaged_total) == (3, 4, 1)
    assert [(t, g.grade) for t, g in data.grades] == [(rdb.TLS_TARGET, "B")]
    assert data.methodology.kinds_run == ["pii", "tls"]
    iin = next(f for f in data.findings if f.rule_id == "pii.kz-iin" and f.event == "reopened")
    assert iin.reopened_count == 1 and iin.first_seen_scan_id == 1 and "*" in iin.evidence
    person = next(f for f in data.findings if f.rule_id == "pii.person")
    assert person.status == "false_positive" and person.triage[0].actor == "auditor"
    statuses = {r.status for fw in data.frameworks for r in fw.requirements}
    assert statuses == {"failed", "passed", "not_tested"}  # tls rules ran clean; http never ran


def test_filters_by_target_scan_and_framework(report_db) -> None:
    only = data_for(report_db, target=rdb.SECOND_TARGET)
    assert [t.name for t in only.targets] == [rdb.SECOND_TARGET]
    assert [f.rule_id for f in only.findings] == ["pii.kz-iin"]
    assert [(p.present, p.open) for p in only.trend] == [(1, 1), (1, 1), (1, 1)]
    first = data_for(report_db, scan_id=2)
    assert first.scan.id == 2 and len(first.trend) == 2 and first.fixed_in_scan == 1
    framework_id = load_frameworks()[0].id
    assert [fw.id for fw in data_for(report_db, framework=framework_id).frameworks] == [framework_id]


def test_charts_escape_their_text() -> None:
    svg = severity_bars({"high": 3, "low": 0}, {"high": "<b>x</b>", "low": "low"}, 'a "title" <script>')
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "<script>" not in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    line = trend_line([TrendPoint("<i>#1</i>", 2, 1), TrendPoint("#2", 0, 0)], "t", "<p>", "&o")
    assert "<i>" not in line and "&lt;p&gt;" in line and "&amp;o" in line and "<polyline" in line
    single = trend_line([TrendPoint("#1", 0, 0)], "t", "p", "o")
    assert "<circle" in single and "nan" not in single.lower()


def test_methodology_from_recorded_settings(report_db) -> None:
    data = data_for(report_db)
    plans = {p.name: p for p in data.methodology.targets}
    assert data.methodology.settings_recorded
    assert any(src.endswith("exports/*.csv") for src in plans[rdb.HOSTILE_TARGET].sources)
    assert plans[rdb.HOSTILE_TARGET].robots is None and plans[rdb.HOSTILE_TARGET].assets == 1
    html = render_html(data, "en", strict=True)
    assert "not applicable (no crawl)" in html and "exports/*.csv" in html


def test_which_rule_kinds_a_scan_exercised() -> None:
    from govscan.store.coverage import kinds_exercised
    from govscan.store.tables import Asset, AssetRead, Target

    portal = Target(id=1, name="portal", kind="url")
    files = Target(id=2, name="files", kind="datasets")

    def read(
        target: Target, uri: str, status: str = "ok", summary: str | None = None
    ) -> tuple[AssetRead, Asset, Target]:
        return (
            AssetRead(scan_id=1, asset_id=1, status=status, summary_json=summary),
            Asset(target_id=target.id, uri_normal=uri, uri_display=uri),
            target,
        )

    crawled = '{"kind": "portal", "pages": 12}'
    assert kinds_exercised([read(files, "a.csv")]) == {"pii"}
    assert kinds_exercised([read(files, "https://data.gov.kz/a.csv")]) == {"pii"}  # a dataset URL is no portal
    assert kinds_exercised([read(portal, "https://portal.kz/", summary=crawled)]) == {"pii", "http", "exposure"}
    no_probes = {"portal": {"crawl": {"probes": False}}}
    assert kinds_exercised([read(portal, "https://portal.kz/", summary=crawled)], no_probes) == {"pii", "http"}
    # a page of the portal read while the crawl itself reached nothing judges no http rule
    no_pages = '{"kind": "portal", "pages": 0}'
    assert kinds_exercised(
        [read(portal, "https://portal.kz/", "error", no_pages), read(portal, "https://portal.kz/a.csv")]
    ) == {"pii"}
    assert kinds_exercised([read(portal, "tls://portal.kz:443"), read(files, "b.csv", "error")]) == {"tls"}
