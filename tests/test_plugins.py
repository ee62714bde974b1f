"""Third-party plugins: an installed package adds a reader, a check and rules, used by check and crawl.

The fixture distribution (tests/fixtures/plugin_pkg) is installed the way pip lays a wheel out in
a site directory: the package next to a ``.dist-info`` holding ``METADATA`` and ``entry_points.txt``
(written from the fixture's own pyproject.toml). ``importlib.metadata`` finds it on ``PYTHONPATH``
exactly as it finds a pip-installed plugin, with no build backend or network needed. govscan runs
in a fresh process, so the plugin manager loads entry points as it does for a user.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from govscan.testing.synth import full_name, iin

FIXTURE = Path(__file__).parent / "fixtures" / "plugin_pkg"
_rng = random.Random(12)
ROWS = [(iin(_rng), full_name(_rng)) for _ in range(3)]
PRN = f"{'ИИН':<16}ФИО\n" + "".join(f"{number:<16}{name}\n" for number, name in ROWS)  # fixed-width


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site directory with the fixture plugin installed in it."""
    target = tmp_path_factory.mktemp("site-packages")
    project = tomllib.loads((FIXTURE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    shutil.copytree(FIXTURE / "govscan_demo_plugin", target / "govscan_demo_plugin")
    info = target / f"govscan_demo_plugin-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8"
    )
    lines = []
    for group, points in project["entry-points"].items():
        lines += [f"[{group}]", *(f"{name} = {value}" for name, value in points.items()), ""]
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    return target


def govscan(site: Path, *args: str, plugins: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("GOVSCAN_LOAD_PLUGINS", None)
    if not plugins:
        env["GOVSCAN_LOAD_PLUGINS"] = ""
    return subprocess.run(
        [sys.executable, "-m", "govscan", *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def _report(done: subprocess.CompletedProcess[str]) -> dict:
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


class _Portal(BaseHTTPRequestHandler):
    """A page with a debug-profiler header linking a .prn export, and the export at a probed path."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/":
            body, media = b'<html><body><a href="/data/people.prn">Registry</a></body></html>', "text/html"
        elif self.path in ("/data/people.prn", "/export/registry.prn"):
            body, media = PRN.encode("utf-8"), "application/octet-stream"
        else:
            body, media = b"not found", "text/plain"
        self.send_response(200 if media != "text/plain" else 404)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Debug-Token", "5f2a9c")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_check_reads_a_format_only_a_plugin_knows(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "people.prn"
    export.write_text(PRN, encoding="utf-8")
    found = _report(govscan(site, "check", str(export), "--format", "json"))["findings"]
    iins = [f for f in found if f["rule_id"] == "pii.kz-iin"]
    assert [(f["location"]["column"], f["count"]) for f in iins] == [("ИИН", len(ROWS))]

    without = _report(govscan(site, "check", str(export), "--format", "json", plugins=False))["findings"]
    assert [f["location"]["column"] for f in without if f["rule_id"] == "pii.kz-iin"] == [None]  # read as prose


def test_check_renders_a_format_only_a_plugins_reporter_knows(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "people.prn"
    export.write_text(PRN, encoding="utf-8")
    done = govscan(site, "check", str(export), "--format", "tsv", "--fail-on", "none")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "rule\tseverity\turi"
    assert any(line.startswith("pii.kz-iin\t") for line in lines[1:])

    without = govscan(site, "check", str(export), "--format", "tsv", plugins=False)
    assert without.returncode == 2
    assert "'tsv' is not one of" in without.stderr


def test_crawl_uses_the_plugins_reader_check_and_rule(site: Path, portal: str) -> None:
    report = _report(govscan(site, "crawl", portal, "--rate", "0", "--format", "json"))
    by_rule = {(f["rule_id"], f["location"]["uri"]) for f in report["findings"]}
    assert ("demo.http.debug-token", portal) in by_rule  # the plugin's HTTP check, named by its rule
    assert ("demo.exposure.prn-export", portal + "export/registry.prn") in by_rule  # the plugin's rule pack
    assert ("pii.kz-iin", portal + "data/people.prn") in by_rule  # the .prn link read by the plugin's reader

    plain = _report(govscan(site, "crawl", portal, "--rate", "0", "--format", "json", plugins=False))
    assert not [f for f in plain["findings"] if f["rule_id"].startswith("demo.") or f["rule_id"] == "pii.kz-iin"]


def _install_entry_point(where: Path, group: str, value: str) -> None:
    info = where / "broken_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{group}]\nbroken = {value}\n", encoding="utf-8")


def test_a_plugin_that_cannot_be_imported_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_plugins: object
) -> None:
    from govscan.rules import RuleLoadError, load_rules

    _install_entry_point(tmp_path, "govscan", "no_such_module_for_govscan")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("GOVSCAN_LOAD_PLUGINS", "1")
    with pytest.raises(RuleLoadError, match=r"plugin cannot be loaded \(ModuleNotFoundError: .*no_such_module") as err:
        load_rules()
    assert "\n" not in str(err.value)


def test_an_empty_govscan_load_plugins_leaves_installed_plugins_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_plugins: object
) -> None:
    from govscan import plugins
    from govscan.rules import load_rules

    _install_entry_point(tmp_path, "govscan", "no_such_module_for_govscan")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("GOVSCAN_LOAD_PLUGINS", "")
    assert len(load_rules()) == len(load_rules(plugins=False))
    assert [name for name, _ in plugins.manager().list_name_plugin()] == list(plugins.DEFAULT_PLUGINS)


def test_the_registry_asks_of_an_api_source_exactly_what_the_protocol_does() -> None:
    """The registry checks members by name (it imports no room): the same verdict as isinstance."""
    from govscan.plugins import API_SOURCE_MEMBERS
    from govscan.sources.portal_api import ApiSource

    def source(members: set[str]) -> object:
        return type("Source", (), {m: (lambda *a: None) if m != "name" else "x" for m in members})()

    assert isinstance(source(set(API_SOURCE_MEMBERS)), ApiSource)
    for missing in API_SOURCE_MEMBERS:
        assert not isinstance(source(set(API_SOURCE_MEMBERS) - {missing}), ApiSource)
