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


PORTAL = """\
name: nightly
targets:
  - name: akimat portal
    url: https://almaty.gov.kz/
    crawl:
      max_pages: 50
      rate: 0.5
      concurrency: 2
      contact: soc@almaty.gov.kz
      exclude: ["re:/calendar/"]
      max_bytes_per_response: 2048
      robots: audit
      ca_file: nca-rk-roots.pem
"""


def test_crawl_keys_are_written_flat_and_each_lands_in_the_block_of_its_owner(tmp_path: Path) -> None:
    from govscan.engine.plan import portal_settings
    from govscan.net.client import ClientSettings
    from govscan.sources.crawl import CrawlSettings

    crawl = load_config(write(tmp_path, PORTAL)).targets[0].crawl
    assert crawl.client == ClientSettings(
        rate=0.5, concurrency=2, contact="soc@almaty.gov.kz", max_bytes_per_response=2048, ca_file="nca-rk-roots.pem"
    )
    assert crawl.crawler == CrawlSettings(max_pages=50, exclude=["re:/calendar/"])
    assert crawl.robots == "audit"
    settings = portal_settings(crawl)
    assert settings.client is crawl.client  # the client takes the config's block as it is: no copy to drift
    assert settings.crawl is crawl.crawler


def test_crawl_settings_are_recorded_flat_in_the_order_they_always_had(tmp_path: Path) -> None:
    from govscan.engine.plan import scan_settings

    recorded = scan_settings(load_config(write(tmp_path, PORTAL)))["targets"][0]["crawl"]
    assert list(recorded) == [
        "max_pages", "max_depth", "rate", "concurrency", "ignore_robots", "robots", "ner", "ner_max_chars",
        "deadline", "include", "exclude", "contact", "max_bytes_per_response", "max_total_bytes", "ca_file",
        "probes", "tls", "api_sources",
    ]  # fmt: skip
    assert recorded["rate"] == 0.5 and recorded["exclude"] == ["re:/calendar/"] and recorded["max_pages"] == 50


@pytest.mark.parametrize(
    ("line", "where", "problem"),
    [
        ("rate: -1", "targets.0.crawl.rate", "greater than or equal to 0"),
        ("max_pages: 0", "targets.0.crawl.max_pages", "greater than or equal to 1"),
        ("max_bytes_per_response: 10", "targets.0.crawl.max_bytes_per_response", "greater than or equal to 1024"),
        ("client: {rate: 1}", "targets.0.crawl.client", "Extra inputs are not permitted"),
    ],
)
def test_a_bad_crawl_key_is_named_as_written_with_its_line(tmp_path: Path, line: str, where: str, problem: str) -> None:
    text = (
        f"name: n\ntargets:\n  - name: p\n    url: https://portal.kz/\n    crawl:\n      robots: obey\n      {line}\n"
    )
    with pytest.raises(ConfigError, match=rf"scan\.yaml:7: {where}: .*{problem}"):
        load_config(write(tmp_path, text))


def test_names_chosen_after_what_is_scanned_are_masked_where_the_config_is_read(tmp_path: Path) -> None:
    # stored, listed (scans list), titled (every report) and categorised (SARIF) from here
    config = load_config(write(tmp_path, GOOD.replace("nightly", "nightly 450420320289").replace(
        "open data exports", "spravki ４５０４２０３２０２８９")))  # fmt: skip
    assert config.name == "Almaty akimat nightly 4504******89"
    assert config.targets[0].name == "spravki ４５０４******８９"
