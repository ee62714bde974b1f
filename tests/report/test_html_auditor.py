"""The HTML report as an auditor reads it, over the demo's real scan (portal, HTTP, TLS, documents).

What it must be: compliance per requirement with the failing rules' titles and open-finding counts
linked to the findings, tested rules folded away; frameworks in their declared order; findings
grouped per target and rule and folded; the methodology in words; dates as each language writes
them; nothing in English in the Russian and Kazakh reports except identifiers; no Python reprs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import lxml.html
import pytest
from babel.dates import format_date
from sqlmodel import Session

from govscan.compliance import Framework, load_frameworks
from govscan.demo.run import run_demo
from govscan.report.data import ReportData, build_report_data
from govscan.report.html import render_html
from govscan.report.i18n import load_catalog
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.testing.beside import load_beside

rdb = load_beside(__file__, "report_db.py")
report_db = rdb.report_db
LANGS = ("ru", "kk", "en")
LATIN_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,]+[A-Za-z][a-z]+){2,}\b")  # three English words in a row


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    """The demo's scan: two portals (HTTP and HTTPS with a weak TLS set-up) and open-data exports."""
    root = tmp_path_factory.mktemp("demo")
    with rdb.isolated_govscan(root):
        run = run_demo(root / "demo", lang="en", say=lambda _: None)
        with Session(open_engine(f"sqlite:///{run.database}")) as session:
            return build_report_data(session, load_rules(plugins=False))


@pytest.fixture(scope="module")
def pages(demo: ReportData) -> dict[str, str]:
    return {lang: render_html(demo, lang, strict=True) for lang in LANGS}


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def _prose(html: str) -> str:
    """The visible words a reader meets outside identifiers: no ``<code>``, no style, no charts."""
    doc = _doc(html)
    for el in doc.xpath("//code | //style | //svg | //title"):
        el.drop_tree()
    return " ".join(doc.body.text_content().split())


def test_frameworks_are_listed_in_their_declared_order_personal_data_law_first(demo, pages) -> None:
    assert [fw.id for fw in demo.frameworks] == ["kz-pdl", "kz-koap", "kz-et832", "cyber-shield"]
    positions = [pages["ru"].index(f'id="fw-{fw.id}"') for fw in demo.frameworks]
    assert positions == sorted(positions)


def test_the_order_is_data_not_code(report_db) -> None:
    def framework(fid: str, order: int) -> Framework:
        text = {"ru": fid, "kk": fid, "en": fid}
        req = {"id": f"{fid}:a", "title": text, "summary": text, "confirmed": True, "rules": ["pii.*"]}
        return Framework.model_validate(
            {
                "id": fid,
                "title": text,
                "document": "No. 1",
                "as_of": "2026-01-09",
                "order": order,
                "requirements": [req],
            }
        )

    with Session(open_engine(report_db.url)) as session:
        data = build_report_data(session, load_rules(), frameworks=[framework("zeta", 1), framework("alpha", 2)])
    assert [fw.id for fw in data.frameworks] == ["zeta", "alpha"]


def test_a_failed_requirement_names_its_failing_rules_with_counts_linked_to_their_findings(demo, pages) -> None:
    open_by_rule: dict[str, int] = {}
    for f in demo.findings:
        if f.status == "open":
            open_by_rule[f.rule_id] = open_by_rule.get(f.rule_id, 0) + 1
    doc = _doc(pages["ru"])
    rows = doc.xpath('//section[@id="compliance"]//tr[contains(@class, "req-row-failed")]')
    assert len(rows) == sum(fw.count("failed") for fw in demo.frameworks) > 5
    checked = 0
    for row in rows:
        for item in row.xpath('.//ul[@class="failing"]/li'):
            (link,) = item.xpath("./a")
            group = doc.get_element_by_id(link.get("href")[1:])  # the link lands on that rule's findings
            assert group.tag == "details" and "rule-group" in group.get("class")
            (rule_id,) = group.xpath('./summary/code[@class="rule-id"]/text()')
            assert link.text_content() == demo.rule_title(rule_id, "ru") != demo.rule_title(rule_id, "en")
            assert f"открыто: {open_by_rule[rule_id]}" in item.text_content()
            checked += 1
    assert checked > 20


def test_tested_rules_are_folded_and_no_rule_id_list_is_shown(demo, pages) -> None:
    section = _doc(pages["kk"]).get_element_by_id("compliance")
    folded = section.xpath('.//details[@class="tested"]')
    assert folded and all(d.xpath("./summary") for d in folded)
    assert demo.rule_title("tls.protocol.tls10", "kk") in folded[0].getparent().text_content() or any(
        demo.rule_title("tls.protocol.tls10", "kk") in d.text_content() for d in folded
    )
    for d in folded:
        d.drop_tree()
    visible = section.text_content()
    ran = demo.methodology.rules_run
    assert len(ran) > 50 and not [r for r in ran if r in visible]  # titles, not ids, and only once


