"""``--format sarif``: valid SARIF 2.1.0 that code-scanning UIs can track across runs.

Every log produced here is validated against the official OASIS schema
(vendored as ``tests/report/sarif-schema-2.1.0.json``), with uri formats checked.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.demo.portal import DemoPortal
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
    assert result["partialFingerprints"] == {"govscan/v1": "a1", "primaryLocationLineHash": "a1:1"}
    assert result["properties"] == {
        "severity": "high",
        "entity": "KZ_IIN",
        "count": 412,
        "confidence": 0.99,
        "compliance": ["kz-pdl:art-8"],
    }


def test_sheet_column_is_a_relative_artifact_with_a_logical_column(sarif, result_factory):
    location = results_by_fingerprint(sarif(result_factory()))["a1"]["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "data/list.xlsx", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 1},  # no line in a spreadsheet: the column is the logical location
    }
    assert location["logicalLocations"] == [{"name": "ИИН", "fullyQualifiedName": "Лист1!ИИН", "kind": "column"}]


def test_json_path_is_a_logical_member_and_cyrillic_file_names_are_percent_encoded(sarif, result_factory):
    location = results_by_fingerprint(sarif(result_factory()))["b2"]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"] == {
        "uri": "api/%D0%B7%D0%B0%D1%8F%D0%B2%D0%BA%D0%B8.json",
        "uriBaseId": "SRCROOT",
    }
    assert location["physicalLocation"]["region"] == {"startLine": 1}  # the path says where, not a line
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
    # A page is not a text region: the region is the first line, the page stays in the properties.
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


# --- what code-scanning services (GitHub) need to track alerts ---------------------------------------


def test_every_result_has_a_start_line_and_keeps_its_own_line_where_it_has_one(sarif, result_factory):
    results = results_by_fingerprint(sarif(result_factory()))
    lines = {fp: r["locations"][0]["physicalLocation"]["region"]["startLine"] for fp, r in results.items()}
    assert lines == {"a1": 1, "b2": 1, "c3": 2, "d4": 14}


def test_http_and_tls_results_get_line_one_of_their_url(sarif, result_factory, finding_factory):
    header = finding_factory("http.header.hsts-missing", uri="https://portal.kz/", entity=None, fingerprint="h")
    tls = finding_factory("tls.protocol.tls10", uri="tls://portal.kz:443", entity=None, fingerprint="t")
    for result in sarif(result_factory([header, tls]))["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_the_line_hash_github_tracks_alerts_by_is_the_keyed_fingerprint_not_the_line_text(
    sarif, result_factory, finding_factory
):
    fingerprint = "0f3a9c2e7b5d48161e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e5f6a7b8c9"
    on_line_2 = finding_factory(uri="a.csv", line=2, fingerprint=fingerprint)
    (result,) = sarif(result_factory([on_line_2]))["runs"][0]["results"]
    assert result["partialFingerprints"] == {
        "govscan/v1": fingerprint,
        "primaryLocationLineHash": "0f3a9c2e7b5d4816:1",  # GitHub's own shape: 16 hex digits, ":", occurrence
    }
    on_line_9 = finding_factory(uri="a.csv", line=9, fingerprint=fingerprint)  # rows moved: same finding
    (moved,) = sarif(result_factory([on_line_9]))["runs"][0]["results"]
    assert moved["partialFingerprints"] == result["partialFingerprints"]
    other = finding_factory(uri="a.csv", line=2, fingerprint="9" + fingerprint[1:])  # same line, other finding
    (beside,) = sarif(result_factory([other]))["runs"][0]["results"]
    assert (
        beside["partialFingerprints"]["primaryLocationLineHash"]
        != result["partialFingerprints"]["primaryLocationLineHash"]
    )


@pytest.mark.parametrize(
    ("category", "automation_id"),
    [
        ("check", "govscan/check/"),
        ("tls", "govscan/tls/"),
        ("crawl/portal.kz", "govscan/crawl/portal.kz/"),
        ("scan/nightly/Open data", "govscan/scan/nightly/Open data/"),
    ],
)
def test_each_kind_of_run_is_its_own_analysis_category(sarif, result_factory, category, automation_id):
    # GitHub reads everything before the last "/" as the category and replaces an analysis only by
    # the next upload of the same category: the trailing "/" says "category only, no run id".
    result = dataclasses.replace(result_factory(), category=category)
    assert sarif(result)["runs"][0]["automationDetails"] == {"id": automation_id}


def test_the_category_of_a_gate_run_is_check_by_default(sarif, result_factory):
    assert sarif(result_factory())["runs"][0]["automationDetails"] == {"id": "govscan/check/"}


def test_an_identifier_in_a_category_is_masked(result_factory):
    result = dataclasses.replace(result_factory(), category=f"scan/{RAW_IIN} list")
    automation_id = build_sarif(result)["runs"][0]["automationDetails"]["id"]
    assert RAW_IIN not in automation_id and automation_id.startswith("govscan/scan/") and automation_id.endswith("/")


# --- the same conventions on real runs: check, crawl and a stored scan's report ----------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def without_start_line(log: dict) -> list[dict]:
    return [
        r
        for r in log["runs"][0]["results"]
        if not isinstance(r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"), int)
    ]


def run_cli(sarif_validator, *args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--format", "sarif"])
    assert result.exit_code in (0, 1), result.stderr
    log = json.loads(result.stdout)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator.iter_errors(log)]
    assert not errors, errors
    return log


def test_check_of_the_examples_gives_every_result_a_start_line_and_a_line_hash(sarif_validator):
    log = run_cli(sarif_validator, "check", "--fail-on", "none", "--no-progress", str(EXAMPLES))
    results = log["runs"][0]["results"]
    assert len(results) >= 20 and any(r["locations"][0].get("logicalLocations") for r in results)
    assert without_start_line(log) == []
    assert all(r["partialFingerprints"]["primaryLocationLineHash"].endswith(":1") for r in results)
    assert len({r["partialFingerprints"]["primaryLocationLineHash"] for r in results}) == len(results)
    assert log["runs"][0]["automationDetails"] == {"id": "govscan/check/"}


def test_a_crawl_is_an_analysis_of_its_own_site(sarif_validator):
    with DemoPortal() as portal:
        log = run_cli(sarif_validator, "crawl", portal.http_url, "--rate", "0", "--no-probes", "--max-pages", "2")
    host = urlsplit(portal.http_url).netloc
    assert log["runs"][0]["automationDetails"] == {"id": f"govscan/crawl/{host}/"}
    assert log["runs"][0]["results"] and without_start_line(log) == []


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A stored scan of the demo: exports, both demo portals (HTTP and HTTPS) and their TLS."""
    from govscan.demo.run import run_demo

    demo = run_demo(tmp_path_factory.mktemp("demo"), say=lambda _line: None)
    return f"sqlite:///{demo.database}"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_report_of_a_stored_demo_scan_gives_every_result_a_start_line(sarif_validator, demo_db: str):
    log = run_cli(sarif_validator, "report", "--db", demo_db)
    results = log["runs"][0]["results"]
    kinds = {r["ruleId"].split(".")[0] for r in results}
    assert {"pii", "http", "tls", "exposure"} <= kinds  # JSON-less web and TLS results are there too
    assert without_start_line(log) == []
    assert all("primaryLocationLineHash" in r["partialFingerprints"] for r in results)
    assert log["runs"][0]["automationDetails"] == {"id": "govscan/scan/govscan demo/"}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_report_of_one_target_is_an_analysis_apart_from_the_whole_scan(sarif_validator, demo_db: str):
    log = run_cli(sarif_validator, "report", "--db", demo_db, "--target", "Akimat portal (HTTPS)")
    assert log["runs"][0]["automationDetails"] == {"id": "govscan/scan/govscan demo/Akimat portal (HTTPS)/"}
    assert without_start_line(log) == []
