"""The Markdown report as an auditor reads it (in a ticket or a wiki), over the demo's real scan.

It has the HTML report's structure in Markdown: per requirement its status, the failing rules'
titles in the report's language with their open-finding counts linked to the findings, the rules
that ran folded into a ``<details>`` (GitHub renders it); frameworks in their declared order;
findings grouped per target and rule; the methodology in words; a table's row called a row; no
glyph common fonts lack, no Python repr, no English catalogue or rule text in ru and kk.
"""

from __future__ import annotations

import re

import pytest

from govscan.report.data import ReportData
from govscan.report.markdown import md_escape, render_markdown
from govscan.report.templating import group_anchor
from govscan.testing.beside import load_beside

auditor = load_beside(__file__, "test_html_auditor.py")
demo = auditor.demo  # the demo's scan: portals over HTTP and HTTPS, weak TLS, open-data exports
LANGS = ("ru", "kk", "en")
DETAILS = re.compile(r"<details>.*?</details>", re.S)


@pytest.fixture(scope="module")
def reports(demo: ReportData) -> dict[str, str]:
    return {lang: render_markdown(demo, lang, strict=True) for lang in LANGS}


def _section(md: str, number: int) -> str:
    """The ``number``-th ``## `` section (1: summary, 2: compliance, 3: targets, 4: methodology)."""
    return re.split(r"^## ", md, flags=re.M)[number]


@pytest.mark.parametrize("lang", LANGS)
def test_every_glyph_is_one_common_fonts_have(reports, lang: str) -> None:
    assert sorted({ch for ch in reports[lang] if not auditor.COMMON_GLYPHS.match(ch)}) == []


def test_frameworks_are_listed_in_their_declared_order(demo, reports) -> None:
    positions = [reports["ru"].index("### " + md_escape(fw.title.ru)) for fw in demo.frameworks]
    assert [fw.id for fw in demo.frameworks][0] == "kz-pdl" and positions == sorted(positions)


def test_a_failed_requirement_names_its_failing_rules_with_counts_linked_to_their_findings(demo, reports) -> None:
    md = reports["ru"]
    checked = 0
    for fw in demo.frameworks:
        for req in fw.requirements:
            if req.status != "failed":
                continue
            row = next(line for line in md.splitlines() if line.startswith(f"| **{md_escape(req.title.ru)}**"))
            assert "| Не выполнено |" in row
            for rule in req.failing:
                anchor = group_anchor(rule.targets[0], rule.rule_id)
                assert f"[{md_escape(rule.titles.ru)}](#{anchor}) — открыто: {rule.open_findings}" in row
                assert f'#### <a id="{anchor}"></a>{md_escape(rule.titles.ru)}' in md  # the link lands
                checked += 1
    assert checked > 20


@pytest.mark.parametrize("lang", LANGS)
def test_tested_rules_are_folded_and_no_rule_id_list_is_shown(demo, reports, lang: str) -> None:
    compliance = _section(reports[lang], 2)
    folded = DETAILS.findall(compliance)
    assert folded and all("<summary>" in d for d in folded)
    assert any(md_escape(demo.rule_title("tls.protocol.tls10", lang)) in d for d in folded)
    visible = DETAILS.sub(" ", compliance)
    ran = demo.methodology.rules_run
    assert len(ran) > 50 and [r for r in ran if md_escape(r) in visible] == []


def test_findings_are_grouped_per_target_and_rule(demo, reports) -> None:
    targets = re.split(r"^### ", _section(reports["kk"], 3), flags=re.M)[1:]
    assert len(targets) == len(demo.targets)
    for text, target in zip(targets, demo.targets, strict=True):
        assert text.count("#### <a id=") == len({f.rule_id for f in target.findings})
    assert "no triage" not in reports["en"].lower()
    # a rule's references are a paragraph of their own, not run into its remediation
    assert "\n\nReferences: " in reports["en"] and not re.search(r"[^\n]\nReferences: ", reports["en"])


def test_one_scan_gets_a_sentence_not_a_one_row_trend_table(reports) -> None:
    assert "This is the first scan of this configuration" in reports["en"]
    assert "| Scan | Date |" not in reports["en"]


@pytest.mark.parametrize("lang", LANGS)
def test_no_python_repr_reaches_the_report(reports, lang: str) -> None:
    for repr_start in ("{'", "\\['", "('", "None", "True", "False"):
        assert repr_start not in reports[lang], repr_start


@pytest.mark.parametrize("lang", LANGS)
def test_the_methodology_is_words_not_config_keys(reports, lang: str) -> None:
    methodology = _section(reports[lang], 4)
    for key in ("max_pages", "max_depth", "max_bytes_per_response", "ner_max_chars", "api_sources", "ca_file"):
        assert md_escape(key) not in methodology, key
    assert "60" in methodology


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_no_english_catalogue_or_rule_text_in_the_russian_and_kazakh_reports(demo, reports, lang: str) -> None:
    text = " ".join(reports[lang].split())
    assert sorted(t for t in auditor._english_texts(demo) if md_escape(t) in text) == []


def test_a_line_in_a_named_table_is_called_a_row(demo, reports) -> None:
    in_tables = [f for f in demo.findings if f.sheet and f.line]
    assert in_tables
    lines = reports["en"].splitlines()
    for f in in_tables:
        place = f"| {md_escape(f.uri)} — {md_escape(f.place)}"
        (row,) = [line for line in lines if line.startswith(place) and md_escape(f.evidence) in line]
        assert f"(row {f.line})" in row and "(line" not in row
