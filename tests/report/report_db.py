"""A findings database built by real ``govscan scan`` runs, with hostile content, for report tests.

Loaded by path from the report test modules (tests are not a package under importlib mode).

The story: scan 1 finds IINs, names and phones in ``<b>list.csv`` (whose IIN column is named
``<script>alert(1)</script>ИИН``) and an IIN in a second target; the names are triaged as a false
positive with a hostile note; scan 2 runs after the IINs were removed (IIN fixed); scan 3 after they
came back (IIN reopened). A TLS endpoint with grade B is recorded into scan 3 through the store API
(a live TLS audit is out of scope here).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from govscan.cli import cli
from govscan.model import AssetOutcome
from govscan.rules import load_rules
from govscan.store.coverage import record_rules_run
from govscan.store.engine import open_engine
from govscan.store.lifecycle import record
from govscan.store.tables import Scan
from govscan.testing import synth

HOSTILE_COLUMN = "<script>alert(1)</script>ИИН"
HOSTILE_FILE = "<b>list.csv"
HOSTILE_TARGET = 'open <i>data</i> "&"'
HOSTILE_NOTE = "<img src=x onerror=alert(2)> names of officials | not PD"
SECOND_TARGET = "registry"
TLS_TARGET = "portal tls"


@dataclass
class ReportDb:
    url: str
    root: Path
    iins: list[str]
    phones: list[str]

    def run(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, [*args, "--db", self.url], catch_exceptions=False)
        return result.exit_code, result.stdout

    def raw_values(self) -> list[str]:
        """Every raw identifier put into the fixtures; none may appear in any report."""
        return [*self.iins, *self.phones, *(p.replace(" ", "") for p in self.phones)]


def _write_main(exports: Path, iins: list[str], phones: list[str], with_iins: bool) -> None:
    rows = [f"ФИО,{HOSTILE_COLUMN},Телефон"]
    rows += [
        f"Иванов Иван Иванович,{iin if with_iins else ''},{phone}" for iin, phone in zip(iins, phones, strict=True)
    ]
    (exports / HOSTILE_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")


def build(root: Path) -> ReportDb:
    rng = random.Random(20240611)
    iins = [synth.iin(rng) for _ in range(6)]
    phones = [synth.mobile(rng, style=1) for _ in range(4)]
    exports, registry = root / "exports", root / "registry"
    exports.mkdir()
    registry.mkdir()
    _write_main(exports, iins[:4], phones, with_iins=True)
    (registry / "people.csv").write_text("ИИН,Сумма\n" + "".join(f"{i},100\n" for i in iins[4:]), encoding="utf-8")
    config = root / "scan.yaml"
    config.write_text(
        "name: nightly\ntargets:\n"
        f"  - name: {json.dumps(HOSTILE_TARGET)}\n    datasets: ['{exports}/*.csv']\n"
        f"  - name: {SECOND_TARGET}\n    datasets: ['{registry}/*.csv']\n",
        encoding="utf-8",
    )
    db = ReportDb(f"sqlite:///{root / 'g.db'}", root, iins, phones)

    db.run("scan", str(config), "--jobs", "1", "--fail-on", "none")
    _, listing = db.run("findings", "list", "--format", "json")
    person = next(f for f in json.loads(listing)["findings"] if f["rule_id"] == "pii.person")  # the JSON envelope
    code, _ = db.run(
        "findings", "triage", str(person["id"]), "--status", "false_positive", "--note", HOSTILE_NOTE, "--by", "auditor"
    )
    assert code == 0
    _write_main(exports, iins[:4], phones, with_iins=False)
    db.run("scan", str(config), "--jobs", "1", "--fail-on", "none")
    _write_main(exports, iins[:4], phones, with_iins=True)
    db.run("scan", str(config), "--jobs", "1", "--fail-on", "none")

    with Session(open_engine(db.url)) as session:
        scan = session.get(Scan, 3)
        assert scan is not None and scan.status == "completed"
        summary = {"host": "portal.example.kz", "port": 443, "ip": "127.0.0.1", "grade": "B", "error": None}
        record(session, scan, TLS_TARGET, "tls", [AssetOutcome("tls://portal.example.kz:443", True, None, summary)], [])
        record_rules_run(session, scan, load_rules(plugins=False))  # as a scan with this TLS target records
        session.commit()
    return db


@contextmanager
def isolated_govscan(root: Path) -> Iterator[None]:
    """A module fixture's govscan: its own home under ``root``, a test secret, no plugins."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVSCAN_HOME", str(root / "home"))
        mp.setenv("GOVSCAN_SECRET", "test-secret-0f3a9c2e7b5d4816-not-for-production")
        mp.setenv("GOVSCAN_LOAD_PLUGINS", "")
        yield


@pytest.fixture(scope="module")
def report_db(tmp_path_factory: pytest.TempPathFactory) -> ReportDb:
    """One database per test module (three scans take a few seconds)."""
    root = tmp_path_factory.mktemp("report-db")
    with isolated_govscan(root):
        return build(root)
