"""``--format sarif``: valid SARIF 2.1.0 that code-scanning UIs can track across runs.

Every log produced here is validated against the official OASIS schema
(vendored as ``tests/report/sarif-schema-2.1.0.json``), with uri formats checked.
"""

from __future__ import annotations

import io
import json

import pytest

from govscan.model import ReadError, Severity
from govscan.report import render
from govscan.report.sarif import (
    SECURITY_SEVERITY,
    artifact_location,
    build_sarif,
    rule_name,
)

RAW_IIN = "880514300112"


@pytest.fixture
def sarif(sarif_validator):
    """Render a result to SARIF, validate it against the schema, return the parsed log."""

    def _render(result) -> dict:
        out = io.StringIO()
        render("sarif", result, out)
        log = json.loads(out.getvalue())
        errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
        return log

    return _render


def results_by_fingerprint(log: dict) -> dict[str, dict]:
    return {r["partialFingerprints"]["govscan/v1"]: r for r in log["runs"][0]["results"]}


def test_log_header_and_single_run(sarif, result_factory):
    log = sarif(result_factory())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "govscan"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")


def test_driver_lists_every_loaded_rule_even_those_that_did_not_fire(sarif, result_factory, finding_factory):
    log = sarif(result_factory([finding_factory(fingerprint="x")]))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["pii.kz-bin", "pii.kz-iin", "pii.phone"]


def test_rule_descriptor_carries_the_rule_metadata(sarif, result_factory):
    log = sarif(result_factory())
    iin = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "pii.kz-iin")
    assert iin["name"] == "PiiKzIin"
    assert iin["shortDescription"] == {"text": "ИИН физических лиц опубликованы"}
    assert iin["fullDescription"]["text"].startswith("Individual identification numbers")
    assert iin["help"]["text"] == (
        "Remove the column or mask it before publishing.\n\nReferences:\n"
        "- https://adilet.zan.kz/rus/docs/Z1300000094\n- Law on personal data, art. 8"
    )
    assert (
        "[https://adilet.zan.kz/rus/docs/Z1300000094](https://adilet.zan.kz/rus/docs/Z1300000094)"
        in (iin["help"]["markdown"])
    )
    assert iin["helpUri"] == "https://adilet.zan.kz/rus/docs/Z1300000094"
    assert iin["defaultConfiguration"] == {"level": "error"}
    assert iin["properties"]["tags"] == ["pii", "kz", "security"]
    assert iin["properties"]["security-severity"] == "8.0"
    assert iin["properties"]["compliance"] == ["kz-pdl:art-8"]


def test_rule_without_references_has_no_help_uri(sarif, result_factory):
    log = sarif(result_factory())
    phone = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "pii.phone")
    assert "helpUri" not in phone
    assert phone["help"] == {
        "text": "Publish an institutional contact instead.",
        "markdown": "Publish an institutional contact instead.",
    }
    assert phone["defaultConfiguration"] == {"level": "warning"}
    assert phone["properties"]["security-severity"] == "5.5"


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "3.0"),
        (Severity.INFO, "note", "0.0"),
    ],
)
def test_severity_maps_to_level_and_security_severity(sarif, result_factory, finding_factory, severity, level, score):
    log = sarif(result_factory([finding_factory(severity=severity, fingerprint="x")]))
    assert log["runs"][0]["results"][0]["level"] == level
    assert SECURITY_SEVERITY[severity] == score


def test_rule_index_points_at_the_rule(sarif, result_factory):
    log = sarif(result_factory())
    run = log["runs"][0]
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_a_finding_of_an_unloaded_rule_still_gets_a_descriptor(sarif, result_factory, finding_factory):
    finding = finding_factory("exposure.git", entity=None, title="Git folder exposed", fingerprint="g")
    log = sarif(result_factory([finding]))
    run = log["runs"][0]
    result = run["results"][0]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "exposure.git"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["name"] == "ExposureGit"