def test_findings_are_grouped_per_target_and_rule_and_folded(demo, pages) -> None:
    doc = _doc(pages["ru"])
    for index, target in enumerate(demo.targets, start=1):
        article = doc.get_element_by_id(f"target-{index}")
        groups = article.xpath('.//details[contains(@class, "rule-group")]')
        assert len(groups) == len({f.rule_id for f in target.findings})
        rows = article.xpath('.//details[contains(@class, "rule-group")]//tr[starts-with(@id, "finding-")]')
        assert len(rows) == len(target.findings)
    assert load_catalog("ru")["finding.no_triage"] not in pages["ru"]


def test_one_scan_gets_a_sentence_two_scans_get_the_trend_chart(demo, pages, report_db) -> None:
    assert len(demo.trend) == 1 and "chart-trend" not in pages["en"]
    assert "This is the first scan of this configuration" in pages["en"]
    with Session(open_engine(report_db.url)) as session:
        three = render_html(build_report_data(session, load_rules()), "ru", strict=True)
    assert 'class="chart chart-trend"' in three


@pytest.mark.parametrize("lang", LANGS)
def test_dates_are_written_as_the_language_writes_them(demo, pages, lang: str) -> None:
    def written(date: dt.date) -> str:  # CLDR's narrow no-break space, as the no-break space fonts have
        return format_date(date, "medium", locale=lang).replace("\u202f", "\u00a0")

    assert written(demo.scan.started_at.date()) in pages[lang]
    assert written(dt.date(2026, 1, 9)) in pages[lang]  # the frameworks' as_of
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", _prose(pages[lang])), "an ISO date left in the text"


@pytest.mark.parametrize("lang", LANGS)
def test_no_python_repr_reaches_any_report(pages, lang: str) -> None:
    text = _doc(pages[lang]).body.text_content()
    for repr_start in ("{'", "['", "('", "None", "True", "False"):
        assert repr_start not in text, repr_start


@pytest.mark.parametrize("lang", LANGS)
def test_the_methodology_is_words_not_config_keys(pages, lang: str) -> None:
    section = _doc(pages[lang]).get_element_by_id("methodology").text_content()
    for key in ("max_pages", "max_depth", "max_bytes_per_response", "ner_max_chars", "api_sources", "ca_file"):
        assert key not in section, key
    assert "60" in section and "5" in section  # the demo's max_pages and max_depth, said in words


def _english_texts(demo: ReportData) -> set[str]:
    """Every English sentence the report could show: catalogue, rules, frameworks (identifiers aside)."""
    texts: set[str] = set()
    ru = load_catalog("ru")
    for key, value in load_catalog("en").items():
        if value == ru.get(key, ru[key.split("#")[0]]):  # a plural form (``#one``) or the message
            continue  # the same in both: an identifier ("robots.txt")
        for segment in re.split(r"\{[a-z_]+\}", value):
            if len(re.findall(r"(?<![\w.-])[A-Za-z]{3,}(?![\w-])", segment)) >= 2:  # words, not header names
                texts.add(segment.strip(" .,:;()"))
    for rule in load_rules(plugins=False):
        if rule.title_in("ru") != rule.title:
            texts.add(rule.title)
        if rule.remediation_in("ru") != rule.remediation:
            texts.add(rule.remediation)
    for fw in load_frameworks(plugins=False):
        texts |= {fw.title.en, fw.document.en}
        for req in fw.requirements:
            texts |= {req.title.en, req.summary.en}
            texts |= {t.en for t in (req.caveat, req.obligation) if t is not None}
    return {t for t in texts if t}


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_no_english_catalogue_or_rule_text_in_the_russian_and_kazakh_reports(demo, pages, lang: str) -> None:
    text = " ".join(_doc(pages[lang]).body.text_content().split())
    leaked = sorted(t for t in _english_texts(demo) if t in text)
    assert leaked == []
    # and no English phrase outside identifiers (code: rule ids, URLs, hosts, ciphers) and the
    # names the operator gave (targets, scan)
    prose = _prose(pages[lang])
    for name in [demo.scan.name, *(t.name for t in demo.targets)]:
        prose = prose.replace(name, " ")
    assert LATIN_RUN.findall(prose) == []


@pytest.mark.timeout(180)
def test_the_demo_report_is_short_in_chromium(pages, tmp_path: Path) -> None:
    """29 screens of 1080 px before grouping and folding; the folded report must stay far shorter."""
    import shutil

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    sync_api = pytest.importorskip("playwright.sync_api")
    if chromium is None:
        pytest.skip("chromium is not installed")
    heights = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for lang in ("ru", "kk"):
                path = tmp_path / f"report.{lang}.html"
                path.write_text(pages[lang], encoding="utf-8")
                page = browser.new_page(viewport={"width": 1280, "height": 1080})
                page.goto(path.as_uri())
                heights[lang] = page.evaluate("document.documentElement.scrollHeight") / 1080
                page.close()
        finally:
            browser.close()
    assert max(heights.values()) < 16, heights


