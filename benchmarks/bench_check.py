"""Speed and memory of ``govscan check`` on a large CSV, against Python's csv module and naive presidio.

Prints figures; asserts nothing (speed is measured here, never in unit tests).

    python benchmarks/bench_check.py                 # 300,000 rows (~58 MB)
    python benchmarks/bench_check.py --rows 5400000  # ~1 GB: memory must stay flat

Both sides are timed as whole processes (interpreter start-up and imports included), best of
``--repeat`` runs; peak memory is the child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govscan.testing import synth

HEADER = ["№", "ФИО", "ИИН", "Телефон", "БИН организации", "Сумма, тенге", "Дата выплаты", "Комментарий"]
COMMENTS = [
    "Выплата произведена",
    "Повторное обращение",
    "Документы предоставлены в полном объёме",
    "Требуется проверка сведений о доходах",
]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """A CSV like an akimat's benefit export: every row has a name, an IIN, a phone and a BIN."""
    rng = random.Random(seed)
    iins = [synth.iin(rng) for _ in range(5000)]
    bins = [synth.bin_(rng) for _ in range(500)]
    names = [synth.full_name(rng) for _ in range(2000)]
    phones = [synth.mobile(rng) for _ in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(1, rows + 1):
            comment = COMMENTS[i % len(COMMENTS)]
            if i % 50 == 0:
                comment += f", ИИН супруга {iins[(i * 7) % len(iins)]}"
            writer.writerow(
                [
                    i,
                    names[i % len(names)],
                    iins[i % len(iins)],
                    phones[i % len(phones)],
                    bins[i % len(bins)],
                    f"{rng.randrange(1000, 900000)}.{rng.randrange(100):02d}",
                    f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.2024",
                    comment,
                ]
            )


def timed(cmd: list[str], repeat: int) -> tuple[float, int]:
    """Best wall time of ``repeat`` runs and the peak RSS (KiB) of the last one, each in a fresh process."""

    best = float("inf")
    peak = 0
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.perf_counter(); rc = subprocess.run(sys.argv[1:]).returncode;"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)"
    )
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, check=True)
        seconds, rss, rc = out.stdout.split()
        if rc not in ("0", "1"):
            raise SystemExit(f"command failed ({rc}): {' '.join(cmd)}")
        best = min(best, float(seconds))
        peak = int(rss)
    return best, peak


def naive_presidio_seconds(path: Path, sample_rows: int) -> tuple[float, int]:
    """Seconds per cell when every cell goes through presidio ``analyze`` (the approach avoided)."""
    from govscan.pii.detector import build_plans
    from govscan.pii.engine import build_analyzer
    from govscan.rules import load_rules

    plans = build_plans(load_rules(plugins=False))
    analyzer = build_analyzer([p.recognizer for p in plans])
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        cells = [(h, c) for _, row in zip(range(sample_rows), reader) for h, c in zip(header, row)]
    analyzer.analyze(text="прогрев 900101300017", language="ru")
    start = time.perf_counter()
    for column, cell in cells:
        analyzer.analyze(text=cell, language="ru", context=[column])
    return (time.perf_counter() - start) / len(cells), len(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-rows", type=int, default=2000, help="rows sent through per-cell presidio")
    parser.add_argument("--keep", type=Path, help="reuse/keep the generated file at this path")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="govscan-bench-"))
    path = args.keep or workdir / "export.csv"
    try:
        if not path.exists():
            t = time.perf_counter()
            generate(path, args.rows)
            print(
                f"generated {path} ({path.stat().st_size / 1e6:.1f} MB, {args.rows:,} rows) in {time.perf_counter() - t:.1f} s"
            )
        size_mb = path.stat().st_size / 1e6
        python = sys.executable
        csv_cmd = [
            python,
            "-c",
            "import csv,sys\nfor _ in csv.reader(open(sys.argv[1], encoding='utf-8', newline='')): pass",
            str(path),
        ]
        govscan = shutil.which("govscan") or "govscan"
        out = workdir / "report.json"
        gov_cmd = [
            govscan,
            "check",
            str(path),
            "--format",
            "json",
            "-o",
            str(out),
            "--fail-on",
            "none",
            "--no-progress",
        ]
        env_note = f"cores={os.cpu_count()}, python={sys.version.split()[0]}"

        # Interleaved, so that a noisy neighbour slows both sides alike; best run of each.
        runs = [(timed(csv_cmd, 1), timed(gov_cmd, 1)) for _ in range(args.repeat)]
        csv_s, csv_rss = min(r[0] for r in runs)
        gov_s, gov_rss = min(r[1] for r in runs)
        ratios = sorted(g[0] / c[0] for c, g in runs)
        print(f"machine: {env_note}")
        print(
            f"csv.reader (whole process):     {csv_s:6.2f} s  {size_mb / csv_s:6.1f} MB/s  peak {csv_rss / 1024:6.1f} MiB"
        )
        print(
            f"govscan check (whole process):  {gov_s:6.2f} s  {size_mb / gov_s:6.1f} MB/s  peak {gov_rss / 1024:6.1f} MiB"
        )
        median = ratios[len(ratios) // 2]
        print(f"ratio govscan / csv.reader:     {median:6.2f}x median of interleaved pairs (target <= 4x)")
        print(f"  pairs: {', '.join(f'{r:.2f}' for r in ratios)}; best of each side: {gov_s / csv_s:.2f}x")
        print(f"peak memory target <= 400 MiB: {'met' if gov_rss / 1024 <= 400 else 'MISSED'}")
        import json

        report = json.loads(out.read_text(encoding="utf-8"))
        for f in report["findings"]:
            loc = f["location"]
            print(f"  {f['rule_id']:<20} {loc.get('column')!s:<18} count={f['count']:,}")

        if args.naive_rows:
            per_cell, n = naive_presidio_seconds(path, args.naive_rows)
            cells = args.rows * len(HEADER)
            naive_total = per_cell * cells
            print(
                f"naive presidio analyze per cell: {per_cell * 1e6:.0f} us/cell over {n:,} cells "
                f"-> ~{naive_total:.0f} s for {cells:,} cells; govscan is {naive_total / gov_s:.0f}x faster"
            )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