def test_result_message_properties_and_fingerprint(sarif, result_factory):
    result = results_by_fingerprint(sarif(result_factory()))["a1"]
    assert result["ruleId"] == "pii.kz-iin"
    assert result["message"]["text"] == "ИИН физических лиц опубликованы: 412 values (e.g. 8805******12) in Лист1!ИИН"
    assert result["partialFingerprints"] == {"govscan/v1": "a1"}
    assert result["properties"] == {
        "severity": "high",
        "entity": "KZ_IIN",
        "count": 412,
        "confidence": 0.99,
        "compliance": ["kz-pdl:art-8"],
    }


def test_sheet_column_is_a_relative_artifact_with_a_logical_column(sarif, result_factory):
    location = results_by_fingerprint(sarif(result_factory()))["a1"]["locations"][0]
    assert location["physicalLocation"] == {"artifactLocation": {"uri": "data/list.xlsx", "uriBaseId": "SRCROOT"}}
    assert location["logicalLocations"] == [{"name": "ИИН", "fullyQualifiedName": "Лист1!ИИН", "kind": "column"}]


def test_json_path_is_a_logical_member_and_cyrillic_file_names_are_percent_encoded(sarif, result_factory):
    location = results_by_fingerprint(sarif(result_factory()))["b2"]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "api/%D0%B7%D0%B0%D1%8F%D0%B2%D0%BA%D0%B8.json",
        "uriBaseId": "SRCROOT",
    }
    assert location["logicalLocations"] == [
        {
            "name": "phone",
            "fullyQualifiedName": "items[*].applicant.phone",
            "kind": "member",
        }
    ]


def test_archive_member_keeps_the_bang_and_gets_a_start_line(sarif, result_factory):
    result = results_by_fingerprint(sarif(result_factory()))["c3"]
    physical = result["locations"][0]["physicalLocation"]
    uri = physical["artifactLocation"]["uri"]
    assert uri == ("exports/%D0%B0%D1%80%D1%85%D0%B8%D0%B2%202023.zip!/%D0%B2%D1%8B%D0%BF%D0%BB%D0%B0%D1%82%D1%8B.csv")
    assert physical["region"] == {"startLine": 2}
    assert result["locations"][0]["logicalLocations"] == [
        {"name": "ФИО и ИИН", "fullyQualifiedName": "ФИО и ИИН", "kind": "column"}
    ]


def test_http_url_stays_absolute_without_a_base(sarif, result_factory):
    result = results_by_fingerprint(sarif(result_factory()))["d4"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "https://data.egov.kz/datasets/view?index=%D1%88%D0%BA%D0%BE%D0%BB%D1%8B"}
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 14}
    assert "logicalLocations" not in result["locations"][0]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("data/a.csv", {"uri": "data/a.csv", "uriBaseId": "SRCROOT"}),
        ("a b/50%.csv", {"uri": "a%20b/50%25.csv", "uriBaseId": "SRCROOT"}),
        ("a:b.csv", {"uri": "a%3Ab.csv", "uriBaseId": "SRCROOT"}),
        ("odd#name?.csv", {"uri": "odd%23name%3F.csv", "uriBaseId": "SRCROOT"}),
        ("/srv/exports/a.zip!/x.csv", {"uri": "file:///srv/exports/a.zip!/x.csv"}),
        ("C:\\exports\\a.csv", {"uri": "file:///C:/exports/a.csv"}),
        (
            "https://portal.kz/files/a.zip!/in ner.csv",
            {"uri": "https://portal.kz/files/a.zip!/in%20ner.csv"},
        ),
        ("https://portal.kz/a%20b.csv", {"uri": "https://portal.kz/a%20b.csv"}),
        (
            "https://portal.kz/a[1].csv?q=a b#x#y",
            {"uri": "https://portal.kz/a%5B1%5D.csv?q=a%20b#x%23y"},
        ),
        ("http://[::1]:8080/x.csv", {"uri": "http://[::1]:8080/x.csv"}),
        (
            "https://акимат.kz/файл.csv",
            {"uri": "https://xn--80aaxhl1b.kz/%D1%84%D0%B0%D0%B9%D0%BB.csv"},
        ),
    ],
)
def test_artifact_uris_are_rfc3986_references(uri_reference_check, uri, expected):
    assert artifact_location(uri) == expected
    assert uri_reference_check(expected["uri"])


