"""Real parts for the distributed tests: a throwaway redis-server and ``govscan worker`` processes.

Redis runs on a free 127.0.0.1 port in a temporary directory, without snapshots and without
compression of its dump (so a search of the dump file for raw identifiers means something).
Workers are ``python -m govscan worker`` subprocesses, each in its own process group so a test can
SIGKILL a whole worker (main process and pool) as when a VM disappears. Bounds are short here by
configuration: a worker is lost after 3 s without a heartbeat, a scan with no worker gives up
after 4 s.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _store_fixtures():  # type: ignore[no-untyped-def]
    """The store tests' throwaway PostgreSQL server (skips where Debian's postgresql is absent)."""
    spec = importlib.util.spec_from_file_location("govscan_store_conftest", REPO / "tests" / "store" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


postgres_url = _store_fixtures().postgres_url  # the coordinator's database when workers are elsewhere
SECRET = "test-secret-0f3a9c2e7b5d4816-not-for-production"  # tests/conftest.py's: coordinator and workers agree
LOST_AFTER = "3"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RedisServer:
    """One redis-server process; ``restart`` brings it back on the same port (empty: no snapshots)."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary is not None
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                   "--save", "", "--appendonly", "no", "--rdbcompression", "no", "--protected-mode", "yes"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def client(self, db: int = 0):  # type: ignore[no-untyped-def]
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5)


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def node(self) -> str:
        return f"govscan-{self.process.pid}@{socket.gethostname()}"

    def kill(self) -> None:
        """SIGKILL the whole worker: its main process and every pool process."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def children(self) -> list[int]:
        text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in text.split()]


def worker_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOVSCAN_HOME=str(home),
        GOVSCAN_SECRET=SECRET,
        GOVSCAN_LOAD_PLUGINS="",
        GOVSCAN_WORKER_LOST_AFTER=LOST_AFTER,
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.update(extra)
    return env


def start_worker(redis: RedisServer, directory: Path, *args: str, db: int = 0, **env: str) -> Worker:
    log = directory / f"worker-{time.monotonic_ns()}.log"
    broker = redis.url.removesuffix("/0") + f"/{db}"
    command = [sys.executable, "-m", "govscan", "worker", "--broker", broker, "--concurrency", "1", *args]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=worker_env(directory, **env), start_new_session=True
        )
    return Worker(process, log)


def wait_ready(redis: RedisServer, workers: list[Worker], seconds: float = 60, db: int = 0) -> None:
    """Until every worker's heartbeat is in Redis (it is ready and listening)."""
    client = redis.client(db)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(client.exists(f"govscan:worker:{w.node}") for w in workers):
            return
        if any(w.process.poll() is not None for w in workers):
            break
        time.sleep(0.1)
    logs = "\n".join(w.log.read_text(errors="replace")[-2000:] for w in workers)
    raise RuntimeError(f"workers not ready:\n{logs}")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package 'redis-server')")
    pytest.importorskip("celery", reason="celery is not installed (pip install 'govscan[distributed]')")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Worker]]:
    """Two ``govscan worker`` processes (one pool process each) on both queues, logging at debug."""
    directory = tmp_path_factory.mktemp("workers")
    started = [start_worker(redis_server, directory, "--loglevel", "debug") for _ in range(2)]  # the chattiest logs
    try:
        wait_ready(redis_server, started)
        yield started
    finally:
        for worker in started:
            worker.kill()
