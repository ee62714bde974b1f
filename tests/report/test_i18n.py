"""Message catalogues: identical keys, real translations, strict lookups, every language renders."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from govscan.report.i18n import CATALOG_DIR, LANGUAGES, MissingMessage, Translator, load_catalog
from govscan.report.templating import TEMPLATE_DIR

KAZAKH_LETTERS = set("әғқңөұүһі")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_catalogue_has_exactly_the_same_keys() -> None:
    # plural forms (``key#few``) are each language's own (test_i18n_plural.py); the messages are the same
    keys = {lang: {k for k in load_catalog(lang) if "#" not in k} for lang in LANGUAGES}
    assert keys["ru"] == keys["en"] and keys["kk"] == keys["en"]
    assert sorted(p.stem for p in CATALOG_DIR.glob("*.json")) == sorted(LANGUAGES)


def test_placeholders_match_and_nothing_is_empty() -> None:
    en = load_catalog("en")
    for lang in LANGUAGES:
        catalog = load_catalog(lang)
        for key, text in catalog.items():
            assert text.strip(), (lang, key)
            assert _placeholders(text) == _placeholders(en[key.split("#")[0]]), (lang, key)


def test_russian_and_kazakh_are_written_in_cyrillic() -> None:
    for lang in ("ru", "kk"):
        catalog = load_catalog(lang)
        latin_only = [k for k, v in catalog.items() if not re.search(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]", v)]
        assert set(latin_only) <= {"methodology.robots"}, latin_only  # "robots.txt" is a file name
    assert KAZAKH_LETTERS & set("".join(load_catalog("kk").values()))
    assert not KAZAKH_LETTERS & set("".join(load_catalog("ru").values()))
    assert load_catalog("ru")["section.summary"] != load_catalog("kk")["section.summary"]


def test_every_key_a_template_uses_exists() -> None:
    used: set[str] = set()
    for path in Path(TEMPLATE_DIR).glob("*.j2"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", (TEMPLATE_DIR.parent / "html.py").read_text()))
    used |= set(re.findall(r"""["'](methodology\.robots_[a-z]+|methodology\.not_recorded)["']""",
                           (TEMPLATE_DIR.parent / "templating.py").read_text()))  # fmt: skip
    assert used and used <= set(load_catalog("en")), used - set(load_catalog("en"))


@pytest.mark.parametrize("prefix,values", [
    ("severity", ("critical", "high", "medium", "low", "info")),
    ("status", ("open", "fixed", "suppressed", "false_positive", "accepted_risk")),
    ("event", ("new", "seen", "reopened", "fixed")),
    ("req", ("failed", "passed", "not_tested")),
    ("kind", ("datasets", "tls", "url")),
    ("rulekind", ("pii", "tls", "http", "exposure")),
    ("scanstatus", ("completed", "interrupted", "failed", "running")),
])  # fmt: skip
def test_stored_values_have_labels(prefix: str, values: tuple[str, ...]) -> None:
    for lang in LANGUAGES:
        t = Translator(lang, strict=True)
        assert all(t.has(f"{prefix}.{v}") for v in values), (lang, prefix)


def test_missing_key_raises_in_strict_mode_and_falls_back_otherwise() -> None:
    with pytest.raises(MissingMessage):
        Translator("kk", strict=True)("no.such.key")
    assert Translator("kk", strict=False)("no.such.key") == "no.such.key"
    assert Translator("en")("report.subtitle", scan_id=3, name="{x}", date="d") == "Scan #3 “{x}” of d"
    assert Translator("ru").strict  # strict by default under pytest
    with pytest.raises(ValueError):
        load_catalog("de")


def test_catalogues_are_valid_utf8_json_objects() -> None:
    for lang in LANGUAGES:
        data = json.loads((CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8"))
        assert isinstance(data, dict) and all(isinstance(v, str) for v in data.values())