def test_rule_name_is_camel_case_of_the_id():
    assert rule_name("pii.kz-iin") == "PiiKzIin"
    assert rule_name("tls.protocol.tls10") == "TlsProtocolTls10"
    assert rule_name("http.header.hsts-missing") == "HttpHeaderHstsMissing"


def test_without_a_baseline_results_have_no_baseline_state(sarif, result_factory):
    for result in sarif(result_factory())["runs"][0]["results"]:
        assert "baselineState" not in result
        assert "suppressions" not in result


def test_with_a_baseline_results_are_new_or_unchanged_and_accepted_ones_suppressed(
    sarif, result_factory, finding_factory
):
    accepted = finding_factory(
        fingerprint="old",
        baseline_state="unchanged",
        suppressed="public register by law",
    )
    fresh = finding_factory(uri="new.csv", fingerprint="new", baseline_state="new")
    results = results_by_fingerprint(sarif(result_factory([accepted, fresh], baseline_path="b.json")))
    assert results["old"]["baselineState"] == "unchanged"
    assert results["old"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "public register by law",
        }
    ]
    assert results["new"]["baselineState"] == "new"
    assert "suppressions" not in results["new"]


def test_read_errors_become_error_notifications_and_mark_the_run_unsuccessful(sarif, result_factory):
    errors = [ReadError("exports/битый файл.xlsx", "not a zip file")]
    invocation = sarif(result_factory(errors=errors))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["startTimeUtc"] == "2024-05-06T07:08:09Z"
    assert invocation["endTimeUtc"] == "2024-05-06T07:09:10Z"
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "error",
            "message": {"text": "could not read exports/битый файл.xlsx: not a zip file"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": "exports/%D0%B1%D0%B8%D1%82%D1%8B%D0%B9%20%D1%84%D0%B0%D0%B9%D0%BB.xlsx",
                            "uriBaseId": "SRCROOT",
                        }
                    }
                }
            ],
        }
    ]


def test_a_clean_run_is_successful_and_still_documents_rules(sarif, result_factory):
    log = sarif(result_factory([]))
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert len(run["tool"]["driver"]["rules"]) == 3


def test_evidence_is_printed_verbatim_and_no_raw_value_appears(result_factory, finding_factory):
    out = io.StringIO()
    render(
        "sarif",
        result_factory([finding_factory(evidence="8805******12", fingerprint="f")]),
        out,
    )
    assert RAW_IIN not in out.getvalue()
    assert out.getvalue().count("8805******12") == 1  # in the message, nowhere else


def test_the_schema_check_itself_rejects_an_unencoded_uri(sarif_validator, result_factory):
    # Guards the guard: without a working uri-reference check every uri assertion above is moot.
    log = build_sarif(result_factory())
    assert sarif_validator.is_valid(log)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b/ИИН.csv"
    assert not sarif_validator.is_valid(log)


def test_a_page_and_a_hidden_part_are_in_the_message_and_the_location_properties(
    sarif, result_factory, finding_factory
):
    from govscan.model import Location

    covered = finding_factory("pii.failed-redaction", uri="decision.pdf", fingerprint="r")
    covered.location = Location("decision.pdf", page=3, part="under a redaction box")
    (result,) = sarif(result_factory([covered]))["runs"][0]["results"]
    assert result["message"]["text"].endswith("in text (under a redaction box) on page 3")
    assert result["locations"][0]["properties"] == {"page": 3, "part": "under a redaction box"}
    assert "region" not in result["locations"][0]["physicalLocation"]  # a page is not a text region
