"""Counted messages agree with their number in each language, by CLDR's plural rules (Babel).

A catalogue keeps the general text under the key and may add ``key#one``, ``key#few``, ``key#many``
(only forms its language has): English "1 subresource" / "3 subresources"; Russian "1 ресурс",
"3 ресурса", "5 ресурсов", "21 ресурс".
"""

from __future__ import annotations

import datetime as dt

import pytest
from babel import Locale

from govscan.report.data import EvidenceMessage, FindingItem, Localized
from govscan.report.i18n import LANGUAGES, Translator, load_catalog
from govscan.report.templating import evidence_plain, evidence_text

PASSIVE = "evidence.http.mixed-content.passive"


@pytest.mark.parametrize(
    "lang,count,start",
    [
        ("en", 1, "1 subresource over http: (all passive)"),
        ("en", 3, "3 subresources over http: (all passive)"),
        ("ru", 1, "1 ресурс по http (все пассивные)"),
        ("ru", 3, "3 ресурса по http (все пассивные)"),
        ("ru", 5, "5 ресурсов по http (все пассивные)"),
        ("ru", 11, "11 ресурсов по http"),
        ("ru", 21, "21 ресурс по http"),
    ],
)
def test_a_counted_message_takes_the_form_of_its_number(lang: str, count: int, start: str) -> None:
    assert Translator(lang, strict=True)(PASSIVE, count=count, example="x").startswith(start)


def test_a_message_without_forms_or_without_a_count_is_the_general_text() -> None:
    t = Translator("en", strict=True)
    assert t("compliance.open_count", count=1) == "1 open"
    assert t(PASSIVE, count="many", example="x").startswith("many subresources")


def _finding(count: int) -> FindingItem:
    now = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    text = Localized(ru="x", kk="x", en="x")
    return FindingItem(
        id=1, rule_id="http.transport.mixed-content", rule_kind="http", rule_title="x", rule_titles=text,
        severity="medium", entity=None, uri="https://a.kz/", place="endpoint", sheet=None, column=None,
        column_index=None, json_path=None, line=None, evidence="1 subresource over http: (all passive); e.g. x",
        messages=[EvidenceMessage(id="http.mixed-content.passive", params={"count": count, "example": "http://a.kz/x.png"})],
        count=count, confidence=1.0, fingerprint="f", status="open", event="new", reopened_count=0,
        first_seen_at=now, last_seen_at=now, first_seen_scan_id=1, last_seen_scan_id=1, remediation="x",
        remediations=text, references=[], compliance=[], triage=[],
    )  # fmt: skip


def test_evidence_in_the_reports_takes_the_form_of_its_count() -> None:
    en, ru = Translator("en", strict=True), Translator("ru", strict=True)
    assert evidence_plain(en, _finding(1)).startswith("1 subresource over http")
    assert str(evidence_text(en, _finding(1))).startswith("<code>1</code> subresource over http")
    assert evidence_plain(ru, _finding(2)).startswith("2 ресурса по http")
    assert evidence_plain(ru, _finding(7)).startswith("7 ресурсов по http")


def test_forms_are_ones_the_language_has_and_extend_a_general_text() -> None:
    for lang in LANGUAGES:
        catalog = load_catalog(lang)
        tags = Locale.parse(lang).plural_form.tags
        for key in catalog:
            if "#" in key:
                base, form = key.split("#", 1)
                assert base in catalog and form in tags, (lang, key)
