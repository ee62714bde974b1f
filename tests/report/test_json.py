"""``--format json`` keeps the DESIGN.md findings contract."""

from __future__ import annotations

import io
import json

import pytest
from pydantic import ValidationError

from govscan import plugins
from govscan.model import ReadError, Severity
from govscan.report import render
from govscan.report.json_ import json_schema
from govscan.report.shape import SCHEMA_VERSION, ReportDoc

from ..conftest import CONTRACT_FINDING_KEYS, CONTRACT_LOCATION_KEYS

# An IIN-shaped number no finding carries: it must never show up in a report.
RAW_IIN = "880514300112"


def render_json(result) -> tuple[str, dict]:
    out = io.StringIO()
    render("json", result, out)
    return out.getvalue(), json.loads(out.getvalue())


def test_top_level_shape(result_factory):
    _, doc = render_json(result_factory())
    assert set(doc) == {"schema_version", "tool", "kind", "findings", "errors", "summary", "scan"}
    assert doc["schema_version"] == SCHEMA_VERSION == "2.0" and doc["kind"] == "report"
    assert doc["tool"] == {"name": "govscan", "version": "0.1.0"}


def test_each_finding_is_exactly_finding_as_dict_without_a_baseline(result_factory):
    result = result_factory()
    _, doc = render_json(result)
    by_fingerprint = {f.fingerprint: f for f in result.findings}
    assert len(doc["findings"]) == len(result.findings)
    for item in doc["findings"]:
        assert set(item) == CONTRACT_FINDING_KEYS
        assert set(item["location"]) == CONTRACT_LOCATION_KEYS
        assert item == by_fingerprint[item["fingerprint"]].as_dict()


def test_the_design_example_finding_renders_as_documented(result_factory, finding_factory):
    finding = finding_factory(
        uri="data/list.xlsx",
        sheet="Лист1",
        column="ИИН",
        column_index=3,
        count=412,
        fingerprint="hex",
    )
    _, doc = render_json(result_factory([finding]))
    assert doc["findings"] == [
        {
            "rule_id": "pii.kz-iin",
            "entity": "KZ_IIN",
            "severity": "high",
            "title": "ИИН физических лиц опубликованы",
            "location": {
                "uri": "data/list.xlsx",
                "sheet": "Лист1",
                "column": "ИИН",
                "column_index": 3,
                "json_path": None,
                "line": None,
                "page": None,
                "part": None,
            },
            "count": 412,
            "evidence": "8805******12",
            "confidence": 0.99,
            "fingerprint": "hex",
            "compliance": ["kz-pdl:art-8"],
        }
    ]


def test_findings_are_sorted_by_uri_then_severity_desc_then_rule_then_place(result_factory, finding_factory):
    findings = [
        finding_factory(
            "pii.phone",
            uri="b.csv",
            column="Тел",
            severity=Severity.MEDIUM,
            fingerprint="1",
        ),
        finding_factory(
            "pii.kz-iin",
            uri="b.csv",
            column="ИИН",
            severity=Severity.HIGH,
            fingerprint="2",
        ),
        finding_factory(
            "pii.kz-iin",
            uri="a.csv",
            column="ЖСН",
            severity=Severity.HIGH,
            fingerprint="3",
        ),
        finding_factory(
            "pii.kz-iin",
            uri="a.csv",
            column="ИИН",
            severity=Severity.HIGH,
            fingerprint="4",
        ),
        finding_factory(
            "pii.email",
            uri="a.csv",
            column="Email",
            severity=Severity.HIGH,
            fingerprint="5",
        ),
        finding_factory(
            "pii.kz-bin",
            uri="a.csv",
            column="БИН",
            severity=Severity.INFO,
            fingerprint="6",
        ),
    ]
    _, doc = render_json(result_factory(findings))
    assert [f["fingerprint"] for f in doc["findings"]] == ["5", "3", "4", "6", "2", "1"]


def test_with_a_baseline_findings_gain_exactly_suppressed_and_baseline_state(result_factory, finding_factory):
    accepted = finding_factory(fingerprint="old", baseline_state="unchanged", suppressed="published register")
    fresh = finding_factory(uri="new.csv", fingerprint="new", baseline_state="new")
    _, doc = render_json(result_factory([accepted, fresh], baseline_path=".govscan-baseline.json"))
    items = {f["fingerprint"]: f for f in doc["findings"]}
    for item in items.values():
        assert set(item) == CONTRACT_FINDING_KEYS | {"suppressed", "baseline_state"}
    assert items["old"]["suppressed"] == {"reason": "published register"}
    assert items["old"]["baseline_state"] == "unchanged"
    assert items["new"]["suppressed"] is None
    assert items["new"]["baseline_state"] == "new"


