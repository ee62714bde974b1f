"""Per-host politeness: at most ``rate`` request starts per second and ``concurrency`` in flight.

Government portals are often small servers; an audit must not look like (or be) a DoS.
The rate is kept by *reserving* start times: each caller takes the next free slot
(``max(now, previous + interval)``) under a lock and sleeps outside it, so threads never wait on
each other's sleep and starts stay ``interval`` apart however many threads ask at once.
A robots.txt ``Crawl-delay`` raises a host's interval (``set_min_interval``), never lowers it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_shared: Callable[..., HostLimiter] | None = None


def host_limiter(
    rate: float | None,
    concurrency: int | None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> HostLimiter:
    """The limiter a new client gets: this process's own, or the one shared by every worker of a
    distributed scan when one is installed (``share_limits``: a Redis-backed limiter)."""
    return (_shared or HostLimiter)(rate, concurrency, sleep=sleep, clock=clock)


def share_limits(factory: Callable[..., HostLimiter] | None) -> None:
    """Make new clients take their limiter from ``factory`` (None: back to per-process limiters)."""
    global _shared
    _shared = factory


class HostLimiter:
    """Rate and concurrency limits per host key (``scheme://host:port``). Thread-safe.

    ``rate`` of 0 or None turns rate limiting off; ``concurrency`` of 0 or None removes the cap.
    """

    def __init__(
        self,
        rate: float | None = 2.0,
        concurrency: int | None = 4,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.concurrency = concurrency or 0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._min_interval: dict[str, float] = {}
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def set_min_interval(self, host: str, seconds: float) -> None:
        """Space this host's requests at least ``seconds`` apart (robots.txt Crawl-delay)."""
        with self._lock:
            self._min_interval[host] = max(seconds, self._min_interval.get(host, 0.0))

    def interval_for(self, host: str) -> float:
        with self._lock:
            return max(self.interval, self._min_interval.get(host, 0.0))

    def wait(self, host: str) -> float:
        """Block until this host may see the next request start; returns the seconds waited."""
        with self._lock:
            interval = max(self.interval, self._min_interval.get(host, 0.0))
            if interval <= 0:
                return 0.0
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay

    def _semaphore(self, host: str) -> threading.BoundedSemaphore | None:
        if self.concurrency <= 0:
            return None
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(self.concurrency)
            return slot

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of the host's concurrency slots, then wait for its next rate slot."""
        semaphore = self._semaphore(host)
        if semaphore is not None:
            semaphore.acquire()
        try:
            self.wait(host)
            yield
        finally:
            if semaphore is not None:
                semaphore.release()
