"""A failed redaction (personal data under a drawn black box, still in the file) is its own finding.

The entity recognizers find the data; the detector reports what they find in the part
``under a redaction box`` under ``pii.failed-redaction``, with the entity, the page and the higher
of the two severities, so the auditor is told it is a redaction that failed, not a plain leak.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.model import Field, Severity, Text
from govscan.pii.detector import PiiDetector
from govscan.rules import load_rules
from govscan.testing import pdfs, synth

RNG = random.Random(21)
KEY = b"k" * 32
COVERED = Field(part="under a redaction box")


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector(load_rules(plugins=False), KEY, ner=False)


def test_an_iin_under_a_redaction_box_is_a_failed_redaction(detector: PiiDetector) -> None:
    iin = synth.iin(RNG)
    findings = list(detector.detect([Text("order.pdf", iin, field=COVERED, page=3)]))
    assert [(f.rule_id, f.entity, f.location.page, f.location.part) for f in findings] == [
        ("pii.failed-redaction", "KZ_IIN", 3, "under a redaction box")
    ]
    assert findings[0].severity == Severity.CRITICAL  # an IIN's own severity is higher than the rule's "high"
    assert iin not in findings[0].evidence


def test_the_rule_severity_applies_when_the_entity_is_less_severe(detector: PiiDetector) -> None:
    phone = synth.mobile(RNG, 0)
    (finding,) = detector.detect([Text("order.pdf", f"тел. {phone}", field=COVERED, page=1)])
    assert (finding.rule_id, finding.entity, finding.severity) == (
        "pii.failed-redaction",
        "PHONE_NUMBER",
        Severity.HIGH,
    )


def test_two_entities_under_boxes_are_two_findings_with_their_own_fingerprints(detector: PiiDetector) -> None:
    pieces = [
        Text("order.pdf", synth.iin(RNG), field=COVERED, page=1),
        Text("order.pdf", f"тел. {synth.mobile(RNG, 0)}", field=COVERED, page=1),
    ]
    findings = list(detector.detect(pieces))
    assert sorted(f.entity for f in findings) == ["KZ_IIN", "PHONE_NUMBER"]
    assert len({f.fingerprint for f in findings}) == 2


def test_a_box_over_words_that_are_not_personal_data_is_no_finding(detector: PiiDetector) -> None:
    assert list(detector.detect([Text("order.pdf", "для служебного пользования", field=COVERED, page=1)])) == []


def test_the_same_iin_in_visible_text_stays_an_iin_finding(detector: PiiDetector) -> None:
    (finding,) = detector.detect([Text("order.pdf", f"ИИН {synth.iin(RNG)}", page=1)])
    assert finding.rule_id == "pii.kz-iin" and finding.location.part is None


@pytest.mark.skipif(pdfs.cyrillic_font() is None, reason=f"no Cyrillic font (Debian {pdfs.FONT_PACKAGE})")
def test_govscan_check_reports_the_failed_redaction_with_its_page(tmp_path: Path) -> None:
    pdf = pdfs.new_pdf()
    pdf.add_page()
    pdfs.add_paragraph(pdf, "Решение жилищной комиссии акимата.")
    pdf.add_page()
    pdfs.add_redacted(pdf, "Заявитель, ИИН", synth.iin(RNG), "поставлен в очередь.")
    path = tmp_path / "decision.pdf"
    pdf.output(str(path))
    result = CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", "--format", "json", str(path)])
    assert result.exit_code == 1, result.output
    import json

    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["rule_id"] == "pii.failed-redaction"
    assert finding["location"]["page"] == 2 and finding["location"]["part"] == "under a redaction box"
