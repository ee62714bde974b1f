"""A hit's evidence as message templates: carried to the finding, masked like the evidence, kept out of JSON."""

from __future__ import annotations

import random

from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.rules.judge import Hit, finding
from govscan.testing import synth


def test_the_message_reaches_the_finding_masked_like_its_evidence() -> None:
    iin = synth.iin(random.Random(7))
    rule = load_rules(plugins=False)["http.cookie.httponly-missing"]
    hit = Hit.said(f"cookie {iin} set without HttpOnly", "http.cookie.without", name=iin, flag="HttpOnly")
    found = finding(rule, hit, "https://portal.gov.kz/", load_secret())
    (message,) = found.messages
    assert message.id == "http.cookie.without" and message.params["flag"] == "HttpOnly"
    assert iin not in str(message.params) and iin not in found.evidence
    assert found.evidence == f"cookie {message.params['name']} set without HttpOnly"  # masked the same way


def test_list_parameters_are_masked_item_by_item_and_json_keeps_its_shape() -> None:
    iin = synth.iin(random.Random(8))
    rule = load_rules(plugins=False)["http.form.personal-data-over-http"]
    hit = Hit.said("form posts personal data", "http.form-over-http.plain", fields=["phone", iin], to="http://a.kz/")
    found = finding(rule, hit, "http://a.kz/", load_secret())
    fields = found.messages[0].params["fields"]
    assert isinstance(fields, list) and fields[0] == "phone" and iin not in fields[1]
    assert "messages" not in found.as_dict()  # JSON, SARIF and text print the English evidence as before
