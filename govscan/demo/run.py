"""``govscan demo``: the whole product on a local portal — scan into a database, then the report.

Nothing leaves 127.0.0.1: the demo portal (HTTP, and HTTPS with a deliberately weak TLS setup)
runs in this process, the exports are written next to the database, and the report is one
self-contained HTML file.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from govscan.config import CrawlConfig, ScanConfig, TargetConfig
from govscan.demo.portal import DemoPortal
from govscan.engine.scan import ScanOutcome, run_scan
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.testing import synth

CONTACT = "demo@govscan.invalid"


@dataclass(frozen=True)
class DemoRun:
    outcome: ScanOutcome
    database: Path
    report: Path
    counts: dict[str, int]


def run_demo(directory: Path, lang: str = "ru", say: Callable[[str], None] = print) -> DemoRun:
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "govscan.db"
    for stale in (database, directory / "govscan.db-wal", directory / "govscan.db-shm"):
        stale.unlink(missing_ok=True)  # the demo's ports change every run: start a fresh story
    exports = write_exports(directory / "exports")
    rules, key = load_rules(), load_secret()
    with DemoPortal(https=True, workdir=directory) as portal:
        say(f"govscan demo: portal at {portal.http_url} and {portal.https_url} (127.0.0.1 only)")
        config = ScanConfig(
            name="govscan demo",
            targets=[
                TargetConfig(name="Open data exports", datasets=[str(exports / "*.csv")]),
                TargetConfig(name="Akimat portal (HTTP)", url=portal.http_url, crawl=_crawl()),
                TargetConfig(
                    name="Akimat portal (HTTPS)", url=portal.https_url, crawl=_crawl(ca_file=str(portal.ca_file))
                ),
            ],
        )
        engine = open_engine(f"sqlite:///{database}")
        say("govscan demo: scanning exports, crawling both portals, probing, auditing TLS…")
        with Session(engine) as session:
            outcome = run_scan(session, config, rules, key)
    report = directory / f"report.{lang}.html"
    counts = write_report(engine, rules, report, lang)
    engine.dispose()
    return DemoRun(outcome, database, report, counts)


def write_report(engine: object, rules: object, path: Path, lang: str) -> dict[str, int]:
    from govscan.report.data import build_report_data
    from govscan.report.html import render_html

    with Session(engine) as session:  # type: ignore[arg-type]
        data = build_report_data(session, rules)  # type: ignore[arg-type]
    path.write_text(render_html(data, lang), encoding="utf-8")
    return dict(data.counts_by_severity)


def write_exports(directory: Path, seed: int = 94) -> Path:
    """Two exports an agency might publish: one leaking IINs and phones, one clean."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rows = ["№,ФИО,ИИН,Телефон,Район"] + [
        f"{n},{synth.full_name(rng)},{synth.iin(rng)},{synth.mobile(rng)},Алмалинский" for n in range(1, 31)
    ]
    (directory / "kindergarten-queue.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    clean = ["Район,Детских садов,Мест"] + [
        f"Район {n},{rng.randrange(5, 40)},{rng.randrange(300, 4000)}" for n in range(1, 9)
    ]
    (directory / "kindergartens-by-district.csv").write_text("\n".join(clean) + "\n", encoding="utf-8")
    return directory


def _crawl(ca_file: str | None = None) -> CrawlConfig:
    return CrawlConfig(rate=0, max_pages=60, contact=CONTACT, ca_file=ca_file)
