"""``govscan check`` as a CI job sees it: exit codes, formats, baselines, broken inputs."""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from govscan.cli import cli
from govscan.testing import synth

from ..conftest import CONTRACT_FINDING_KEYS, SARIF_SCHEMA

RNG = random.Random(5)
IINS = [synth.iin(RNG) for _ in range(30)]
RUSSIAN_NAMES = ["Омаров Тимур Рустемович", "Иванова Ольга Сергеевна", "Ким Виктор Александрович"]  # cp1251-safe


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A small cp1251, semicolon-separated export of the kind an akimat publishes."""
    path = tmp_path / "recipients.csv"
    with path.open("w", encoding="cp1251", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["№", "ФИО", "ИИН", "Телефон", "Сумма"])
        for i, iin in enumerate(IINS, 1):
            writer.writerow([i, RUSSIAN_NAMES[i % 3], iin, synth.mobile(RNG), 1000 * i])
    return path


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "statistics.csv"
    path.write_text("Регион,Год,Численность\nАлматы,2023,2200000\nАстана,2023,1350000\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "--no-progress", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_exit_1_when_personal_data_at_or_above_the_threshold(export: Path) -> None:
    code, out, _ = run(str(export))
    assert code == 1
    assert "pii.kz-iin" in out and "ИИН" in out


def test_exit_0_for_a_file_without_personal_data(clean: Path) -> None:
    code, out, _ = run(str(clean))
    assert code == 0
    assert "0 findings" in out


def test_fail_on_none_never_fails_on_findings(export: Path) -> None:
    assert run(str(export), "--fail-on", "none")[0] == 0


def test_fail_on_critical_ignores_high_findings(tmp_path: Path) -> None:
    path = tmp_path / "phones.csv"
    path.write_text("Телефон\n" + "\n".join(synth.mobile(RNG) for _ in range(10)), encoding="utf-8")
    assert run(str(path), "--fail-on", "critical")[0] == 0
    assert run(str(path), "--fail-on", "high")[0] == 1


def test_an_unreadable_input_gives_exit_2_with_one_line_and_the_rest_is_still_scanned(
    export: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"items": [{"iin": "' + IINS[0] + '"}, {"iin": ', encoding="utf-8")
    code, out, err = run(str(broken), str(export), str(tmp_path / "missing.csv"), "--format", "json")
    assert code == 2
    report = json.loads(out)
    assert {f["location"]["uri"] for f in report["findings"]} >= {str(export).replace("\\", "/")}
    error_lines = [line for line in err.splitlines() if line.startswith("govscan: error:")]
    assert len(error_lines) == 2
    assert any("broken.json" in line for line in error_lines)
    assert any("missing.csv" in line and "no such file" in line for line in error_lines)
    assert "Traceback" not in err


def test_json_output_follows_the_contract(export: Path) -> None:
    code, out, _ = run(str(export), "--format", "json")
    report = json.loads(out)
    assert report["tool"]["name"] == "govscan"
    finding = next(f for f in report["findings"] if f["entity"] == "KZ_IIN")
    assert set(finding) == CONTRACT_FINDING_KEYS
    assert finding["location"] == {
        "uri": str(export).replace("\\", "/"),
        "sheet": None,
        "column": "ИИН",
        "column_index": 3,
        "json_path": None,
        "line": 2,
        "page": None,
        "part": None,
    }
    assert finding["count"] == len(IINS)
    assert re.fullmatch(r"[0-9]{4}\*{6}[0-9]{2}", finding["evidence"])
    assert re.fullmatch(r"[0-9a-f]{64}", finding["fingerprint"])
    assert "kz-pdl:art-6" in finding["compliance"]


def test_sarif_output_is_valid_against_the_official_schema(export: Path) -> None:
    code, out, _ = run(str(export), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    run_ = log["runs"][0]
    rule_ids = {r["id"] for r in run_["tool"]["driver"]["rules"]}
    assert {"pii.kz-iin", "pii.phone", "pii.person", "pii.kz-bin"} <= rule_ids
    assert all(r["help"]["text"] for r in run_["tool"]["driver"]["rules"])
    result = next(r for r in run_["results"] if r["ruleId"] == "pii.kz-iin")
    assert result["level"] == "error"
    assert result["locations"][0]["logicalLocations"][0]["name"] == "ИИН"


def test_csv_output_has_one_row_per_finding(export: Path) -> None:
    code, out, _ = run(str(export), "--format", "csv")
    rows = list(csv.DictReader(out.splitlines()))
    assert {r["rule_id"] for r in rows} == {"pii.kz-iin", "pii.person", "pii.phone"}


def test_output_file_option_writes_the_report(export: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(str(export), "--format", "json", "-o", str(target))
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["findings"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "csv"])
def test_no_raw_identifier_appears_in_any_format(export: Path, fmt: str) -> None:
    _, out, err = run(str(export), "--format", fmt)
    for iin in IINS:
        assert iin not in out and iin not in err


def test_a_baseline_accepts_known_findings_and_only_new_ones_fail(export: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code, _, err = run(str(export), "--write-baseline", str(baseline))
    assert code == 0, err  # writing a baseline accepts every finding: a success, not a failed gate
    assert run(str(export), "--baseline", str(baseline))[0] == 0

    other = tmp_path / "new.csv"
    other.write_text("ИИН\n" + "\n".join(IINS[:5]), encoding="utf-8")
    code, out, _ = run(str(export), str(other), "--baseline", str(baseline), "--format", "json")
    assert code == 1
    states = {(f["location"]["uri"].split("/")[-1], f["baseline_state"]) for f in json.loads(out)["findings"]}
    assert ("new.csv", "new") in states and ("recipients.csv", "unchanged") in states


def test_a_baseline_records_the_reason_given(export: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    run(str(export), "--write-baseline", str(baseline), "--baseline-reason", "published under decree 123")
    entries = json.loads(baseline.read_text(encoding="utf-8"))["entries"]
    assert entries and {e["reason"] for e in entries} == {"published under decree 123"}
    _, out, _ = run(str(export), "--baseline", str(baseline))
    assert "(baselined: published under decree 123)" in " ".join(out.split())  # a long reason may wrap


def test_a_broken_baseline_is_a_usage_error(export: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text("not json", encoding="utf-8")
    code, _, err = run(str(export), "--baseline", str(baseline))
    assert code == 2
    assert "baseline.json" in err


def test_exclude_skips_matching_files(export: Path, clean: Path) -> None:
    code, out, _ = run(str(export.parent), "--exclude", "recipients*", "--format", "json")
    assert code == 0
    assert json.loads(out)["findings"] == []


def test_directories_and_archives_are_read_recursively(export: Path, tmp_path: Path) -> None:
    archive = tmp_path / "nested" / "export.csv.gz"
    archive.parent.mkdir()
    archive.write_bytes(gzip.compress(export.read_bytes()))
    code, out, _ = run(str(archive.parent), "--format", "json")
    uris = {f["location"]["uri"] for f in json.loads(out)["findings"]}
    assert any(u.endswith("export.csv.gz!/export.csv") for u in uris), uris


def test_fingerprints_are_stable_across_runs_and_keyed(export: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = {f["fingerprint"] for f in json.loads(run(str(export), "--format", "json")[1])["findings"]}
    again = {f["fingerprint"] for f in json.loads(run(str(export), "--format", "json")[1])["findings"]}
    monkeypatch.setenv("GOVSCAN_SECRET", "another-installation-7d1e5b9a3c264f08")
    other_key = {f["fingerprint"] for f in json.loads(run(str(export), "--format", "json")[1])["findings"]}
    assert first == again
    assert first.isdisjoint(other_key)


def test_unknown_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "pdf", "x.csv"])
    assert result.exit_code == 2


def test_rules_list_and_show() -> None:
    listing = CliRunner().invoke(cli, ["rules", "list"])
    assert listing.exit_code == 0
    for rule_id in ("pii.kz-iin", "pii.kz-bin", "pii.phone", "pii.person", "pii.address", "pii.card"):
        assert rule_id in listing.output
    shown = CliRunner().invoke(cli, ["rules", "show", "pii.kz-iin"])
    assert shown.exit_code == 0
    assert "Remediation" in shown.output and "kz-pdl:art-6" in shown.output
    missing = CliRunner().invoke(cli, ["rules", "show", "pii.nope"])
    assert missing.exit_code == 1


def test_name_ner_of_a_large_document_stops_at_its_budget_and_the_rules_still_read_all_of_it(tmp_path: Path) -> None:
    """A hostile or merely large document must not hold the gate for minutes in name NER."""
    sentence = "Заявление рассмотрено комиссией, решение принято единогласно и направлено заявителю. "
    body = sentence * 400 + f"\nЗаявитель: ИИН {IINS[0]}.\n"
    document = tmp_path / "decision.txt"
    document.write_text(body, encoding="utf-8")
    code, out, err = run(str(document), "--format", "json", "--ner-max-chars", "2000")
    assert code == 1
    assert "name NER stopped after 2,000 characters in 1 file(s)" in err
    entities = {f["entity"] for f in json.loads(out)["findings"]}
    assert "KZ_IIN" in entities  # past the budget, the rule-based recognizers read on
    code, _, err = run(str(document), "--format", "json", "--ner-max-chars", "0")
    assert code == 1 and "name NER stopped" not in err
