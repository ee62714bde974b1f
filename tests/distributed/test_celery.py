"""Distributed scans on Celery, with real processes: redis-server, two ``govscan worker`` processes,
the demo portal, a TLS lab server and files on disk.

Specification: a scan through Celery records exactly the findings (fingerprints) and assets of the
same scan on the local pools, whatever happens to the workers on the way — a pool process killed
mid-unit, a whole worker killed, a unit that kills every worker taking it, a broker restart — and
it says so in one line, in bounded time, when no worker is there at all. Nothing raw crosses the
broker: after a scan of planted IINs neither Redis's keys nor its dump file hold one.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from govscan.config import CrawlConfig, ScanConfig, TargetConfig
from govscan.demo.portal import DemoData, DemoPortal
from govscan.demo.run import write_exports
from govscan.distributed.choose import executor_for
from govscan.engine.scan import run_scan
from govscan.engine.units import WorkContext
from govscan.identity import load_secret
from govscan.rules import load_rules
from govscan.store.engine import open_engine
from govscan.store.tables import AssetRead, FindingRow, Scan
from govscan.testing.tls_lab import scenario

from .conftest import LOST_AFTER, REPO, SECRET, RedisServer, Worker, start_worker, wait_ready, worker_env

PLANTED_IIN = "870412300738"  # also the name of one file: names cross the broker too
# The first test to ask for the mixed scan starts PostgreSQL and runs the scan twice (35 s here, 50 s
# on this machine loaded): its setup gets more than the suite's 120 s on a slow, busy CI machine.
pytestmark = pytest.mark.timeout(300)


# --------------------------------------------------------------------------------------------
# The mixed scan: files, URL datasets, a portal, a TLS endpoint
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal() -> Iterator[DemoPortal]:
    with DemoPortal(DemoData.generate(people=12)) as running:
        yield running


@pytest.fixture(scope="module")
def tls_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scenario("good", tmp_path_factory.mktemp("tls")) as server:
        yield server.address


@pytest.fixture(scope="module")
def mixed(portal: DemoPortal, tls_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> ScanConfig:
    files = write_exports(tmp_path_factory.mktemp("exports"))
    (files / f"{PLANTED_IIN}.csv").write_text(f"ФИО;ИИН\nАхметов Ерлан Серикович;{PLANTED_IIN}\n", encoding="utf-8")
    crawl = CrawlConfig(rate=0, max_pages=15, contact="ci@example.kz", ner=False)
    return ScanConfig(
        name="mixed",
        ocr="off",
        targets=[
            TargetConfig(name="exports", datasets=[str(files / "*.csv")]),
            TargetConfig(
                name="dataset urls",
                datasets=[
                    f"{portal.http_url}/files/recipients.csv",
                    f"{portal.http_url}/files/budget.csv",
                    f"{portal.http_url}/files/budget.csv?iin={PLANTED_IIN}",
                ],  # an IIN in a URL a worker fetches
            ),  # fmt: skip
            TargetConfig(name="portal", url=portal.http_url, crawl=crawl),
            TargetConfig(name="tls", tls=[tls_endpoint]),
        ],
    )


def database(db: Path | str) -> str:
    return db if isinstance(db, str) else f"sqlite:///{db}"


def scan(config: ScanConfig, db: Path | str, executor: str, broker: str | None = None, resume: bool = False) -> int:
    rules, key = load_rules(), load_secret()
    context = WorkContext(rules, key, limits=config.read_limits())
    engine = open_engine(database(db), create=True)
    try:
        with Session(engine) as session:
            outcome = run_scan(
                session, config, rules, key, resume=resume, executor=executor_for(executor, context, broker=broker)
            )
        return outcome.scan_id
    finally:
        engine.dispose()


def recorded(db: Path | str) -> dict[str, Any]:
    """What the last scan of ``db`` recorded: finding fingerprints, and assets read ok and not."""
    engine = open_engine(database(db))
    try:
        with Session(engine) as session:
            scan_id = session.exec(select(Scan.id).order_by(Scan.id.desc())).first()  # type: ignore[union-attr]
            reads = session.exec(select(AssetRead).where(AssetRead.scan_id == scan_id)).all()
            findings = session.exec(select(FindingRow.fingerprint).where(FindingRow.status == "open")).all()
            status = session.get(Scan, scan_id).status  # type: ignore[union-attr]
        return {
            "status": status,
            "fingerprints": sorted(findings),
            "read": sum(r.status == "ok" for r in reads),
            "unreadable": sum(r.status != "ok" for r in reads),
        }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def local_run(mixed: ScanConfig, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("local") / "local.db"
    os.environ["GOVSCAN_SECRET"] = SECRET
    scan(mixed, db, "local")
    return recorded(db)


@pytest.fixture(scope="module")
def celery_run(
    mixed: ScanConfig, workers: list[Worker], redis_server: RedisServer, postgres_url: str
) -> dict[str, Any]:
    """The mixed scan through the workers, recorded in PostgreSQL (the coordinator's database)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "govscan_celery_{os.getpid()}"'))
    admin.dispose()
    db = postgres_url.rsplit("/", 1)[0] + f"/govscan_celery_{os.getpid()}"
    os.environ["GOVSCAN_SECRET"] = SECRET
    scan(mixed, db, "celery", redis_server.url)
    return recorded(db)


def test_a_mixed_scan_through_celery_records_what_the_local_pools_record(
    local_run: dict[str, Any], celery_run: dict[str, Any], workers: list[Worker]
) -> None:
    assert local_run["fingerprints"] and local_run["read"] >= 10  # the scan is worth comparing
    assert celery_run == local_run
    logs = "".join(w.log.read_text(errors="replace") for w in workers)
    assert "govscan.read_dataset" in logs and "govscan.audit_site" in logs and "govscan.audit_tls" in logs
    assert all(w.process.poll() is None for w in workers)


def test_nothing_raw_is_left_in_redis_or_its_dump_after_a_scan_of_planted_iins(
    celery_run: dict[str, Any], portal: DemoPortal, redis_server: RedisServer
) -> None:
    assert celery_run["fingerprints"]  # the scan found the planted IINs: they went through the workers
    raw = [PLANTED_IIN, *portal.data.iins]
    client = redis_server.client()
    held = b""
    for key in client.scan_iter(count=1000):
        held += key + b"\n" + client.dump(key) + b"\n"
    assert held  # the broker's bindings, results, heartbeats: something to search
    client.save()
    dump = (redis_server.directory / "dump.rdb").read_bytes()
    assert dump
    for iin in raw:
        assert iin.encode() not in held and iin.encode() not in dump


def test_the_workers_logs_at_debug_hold_no_raw_iin_after_the_mixed_scan(
    celery_run: dict[str, Any], portal: DemoPortal, workers: list[Worker]
) -> None:
    assert celery_run["fingerprints"]
    logs = "".join(w.log.read_text(errors="replace") for w in workers)
    assert "DEBUG" in logs and "govscan.read_dataset" in logs  # the chattiest level, with the units in it
    assert "/files/budget.csv?iin=8704******38" in logs  # urllib3's request line, masked
    for iin in [PLANTED_IIN, *portal.data.iins]:
        assert iin not in logs


# --------------------------------------------------------------------------------------------
# Refusals: pickle or YAML on the broker, another key, no worker at all
# --------------------------------------------------------------------------------------------


def wait_for_log(workers: list[Worker], text: str, count: int, seconds: float = 60) -> str:
    """The workers' logs once ``text`` is in them ``count`` times (or the deadline passed)."""
    deadline = time.monotonic() + seconds
    while True:
        logs = "".join(w.log.read_text(errors="replace") for w in workers)
        if logs.count(text) >= count or time.monotonic() > deadline:
            return logs
        time.sleep(0.1)


def test_a_pickle_or_yaml_message_on_the_broker_is_never_deserialised_and_logged_in_one_line(
    workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    import pickle
    import uuid

    from kombu import Connection, Exchange

    marker = tmp_path / "ran"

    class Payload:  # what a pickle loader would run: os.system("touch …")
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (f"touch {marker}",))

    bodies = {
        "application/x-python-serialize": pickle.dumps(((Payload(),), {}, {})),
        "application/x-yaml": f"!!python/object/apply:os.system ['touch {marker}']".encode(),
    }
    with Connection(redis_server.url) as connection:
        producer = connection.Producer()
        for content_type, body in bodies.items():
            headers = {"task": "govscan.read_dataset", "id": uuid.uuid4().hex, "lang": "py"}
            producer.publish(body, exchange=Exchange("cpu"), routing_key="cpu", content_type=content_type,
                             content_encoding="binary", headers=headers)  # fmt: skip
    logs = wait_for_log(workers, "refused a message", 2)
    refusals = [line for line in logs.splitlines() if "refused a message" in line]
    assert len(refusals) == 2
    for refusal, kind in zip(sorted(refusals), ("pickle", "yaml"), strict=True):
        assert re.fullmatch(
            rf"\S+ \S+ govscan worker: ERROR refused a message for task govscan\.read_dataset \[\w+\]: "
            rf"Refusing to deserialize untrusted content of type {kind} \(application/x-[\w-]+\); "
            r"only JSON is accepted; discarded",
            refusal,
        ), refusal
    assert "Traceback" not in logs and "touch" not in logs  # one line each: no body, no traceback
    assert not marker.exists()
    assert all(w.process.poll() is None for w in workers)


