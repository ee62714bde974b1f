"""The bundled frameworks: every rule is mapped, no mapping is dead, unverified citations say so."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from govscan.compliance import load_frameworks, rule_links
from govscan.rules import load_rules

FRAMEWORK_IDS = {"kz-pdl", "cyber-shield", "kz-et832", "kz-koap"}
# Ids that rule files used before the mapping moved into rules/compliance/: they must keep resolving.
LEGACY_IDS = {
    "kz-pdl:art-6",
    "kz-pdl:art-7",
    "kz-pdl:art-11",
    "kz-pdl:art-22",
    "kz-pdl:art-25",
    "cyber-shield:CS1-state-resources",
    "cyber-shield:CS3-monitoring-response",
    "cyber-shield:CS4-unified-standards",
    "cyber-shield:CS5-rights-privacy",
    "cyber-shield:CS6-trust-crypto",
}


@pytest.fixture(scope="module")
def frameworks():
    return load_frameworks(plugins=False)


@pytest.fixture(scope="module")
def rule_ids() -> list[str]:
    return sorted(r.id for r in load_rules(plugins=False))


def test_the_four_frameworks_are_bundled_with_their_documents(frameworks) -> None:
    by_id = {fw.id: fw for fw in frameworks}
    assert set(by_id) == FRAMEWORK_IDS
    assert "Z1300000094" in by_id["kz-pdl"].document.en
    assert "P1700000407" in by_id["cyber-shield"].document.en
    assert "P1600000832" in by_id["kz-et832"].document.en
    assert "235-V" in by_id["kz-koap"].document.en


def test_every_rule_is_mapped_to_a_requirement(frameworks, rule_ids) -> None:
    unmapped = [rule_id for rule_id, reqs in rule_links(frameworks, rule_ids).items() if not reqs]
    assert unmapped == []


def test_no_rule_pattern_is_dead(frameworks, rule_ids) -> None:
    dead = [
        (req.id, pattern)
        for fw in frameworks
        for req in fw.requirements
        for pattern in req.rules
        if not any(fnmatchcase(rule_id, pattern) for rule_id in rule_ids)
    ]
    assert dead == []


def test_ids_rule_files_used_before_still_exist(frameworks) -> None:
    ids = {req.id for fw in frameworks for req in fw.requirements}
    assert LEGACY_IDS <= ids


def test_rule_files_no_longer_carry_their_own_links() -> None:
    ruleset = load_rules(plugins=False)
    for rule_id, path in ruleset.sources.items():
        assert "\ncompliance:" not in path.read_text(encoding="utf-8"), rule_id


def test_unverified_article_numbers_are_marked(frameworks) -> None:
    reqs = {req.id: req for fw in frameworks for req in fw.requirements}
    # The reference notes mark these article numbers unconfirmed; the data must not claim otherwise.
    for req_id in ("kz-pdl:art-11", "kz-pdl:art-15", "kz-pdl:art-20", "kz-pdl:art-25"):
        assert reqs[req_id].confirmed is False and reqs[req_id].note and reqs[req_id].caveat, req_id
    assert reqs["kz-pdl:art-6"].confirmed and reqs["kz-pdl:art-22"].confirmed


def test_reports_list_the_personal_data_law_first(frameworks) -> None:
    ordered = [fw.id for fw in sorted(frameworks, key=lambda fw: fw.order)]
    assert ordered == ["kz-pdl", "kz-koap", "kz-et832", "cyber-shield"]


def test_documents_and_caveats_are_written_in_each_report_language(frameworks) -> None:
    for fw in frameworks:
        assert "№" in fw.document.ru and "№" in fw.document.kk and "No." in fw.document.en, fw.id
        assert "Government" not in fw.document.ru + fw.document.kk, fw.id
        for req in fw.requirements:
            if req.caveat is not None:
                assert not any(ch in req.caveat.ru + req.caveat.kk for ch in "⚠❓"), req.id


def test_breach_and_removal_duties_carry_the_one_working_day_deadline(frameworks) -> None:
    reqs = {req.id: req for fw in frameworks for req in fw.requirements}
    for req_id in ("kz-pdl:art-6", "kz-pdl:art-25"):
        obligation = reqs[req_id].obligation
        assert obligation is not None and "one working day" in obligation.en, req_id
        assert "одного рабочего дня" in obligation.ru and "бір жұмыс күні" in obligation.kk


def test_personal_data_rules_link_the_law_and_severe_rules_link_something(frameworks) -> None:
    ruleset = load_rules(plugins=False)
    for rule in ruleset:
        if rule.kind == "pii":
            assert "kz-pdl:art-1" in rule.compliance, rule.id
        if rule.kind == "pii" and rule.id != "pii.kz-bin":
            assert {"kz-pdl:art-6", "kz-pdl:art-11", "kz-koap:art-79"} <= set(rule.compliance), rule.id
        if rule.kind in ("tls", "http", "exposure") and rule.level.label in ("medium", "high", "critical"):
            assert "kz-pdl:art-22" in rule.compliance or "cyber-shield:CS6-trust-crypto" in rule.compliance


def test_requirement_titles_and_summaries_exist_in_three_languages(frameworks) -> None:
    for fw in frameworks:
        for req in fw.requirements:
            for text in (req.title, req.summary):
                assert text.ru and text.kk and text.en, req.id
            assert req.title.ru != req.title.en, req.id
