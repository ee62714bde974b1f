"""Distributed scans: local pools vs one and two ``govscan worker`` processes, broker overhead, politeness.

    python benchmarks/bench_distributed.py [--files 1000] [--endpoints 100] [--io-concurrency 8]
                                           [--portal-workers 4] [--rate 2] [--skip cpu,io,polite]

Starts a throwaway redis-server on 127.0.0.1 and worker subprocesses; prints figures, asserts nothing.

* cpu: a scan of ``--files`` small CSV files (20 rows with IINs each) into SQLite — the local pools
  (one parsing process per core), then 1 and 2 worker processes (``--concurrency 1`` each: one per
  core of a 2-core box, as two small machines would be);
* io: ``--endpoints`` TLS lab endpoints, one target each — the local pools (8 threads), then 1 and 2
  worker processes of ``--io-concurrency`` pool processes;
* overhead: the 1-worker cpu scan's seconds per unit minus the same scan's in one process
  (``--jobs 1``): what the coordinator, the broker and the result round trip add to one unit;
* politeness: ``--portal-workers`` workers audit one loopback portal at ``rate`` (four targets on
  the same host, one per worker); requests/s as the portal saw them, overall and the busiest 5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from govscan.config import CrawlConfig, ScanConfig, TargetConfig
from govscan.distributed.choose import executor_for
from govscan.engine.scan import run_scan
from govscan.engine.units import WorkContext
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.testing import synth

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", ""]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


@contextlib.contextmanager
def workers(broker: str, count: int, concurrency: int, queues: str, work: Path) -> Iterator[None]:
    """``count`` worker processes, ready (heartbeat seen) before the block runs; killed after it."""
    import redis

    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    started = []
    for n in range(count):
        log = (work / f"worker-{time.monotonic_ns()}-{n}.log").open("wb")
        command = [sys.executable, "-m", "govscan", "worker", "--broker", broker, "--queues", queues,
                   "--concurrency", str(concurrency), "--loglevel", "warning"]  # fmt: skip
        started.append(subprocess.Popen(command, stdout=log, stderr=log, env=env, start_new_session=True))
    client = redis.Redis.from_url(broker)
    try:
        deadline = time.monotonic() + 120
        while len(list(client.scan_iter(match="govscan:worker:*"))) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers did not start; see {work}")
            time.sleep(0.2)
        yield
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for key in client.scan_iter(match="govscan:worker:*"):
            client.delete(key)


def timed_scan(
    config: ScanConfig, work: Path, executor: str, broker: str | None = None, jobs: int | None = None
) -> float:
    rules, key = load_rules(), load_secret()
    context = WorkContext(rules, key, limits=config.read_limits())
    db = work / f"bench-{time.monotonic_ns()}.db"
    engine = open_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    with Session(engine) as session:
        run_scan(session, config, rules, key, executor=executor_for(executor, context, jobs=jobs, broker=broker))
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def files_config(work: Path, count: int) -> ScanConfig:
    rng = random.Random(3)
    exports = work / "exports"
    exports.mkdir(exist_ok=True)
    for n in range(count):
        rows = ["ФИО,ИИН,Телефон,Сумма"] + [
            f"{synth.full_name(rng)},{synth.iin(rng)},{synth.mobile(rng)},{rng.randrange(1000, 90000)}"
            for _ in range(20)
        ]
        (exports / f"export_{n:04d}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return ScanConfig(name="cpu", ocr="off", targets=[TargetConfig(name="exports", datasets=[str(exports / "*.csv")])])


def bench_cpu(args: argparse.Namespace, broker: str, work: Path) -> None:
    config = files_config(work, args.files)
    n = args.files
    serial = timed_scan(config, work, "local", jobs=1)
    local = timed_scan(config, work, "local")
    print(f"cpu: {n} files: one process {n / serial:6.1f} files/s; local pools {n / local:6.1f} files/s", flush=True)
    rates = {}
    for count in (1, 2):
        with workers(broker, count, 1, "cpu", work):
            seconds = timed_scan(config, work, "celery", broker)
        rates[count] = n / seconds
        print(f"cpu: {count} worker process(es): {rates[count]:6.1f} files/s", flush=True)
        if count == 1:
            overhead = (seconds - serial) / n * 1000
            print(f"overhead: coordinator + broker + result round trip {overhead:.1f} ms per unit", flush=True)
    print(f"cpu: 2 workers / 1 worker = {rates[2] / rates[1]:.2f}x", flush=True)


def bench_io(args: argparse.Namespace, broker: str, work: Path) -> None:
    from govscan.testing.tls_lab import scenario

    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(scenario("good", work / "tls")) for _ in range(args.endpoints)]
        targets = [TargetConfig(name=f"host {i}", tls=[s.address]) for i, s in enumerate(servers)]
        config = ScanConfig(name="io", targets=targets)
        n = len(servers)
        local = timed_scan(config, work, "local")
        print(f"io: {n} TLS endpoints: local pools (8 threads) {n / local * 60:6.0f} endpoints/min", flush=True)
        for count in (1, 2):
            with workers(broker, count, args.io_concurrency, "io", work):
                seconds = timed_scan(config, work, "celery", broker)
            print(f"io: {count} worker process(es) x {args.io_concurrency}: {n / seconds * 60:6.0f} endpoints/min",
                  flush=True)  # fmt: skip


class Stamped(list):  # type: ignore[type-arg]
    """The demo portal's request log, with the moment of each request."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item: object) -> None:
        self.times.append(time.monotonic())
        super().append(item)


def bench_polite(args: argparse.Namespace, broker: str, work: Path) -> None:
    from govscan.demo.portal import DemoPortal

    with DemoPortal() as portal:
        log = Stamped()
        portal.requests = log
        crawl = CrawlConfig(rate=args.rate, max_pages=12, contact="bench@example.kz", probes=False, api_sources=[],
                            ner=False, tls=False)  # fmt: skip
        starts = ["/", "/about", "/contacts", "/open-data", "/social/recipients", "/apply", "/archive/2019", "/news/1"]
        targets = [
            TargetConfig(name=f"portal {i}", url=f"{portal.http_url}{starts[i % len(starts)]}", crawl=crawl)
            for i in range(args.portal_workers)
        ]
        config = ScanConfig(name="polite", ocr="off", targets=targets)
        with workers(broker, args.portal_workers, 1, "io", work):
            seconds = timed_scan(config, work, "celery", broker)
        times = sorted(log.times)
        overall = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        busiest = max(sum(1 for t in times if start <= t < start + 5) for start in times) / 5
        print(f"politeness: {args.portal_workers} workers, rate {args.rate:g}: {len(times)} requests in {seconds:.1f} s;"
              f" {overall:.2f} requests/s overall, {busiest:.2f}/s in the busiest 5 s", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--endpoints", type=int, default=100)
    parser.add_argument("--io-concurrency", type=int, default=8)
    parser.add_argument("--portal-workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: cpu, io, polite")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("bench_distributed: redis-server is not installed (Debian package redis-server)")
    os.environ.setdefault("GOVSCAN_SECRET", "bench-secret-0f3a9c2e7b5d4816-not-for-production")
    work = Path(tempfile.mkdtemp(prefix="govscan-distributed-bench-"))
    skip = set(args.skip.split(","))
    try:
        with redis_server(work) as broker:
            for name, part in (("cpu", bench_cpu), ("io", bench_io), ("polite", bench_polite)):
                if name not in skip:
                    part(args, broker, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
