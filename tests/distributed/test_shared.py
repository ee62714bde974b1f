"""Politeness shared through a real redis-server by several limiters, as several workers would.

Specification: four limiters (four worker processes) asking for the same host at ``rate`` start
their requests at least ``1/rate`` apart all together; their concurrency cap is one cap; a slot
held by a process that died is free again at once; robots.txt is fetched once per host per scan
whoever asks, and what is kept in Redis is sealed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from govscan.distributed.shared import RedisHostLimiter, SharedAnswers
from govscan.distributed.wire import Identity
from govscan.net.model import Response

from .conftest import RedisServer


@pytest.fixture
def redis(redis_server: RedisServer) -> Iterator[object]:
    client = redis_server.client()
    client.flushall()
    yield client


def test_four_limiters_together_keep_one_host_to_its_rate(redis: object) -> None:
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        limiter = RedisHostLimiter(redis, rate=5, concurrency=None)  # one per worker process
        for _ in range(5):
            with limiter.slot("http://portal:80"):
                with lock:
                    starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    starts.sort()
    assert len(starts) == 20
    # Starts are reserved 1/rate apart (any 5 span 0.8 s); a loaded machine wakes some threads late,
    # bunching them with the next, so the bounds leave 0.3 s of slack. Four limiters each keeping only
    # its own rate would start 20 a second: any 5 within 0.2 s.
    assert min(b - a for a, b in zip(starts, starts[4:], strict=False)) >= 0.5
    assert (len(starts) - 1) / (starts[-1] - starts[0]) <= 5 * 1.1


def test_the_concurrency_cap_is_one_cap_across_limiters(redis: object) -> None:
    inside, most = 0, 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal inside, most
        limiter = RedisHostLimiter(redis, rate=None, concurrency=2)
        for _ in range(3):
            with limiter.slot("http://portal:80"):
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.05)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert most == 2


def test_a_slot_held_by_a_dead_process_is_free_at_once(redis: object, redis_server: RedisServer) -> None:
    holder = f"""
import os, sys, time
sys.path.insert(0, {str(os.getcwd())!r})
import redis
from govscan.distributed.shared import RedisHostLimiter
limiter = RedisHostLimiter(redis.Redis(port={redis_server.port}), rate=None, concurrency=1)
with limiter.slot("http://portal:80"):
    print("holding", flush=True)
    time.sleep(60)
"""
    process = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "holding\n"
    process.kill()  # SIGKILL mid-request: its lease (120 s) is still in Redis
    process.wait(10)
    started = time.monotonic()
    with RedisHostLimiter(redis, rate=None, concurrency=1).slot("http://portal:80"):
        pass
    assert time.monotonic() - started < 10  # not the lease's 120 s


def test_robots_txt_is_fetched_once_per_scan_and_kept_sealed(redis: object) -> None:
    identity = Identity(b"0f3a9c2e7b5d4816aa11bb22cc33dd44ee55", "rules")
    fetched: list[int] = []
    answers: list[object] = []

    def fetch() -> Response:
        fetched.append(1)
        time.sleep(0.2)  # the others ask meanwhile
        return Response("http://portal/robots.txt", 200, (("Content-Type", "text/plain"),), b"Disallow: /admin/\n")

    def worker() -> None:
        answers.append(SharedAnswers(redis, "scan-1", identity).once("http://portal/robots.txt", fetch))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(fetched) == 1 and len(answers) == 4
    assert all(a == answers[0] for a in answers) and answers[0].body == b"Disallow: /admin/\n"  # type: ignore[attr-defined]
    SharedAnswers(redis, "scan-2", identity).once("http://portal/robots.txt", fetch)
    assert len(fetched) == 2  # another scan asks again
    held = b"".join(redis.get(k) or b"" for k in redis.keys("govscan:shared:*"))  # type: ignore[attr-defined]
    assert held and b"admin" not in held
    # the keys name the URL only through the scan key: a Redis reader guessing URLs confirms none
    guessed = hashlib.sha256(b"http://portal/robots.txt").hexdigest()[:32].encode()
    names = redis.keys("govscan:shared:*")  # type: ignore[attr-defined]
    assert names and not any(b"portal" in k or guessed in k for k in names)


def test_a_sites_soft_404_baselines_are_asked_once_per_scan_whatever_the_workers(redis: object) -> None:
    from govscan.net.robots import share_robots
    from govscan.rules import load_rules
    from govscan.web.probes import run_probes

    identity = Identity(b"0f3a9c2e7b5d4816aa11bb22cc33dd44ee55", "rules")
    asked: list[str] = []

    def site(url: str) -> Response:  # a site answering 200 to anything: soft 404s everywhere
        asked.append(url)
        return Response(url, 200, (("Content-Type", "text/html"),), b"<html><body>Welcome</body></html>")

    rules = load_rules()
    alone = run_probes("http://portal.example/", rules, b"k" * 32, site)  # one worker, nothing shared
    per_unit = len(asked)
    asked.clear()
    share_robots(SharedAnswers(redis, "scan-1", identity).once)  # what a worker installs per unit
    try:
        results = [run_probes("http://portal.example/", rules, b"k" * 32, site) for _ in range(3)]
    finally:
        share_robots(None)
    assert len(asked) == 3 * per_unit - 2 * 2  # the second and third worker skip the site's two baselines
    assert not alone.findings and all(not r.findings for r in results)  # every one judged with the baselines
