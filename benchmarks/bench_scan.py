"""Scheduled scan of 1,000 small dataset files into SQLite: files per second, share of time in the database.

    python benchmarks/bench_scan.py [--files 1000]

Prints figures; asserts nothing. The database share is the time the coordinator spends in
``FindingsWriter.flush`` (asset reads, finding upserts, events, fixed detection, commits) over
the scan's wall time, for the default executor (processes parse while the coordinator writes)
and for ``--jobs 1`` (everything in one process: the share of the work itself).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from govscan.config import ScanConfig, TargetConfig
from govscan.engine.scan import run_scan
from govscan.engine.steps import install
from govscan.engine.units import WorkContext
from govscan.executors import LocalExecutor, SerialExecutor
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.store.writer import FindingsWriter, Recorded
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
        real_flush = FindingsWriter.flush

        def timed_flush(self):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return real_flush(self)
            finally:
                in_db[0] += time.perf_counter() - t

        def skipped_flush(self):  # type: ignore[no-untyped-def]
            self._pending.clear()
            return Recorded()

        rules, key = load_rules(), load_secret()
        context = WorkContext(rules, key)
        runs = [
            ("first scan (all new), process pool", LocalExecutor, timed_flush),
            ("second scan (all seen), process pool", LocalExecutor, timed_flush),
            ("same scan, writes skipped, process pool", LocalExecutor, skipped_flush),
            ("third scan (all seen), --jobs 1", SerialExecutor, timed_flush),
            ("same scan, writes skipped, --jobs 1", SerialExecutor, skipped_flush),
        ]
        walls: dict[str, float] = {}
        for label, make, flush in runs:
            FindingsWriter.flush = flush  # type: ignore[method-assign]
            executor = make(initializer=install, initargs=(context,))
            in_db[0] = 0.0
            t = time.perf_counter()
            with Session(engine) as session:
                outcome = run_scan(session, config, rules, key, executor=executor)
            total = time.perf_counter() - t
            walls[label] = total
            line = f"{label}: {args.files} files in {total:.2f} s = {args.files / total:.0f} files/s"
            if flush is timed_flush:
                line += (
                    f"; database {in_db[0]:.2f} s = {in_db[0] / total:.1%} of the scan"
                    f" ({len(outcome.new)} new, {len(outcome.fixed)} fixed)"
                )
            else:
                mode = label.rsplit(", ", 1)[1]
                with_writes = [v for k, v in walls.items() if k.endswith(mode) and "skipped" not in k][-1]
                line += f"; the database adds {(with_writes - total) / with_writes:.1%} to the wall time"
            print(line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
