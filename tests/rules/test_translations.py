"""Rule titles and remediation in Russian and Kazakh: present, real, and faithful to the config snippets."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from govscan.rules import load_rules
from govscan.rules.spec import RuleSpec

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
BACKTICKED = re.compile(r"`[^`]+`")

RULES = sorted(load_rules(plugins=False), key=lambda r: r.id)


def _snippet_lines(text: str) -> list[str]:
    """Indented lines of a remediation: nginx/Apache/YAML blocks, kept verbatim in every language."""
    return [line for line in text.splitlines() if line[:1].isspace() and line.strip()]


def test_every_bundled_rule_is_translated() -> None:
    assert len(RULES) >= 70
    untranslated = [r.id for r in RULES if set(r.translations) != {"ru", "kk"}]
    assert not untranslated, untranslated


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_translations_are_real_cyrillic_text(rule: RuleSpec) -> None:
    for lang in ("ru", "kk"):
        text = rule.translations[lang]
        for field, english in (("title", rule.title), ("remediation", rule.remediation)):
            translated = getattr(text, field)
            assert translated.strip(), (rule.id, lang, field)
            assert CYRILLIC.search(translated), (rule.id, lang, field)
            assert translated.strip() != english.strip(), (rule.id, lang, field)
    kk = rule.translations["kk"].title + rule.translations["kk"].remediation
    ru = rule.translations["ru"].title + rule.translations["ru"].remediation
    assert KAZAKH_LETTERS & set(kk), f"{rule.id}: the Kazakh text uses no Kazakh letter"
    assert not KAZAKH_LETTERS & set(ru), f"{rule.id}: Kazakh letters in the Russian text"
    assert rule.translations["ru"].title != rule.translations["kk"].title, rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_config_snippets_are_kept_verbatim(rule: RuleSpec) -> None:
    spans = BACKTICKED.findall(rule.remediation)
    lines = _snippet_lines(rule.remediation)
    for lang in ("ru", "kk"):
        translated = rule.translations[lang].remediation
        assert sorted(BACKTICKED.findall(translated)) == sorted(spans), (rule.id, lang)
        missing = [line for line in lines if line not in translated.splitlines()]
        assert not missing, (rule.id, lang, missing)


def test_helpers_fall_back_to_english() -> None:
    rule = next(r for r in RULES if r.id == "pii.kz-iin")
    assert rule.title_in("en") == rule.title and rule.remediation_in("en") == rule.remediation
    assert rule.title_in("ru") == rule.translations["ru"].title
    assert rule.remediation_in("kk") == rule.translations["kk"].remediation
    bare = rule.model_copy(update={"translations": {}})
    assert bare.title_in("ru") == rule.title and bare.remediation_in("kk") == rule.remediation
    assert rule.title_in("de") == rule.title  # an unknown language is English too


def test_translations_block_is_validated() -> None:
    base = next(r for r in RULES if r.id == "pii.kz-iin").model_dump(exclude={"translations"})
    ok = RuleSpec.model_validate({**base, "translations": {"ru": {"title": "Т", "remediation": "Р"}}})
    assert ok.title_in("ru") == "Т" and ok.title_in("kk") == base["title"]
    for bad in (
        {"de": {"title": "T", "remediation": "R"}},  # only ru and kk
        {"ru": {"title": "T"}},  # both fields
        {"ru": {"title": "T", "remediation": "R", "description": "D"}},  # nothing else
        {"ru": {"title": "", "remediation": "R"}},  # not empty
    ):
        with pytest.raises(ValidationError):
            RuleSpec.model_validate({**base, "translations": bad})


def test_english_title_rule_does_not_apply_to_translations() -> None:
    base = next(r for r in RULES if r.id == "pii.kz-iin").model_dump(exclude={"translations"})
    RuleSpec.model_validate({**base, "translations": {"kk": {"title": "Ensure … (kk)", "remediation": "R"}}})
    with pytest.raises(ValidationError):
        RuleSpec.model_validate({**base, "title": "Ensure IINs are not published"})
