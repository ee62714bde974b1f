"""Hand-built findings, rules and results for reporter tests (no detection, no rules/ folder)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from govscan.model import Finding, Location, ReadError, ScanResult, Severity
from govscan.rules.loader import RuleSet
from govscan.rules.spec import PiiSpec, RuleSpec

from ..conftest import SARIF_SCHEMA as SARIF_SCHEMA_PATH  # vendored beside this file


def make_rules() -> RuleSet:
    """Three small rules: one that fires with a header, one with references, one that never fires."""
    iin = RuleSpec(
        id="pii.kz-iin",
        title="ИИН физических лиц опубликованы",
        kind="pii",
        severity="high",
        description="Individual identification numbers (ИИН) are published in an open file.",
        remediation="Remove the column or mask it before publishing.",
        references=[
            "https://adilet.zan.kz/rus/docs/Z1300000094",
            "Law on personal data, art. 8",
        ],
        compliance=["kz-pdl:art-8"],
        tags=["pii", "kz"],
        pii=PiiSpec(entity="KZ_IIN", recognizer="kz_iin"),
    )
    phone = RuleSpec(
        id="pii.phone",
        title="Phone numbers published",
        kind="pii",
        severity="medium",
        confidence="medium",
        description="Personal phone numbers appear in the file.",
        remediation="Publish an institutional contact instead.",
        pii=PiiSpec(entity="PHONE_NUMBER", recognizer="phone"),
    )
    bin_ = RuleSpec(
        id="pii.kz-bin",
        title="BIN of an organisation",
        kind="pii",
        severity="info",
        description="A business identification number; not personal data.",
        remediation="Nothing to do.",
        pii=PiiSpec(entity="KZ_BIN", recognizer="kz_bin"),
    )
    rules = {r.id: r for r in (iin, phone, bin_)}
    return RuleSet(rules=rules, sources={rid: Path(f"/rules/{rid}.yaml") for rid in rules})


def make_finding(
    rule_id: str = "pii.kz-iin",
    *,
    uri: str = "data/list.xlsx",
    sheet: str | None = None,
    column: str | None = None,
    column_index: int | None = None,
    json_path: str | None = None,
    line: int | None = None,
    severity: Severity = Severity.HIGH,
    entity: str | None = "KZ_IIN",
    title: str = "ИИН физических лиц опубликованы",
    count: int = 1,
    evidence: str = "8805******12",
    confidence: float = 0.99,
    fingerprint: str | None = None,
    compliance: list[str] | None = None,
    baseline_state: str | None = None,
    suppressed: str | None = None,
) -> Finding:
    location = Location(uri, sheet, column, column_index, json_path, line)
    return Finding(
        rule_id=rule_id,
        entity=entity,
        severity=severity,
        title=title,
        location=location,
        count=count,
        evidence=evidence,
        confidence=confidence,
        fingerprint=fingerprint
        if fingerprint is not None
        else hashlib.sha256(repr((rule_id, location)).encode()).hexdigest(),
        compliance=compliance if compliance is not None else ["kz-pdl:art-8"],
        baseline_state=baseline_state,
        suppressed=suppressed,
    )


def sample_findings() -> list[Finding]:
    """One finding of every location kind the brief names, with Cyrillic where files have it."""
    return [
        # a sheet column with a Cyrillic header
        make_finding(
            uri="data/list.xlsx",
            sheet="Лист1",
            column="ИИН",
            column_index=3,
            count=412,
            fingerprint="a1",
        ),
        # a JSON path
        make_finding(
            "pii.phone",
            uri="api/заявки.json",
            json_path="items[*].applicant.phone",
            severity=Severity.MEDIUM,
            entity="PHONE_NUMBER",
            title="Phone numbers published",
            count=7,
            evidence="+7 7** *** **45",
            confidence=0.8,
            fingerprint="b2",
        ),
        # an archive member, with a space in its name
        make_finding(
            uri="exports/архив 2023.zip!/выплаты.csv",
            column="ФИО и ИИН",
            column_index=2,
            line=2,
            count=12,
            evidence="9001******07",
            fingerprint="c3",
        ),
        # an http URL in free text
        make_finding(
            "pii.kz-bin",
            uri="https://data.egov.kz/datasets/view?index=школы",
            line=14,
            severity=Severity.INFO,
            entity="KZ_BIN",
            title="BIN of an organisation",
            evidence="1204******31",
            confidence=0.9,
            compliance=[],
            fingerprint="d4",
        ),
    ]


def make_result(
    findings: list[Finding] | None = None,
    *,
    errors: list[ReadError] | None = None,
    baseline_path: str | None = None,
    scanned: list[str] | None = None,
) -> ScanResult:
    findings = sample_findings() if findings is None else findings
    return ScanResult(
        findings=findings,
        errors=errors if errors is not None else [],
        rules=make_rules(),
        inputs=["data", "https://data.egov.kz/datasets/view?index=школы"],
        tool_version="0.1.0",
        started_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        finished_at=datetime(2024, 5, 6, 7, 9, 10, tzinfo=UTC),
        scanned=scanned if scanned is not None else sorted({f.location.uri for f in findings} | {"data/clean.csv"}),
        baseline_path=baseline_path,
    )


@pytest.fixture
def result_factory() -> Callable[..., ScanResult]:
    return make_result


@pytest.fixture
def finding_factory() -> Callable[..., Finding]:
    return make_finding


# RFC 3986 "URI-reference", written out because jsonschema's own "uri"/"uri-reference" checks
# need the optional rfc3987 package, which is not installed: without this the format is unchecked.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_URI_REFERENCE = re.compile(rf"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?(?:{_PCHAR}|/|\?)*(?:#(?:{_PCHAR}|/|\?)*)?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


_IP_LITERAL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://(?:[^/@]*@)?)\[[0-9A-Fa-f:.]+\]")


def is_uri_reference(value: object) -> bool:
    if not isinstance(value, str):
        return False
    value = _IP_LITERAL.sub(r"\1host", value)  # "[" "]" are allowed only around an IPv6 host
    if not _URI_REFERENCE.match(value):
        return False
    # a relative reference whose first segment holds ":" would be read as a scheme
    return bool(_SCHEME.match(value)) or ":" not in value.split("/", 1)[0]


def is_uri(value: object) -> bool:
    return is_uri_reference(value) and bool(_SCHEME.match(str(value)))


@pytest.fixture
def uri_reference_check() -> Callable[[object], bool]:
    return is_uri_reference


@pytest.fixture(scope="session")
def sarif_validator() -> Any:
    """A validator for the official SARIF 2.1.0 schema, with uri and date-time formats enforced."""
    import jsonschema

    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    checker = jsonschema.FormatChecker()  # a copy: the library's shared checker stays untouched
    checker.checks("uri")(is_uri)
    checker.checks("uri-reference")(is_uri_reference)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=checker)