def test_errors_summary_and_scan(result_factory, finding_factory):
    findings = [
        finding_factory(fingerprint="1"),
        finding_factory(uri="b.csv", severity=Severity.CRITICAL, fingerprint="2"),
        finding_factory(uri="c.csv", fingerprint="3", baseline_state="unchanged", suppressed="ok"),
    ]
    errors = [
        ReadError("broken.xlsx", "not a zip file"),
        ReadError("broken.xlsx", "sheet 2 unreadable"),
    ]
    _, doc = render_json(result_factory(findings, errors=errors, scanned=["data/list.xlsx", "b.csv", "c.csv"]))
    assert doc["errors"] == [
        {"uri": "broken.xlsx", "problem": "not a zip file"},
        {"uri": "broken.xlsx", "problem": "sheet 2 unreadable"},
    ]
    assert doc["summary"] == {
        # the baselined finding does not count, and severities are listed even at zero
        "by_severity": {"critical": 1, "high": 1, "medium": 0, "low": 0, "info": 0},
        "suppressed": 1,
        "assets_scanned": 3,
        "assets_failed": 1,  # one input, however many problems it had
    }
    assert doc["scan"] == {
        "started_at": "2024-05-06T07:08:09Z",
        "finished_at": "2024-05-06T07:09:10Z",
        "inputs": ["data", "https://data.egov.kz/datasets/view?index=школы"],
    }


def test_unicode_is_written_as_is_with_two_space_indent(result_factory):
    text, _ = render_json(result_factory())
    assert "Лист1" in text and "api/заявки.json" in text and "архив 2023.zip!/выплаты.csv" in text
    assert "\\u04" not in text
    assert text.startswith('{\n  "schema_version"')
    assert text.endswith("}\n")


def test_every_location_kind_round_trips(result_factory):
    result = result_factory()
    _, doc = render_json(result)
    locations = {f["fingerprint"]: f["location"] for f in doc["findings"]}
    assert locations["a1"]["sheet"] == "Лист1"
    assert locations["b2"]["json_path"] == "items[*].applicant.phone"
    assert locations["c3"]["uri"] == "exports/архив 2023.zip!/выплаты.csv"
    assert locations["d4"]["uri"] == "https://data.egov.kz/datasets/view?index=школы"


def test_output_parses_back_into_the_strict_model(result_factory):
    text, doc = render_json(result_factory())
    parsed = ReportDoc.model_validate_json(text)
    assert parsed.model_dump(mode="json", exclude_unset=True) == doc
    doc["findings"][0]["raw_value"] = RAW_IIN
    with pytest.raises(ValidationError, match="raw_value"):
        ReportDoc.model_validate(doc)


def test_evidence_is_printed_verbatim_and_no_raw_value_appears(result_factory, finding_factory):
    # Reporters get only masked evidence; they must neither unmask nor add values of their own.
    finding = finding_factory(evidence="8805******12", fingerprint="f")
    text, doc = render_json(result_factory([finding]))
    assert doc["findings"][0]["evidence"] == "8805******12"
    assert RAW_IIN not in text
    assert text.count("8805******12") == 1


def test_schema_is_exported_and_forbids_extra_keys():
    schema = json_schema()
    kinds = {d["properties"]["kind"]["const"] for name, d in schema["$defs"].items() if name.endswith("Doc")}
    assert kinds == {"report", "findings", "finding", "diff", "scan", "scans", "rules"}
    assert schema["discriminator"]["propertyName"] == "kind"
    assert all(d["additionalProperties"] is False for d in schema["$defs"].values() if d.get("type") == "object")
    assert schema["$defs"]["FindingOut"]["additionalProperties"] is False


def test_registry_names_and_media_types():
    reporters = plugins.reporters()
    assert set(reporters) == {"text", "json", "sarif", "csv"}
    assert reporters["json"].media_type == "application/json"
    for name, reporter in reporters.items():
        assert reporter.name == name


def test_unknown_format_is_a_clear_error(result_factory):
    with pytest.raises(ValueError, match=r"unknown report format 'xml'.*text, json, sarif, csv"):
        render("xml", result_factory(), io.StringIO())
