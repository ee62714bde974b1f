"""One machine: a thread pool for ``io`` units, a process pool for ``cpu`` units.

The process pool is started lazily with an initializer that installs the scan's shared context
(rules, fingerprint key, detector) once per worker, instead of pickling it with every unit.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures import Executor as _PoolExecutor
from typing import Any, TypeVar

from govscan.executors.base import WorkKind

Unit = TypeVar("Unit")
Result = TypeVar("Result")
IN_FLIGHT_PER_WORKER = 4


class SerialExecutor:
    """Everything in the calling thread, in order: for tests, debugging and ``--jobs 1``."""

    def __init__(
        self, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = (), **_: object
    ) -> None:
        if initializer is not None:
            initializer(*initargs)

    def run(
        self,
        fn: Callable[[Unit], Result],
        units: Iterable[Unit],
        kind: WorkKind,
        on_crash: Callable[[Unit, str], Result] | None = None,
    ) -> Iterator[Result]:
        for unit in units:
            yield fn(unit)

    def close(self) -> None:
        pass

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalExecutor:
    """Threads for the network, processes for parsing; results as they complete."""

    def __init__(
        self,
        *,
        io_workers: int = 8,
        cpu_workers: int | None = None,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self.io_workers = io_workers
        self.cpu_workers = cpu_workers or os.cpu_count() or 1
        self.initializer, self.initargs = initializer, initargs
        if initializer is not None:
            initializer(*initargs)  # io units run in this process and need the same context
        self._threads: ThreadPoolExecutor | None = None
        self._processes: ProcessPoolExecutor | None = None

    def run(
        self,
        fn: Callable[[Unit], Result],
        units: Iterable[Unit],
        kind: WorkKind,
        on_crash: Callable[[Unit, str], Result] | None = None,
    ) -> Iterator[Result]:
        if kind == "cpu":
            return self._run_cpu(fn, units, on_crash)
        return _bounded(self._io_pool(), fn, units, self.io_workers * IN_FLIGHT_PER_WORKER)

    def _run_cpu(
        self, fn: Callable[[Unit], Result], units: Iterable[Unit], on_crash: Callable[[Unit, str], Result] | None
    ) -> Iterator[Result]:
        """Like ``_bounded``, and a worker that dies (out of memory, a crash in a C parser) costs one unit.

        A dead worker breaks the whole pool and fails every unit in flight; those are run again
        one at a time in a fresh pool, and the one that kills it again becomes ``on_crash``'s result.
        """
        limit = self.cpu_workers * IN_FLIGHT_PER_WORKER
        source = iter(units)
        pending: dict[Future[Result], Unit] = {}
        try:
            while True:
                while len(pending) < limit:
                    unit = next(source, _END)
                    if unit is _END:
                        break
                    pending[self._cpu_pool().submit(fn, unit)] = unit
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                crashed: list[Unit] = []
                for future in done:
                    unit = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenExecutor:
                        if on_crash is None:
                            raise
                        crashed.append(unit)
                        continue
                    yield result
                if crashed:
                    crashed += pending.values()
                    pending.clear()
                    self._reset_cpu_pool()
                    for unit in crashed:
                        yield self._alone(fn, unit, on_crash)  # type: ignore[arg-type]
        finally:
            for future in pending:
                future.cancel()

    def _alone(self, fn: Callable[[Unit], Result], unit: Unit, on_crash: Callable[[Unit, str], Result]) -> Result:
        try:
            return self._cpu_pool().submit(fn, unit).result()
        except BrokenExecutor:
            self._reset_cpu_pool()
            return on_crash(unit, "the worker reading it died (out of memory or a crash in a parser)")

    def _reset_cpu_pool(self) -> None:
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)
        self._processes = None

    def _io_pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(self.io_workers, thread_name_prefix="govscan-io")
        return self._threads

    def _cpu_pool(self) -> ProcessPoolExecutor:
        if self._processes is None:
            # fork when the platform has it: workers start in milliseconds with the parent's imports
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
            self._processes = ProcessPoolExecutor(
                self.cpu_workers,
                mp_context=multiprocessing.get_context(method),
                initializer=_worker_start,
                initargs=(os.getpid(), self.initializer, self.initargs),
            )
        return self._processes

    def close(self) -> None:
        for pool in (self._threads, self._processes):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._threads = self._processes = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bounded(pool: _PoolExecutor, fn: Callable[[Unit], Result], units: Iterable[Unit], limit: int) -> Iterator[Result]:
    pending: set[Future[Result]] = set()
    source = iter(units)
    try:
        while True:
            while len(pending) < limit:
                unit = next(source, _END)
                if unit is _END:
                    break
                pending.add(pool.submit(fn, unit))  # type: ignore[arg-type]
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


_END: Any = object()


def _worker_start(parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """A worker dies with its coordinator: a kill -9 of the scan must not leave orphans parsing on."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="govscan-orphan-watch", daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's: units in flight finish cleanly
    if initializer is not None:
        initializer(*initargs)
