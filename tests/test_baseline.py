"""Baselines: accept today's findings, then only new ones count."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from govscan.baseline import (
    BaselineError,
    apply_baseline,
    load_baseline,
    write_baseline,
)
from govscan.identity import key_id, load_secret
from govscan.model import Finding, Location, Severity
from govscan.rules.loader import RuleSet
from govscan.rules.spec import PiiSpec, RuleSpec

DAY_ONE = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
DAY_TWO = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def rules() -> RuleSet:
    iin = RuleSpec(
        id="pii.kz-iin",
        title="ИИН опубликованы",
        kind="pii",
        severity="high",
        description="IINs in an open file.",
        remediation="Mask them.",
        pii=PiiSpec(entity="KZ_IIN", recognizer="kz_iin"),
    )
    return RuleSet(rules={iin.id: iin}, sources={iin.id: Path("/rules/kz-iin.yaml")})


def finding(fingerprint: str, uri: str = "data/list.xlsx", column: str = "ИИН") -> Finding:
    return Finding(
        rule_id="pii.kz-iin",
        entity="KZ_IIN",
        severity=Severity.HIGH,
        title="ИИН опубликованы",
        location=Location(uri, sheet="Лист1", column=column, column_index=3),
        count=412,
        evidence="8805******12",
        confidence=0.99,
        fingerprint=fingerprint,
    )


def test_the_file_is_sorted_reviewable_json(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(
        path,
        [finding("ff02"), finding("aa01", uri="b.csv")],
        rules(),
        tool_version="0.1.0",
        now=DAY_ONE,
    )
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == {
        "version": 1,
        "tool": "govscan 0.1.0",
        "ruleset_digest": rules().digest,
        "fingerprint_key_id": key_id(load_secret()),  # public id of the key the fingerprints are under
        "generated_at": "2024-05-01T09:00:00Z",
        "entries": [
            {
                "fingerprint": "aa01",
                "rule_id": "pii.kz-iin",
                "uri": "b.csv",
                "place": "Лист1!ИИН",
                "reason": "accepted in baseline",
                "accepted_at": "2024-05-01T09:00:00Z",
            },
            {
                "fingerprint": "ff02",
                "rule_id": "pii.kz-iin",
                "uri": "data/list.xlsx",
                "place": "Лист1!ИИН",
                "reason": "accepted in baseline",
                "accepted_at": "2024-05-01T09:00:00Z",
            },
        ],
    }
    assert "Лист1" in text  # not \u-escaped: readable in review
    assert text.endswith("}\n")


def test_the_file_holds_no_values_not_even_masked_ones(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(path, [finding("aa01")], rules(), now=DAY_ONE)
    assert "8805" not in path.read_text(encoding="utf-8")


def test_round_trip_then_apply_marks_known_findings_unchanged_and_suppressed(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(
        path,
        [finding("aa01")],
        rules(),
        reason="register published by law",
        now=DAY_ONE,
    )
    baseline = load_baseline(path)
    assert baseline.path == str(path)
    assert set(baseline.entries) == {"aa01"}

    known, fresh = finding("aa01"), finding("bb02", column="ЖСН")
    findings = [known, fresh]
    returned = apply_baseline(findings, baseline)

    assert returned is findings
    assert (known.baseline_state, known.suppressed) == (
        "unchanged",
        "register published by law",
    )
    assert (fresh.baseline_state, fresh.suppressed) == ("new", None)


def test_apply_clears_a_stale_suppression(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(path, [finding("aa01")], rules(), now=DAY_ONE)
    other = finding("zz99")
    other.suppressed = "from an earlier baseline"
    apply_baseline([other], load_baseline(path))
    assert (other.baseline_state, other.suppressed) == ("new", None)


def test_rewriting_keeps_reasons_and_dates_of_known_fingerprints_and_drops_fixed_ones(
    tmp_path,
):
    path = tmp_path / "baseline.json"
    write_baseline(
        path,
        [finding("aa01"), finding("cc03")],
        rules(),
        reason="first review",
        now=DAY_ONE,
    )
    # a reviewer edits a justification by hand
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"][0]["reason"] = "ИИН сотрудников: согласовано с юристом"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    # next month: aa01 still there, cc03 fixed, bb02 new
    write_baseline(
        path,
        [finding("aa01"), finding("bb02")],
        rules(),
        reason="second review",
        now=DAY_TWO,
    )

    entries = load_baseline(path).entries
    assert list(entries) == ["aa01", "bb02"]
    assert entries["aa01"].reason == "ИИН сотрудников: согласовано с юристом"
    assert entries["aa01"].accepted_at == "2024-05-01T09:00:00Z"
    assert entries["bb02"].reason == "second review"
    assert entries["bb02"].accepted_at == "2024-06-01T09:00:00Z"


def test_writing_is_deterministic(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    findings = [
        finding("bb02"),
        finding("aa01"),
        finding("aa01"),
    ]  # duplicates collapse
    write_baseline(first, findings, rules(), tool_version="1", now=DAY_ONE)
    write_baseline(second, list(reversed(findings)), rules(), tool_version="1", now=DAY_ONE)
    assert first.read_bytes() == second.read_bytes()
    assert len(json.loads(first.read_text())["entries"]) == 2


def test_a_finding_without_fingerprint_cannot_be_baselined(tmp_path):
    with pytest.raises(ValueError, match="no fingerprint"):
        write_baseline(tmp_path / "b.json", [finding("")], rules())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"^baseline .*b\.json: file not found$"),
        ("{not json", r"^baseline .*b\.json: invalid JSON at line 1 column 2: "),
        (
            "[1, 2]",
            r"^baseline .*b\.json: expected a JSON object, not a govscan baseline$",
        ),
        (
            '{"version": 2}',
            r"^baseline .*b\.json: unsupported version 2 \(this govscan reads version 1\)$",
        ),
        ("{}", r"^baseline .*b\.json: unsupported version None"),
        (
            (
                '{"version": 1, "tool": "govscan", "ruleset_digest": "x", "generated_at": "t",'
                ' "entries": [{"fingerprint": "a"}]}'
            ),
            r"^baseline .*b\.json: entries\.0\.rule_id: Field required$",
        ),
        (
            '{"version": 1, "tool": "govscan", "ruleset_digest": "x", "generated_at": "t", "entries": [], "x": 1}',
            r"^baseline .*b\.json: x: Extra inputs are not permitted$",
        ),
    ],
)
def test_unusable_files_give_one_line_errors_naming_the_file(tmp_path, content, message):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=message) as caught:
        load_baseline(path)
    assert "\n" not in str(caught.value)


def test_a_corrupt_existing_baseline_is_not_overwritten(tmp_path):
    path = tmp_path / "b.json"
    path.write_text("{oops", encoding="utf-8")
    with pytest.raises(BaselineError, match="invalid JSON"):
        write_baseline(path, [finding("aa01")], rules())
    assert path.read_text(encoding="utf-8") == "{oops"
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]  # no temp file left behind


TEAM_KEY = b"team-key-3b8e0d5f9a1c7246-shared-in-ci"
LAPTOP_KEY = b"laptop-key-c41f8a2e6d09b375-auto-created"


def test_a_baseline_written_under_one_key_is_an_error_under_another_naming_both_key_ids(tmp_path):
    path = tmp_path / "b.json"
    write_baseline(path, [finding("aa01")], rules(), key=TEAM_KEY, now=DAY_ONE)
    assert json.loads(path.read_text(encoding="utf-8"))["fingerprint_key_id"] == key_id(TEAM_KEY)

    with pytest.raises(BaselineError) as caught:
        load_baseline(path, key=LAPTOP_KEY)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    assert key_id(TEAM_KEY) in message and key_id(LAPTOP_KEY) in message and "GOVSCAN_SECRET" in message
    assert set(load_baseline(path, key=TEAM_KEY).entries) == {"aa01"}


def test_rewriting_a_baseline_of_another_key_is_refused_and_leaves_it_as_it_was(tmp_path):
    path = tmp_path / "b.json"
    write_baseline(path, [finding("aa01")], rules(), reason="by law", key=TEAM_KEY, now=DAY_ONE)
    before = path.read_bytes()
    with pytest.raises(BaselineError, match=key_id(TEAM_KEY)):
        write_baseline(path, [finding("ff09")], rules(), key=LAPTOP_KEY, now=DAY_TWO)
    assert path.read_bytes() == before  # the reviewers' reasons are not silently dropped


def test_a_baseline_from_before_key_ids_still_loads_with_a_one_line_warning(tmp_path, capsys):
    path = tmp_path / "b.json"
    write_baseline(path, [finding("aa01")], rules(), key=TEAM_KEY, now=DAY_ONE)
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["fingerprint_key_id"]
    path.write_text(json.dumps(data), encoding="utf-8")

    baseline = load_baseline(path, key=LAPTOP_KEY)

    assert set(baseline.entries) == {"aa01"} and baseline.fingerprint_key_id is None
    (warning,) = capsys.readouterr().err.splitlines()
    assert str(path) in warning and "--write-baseline" in warning


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"version": ' + "9" * 100_000 + "}", "a number too long"),
    ],
    ids=["100000-deep", "100000-digit-number"],
)
def test_hostile_json_in_a_baseline_is_one_line(tmp_path, content, problem):
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=problem) as caught:
        load_baseline(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_the_check_gate_refuses_a_baseline_of_another_key_in_one_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from govscan.cli import cli

    data = tmp_path / "list.csv"
    data.write_text("ФИО,ИИН\nИванов Иван Иванович,900101300017\n", encoding="utf-8")
    baseline = tmp_path / ".govscan-baseline.json"

    def check(key: bytes, *args: str):
        monkeypatch.setenv("GOVSCAN_SECRET", key.decode())
        return CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", str(data), *args])

    assert check(TEAM_KEY, "--write-baseline", str(baseline)).exit_code == 0  # writing a baseline is a success
    assert check(TEAM_KEY, "--baseline", str(baseline)).exit_code == 0  # the team's key: all accepted

    refused = check(LAPTOP_KEY, "--baseline", str(baseline))  # a second developer's own key
    assert refused.exit_code == 2 and refused.stdout == "" and "Traceback" not in refused.stderr
    (line,) = refused.stderr.splitlines()
    assert key_id(TEAM_KEY) in line and key_id(LAPTOP_KEY) in line and str(baseline) in line


def test_a_baseline_at_a_long_or_odd_path_is_read_from_that_path(tmp_path):
    """Error lines clip the path they echo; the file itself is read by its real name."""
    deep = tmp_path.joinpath(*["d" * 60] * 5)  # a CI workspace path of more than 300 characters
    deep.mkdir(parents=True)
    for path in [deep / "baseline.json", tmp_path / "base\tline.json"]:
        write_baseline(path, [finding("aa01")], rules(), key=TEAM_KEY, now=DAY_ONE)
        write_baseline(path, [finding("aa01")], rules(), key=TEAM_KEY, now=DAY_TWO)  # rewriting reads it first
        assert set(load_baseline(path, key=TEAM_KEY).entries) == {"aa01"}
