"""``govscan scan --format text|json -o FILE --json-output FILE``: what a scan did, for people and for CI.

The JSON is the one envelope (``kind: scan``): the scan's id, how many findings were new, reopened,
fixed and suppressed, the assets it could not read, and the findings that tripped the gate in the
one finding shape, valid under the committed ``report.schema.json``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from govscan.cli import cli

IINS = ["900101300017", "851231400120", "100715501237"]


def schema() -> dict:
    return json.loads((resources.files("govscan.schemas") / "report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def setup(tmp_path: Path) -> dict:
    exports = tmp_path / "exports"
    exports.mkdir()
    rows = ["ФИО,ИИН"] + [f"Иванов Иван Иванович,{i}" for i in IINS]
    (exports / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (exports / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"garbage" * 20)
    config = tmp_path / "scan.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: open data\n    datasets: ['{exports}/*']\n", "utf-8")
    return {"config": str(config), "db": f"sqlite:///{tmp_path / 'g.db'}", "tmp": tmp_path}


def scan(setup: dict, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["scan", setup["config"], "--db", setup["db"], "--no-progress", *args], catch_exceptions=False
    )


def test_json_to_a_file_is_the_scan_document_with_the_tripping_findings(setup: dict) -> None:
    out = setup["tmp"] / "scan.json"
    result = scan(setup, "--format", "json", "-o", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema())
    assert document["kind"] == "scan" and document["schema_version"] == "2.0"
    assert document["scan_id"] == 1
    assert document["summary"] == {"new": 2, "reopened": 0, "fixed": 0, "suppressed": 0}
    assert document["gate"] == {"fail_on": "high", "tripped": 2}
    findings = document["findings"]
    assert {f["rule_id"] for f in findings} == {"pii.kz-iin", "pii.person"}
    assert all(f["status"] == "open" and isinstance(f["id"], int) and f["title"] for f in findings)
    assert [f["severity"] for f in findings] == ["critical", "high"]  # most severe first, as the gate lists them
    assert not any(iin in out.read_text(encoding="utf-8") for iin in IINS)  # evidence masked
    (error,) = document["errors"]
    assert error["uri"].endswith("broken.xlsx") and error["problem"].startswith("not a valid XLSX (")
    assert "gate: 2 new or reopened findings" in result.stderr  # the CI log still says why


def test_json_on_standard_output_is_only_the_document(setup: dict) -> None:
    result = scan(setup, "--format", "json")
    document = json.loads(result.stdout)  # the summary line went to stderr, not into the JSON
    jsonschema.validate(document, schema())
    assert "scan 1: 2 new, 0 reopened, 0 fixed" in result.stderr
    again = scan(setup, "--format", "json", "--fail-on", "critical")
    second = json.loads(again.stdout)
    assert second["scan_id"] == 2 and second["summary"]["new"] == 0 and second["findings"] == []
    assert second["gate"] == {"fail_on": "critical", "tripped": 0}


def test_text_to_a_file_and_json_beside_it_for_ci(setup: dict) -> None:
    text, extra = setup["tmp"] / "scan.txt", setup["tmp"] / "scan.json"
    result = scan(setup, "-o", str(text), "--json-output", str(extra))
    assert result.exit_code == 1 and result.stdout == ""
    written = text.read_text(encoding="utf-8")
    assert written.startswith("scan 1: 2 new, 0 reopened, 0 fixed\n")
    assert "gate: 2 new or reopened findings at or above high" in written and "pii.kz-iin" in written
    document = json.loads(extra.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema())
    assert document["scan_id"] == 1 and len(document["findings"]) == 2


def test_text_on_standard_output_is_as_before(setup: dict) -> None:
    result = scan(setup)
    assert result.exit_code == 1 and result.stdout == "scan 1: 2 new, 0 reopened, 0 fixed\n"
    assert "govscan: gate:" in result.stderr and "broken.xlsx" in result.stderr


def test_an_output_in_a_missing_folder_is_refused_before_scanning(setup: dict) -> None:
    for option in ("-o", "--json-output"):
        result = scan(setup, option, str(setup["tmp"] / "nowhere" / "x.json"))
        assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not (setup["tmp"] / "g.db").exists()
