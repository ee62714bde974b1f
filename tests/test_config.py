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
