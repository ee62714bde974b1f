"""``findings list``/``show``, ``diff``, ``scans list`` and ``rules list``: one shape, every format, ``-o``.

The database is made by real ``govscan scan`` runs: scan 1 finds an IIN and a name in one export,
the name is triaged as a false positive, scan 2 runs after the IINs were removed.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.schemas import HERE

from ..conftest import CONTRACT_FINDING_KEYS, SARIF_SCHEMA

IIN = "900101300017"
REPORT_SCHEMA = json.loads((HERE / "report.schema.json").read_text(encoding="utf-8"))
STORED_KEYS = {
    "id",
    "status",
    "reopened_count",
    "first_seen_scan_id",
    "last_seen_scan_id",
    "first_seen_at",
    "last_seen_at",
    "triage",
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("findings")
    exports = root / "exports"
    exports.mkdir()
    (exports / "list.csv").write_text(f"ФИО,ИИН\nИванов Иван Иванович,{IIN}\n", encoding="utf-8")
    config = root / "scan.yaml"
    config.write_text(f"name: nightly\ntargets:\n  - name: exports\n    datasets: ['{exports}']\n", encoding="utf-8")
    url = f"sqlite:///{root / 'g.db'}"
    assert invoke("scan", str(config), "--db", url, "--fail-on", "none")[0] == 0
    person = next(f for f in listed(url) if f["rule_id"] == "pii.person")
    code, _, err = invoke(
        "findings", "triage", str(person["id"]), "--status", "false_positive", "--note", "an official", "--by", "a.k",
        "--db", url,
    )  # fmt: skip
    assert code == 0, err
    (exports / "list.csv").write_text("ФИО,ИИН\nИванов Иван Иванович,\n", encoding="utf-8")
    assert invoke("scan", str(config), "--db", url, "--fail-on", "none")[0] == 0
    return url


def listed(url: str, *args: str) -> list[dict]:
    code, out, err = invoke("findings", "list", "--db", url, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)["findings"]


def test_findings_list_json_is_the_check_shape_plus_stored_fields(db: str) -> None:
    code, out, _ = invoke("findings", "list", "--db", db, "--all", "--format", "json")
    document = json.loads(out)
    jsonschema.validate(document, REPORT_SCHEMA)
    assert document["schema_version"] == "2.0" and document["kind"] == "findings"
    assert document["tool"]["name"] == "govscan"
    for finding in document["findings"]:
        assert CONTRACT_FINDING_KEYS | STORED_KEYS <= set(finding)
        assert finding["compliance"] and finding["title"] and finding["confidence"] > 0
    by_rule = {f["rule_id"]: f for f in document["findings"]}
    assert by_rule["pii.kz-iin"]["status"] == "fixed" and by_rule["pii.kz-iin"]["last_seen_scan_id"] == 1
    person = by_rule["pii.person"]
    assert person["status"] == "false_positive"
    assert person["suppressed"] == {"reason": "false_positive: an official"}
    assert [(t["actor"], t["to_status"], t["note"]) for t in person["triage"]] == [
        ("a.k", "false_positive", "an official")
    ]
    assert IIN not in out


def test_findings_show_json_is_one_document_with_history(db: str) -> None:
    iin = next(f for f in listed(db, "--all") if f["rule_id"] == "pii.kz-iin")
    code, out, _ = invoke("findings", "show", str(iin["id"]), "--db", db, "--format", "json")
    document = json.loads(out)  # the whole output is the document: nothing printed after it
    jsonschema.validate(document, REPORT_SCHEMA)
    (shown,) = document["findings"]
    assert document["kind"] == "finding" and shown["id"] == iin["id"]
    assert [(e["scan_id"], e["kind"]) for e in shown["history"]] == [(1, "new"), (2, "fixed")]


def test_findings_show_text_has_no_json(db: str) -> None:
    person = next(f for f in listed(db, "--all") if f["rule_id"] == "pii.person")
    code, out, _ = invoke("findings", "show", str(person["id"]), "--db", db)
    assert code == 0 and "{" not in out
    assert f"finding {person['id']}: pii.person" in out and "a.k: open → false_positive an official" in out
    assert "scan 1: new" in out


def test_diff_json_gives_each_finding_its_change(db: str) -> None:
    code, out, _ = invoke("diff", "--db", db, "--format", "json")
    document = json.loads(out)
    jsonschema.validate(document, REPORT_SCHEMA)
    assert (document["kind"], document["from_scan"], document["to_scan"]) == ("diff", 1, 2)
    assert document["summary"] == {"new": 0, "fixed": 1, "reopened": 0, "unchanged": 1}
    assert {(f["rule_id"], f["change"]) for f in document["findings"]} == {
        ("pii.kz-iin", "fixed"),
        ("pii.person", "unchanged"),
    }


def test_diff_of_the_first_scan_says_there_is_no_earlier_scan(db: str) -> None:
    code, out, _ = invoke("diff", "1", "--db", db)
    assert code == 0 and "None" not in out
    assert out.startswith("scan 1 is the first of its configuration, nothing earlier to compare with: 2 new")
    document = json.loads(invoke("diff", "1", "--db", db, "--format", "json")[1])
    assert document["from_scan"] is None and document["summary"]["new"] == 2


def test_scans_list_in_every_format(db: str) -> None:
    text = invoke("scans", "list", "--db", db)[1]
    assert [line.split()[:2] for line in text.splitlines()] == [["1", "completed"], ["2", "completed"]]
    document = json.loads(invoke("scans", "list", "--db", db, "--format", "json")[1])
    jsonschema.validate(document, REPORT_SCHEMA)
    assert [(s["id"], s["name"]) for s in document["scans"]] == [(1, "nightly"), (2, "nightly")]
    rows = list(csv.DictReader(io.StringIO(invoke("scans", "list", "--db", db, "--format", "csv")[1], newline="")))
    assert [r["status"] for r in rows] == ["completed", "completed"]


@pytest.mark.parametrize("command", [["findings", "list", "--all"], ["diff"]])
def test_sarif_and_csv_of_stored_findings_are_the_check_formats(db: str, command: list[str]) -> None:
    sarif = json.loads(invoke(*command, "--db", db, "--format", "sarif")[1])
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"pii.kz-iin", "pii.person"}
    # its own analysis: uploading it must not close the alerts of the check gate (govscan/check/)
    assert sarif["runs"][0]["automationDetails"]["id"] == f"govscan/{command[0]}/"
    rows = list(csv.DictReader(io.StringIO(invoke(*command, "--db", db, "--format", "csv")[1], newline="")))
    assert {r["rule_id"] for r in rows} == {"pii.kz-iin", "pii.person"}
    assert {r["status"] for r in rows} == {"fixed", "false_positive"} and all(r["id"] for r in rows)


def test_diff_sarif_marks_a_fixed_finding_absent(db: str) -> None:
    sarif = json.loads(invoke("diff", "--db", db, "--format", "sarif")[1])
    states = {r["ruleId"]: r.get("baselineState") for r in sarif["runs"][0]["results"]}
    assert states == {"pii.kz-iin": "absent", "pii.person": "unchanged"}


@pytest.mark.parametrize(
    ("command", "fmt"),
    [
        (["findings", "list", "--all"], "json"),
        (["findings", "show", "1"], "json"),
        (["diff"], "csv"),
        (["scans", "list"], "json"),
        (["rules", "list"], "json"),
        (["findings", "list", "--all"], "text"),
    ],
)
def test_every_results_command_writes_to_o_file(db: str, tmp_path: Path, command: list[str], fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    extra = [] if command[0] == "rules" else ["--db", db]
    code, out, err = invoke(*command, *extra, "--format", fmt, "-o", str(target))
    assert code == 0 and out == "", err
    text = target.read_text(encoding="utf-8")
    if fmt == "json":
        jsonschema.validate(json.loads(text), REPORT_SCHEMA)
    assert text.strip()


def test_rules_list_in_every_format_keeps_long_ids_aligned() -> None:
    document = json.loads(invoke("rules", "list", "--format", "json")[1])
    jsonschema.validate(document, REPORT_SCHEMA)
    rules = {r["id"]: r for r in document["rules"]}
    assert rules["pii.kz-iin"]["entity"] == "KZ_IIN" and rules["pii.kz-iin"]["compliance"]
    text = invoke("rules", "list")[1].splitlines()
    widest = max(len(r) for r in rules)
    assert widest > 24  # the old fixed 20-character column broke on these
    rows = [line for line in text if not line.startswith(" ")]  # a long title wraps onto indented lines
    assert {line.split()[0] for line in rows} == set(rules)
    severity_columns = {line.index(rules[line.split()[0]]["severity"], widest) for line in rows}
    assert severity_columns == {widest + 2}
    assert max(len(line) for line in text) <= 120  # a pipe gets 120 columns, long titles wrap
    rows = list(csv.DictReader(io.StringIO(invoke("rules", "list", "--format", "csv")[1], newline="")))
    assert {r["id"] for r in rows} == set(rules)


def test_the_same_format_names_everywhere() -> None:
    from govscan.cli.options import FORMATS, LISTING_FORMATS

    for path, formats in [
        (["check"], FORMATS),
        (["tls"], FORMATS),
        (["crawl"], FORMATS),
        (["findings", "list"], FORMATS),
        (["findings", "show"], FORMATS),
        (["diff"], FORMATS),
        (["scans", "list"], LISTING_FORMATS),
        (["rules", "list"], LISTING_FORMATS),
    ]:
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        option = next(p for p in command.params if p.name == "fmt")
        assert tuple(option.type.choices) == formats, path
        assert any("-o" in p.opts for p in command.params), path


def test_an_empty_listing_says_so_on_stderr(db: str) -> None:
    result = CliRunner().invoke(cli, ["findings", "list", "--db", db, "--rule", "no.such-rule"])
    assert result.exit_code == 0 and result.stdout == ""
    assert "no recorded finding matches" in result.stderr


def test_scans_list_reads_a_scan_whose_recorded_settings_are_not_json(tmp_path: Path) -> None:
    # an older or hand-edited database: the listing says "local" instead of failing on the row
    from sqlmodel import Session

    from govscan.store.engine import open_engine
    from govscan.store.lifecycle import start_scan

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_engine(url, create=True)
    with Session(engine) as session:
        start_scan(session, "legacy", settings_json="{not json")
    engine.dispose()
    code, out, err = invoke("scans", "list", "--db", url, "--format", "json")
    assert code == 0, err
    assert [(s["name"], s["executor"]) for s in json.loads(out)["scans"]] == [("legacy", "local")]
