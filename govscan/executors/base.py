"""The executor interface: run work functions over units, hand results back as they finish.

A unit is either ``io`` (waits on the network: fetch a URL, a TLS handshake, a crawl) or ``cpu``
(parses and detects). The caller — the scan coordinator — is the only code that writes to the
database; executors never touch it, so a remote engine (Celery workers on ``io`` and ``cpu``
queues) can stand in for the local pools without changing the coordinator.

Work functions must be importable top-level functions and units plain picklable data: that is
what lets the same function run in a thread, a child process, or on another machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, Protocol, TypeVar

WorkKind = Literal["io", "cpu"]
Unit = TypeVar("Unit")
Result = TypeVar("Result")


class Executor(Protocol):
    def run(
        self,
        fn: Callable[[Unit], Result],
        units: Iterable[Unit],
        kind: WorkKind,
        on_crash: Callable[[Unit, str], Result] | None = None,
    ) -> Iterator[Result]:  # pragma: no cover - a protocol
        """Apply ``fn`` to every unit; yield results in completion order.

        Bounded: at most a few units per worker are in flight, so an endless source of units
        never fills memory. Stopping the iteration (or ``close``) cancels what has not started.
        A unit whose worker dies becomes ``on_crash(unit, problem)`` (without it, the error is raised).
        """
        ...

    def close(self) -> None:  # pragma: no cover - a protocol
        ...

    def __enter__(self) -> Any: ...  # pragma: no cover - a protocol

    def __exit__(self, *exc: object) -> None: ...  # pragma: no cover - a protocol