def _evidence_of(html: str, rule_id: str) -> list[str]:
    doc = _doc(html)
    out = []
    for group in doc.xpath('//details[contains(@class, "rule-group")]'):
        if group.xpath(f'./summary/code[@class="rule-id" and text()="{rule_id}"]'):
            out += [
                " ".join(td.text_content().split()) for td in group.xpath('.//tr[starts-with(@id, "finding-")]/td[2]')
            ]
    return out


@pytest.mark.parametrize(
    "lang,rule_id,expected",
    [
        ("ru", "http.cookie.httponly-missing", "сессионный cookie PHPSESSID установлен без атрибута HttpOnly"),
        ("kk", "http.cookie.httponly-missing", "PHPSESSID сессиялық cookie-і HttpOnly атрибутынсыз орнатылған"),
        ("ru", "http.form.personal-data-over-http", "форма на странице http:// отправляет данные на http://127.0.0.1:"),
        ("kk", "tls.protocol.tls10", "сервер tls1.0 қабылдайды"),
        ("ru", "tls.mozilla.curves", "tls_curves: поддерживаются X448, secp521r1, их следует отключить"),
    ],
)
def test_http_and_tls_evidence_is_said_in_the_report_language(pages, lang: str, rule_id: str, expected: str) -> None:
    shown = _evidence_of(pages[lang], rule_id)
    assert shown and any(expected in e for e in shown), shown


def test_the_english_catalogue_says_what_the_checks_say(demo, pages) -> None:
    """JSON, SARIF and text keep the checks' English; the English report words it the same."""
    said = [f for f in demo.findings if f.messages]
    assert len(said) > 20 and {f.rule_id.split(".")[0] for f in said} == {"http", "tls", "exposure"}
    same = ("http.cookie.", "http.form.", "http.header.", "tls.protocol.", "exposure.git")
    for f in said:
        if f.rule_id.startswith(same):
            assert f.evidence in _evidence_of(pages["en"], f.rule_id), f.rule_id


# Scripts every common font carries (DejaVu, Noto Sans, Arial, Segoe UI): no emoji, no dingbats.
COMMON_GLYPHS = re.compile(
    r"[\u0009\u000a\u000d\u0020-\u007e\u00a0-\u024f\u0400-\u04ff\u2010-\u2027\u2030-\u205e\u2116\u2190-\u2193\u2212\u2264\u2265]"
)


@pytest.mark.parametrize("lang", LANGS)
def test_every_glyph_is_one_common_fonts_have(pages, lang: str) -> None:
    body = _doc(pages[lang]).body.text_content()
    assert sorted({ch for ch in body if not COMMON_GLYPHS.match(ch)}) == []


def test_a_group_says_its_shared_status_once_and_a_mixed_one_per_finding(report_db) -> None:
    with Session(open_engine(report_db.url)) as session:
        data = build_report_data(session, load_rules())
    html = render_html(data, "en", strict=True)
    doc = _doc(html)
    for index, target in enumerate(data.targets, start=1):
        for group in target.groups:
            details = doc.get_element_by_id(f"g{index}-{group.rule_id.replace('.', '-')}")
            columns = [th.text_content() for th in details.xpath(".//thead//th")]
            if group.one_status is None:
                assert "Status" in columns
            else:
                assert "Status" not in columns
                if group.one_status != "open" or group.findings[0].event != "new":
                    assert (
                        "all " + load_catalog("en")[f"status.{group.one_status}"]
                        in details.xpath("./summary")[0].text_content()
                    )
    reopened = [g for t in data.targets for g in t.groups if g.findings[0].event == "reopened"]
    assert reopened, "the report database reopens the IIN finding in scan 3"
    assert "reopened" in html and "first seen" in html


def test_a_line_in_a_named_table_is_called_a_row(demo, pages) -> None:
    """ "line 1" of an HTML or Word table pointed at nothing a reader can find; it is the table's row."""
    doc = _doc(pages["en"])
    in_tables = [f for f in demo.findings if f.sheet and f.line]
    assert in_tables
    for f in in_tables:
        place = doc.get_element_by_id(f"finding-{f.id}").xpath("./td[1]")[0].text_content()
        assert f"(row {f.line})" in place and "(line" not in place


def test_failing_rules_lead_with_the_most_severe(demo) -> None:
    from govscan.model import Severity

    for fw in demo.frameworks:
        for req in fw.requirements:
            ranks = [(int(Severity.parse(r.severity)), r.open_findings) for r in req.failing]
            assert ranks == sorted(ranks, reverse=True), req.id
    art1 = next(r for r in demo.frameworks[0].requirements if r.id == "kz-pdl:art-1")
    assert art1.failing[0].severity == "critical"


def test_the_markdown_report_says_the_evidence_in_its_language_too(demo) -> None:
    from govscan.report.markdown import render_markdown

    text = render_markdown(demo, "ru", strict=True)
    assert "сессионный cookie PHPSESSID установлен без атрибута HttpOnly" in text
    assert "session cookie PHPSESSID set without HttpOnly" not in text
    assert "{'" not in text and "под закрашенным прямоугольником" in text
