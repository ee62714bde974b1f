"""The gate as CI runs it: ``.govscan.yaml``, ``GOVSCAN_<COMMAND>_<FLAG>`` and extra outputs in one run.

Precedence for every flag: the command line, then its environment variable, then the config file,
then the default.
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

from ..conftest import SARIF_SCHEMA

IIN = "900101300017"
REPORT_SCHEMA = json.loads((HERE / "report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a contacts list (a name and a phone: high) and a register (an IIN: critical)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "contacts").mkdir()
    (tmp_path / "contacts" / "press.csv").write_text(
        "ФИО,Телефон\nОмаров Тимур Рустемович,+77012345678\n", encoding="utf-8"
    )
    (tmp_path / "register.csv").write_text(f"ФИО,ИИН\nИванова Ольга Сергеевна,{IIN}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("GOVSCAN_CHECK_FAIL_ON", "GOVSCAN_CHECK_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def check(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["check", "--no-progress", "--no-ner", *args], env=env)


def findings_of(stdout: str) -> list[dict]:
    return json.loads(stdout)["findings"]


def test_an_ignore_in_the_config_suppresses_with_its_reason_and_never_fails_the_gate(repo: Path) -> None:
    (repo / ".govscan.yaml").write_text(
        "fail-on: high\nignore:\n  - rule: pii.person\n    paths: ['contacts/**']\n    reason: published press contacts\n"
        "  - rule: pii.phone\n    paths: ['contacts/**']\n    reason: published press contacts\n",
        encoding="utf-8",
    )
    result = check("--format", "json", "contacts")
    assert result.exit_code == 0, result.stderr
    found = findings_of(result.stdout)
    assert found and all(
        f["suppressed"] == {"reason": "ignored by .govscan.yaml: published press contacts"} for f in found
    )
    assert "suppressed by the ignores of" in result.stderr
    jsonschema.validate(json.loads(result.stdout), REPORT_SCHEMA)
    assert check("--format", "json", "register.csv").exit_code == 1  # the ignore is scoped to contacts/


def test_fail_on_comes_from_the_config_and_the_flag_and_env_override_it(repo: Path) -> None:
    (repo / ".govscan.yaml").write_text("fail-on: critical\n", encoding="utf-8")
    assert check("contacts").exit_code == 0  # high findings only: the config's threshold is critical
    assert check("--fail-on", "high", "contacts").exit_code == 1  # the flag wins
    assert check("contacts", env={"GOVSCAN_CHECK_FAIL_ON": "high"}).exit_code == 1  # so does the variable
    assert check("--fail-on", "none", "contacts", env={"GOVSCAN_CHECK_FAIL_ON": "high"}).exit_code == 0


def test_no_config_and_an_explicit_config_file(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (repo / ".govscan.yaml").write_text("fail-on: none\n", encoding="utf-8")
    assert check("register.csv").exit_code == 0
    assert check("--no-config", "register.csv").exit_code == 1  # the default threshold, high
    other = tmp_path_factory.mktemp("ci") / "strict.yaml"
    other.write_text("fail-on: info\n", encoding="utf-8")
    assert check("--config", str(other), "contacts").exit_code == 1
    both = check("--config", str(other), "--no-config", "contacts")
    assert both.exit_code == 2 and "contradict" in both.stderr


def test_a_config_in_pyproject_is_used(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.govscan]\nfail-on = "none"\n', encoding="utf-8")
    assert check("register.csv").exit_code == 0


def test_a_bad_config_is_one_line_and_exit_2_and_nothing_is_scanned(repo: Path) -> None:
    (repo / ".govscan.yaml").write_text("fail-on: high\nignore:\n  - rule: pii.email\n", encoding="utf-8")
    result = check("--format", "json", "register.csv")
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("govscan: error: config ") and ".govscan.yaml" in line and "reason" in line
    assert "Traceback" not in result.stderr


def test_the_config_baseline_is_found_relative_to_the_config(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    register = str(repo / "register.csv")
    assert check("--write-baseline", ".govscan-baseline.json", register).exit_code == 0
    (repo / ".govscan.yaml").write_text("baseline: .govscan-baseline.json\n", encoding="utf-8")
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")  # the baseline is beside the config, not in the working directory
    result = check("--format", "json", register)
    assert result.exit_code == 0, result.stderr
    assert all(f["baseline_state"] == "unchanged" for f in findings_of(result.stdout))


def test_extra_outputs_are_written_in_the_same_run(repo: Path) -> None:
    out = repo / "out"
    out.mkdir()
    result = check(
        "register.csv",
        "--json-output",
        str(out / "g.json"),
        "--sarif-output",
        str(out / "g.sarif"),
        "--csv-output",
        str(out / "g.csv"),
    )
    assert result.exit_code == 1
    assert "register.csv" in result.stdout and "CRITICAL" in result.stdout  # the text log, as asked
    document = json.loads((out / "g.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, REPORT_SCHEMA)
    assert {f["rule_id"] for f in document["findings"]} >= {"pii.kz-iin"}
    sarif = json.loads((out / "g.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    rows = list(csv.DictReader(io.StringIO((out / "g.csv").read_text(encoding="utf-8"), newline="")))
    assert {r["rule_id"] for r in rows} == {f["rule_id"] for f in document["findings"]}
    assert IIN not in (out / "g.json").read_text() + (out / "g.sarif").read_text() + (out / "g.csv").read_text()


def test_every_flag_can_come_from_its_variable(repo: Path) -> None:
    result = check("register.csv", env={"GOVSCAN_CHECK_FORMAT": "json"})
    assert json.loads(result.stdout)["kind"] == "report"
    assert check("--format", "csv", "register.csv", env={"GOVSCAN_CHECK_FORMAT": "json"}).stdout.startswith("severity,")


def test_the_database_variable_keeps_its_meaning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSCAN_DB", f"sqlite:///{tmp_path / 'absent.db'}")
    result = CliRunner().invoke(cli, ["scans", "list"])
    assert result.exit_code == 2 and "absent.db" in result.stderr and "GOVSCAN_DB" in result.stderr


def test_exclude_in_the_config_is_checks_default(repo: Path) -> None:
    (repo / ".govscan.yaml").write_text("exclude: ['contacts']\n", encoding="utf-8")
    result = check("--format", "json", ".")
    assert {Path(f["location"]["uri"]).name for f in findings_of(result.stdout)} == {"register.csv"}
    shown = check("--format", "json", "--exclude", "register.csv", ".")  # the flag replaces the file's list
    assert {Path(f["location"]["uri"]).name for f in findings_of(shown.stdout)} == {"press.csv"}


def test_o_dash_is_standard_output_not_a_file_named_dash(repo: Path) -> None:
    result = check("--format", "json", "-o", "-", "register.csv")
    assert json.loads(result.stdout)["kind"] == "report" and not (repo / "-").exists()


@pytest.mark.parametrize("option", ["-o", "--json-output", "--sarif-output", "--csv-output"])
def test_an_output_in_a_missing_folder_is_refused_before_anything_is_scanned(repo: Path, option: str) -> None:
    result = check(option, str(repo / "no-such-folder" / "out.txt"), "register.csv")
    assert result.exit_code == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""  # refused while parsing: no scan ran


def test_rules_list_to_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["rules", "list", "-o", str(tmp_path / "nope" / "rules.json")])
    assert result.exit_code == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr
