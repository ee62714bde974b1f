"""Spread endpoints over worker processes (sslyze is CPU-bound), politely, with a deadline.

Each worker runs one sslyze ``Scanner`` over a small batch (threads inside it handle the
network waits); batches go to a process pool so both cores work. A batch that overruns its
deadline becomes one error per endpoint, never a stuck scan.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence

from govscan.tls.collect import ScanSettings, scan_endpoints
from govscan.tls.facts import Endpoint, TlsFacts


def _scan_batch(batch: Sequence[Endpoint], settings: ScanSettings) -> list[TlsFacts]:
    import warnings

    warnings.filterwarnings("ignore")  # sslyze's trust stores trip cryptography deprecation warnings
    return list(scan_endpoints(batch, settings))


def run(
    endpoints: Sequence[Endpoint],
    settings: ScanSettings,
    *,
    workers: int | None = None,
    batch_size: int | None = None,
    rate: float = 0.0,
    endpoint_timeout: float = 120.0,
    on_done: Callable[[TlsFacts], None] | None = None,
) -> Iterator[TlsFacts]:
    """Facts for every endpoint, as batches finish. ``rate``: endpoints started per second (0 = no limit)."""
    endpoints = list(dict.fromkeys(endpoints))
    if not endpoints:
        return
    workers = workers or min(os.cpu_count() or 1, len(endpoints))
    # Two batches per worker: enough endpoints in each sslyze Scanner to overlap network waits,
    # small enough that progress and deadlines stay meaningful.
    batch_size = batch_size or max(1, min(25, -(-len(endpoints) // (2 * workers))))
    batches = [endpoints[i : i + batch_size] for i in range(0, len(endpoints), batch_size)]
    pacer = _Pacer(rate)
    if workers == 1 or len(batches) == 1:
        for batch in batches:
            pacer.wait(len(batch))
            for facts in _scan_batch(batch, settings):
                if on_done:
                    on_done(facts)
                yield facts
        return
    yield from _run_pool(batches, settings, workers, pacer, endpoint_timeout, on_done)


def _run_pool(
    batches: list[list[Endpoint]],
    settings: ScanSettings,
    workers: int,
    pacer: _Pacer,
    endpoint_timeout: float,
    on_done: Callable[[TlsFacts], None] | None,
) -> Iterator[TlsFacts]:
    """Batches on a process pool, each with a deadline; a worker stuck past it is killed."""
    import sslyze  # noqa: F401 - imported once here, inherited by every forked worker

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context)
    overran = False
    try:
        futures: dict[cf.Future[list[TlsFacts]], tuple[list[Endpoint], float]] = {}
        for batch in batches:
            pacer.wait(len(batch))
            deadline = time.monotonic() + endpoint_timeout * len(batch) + endpoint_timeout
            futures[pool.submit(_scan_batch, batch, settings)] = (batch, deadline)
        pending = set(futures)
        while pending:
            timeout = max(0.0, min(futures[f][1] for f in pending) - time.monotonic())
            done, pending = cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield from _results(future, futures[future][0], on_done)
            now = time.monotonic()
            for future in [f for f in pending if futures[f][1] <= now]:
                overran = True
                pending.discard(future)
                future.cancel()
                for endpoint in futures[future][0]:
                    facts = _failed(endpoint, f"scan did not finish within {endpoint_timeout:.0f} s")
                    if on_done:
                        on_done(facts)
                    yield facts
    finally:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=not overran, cancel_futures=True)
        if overran:
            for process in processes:  # a worker stuck past its deadline must not outlive the scan
                if process.is_alive():
                    process.kill()


def _results(
    future: cf.Future[list[TlsFacts]], batch: list[Endpoint], on_done: Callable[[TlsFacts], None] | None
) -> Iterator[TlsFacts]:
    try:
        results = future.result()
    except Exception as exc:  # noqa: BLE001 - a worker crash is a line per endpoint, not a crash
        results = [_failed(e, f"scan failed ({type(exc).__name__})") for e in batch]
    for facts in results:
        if on_done:
            on_done(facts)
        yield facts


def _failed(endpoint: Endpoint, error: str) -> TlsFacts:
    import datetime as dt

    return TlsFacts(endpoint=endpoint, scanned_at=dt.datetime.now(dt.UTC), error=error)


class _Pacer:
    """Scan-wide politeness: at most ``rate`` endpoint scans started per second (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.last = 0.0

    def wait(self, count: int) -> None:
        if self.rate <= 0:
            return
        delay = self.last + count / self.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.last = time.monotonic()
