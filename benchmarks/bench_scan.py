"""Scheduled scan of 1,000 small dataset files into SQLite: files per second, share of time in the database.

    python benchmarks/bench_scan.py [--files 1000]

Prints figures; asserts nothing. The database share is the time spent in ``lifecycle.record``
(upserts, events, fixed detection, commits) over the whole scan.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

import govscan.scanrun as scanrun
from govscan.config import ScanConfig, TargetConfig
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.testing import synth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govscan-scan-bench-"))
    try:
        rng = random.Random(3)
        exports = work / "exports"
        exports.mkdir()
        for n in range(args.files):
            rows = ["ФИО,ИИН,Телефон,Сумма"] + [
                f"{synth.full_name(rng)},{synth.iin(rng)},{synth.mobile(rng)},{rng.randrange(1000, 90000)}"
                for _ in range(20)
            ]
            (exports / f"export_{n:04d}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        config = ScanConfig(name="bench", targets=[TargetConfig(name="exports", datasets=[str(exports / "*.csv")])])
        engine = open_engine(f"sqlite:///{work / 'bench.db'}")
        in_db = [0.0]
        real_record = scanrun.record

        def timed_record(*a, **k):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return real_record(*a, **k)
            finally:
                in_db[0] += time.perf_counter() - t

        scanrun.record = timed_record  # type: ignore[assignment]
        rules, key = load_rules(), load_secret()
        for label in ("first scan (all new)", "second scan (all seen)"):
            in_db[0] = 0.0
            t = time.perf_counter()
            with Session(engine) as session:
                outcome = scanrun.run_scan(session, config, rules, key)
            total = time.perf_counter() - t
            print(
                f"{label}: {args.files} files in {total:.1f} s = {args.files / total:.0f} files/s; "
                f"database {in_db[0]:.2f} s = {in_db[0] / total:.1%} of the scan "
                f"({len(outcome.new)} new, {len(outcome.fixed)} fixed)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
