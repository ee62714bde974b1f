"""``govscan tls`` against real local TLS servers with generated certificates.

One scan covers every lab scenario (each the good setup with exactly one defect) plus endpoints
that cannot be scanned. Mozilla-profile rules (``tls.mozilla.*``) are advisory and left out of
the exact comparisons.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.testing.tls_lab import LabServer, closed_port, lab_ca_file, lab_servers

from ..conftest import SARIF_SCHEMA

EXPECTED = {
    "good": (set(), "A+"),
    "no-hsts": (set(), "A"),
    "chain": (set(), "A+"),
    "legacy": ({"tls.protocol.tls10", "tls.protocol.tls11", "tls.cipher.weak-dh"}, "B"),
    "expired": ({"tls.cert.expired"}, "T"),
    "expiring": ({"tls.cert.expiring"}, "A+"),
    "mismatch": ({"tls.cert.hostname-mismatch"}, "M"),
    "selfsigned": ({"tls.cert.untrusted"}, "T"),
    "untrusted": ({"tls.cert.untrusted"}, "T"),
    "weak": ({"tls.cert.weak-key", "tls.cert.weak-signature"}, "T"),
    "null-anon": ({"tls.cipher.null", "tls.cipher.anonymous"}, "F"),
}


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict:
    warnings.filterwarnings("ignore")
    workdir = tmp_path_factory.mktemp("lab")
    ca = lab_ca_file(workdir)
    with (
        lab_servers(list(EXPECTED), workdir=workdir) as servers,
        LabServer(mode="hang") as hang,
        LabServer(mode="plain-http") as plain,
    ):
        by_name = servers if isinstance(servers, dict) else dict(zip(EXPECTED, servers, strict=True))
        names = {f"localhost:{s.port}": n for n, s in by_name.items()}
        names.update(
            {
                f"localhost:{hang.port}": "hang",
                f"localhost:{plain.port}": "plain",
                f"localhost:{closed_port()}": "closed",
            }
        )
        targets = workdir / "targets.txt"
        targets.write_text("# lab\n" + "\n".join(names) + "\n", encoding="utf-8")
        runner = CliRunner()
        base = ["tls", "-f", str(targets), "--ca-file", str(ca), "--timeout", "2", "--no-progress"]
        result = runner.invoke(cli, [*base, "--format", "json", "--fail-on", "none"], catch_exceptions=False)
        sarif = runner.invoke(cli, [*base, "--format", "sarif", "--fast"], catch_exceptions=False)
    return {"result": result, "doc": json.loads(result.stdout), "names": names, "sarif": sarif}


def test_the_json_output_is_valid_under_the_committed_schema(audit: dict) -> None:
    import jsonschema

    from govscan.schemas import HERE

    jsonschema.validate(audit["doc"], json.loads((HERE / "report.schema.json").read_text(encoding="utf-8")))
    assert audit["doc"]["kind"] == "report" and audit["doc"]["endpoints"]


def findings_by_scenario(audit: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {name: set() for name in EXPECTED}
    for f in audit["doc"]["findings"]:
        name = audit["names"][f["location"]["uri"].removeprefix("tls://")]
        if not f["rule_id"].startswith("tls.mozilla."):
            out[name].add(f["rule_id"])
    return out


@pytest.mark.parametrize("scenario", list(EXPECTED))
def test_each_scenario_yields_exactly_its_findings(audit: dict, scenario: str) -> None:
    assert findings_by_scenario(audit)[scenario] == EXPECTED[scenario][0]


@pytest.mark.parametrize("scenario", list(EXPECTED))
def test_each_scenario_gets_its_grade(audit: dict, scenario: str) -> None:
    grades = {audit["names"][f"{e['host']}:{e['port']}"]: e["grade"] for e in audit["doc"]["endpoints"]}
    assert grades[scenario] == EXPECTED[scenario][1]


def test_endpoints_carry_host_port_ip_grade_protocols_and_certificate(audit: dict) -> None:
    good = next(e for e in audit["doc"]["endpoints"] if audit["names"][f"{e['host']}:{e['port']}"] == "good")
    assert good["ip"] == "127.0.0.1"
    assert good["protocols"]["tls1.2"] is True and good["protocols"]["tls1.0"] is False
    assert set(good["certificate"]) >= {"subject", "issuer", "not_after", "key", "signature"}
    assert good["certificate"]["key"] == "RSA 2048" and good["certificate"]["signature"] == "sha256"
    assert good["trust"]["publicly_trusted"] is False  # the lab CA is not in any public store
    assert good["trust"]["trusted_by_configured_anchors"] is True
    assert good["sslyze"]["scan_result"]["certificate_info"]["status"] == "COMPLETED"


def test_unscannable_endpoints_are_clear_errors_not_crashes(audit: dict) -> None:
    result = audit["result"]
    assert result.exit_code == 2
    errors = {audit["names"][e["uri"].removeprefix("tls://")]: e["problem"] for e in audit["doc"]["errors"]}
    assert set(errors) == {"hang", "plain", "closed"}
    assert "refused" in errors["closed"]
    assert "Traceback" not in result.stderr


def test_sarif_output_of_a_fast_scan_is_valid(audit: dict) -> None:
    log = json.loads(audit["sarif"].stdout)
    jsonschema.validate(log, json.loads(Path(SARIF_SCHEMA).read_text(encoding="utf-8")))
    rule_ids = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {"tls.protocol.tls10", "tls.cert.expired", "tls.cert.interception-root"} <= rule_ids
    results = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert "tls.cert.expired" in results and "tls.vuln.heartbleed" not in results
    assert log["runs"][0]["automationDetails"] == {"id": "govscan/tls/"}  # apart from check and crawl uploads
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    assert regions and all(region == {"startLine": 1} for region in regions)  # an endpoint has no lines


def test_every_scanned_endpoint_was_reached_on_loopback(audit: dict) -> None:
    scanned = [e for e in audit["doc"]["endpoints"] if not e["error"]]
    assert len(scanned) == len(EXPECTED)
    assert {e["ip"] for e in scanned} == {"127.0.0.1"}