# --------------------------------------------------------------------------------------------


def test_a_forged_unit_sent_straight_to_the_broker_is_refused_and_logged(
    workers: list[Worker], redis_server: RedisServer
) -> None:
    from govscan.distributed.app import make_app
    from govscan.distributed.wire import Identity, encode_unit, task_for
    from govscan.engine.steps import read_dataset
    from govscan.engine.units import DatasetUnit

    ours = Identity(SECRET.encode(), load_rules().digest)
    forger = Identity(b"a-key-the-forger-chose-0123456789abcdef", ours.rules_digest)
    forged = encode_unit(forger, task_for(read_dataset), DatasetUnit("t", f"/srv/{PLANTED_IIN}.csv"), "u1", "s", None)
    forged["key_id"] = ours.key_id  # the header travels in clear: a forger copies it
    app = make_app(redis_server.url)
    try:
        sent = [app.send_task("govscan.read_dataset", args=[body], queue="cpu") for body in (forged, ["a", "list"])]
        answers = [result.get(timeout=60) for result in sent]
    finally:
        app.close()
    assert re.fullmatch(
        r"worker govscan-\d+@\S+: a unit that was not sealed with this key \(altered or forged\); refused",
        answers[0]["refused"],
    )
    assert re.fullmatch(r"worker govscan-\d+@\S+: not a govscan unit message; refused", answers[1]["refused"])
    assert set(answers[0]) == {"v", "key_id", "rules", "refused"}  # no result, nothing read
    logs = wait_for_log(workers, "; refused", 2)
    for result in sent:
        (line,) = [line for line in logs.splitlines() if result.id in line and "WARNING" in line]
        assert line.endswith("; refused") and f"govscan.read_dataset[{result.id}]" in line


def test_a_unit_for_another_key_is_refused_with_both_key_ids_before_anything_is_read(
    mixed: ScanConfig, workers: list[Worker], redis_server: RedisServer, tmp_path: Path, monkeypatch, capsys
) -> None:
    from govscan.identity import key_id

    other = "another-secret-9d8c7b6a5f4e3d2c1b0a-elsewhere"
    monkeypatch.setenv("GOVSCAN_SECRET", other)
    files = ScanConfig(name="other key", targets=[mixed.targets[0]])
    with pytest.raises(KeyboardInterrupt):  # the scan stops, recorded interrupted, for --resume
        scan(files, tmp_path / "other.db", "celery", redis_server.url)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("govscan: error: worker govscan-")
    assert f"fingerprint key id {key_id(other.encode())} on the sender but {key_id(SECRET.encode())} here" in line
    assert recorded(tmp_path / "other.db") == {"status": "interrupted", "fingerprints": [], "read": 0, "unreadable": 0}


def test_with_no_worker_listening_the_scan_says_so_in_bounded_time(
    mixed: ScanConfig, redis_server: RedisServer, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("GOVSCAN_NO_WORKER_AFTER", "3")
    files = ScanConfig(name="nobody", targets=[mixed.targets[0]])
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        # a queue no test worker listens on: the cpu queue of another database number
        scan(files, tmp_path / "nobody.db", "celery", redis_server.url.replace("/0", "/5"))
    assert time.monotonic() - started < 30  # 3 s configured; the default (60 s) would fail this
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(
        r"govscan: error: no govscan worker listens on queue 'cpu' of broker redis://127\.0\.0\.1:\d+/5 "
        r"\(waited \d+ s\); start one with 'govscan worker --queues cpu --broker URL'",
        line,
    )


# --------------------------------------------------------------------------------------------
# Faults: a unit held open on a dataset URL until the test has done its damage
# --------------------------------------------------------------------------------------------


class HeldDataset:
    """A dataset URL server that holds every request until ``release`` is set, noting each arrival."""

    def __init__(self, body: bytes) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.arrivals: queue.Queue[float] = queue.Queue()
        self.release = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                held.arrivals.put(time.monotonic())
                held.release.wait(60)
                self.send_response(200)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def held() -> Iterator[HeldDataset]:
    body = f"ФИО;ИИН;Телефон\nАхметов Ерлан;{PLANTED_IIN};+7 701 234 56 78\n".encode()
    server = HeldDataset(body)
    try:
        yield server
    finally:
        server.close()


class Background:
    """A scan running in a thread of this process (the coordinator), and what it ended with."""

    def __init__(self, config: ScanConfig, db: Path, broker: str) -> None:
        self.error: BaseException | None = None

        def run() -> None:
            try:
                scan(config, db, "celery", broker)
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self, seconds: float = 60) -> None:
        self.thread.join(seconds)
        assert not self.thread.is_alive(), "the scan did not finish"
        if self.error is not None:
            raise self.error


