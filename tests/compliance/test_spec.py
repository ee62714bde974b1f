"""The framework schema rejects files a report could not cite safely."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from pydantic import ValidationError

from govscan.compliance import Framework

TEXT = {"ru": "текст", "kk": "мәтін", "en": "text"}


def framework(**changes) -> dict:
    data = {
        "id": "acme",
        "title": TEXT,
        "document": "Order No. 1",
        "as_of": "2026-01-09",
        "requirements": [
            {"id": "acme:art-1", "title": TEXT, "summary": TEXT, "confirmed": True, "rules": ["pii.*"]},
            {
                "id": "acme:art-2",
                "title": TEXT,
                "summary": TEXT,
                "confirmed": False,
                "note": "number unverified",
                "caveat": TEXT,
            },
        ],
    }
    data.update(changes)
    return copy.deepcopy(data)


def test_a_valid_framework_loads_and_matches_globs() -> None:
    fw = Framework.model_validate(framework())
    assert fw.as_of == dt.date(2026, 1, 9)
    assert fw.requirements[0].matches("pii.kz-iin") and not fw.requirements[0].matches("tls.cert.expired")
    assert fw.requirements[1].rules == ()


def test_a_missing_language_is_rejected() -> None:
    data = framework()
    del data["requirements"][0]["summary"]["kk"]
    with pytest.raises(ValidationError, match="kk"):
        Framework.model_validate(data)


def test_an_empty_language_is_rejected() -> None:
    data = framework()
    data["requirements"][0]["title"]["ru"] = "  "
    with pytest.raises(ValidationError, match="must not be empty"):
        Framework.model_validate(data)


def test_a_duplicate_requirement_id_is_rejected() -> None:
    data = framework()
    data["requirements"][1]["id"] = "acme:art-1"
    with pytest.raises(ValidationError, match="duplicate requirement id 'acme:art-1'"):
        Framework.model_validate(data)


@pytest.mark.parametrize("bad", ["other:art-1", "acme-art-1", "acme:", "acme:art 1"])
def test_a_requirement_id_without_the_framework_prefix_is_rejected(bad: str) -> None:
    data = framework()
    data["requirements"][0]["id"] = bad
    with pytest.raises(ValidationError, match="must look like 'acme:<article>'"):
        Framework.model_validate(data)


def test_an_unconfirmed_requirement_must_say_why() -> None:
    data = framework()
    del data["requirements"][1]["note"]
    with pytest.raises(ValidationError, match="unconfirmed requirement needs a 'note'"):
        Framework.model_validate(data)


def test_an_unconfirmed_requirement_says_so_in_the_three_report_languages() -> None:
    data = framework()
    del data["requirements"][1]["caveat"]
    with pytest.raises(ValidationError, match="unconfirmed requirement needs a 'caveat' in ru, kk and en"):
        Framework.model_validate(data)
    data["requirements"][1]["caveat"] = {"ru": "номер не подтверждён", "en": "number unverified"}
    with pytest.raises(ValidationError, match="kk"):
        Framework.model_validate(data)


def test_the_document_is_named_in_three_languages_or_one_string_for_all() -> None:
    fw = Framework.model_validate(framework(document={"ru": "Приказ № 1", "kk": "№ 1 бұйрық", "en": "Order No. 1"}))
    assert (fw.document.get("ru"), fw.document.get("kk"), fw.document.get("en")) == (
        "Приказ № 1",
        "№ 1 бұйрық",
        "Order No. 1",
    )
    assert Framework.model_validate(framework()).document.get("kk") == "Order No. 1"  # a pack's single string
    with pytest.raises(ValidationError, match="document must name the official act"):
        Framework.model_validate(framework(document="  "))


def test_the_report_order_is_data_with_a_default_after_the_bundled_ones() -> None:
    assert Framework.model_validate(framework(order=5)).order == 5
    assert Framework.model_validate(framework()).order == 100
    with pytest.raises(ValidationError, match="order"):
        Framework.model_validate(framework(order=-1))


@pytest.mark.parametrize("bad", ["2026-02-30", "9 Jan 2026", "yesterday"])
def test_an_invalid_date_is_rejected(bad: str) -> None:
    with pytest.raises(ValidationError, match="as_of"):
        Framework.model_validate(framework(as_of=bad))


@pytest.mark.parametrize("bad", ["PII.*", "pii", "pii kz-iin", "*"])
def test_a_malformed_rule_pattern_is_rejected(bad: str) -> None:
    data = framework()
    data["requirements"][0]["rules"] = [bad]
    with pytest.raises(ValidationError, match="not a rule id or glob"):
        Framework.model_validate(data)


def test_a_repeated_rule_pattern_is_rejected() -> None:
    data = framework()
    data["requirements"][0]["rules"] = ["pii.kz-iin", "pii.kz-iin"]
    with pytest.raises(ValidationError, match="listed twice"):
        Framework.model_validate(data)


def test_unknown_keys_are_rejected_and_models_are_frozen() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Framework.model_validate(framework(verified=True))
    fw = Framework.model_validate(framework())
    with pytest.raises(ValidationError):
        fw.id = "other"  # type: ignore[misc]


def test_a_framework_without_requirements_is_rejected() -> None:
    with pytest.raises(ValidationError, match="at least one requirement"):
        Framework.model_validate(framework(requirements=[]))
