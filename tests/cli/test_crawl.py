"""``govscan crawl URL`` (one-off) and ``url:`` targets in scheduled scans, against the demo portal."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from govscan.cli import cli
from govscan.demo.portal import DemoPortal
from govscan.schemas import HERE


def test_crawl_reports_a_portal_and_fails_the_gate_on_exposed_personal_data(tmp_path: Path) -> None:
    with DemoPortal() as portal:
        result = CliRunner().invoke(cli, ["crawl", portal.http_url, "--rate", "0", "--format", "json"])
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, json.loads((HERE / "report.schema.json").read_text(encoding="utf-8")))
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"pii.kz-iin", "exposure.git", "http.form.personal-data-over-http"} <= rules
    assert "robots.txt obeyed" in result.stderr
    assert not any(iin in result.stdout + result.stderr for iin in portal.data.iins)


def test_crawl_of_a_closed_port_is_one_error_line_and_exit_2() -> None:
    from govscan.testing.tls_lab import closed_port

    result = CliRunner().invoke(cli, ["crawl", f"http://127.0.0.1:{closed_port()}/", "--rate", "0", "--no-probes"])
    assert result.exit_code == 2
    assert "no page of the portal could be fetched" in result.stderr and "Traceback" not in result.stderr


def test_crawl_refuses_what_is_not_a_url() -> None:
    result = CliRunner().invoke(cli, ["crawl", "ftp://example.kz/"])
    assert result.exit_code == 2 and "not an http(s) URL" in result.stderr


def test_crawl_refuses_a_url_the_url_parsers_read_differently_in_one_line() -> None:
    result = CliRunner().invoke(cli, ["crawl", "http://evil.example\\@127.0.0.1:9/"])
    assert result.exit_code == 2 and "backslash or whitespace in the host part" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_refused_url_is_cut_for_its_error_line_after_its_identifiers_are_masked() -> None:
    url = "http://a\\b@127.0.0.1/" + "a" * 170 + "450420320289/x"  # cut at 200 characters: inside the IIN
    result = CliRunner().invoke(cli, ["crawl", url])
    assert result.exit_code == 2 and "4504" in result.stderr and "45042032" not in result.stderr


def test_a_url_target_in_a_nightly_scan_tells_when_an_exposure_is_fixed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'g.db'}"
    with DemoPortal() as portal:
        config = tmp_path / "scan.yaml"
        config.write_text(
            f"name: nightly\ntargets:\n  - name: akimat portal\n    url: {portal.http_url}\n"
            "    crawl: {rate: 0, max_pages: 40, contact: soc@akimat.example.kz}\n",
            encoding="utf-8",
        )
        first = CliRunner().invoke(cli, ["scan", str(config), "--db", db, "--fail-on", "none"])
        assert first.exit_code == 0, first.stderr
        portal.hidden.add("/.git/")  # the admins remove the repository from the web root
        second = CliRunner().invoke(cli, ["scan", str(config), "--db", db, "--fail-on", "none"])
    assert "1 fixed" in second.stdout
    listing = CliRunner().invoke(cli, ["findings", "list", "--db", db, "--all", "--format", "json"])
    found = json.loads(listing.stdout)["findings"]
    status = {f["rule_id"]: f["status"] for f in found if f["rule_id"].startswith("exposure.")}
    assert status == {"exposure.git": "fixed", "exposure.directory-listing": "open"}
    diff = CliRunner().invoke(cli, ["diff", "--db", db, "--format", "json"])
    changes = json.loads(diff.stdout)["findings"]
    assert [f["rule_id"] for f in changes if f["change"] == "fixed"] == ["exposure.git"]


def test_crawl_of_an_https_portal_audits_its_tls_too() -> None:
    with DemoPortal(https=True) as portal:
        result = CliRunner().invoke(
            cli,
            [
                "crawl",
                portal.https_url,
                "--rate",
                "0",
                "--no-probes",
                "--ca-file",
                str(portal.ca_file),
                "--format",
                "json",
            ],
        )
    report = json.loads(result.stdout)
    assert result.exit_code == 1, result.stderr
    assert [e["grade"] for e in report["endpoints"]] == ["T"]  # TLS 1.0 and a private CA
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"tls.protocol.tls10", "tls.cert.untrusted", "http.header.hsts-missing", "pii.kz-iin"} <= rules
