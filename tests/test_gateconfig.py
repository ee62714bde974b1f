"""The gate's config file: where it is found, what a bad one says, which findings an ignore accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from govscan.gateconfig import GateConfigError, apply_ignores, discover, load
from govscan.model import Finding, Location, Severity
from govscan.schemas import HERE


def finding(uri: str, rule_id: str = "pii.email") -> Finding:
    return Finding(rule_id, "EMAIL_ADDRESS", Severity.MEDIUM, "t", Location(uri), 1, "i***@x.kz", 0.9, "fp")


def test_the_file_is_found_from_a_subdirectory_up_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "data" / "2024").mkdir(parents=True)
    (repo / ".govscan.yaml").write_text("fail-on: medium\n", encoding="utf-8")
    assert discover(repo / "data" / "2024") == (repo / ".govscan.yaml").resolve()


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".govscan.yaml").write_text("fail-on: low\n", encoding="utf-8")  # above the repository
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert discover(repo) is None


def test_pyproject_counts_only_with_a_tool_govscan_table(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n", encoding="utf-8")
    assert discover(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text(
        '[tool.govscan]\nfail-on = "critical"\n[[tool.govscan.ignore]]\nrule = "pii.email"\n'
        'paths = ["contacts/**"]\nreason = "published contacts"\n',
        encoding="utf-8",
    )
    found = discover(tmp_path)
    assert found == (tmp_path / "pyproject.toml").resolve()
    loaded = load(found)
    assert loaded.config.fail_on == "critical" and loaded.config.ignore[0].paths == ["contacts/**"]


def test_looking_for_the_config_reads_a_huge_pyproject_only_up_to_the_size_bound(tmp_path: Path) -> None:
    """A 4 GiB pyproject.toml (sparse: no disk used) above the working directory is not read whole:
    with 1 GiB of address space, discover() still answers (before: MemoryError on the read)."""
    (tmp_path / ".git").mkdir()
    with open(tmp_path / "pyproject.toml", "wb") as handle:
        handle.write(b"[tool.ruff]\nline-length = 100\n")
        handle.truncate(4 * 1024**3)
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))\n"
        "from govscan.gateconfig import discover\n"
        "print(discover(__import__('pathlib').Path(sys.argv[1])))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "None"  # no [tool.govscan] within the bound: not govscan's config


def test_a_yaml_file_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.govscan]\nfail-on = "critical"\n', encoding="utf-8")
    (tmp_path / ".govscan.yaml").write_text("fail-on: low\n", encoding="utf-8")
    assert discover(tmp_path) == (tmp_path / ".govscan.yaml").resolve()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("fail_on: high\n", "fail_on: Extra inputs are not permitted"),  # the key is fail-on
        ("fail-on: severe\n", "fail-on: Input should be"),
        ("ignore:\n  - rule: pii.email\n    paths: [a/**]\n", "ignore.0.reason: Field required"),
        ("ignore: [{rule: pii.email, reason: ''}]\n", "ignore.0.reason: String should have at least 1 character"),
        ("- fail-on\n", "expected a mapping"),
        ("fail-on: [\n", "invalid YAML"),
        ("a:" + " [" * 100 + "\n", "nested deeper than"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_and_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / ".govscan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GateConfigError) as caught:
        load(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and problem in message


def test_a_missing_or_binary_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(GateConfigError, match="file not found"):
        load(tmp_path / "nope.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(GateConfigError, match="not UTF-8"):
        load(tmp_path / "bin.yaml")


def test_an_ignore_suppresses_its_rule_under_its_paths_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".govscan.yaml").write_text(
        "ignore:\n  - rule: pii.email\n    paths: ['contacts/**']\n    reason: the press office's published contacts\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    loaded = load(tmp_path / ".govscan.yaml")
    contacts = finding("contacts/staff.csv")
    nested = finding("contacts/2024/a.zip!/b.csv")
    elsewhere = finding("exports/staff.csv")
    other_rule = finding("contacts/staff.csv", rule_id="pii.kz-iin")
    assert apply_ignores([contacts, nested, elsewhere, other_rule], loaded) == 2
    assert contacts.suppressed == "ignored by .govscan.yaml: the press office's published contacts"
    assert nested.suppressed and not elsewhere.suppressed and not other_rule.suppressed


def test_paths_are_relative_to_the_config_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".govscan.yaml").write_text(
        "ignore: [{rule: 'pii.*', paths: ['sub/contacts.csv'], reason: r}]\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path / "sub")
    loaded = load(tmp_path / ".govscan.yaml")
    here = finding("contacts.csv")  # as check names it when run inside sub/
    assert apply_ignores([here], loaded) == 1


def test_a_url_is_matched_whole_and_a_baselined_finding_keeps_its_reason(tmp_path: Path) -> None:
    (tmp_path / ".govscan.yaml").write_text(
        "ignore: [{rule: pii.email, paths: ['https://portal.kz/contacts/*'], reason: r}]\n", encoding="utf-8"
    )
    loaded = load(tmp_path / ".govscan.yaml")
    page = finding("https://portal.kz/contacts/index.html")
    other = finding("https://portal.kz/news/1.html")
    known = finding("https://portal.kz/contacts/a.html")
    known.suppressed = "accepted in baseline"
    assert apply_ignores([page, other, known], loaded) == 1
    assert page.suppressed and not other.suppressed and known.suppressed == "accepted in baseline"


def test_the_committed_config_schema_accepts_the_documented_example_and_refuses_a_typo() -> None:
    schema = json.loads((HERE / "config.schema.json").read_text(encoding="utf-8"))
    example = yaml.safe_load(
        "fail-on: medium\nexclude: ['vendor/**']\nbaseline: .govscan-baseline.json\n"
        "ignore:\n  - rule: pii.email\n    paths: ['contacts/**']\n    reason: published contacts\n"
    )
    jsonschema.validate(example, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"fail_on": "high"}, schema)


def test_exclude_is_a_default_of_check_only_since_crawl_excludes_urls(tmp_path: Path) -> None:
    (tmp_path / ".govscan.yaml").write_text("fail-on: low\nexclude: ['vendor/**']\n", encoding="utf-8")
    loaded = load(tmp_path / ".govscan.yaml")
    assert loaded.defaults("check") == {"fail_on": "low", "exclude": ["vendor/**"]}
    assert loaded.defaults("crawl") == loaded.defaults("tls") == {"fail_on": "low"}