def holder(redis: RedisServer, workers: list[Worker]) -> Worker:
    """The worker whose process holds the unit just received, by the newest claim (the longest time to
    live left: claims of late duplicates of earlier tests may still name live workers)."""
    client = redis.client()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        claims = []
        for key in client.scan_iter(match="govscan:claim:*"):
            node, ttl = client.get(key), client.pttl(key)
            if node is not None and ttl > 0:
                claims.append((ttl, node.decode()))
        for _, node in sorted(claims, reverse=True):
            found = [w for w in workers if w.node == node]
            if found:
                return found[0]
        time.sleep(0.1)
    raise AssertionError("no worker claimed the unit")


def held_config(name: str, held: HeldDataset) -> ScanConfig:
    return ScanConfig(name=name, targets=[TargetConfig(name="held", datasets=[held.url(f"{name}.csv")])])


@pytest.fixture
def expected(held: HeldDataset, tmp_path: Path) -> dict[str, Any]:
    """The held dataset scanned on the local pools, uninterrupted."""
    held.release.set()
    scan(held_config("held", held), tmp_path / "expected.db", "local")
    held.release.clear()
    while not held.arrivals.empty():
        held.arrivals.get()
    return recorded(tmp_path / "expected.db")


def test_a_pool_process_killed_mid_unit_is_requeued_at_once(
    held: HeldDataset, expected: dict[str, Any], workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    running = Background(held_config("held", held), tmp_path / "celery.db", redis_server.url)
    held.arrivals.get(timeout=30)
    worker = holder(redis_server, workers)
    os.kill(worker.children()[0], signal.SIGKILL)
    killed = time.monotonic()
    again = held.arrivals.get(timeout=60)
    # reject_on_worker_lost: back in the queue at once, not after the broker's 6 h visibility timeout
    # (20 s: a pool process restarting on a loaded 2-core machine; at once is well under a second).
    assert again - killed < 20
    held.release.set()
    running.join()
    assert recorded(tmp_path / "celery.db") == expected and expected["fingerprints"]
    assert all(w.process.poll() is None for w in workers)  # the worker itself lives on


def test_a_poison_unit_is_tried_a_bounded_number_of_times_then_recorded_unreadable(
    held: HeldDataset, workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    running = Background(held_config("poison", held), tmp_path / "celery.db", redis_server.url)
    for _ in range(3):  # GOVSCAN_MAX_TRIES: every process that takes the unit dies
        held.arrivals.get(timeout=30)
        os.kill(holder(redis_server, workers).children()[0], signal.SIGKILL)
    running.join()
    assert held.arrivals.empty()  # not a fourth time
    assert recorded(tmp_path / "celery.db") == {"status": "completed", "fingerprints": [], "read": 0, "unreadable": 1}
    engine = open_engine(f"sqlite:///{tmp_path / 'celery.db'}")
    with Session(engine) as session:
        (reason,) = session.exec(select(AssetRead.reason)).all()
    engine.dispose()
    assert reason == "not read: the worker process reading it died 3 times (a crash or out of memory)"


def test_a_whole_worker_killed_has_its_units_sent_again_within_the_bound(
    held: HeldDataset, expected: dict[str, Any], workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    running = Background(held_config("held", held), tmp_path / "celery.db", redis_server.url)
    held.arrivals.get(timeout=30)
    lost = holder(redis_server, workers)
    lost.kill()  # main process and pool, as when a VM disappears
    killed = time.monotonic()
    again = held.arrivals.get(timeout=60)
    # The heartbeat bound (3 s here, 30 s by default) plus a loaded machine's slack: not the 6 h visibility timeout.
    assert again - killed < float(LOST_AFTER) + 15
    held.release.set()
    running.join()
    assert recorded(tmp_path / "celery.db") == expected
    index = workers.index(lost)  # the module's other tests keep two workers
    workers[index] = start_worker(redis_server, lost.log.parent)
    wait_ready(redis_server, workers)


def test_a_broker_restarted_mid_scan_and_the_scan_goes_on(
    held: HeldDataset, expected: dict[str, Any], workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    running = Background(held_config("held", held), tmp_path / "celery.db", redis_server.url)
    held.arrivals.get(timeout=30)
    redis_server.stop()  # an empty broker comes back: queues, results and claims are gone
    time.sleep(1)
    redis_server.start()
    held.release.set()
    running.join(90)
    assert recorded(tmp_path / "celery.db") == expected
    wait_ready(redis_server, workers)


def test_a_killed_coordinator_is_finished_by_resume_and_scans_list_names_the_executor(
    held: HeldDataset, expected: dict[str, Any], workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    config = tmp_path / "scan.yaml"
    config.write_text(
        f"name: held\nexecutor: celery\ntargets:\n  - name: held\n    datasets: ['{held.url('held.csv')}']\n"
    )
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = worker_env(tmp_path, GOVSCAN_BROKER=redis_server.url)  # the broker from the environment
    command = [sys.executable, "-m", "govscan", "scan", str(config), "--db", db, "--fail-on", "none"]
    coordinator = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True)
    try:
        held.arrivals.get(timeout=90)
    finally:  # killed whatever happened: a test never leaves a coordinator behind
        os.killpg(coordinator.pid, signal.SIGKILL)
        coordinator.wait(10)
    held.release.set()
    resumed = subprocess.run([*command, "--resume", "--executor", "celery"], env=env, cwd=REPO, capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert recorded(tmp_path / "cli.db") == expected
    listing = subprocess.run([sys.executable, "-m", "govscan", "scans", "list", "--db", db], env=env, cwd=REPO,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    (line,) = listing.stdout.splitlines()
    assert re.fullmatch(r"1\s+completed\s+\S+ \S+\s+\S+ \S+\s+celery\s+held", line)


def test_a_unit_past_its_time_limit_is_recorded_unreadable_and_the_scan_ends(
    held: HeldDataset, redis_server: RedisServer, tmp_path: Path
) -> None:
    # A worker of its own (database 3 of the broker), with a 1 s soft and 2 s hard limit for datasets.
    slow = start_worker(redis_server, tmp_path, db=3, GOVSCAN_TIME_LIMITS="govscan.read_dataset=1/2")
    broker = redis_server.url.removesuffix("/0") + "/3"
    try:
        wait_ready(redis_server, [slow], db=3)
        started = time.monotonic()
        scan(held_config("slow", held), tmp_path / "slow.db", "celery", broker)  # the dataset never answers
        assert time.monotonic() - started < 40  # the held dataset would answer only after 60 s
    finally:
        slow.kill()
    engine = open_engine(f"sqlite:///{tmp_path / 'slow.db'}")
    with Session(engine) as session:
        (read,) = session.exec(select(AssetRead)).all()
    engine.dispose()
    assert read.status != "ok"
    assert re.fullmatch(r"took longer than 1 s on worker govscan-\d+@\S+; not read", read.reason or ""), read.reason


def test_progress_counts_units_per_queue(
    mixed: ScanConfig, workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    from govscan.distributed.executor import CeleryExecutor
    from govscan.engine.plan import dataset_assets
    from govscan.engine.steps import crashed, read_dataset
    from govscan.engine.units import DatasetUnit

    seen: list[str] = []
    context = WorkContext(load_rules(), load_secret())
    units = [DatasetUnit("exports", uri) for uri in dataset_assets(mixed.targets[0])]
    with CeleryExecutor(context, redis_server.url, on_progress=lambda counts: seen.append(counts.line())) as executor:
        results = list(executor.run(read_dataset, units, "cpu", on_crash=crashed))
    assert len(results) == len(units) == 3
    assert seen and all(re.fullmatch(r"cpu: \d+ queued, \d+ running, \d+ done", line) for line in seen)
    assert executor.progress.line() == "cpu: 0 queued, 0 running, 3 done"


def test_a_path_a_worker_cannot_see_is_an_error_naming_the_worker_and_host(
    workers: list[Worker], redis_server: RedisServer, tmp_path: Path
) -> None:
    from govscan.distributed.executor import CeleryExecutor
    from govscan.engine.steps import crashed, read_dataset
    from govscan.engine.units import DatasetUnit

    missing = str(tmp_path / "on-the-coordinator-only" / f"{PLANTED_IIN}.csv")
    with CeleryExecutor(WorkContext(load_rules(), load_secret()), redis_server.url) as executor:
        (result,) = executor.run(read_dataset, [DatasetUnit("exports", missing)], "cpu", on_crash=crashed)
    (outcome,) = result.outcomes
    assert not outcome.ok and not result.findings
    assert re.fullmatch(
        rf"no such path on worker govscan-\d+@{re.escape(socket.gethostname())} \(host {re.escape(socket.gethostname())}\):"
        r" dataset files must be readable at the same path on every worker \(shared storage\)",
        outcome.reason or "",
    )
    assert PLANTED_IIN not in outcome.uri and PLANTED_IIN not in result.errors[0]  # the path comes back masked


def test_a_unit_sent_twice_yields_one_result_the_late_duplicate_is_never_read(
    held: HeldDataset, workers: list[Worker], redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govscan.distributed import executor as module
    from govscan.engine.steps import crashed, read_dataset
    from govscan.engine.units import DatasetUnit

    real_look = module._Watch.look
    units = [DatasetUnit("urls", held.url(f"twice-{n}.csv")) for n in range(3)]

    def look_and_resend_everything_once(self, task, pending):  # type: ignore[no-untyped-def]
        if not held.release.is_set():  # every unit is still held: none can have answered yet
            assert len(pending) == len(units)
            self.executor.resend(task, list(pending), pending)  # as if every worker had been lost
            held.release.set()
        real_look(self, task, pending)

    monkeypatch.setattr(module._Watch, "look", look_and_resend_everything_once)
    with module.CeleryExecutor(WorkContext(load_rules(), load_secret()), redis_server.url) as executor:
        results = list(executor.run(read_dataset, units, "io", on_crash=crashed))
    assert sorted(r.outcomes[0].uri for r in results) == sorted(u.uri for u in units)  # one result per unit
    assert executor.progress.resent == len(units)
    deadline = time.monotonic() + 60
    while held.arrivals.qsize() < 2 * len(units) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert held.arrivals.qsize() == 2 * len(units)  # both copies of every unit ran; only one was read


# --------------------------------------------------------------------------------------------
# The coordinator interrupted: portal crawls running on workers wind down
# --------------------------------------------------------------------------------------------


class EndlessSite:
    """A site whose every page links to ten new ones: a crawl of it ends only at its bounds."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.hits: list[float] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.hits.append(time.monotonic())
                if self.path != "/" and not self.path.startswith("/page/"):
                    self.send_error(404)
                    return
                name = self.path.removeprefix("/page/").strip("/")  # letters, not digits: no trap template
                links = "".join(f'<a href="/page/{name}{letter}">{letter}</a>' for letter in "abcdefghij")
                body = f"<html><body><p>Страница {name}</p>{links}</body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_an_interrupted_coordinator_stops_the_portal_crawls_running_on_workers(
    workers: list[Worker], redis_server: RedisServer
) -> None:
    from govscan.distributed.executor import CeleryExecutor
    from govscan.engine.plan import portal_settings
    from govscan.engine.steps import audit_site
    from govscan.engine.units import PortalUnit

    site = EndlessSite()
    crawl = CrawlConfig(rate=5, max_pages=20000, contact="ci@example.kz", ner=False, probes=False, tls=False)
    unit = PortalUnit("endless", site.url, portal_settings(crawl))  # a crawl of 4,000 s: 20,000 pages at 5 a second

    def crawls_ended() -> int:
        logs = "".join(w.log.read_text(errors="replace") for w in workers)
        return len(re.findall(r"govscan\.audit_site\[\w+\] succeeded", logs))

    before = crawls_ended()

    def ctrl_c_once_crawling(counts: object) -> None:
        if len(site.hits) >= 5:
            raise KeyboardInterrupt

    try:
        with CeleryExecutor(WorkContext(load_rules(), load_secret()), redis_server.url,
                            on_progress=ctrl_c_once_crawling) as executor:  # fmt: skip
            with pytest.raises(KeyboardInterrupt):
                list(executor.run(audit_site, [unit], "io"))
        interrupted = time.monotonic()
        # The worker's unit ends (its "succeeded" line) in seconds, not after the crawl's 4,000 s.
        deadline = time.monotonic() + 60
        while crawls_ended() == before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert crawls_ended() == before + 1
        assert site.hits[-1] - interrupted < 15
        quiet = len(site.hits)
        time.sleep(2)
        assert len(site.hits) == quiet  # nothing more is asked of the site
    finally:
        site.close()
