"""Scan configuration: valid files load, invalid ones name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from govscan.config import ConfigError, load_config

GOOD = """\
name: Almaty akimat nightly
targets:
  - name: open data exports
    datasets: ["exports/*.csv", "https://example.kz/data/list.xlsx"]
  - name: public portal
    tls: ["almaty.gov.kz:443"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issue_example_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert [t.kind for t in config.targets] == ["datasets", "tls"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace('    tls: ["almaty.gov.kz:443"]', "    tsl: [x]"),
            r"scan\.yaml:6: targets\.1\.tsl: Extra inputs",
        ),
        (
            GOOD.replace('datasets: ["exports/*.csv", "https://example.kz/data/list.xlsx"]', "datasets: 5"),
            r"scan\.yaml:4: targets\.0\.datasets",
        ),
        ("name: x\ntargets: [\n", r"scan\.yaml:\d+: not valid YAML"),
        ("name: x\ntargets: []\n", r"scan\.yaml:2: targets"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path, text))


def test_duplicate_target_names_are_refused(tmp_path: Path) -> None:
    text = "name: x\ntargets:\n  - {name: a, tls: [h]}\n  - {name: a, tls: [h]}\n"
    with pytest.raises(ConfigError, match="unique"):
        load_config(write(tmp_path, text))


def test_a_portal_url_the_url_parsers_read_differently_is_refused_with_the_reason(tmp_path: Path) -> None:
    text = "name: x\ntargets:\n  - name: portal\n    url: 'http://evil.example\\@portal.kz/x'\n"
    with pytest.raises(ConfigError, match=r"scan\.yaml:4: .*unsafe URL: backslash"):
        load_config(write(tmp_path, text))


HOSTILE = {
    "100000-digit-number": GOOD + "    crawl: {max_pages: " + "9" * 100_000 + "}\n",
    "100000-deep-list": "name: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "100000-deep-mapping": "name: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n",
    "impossible-date": GOOD + "baseline: 2024-13-45\n",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_yaml_is_one_line_naming_the_file_and_line(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match=r"scan\.yaml:\d+: ") as caught:
        load_config(write(tmp_path, text))
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "scan.yaml"
    path.write_bytes(GOOD.encode("cp1251").replace(b"Almaty", "Алматы".encode("cp1251")))
    with pytest.raises(ConfigError, match=r"scan\.yaml: not UTF-8"):
        load_config(path)


@pytest.mark.parametrize("name", ["100000-digit-number", "100000-deep-list"])
def test_the_scan_command_reports_hostile_yaml_in_one_line_exit_2(tmp_path: Path, name: str) -> None:
    from click.testing import CliRunner

    from govscan.cli import cli

    path = write(tmp_path, HOSTILE[name])
    result = CliRunner().invoke(cli, ["scan", str(path), "--db", f"sqlite:///{tmp_path / 'g.db'}"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    (line,) = result.stderr.splitlines()  # one line, not a usage banner around it
    assert line.startswith("govscan: error: ") and "scan.yaml" in line
