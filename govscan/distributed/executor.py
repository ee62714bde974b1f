"""Many machines: units go to Celery workers over a Redis broker, results come back as they finish.

The same interface as the local pools (``base.Executor``): the scan coordinator sends units and
writes results, and never knows where they ran. What this adds to Celery:

* a bounded window of units in flight (``4 ×`` the worker processes listening), refilled as
  results arrive, so a nightly scan of 50,000 datasets never floods the broker;
* lost workers: a worker whose heartbeat key expired (``GOVSCAN_WORKER_LOST_AFTER``) holds
  nothing any more — the units it claimed are sent again at once under new task ids, and a late
  result of the old id is never read (units are idempotent; the first result of a unit wins);
* no worker: when no live worker listens on the queue a unit needs for
  ``GOVSCAN_NO_WORKER_AFTER`` seconds, the scan stops with one line saying so;
* the broker gone: retried for ``GOVSCAN_BROKER_DOWN_AFTER`` seconds; back within that, every
  unit in flight is sent again (a restarted Redis may have lost them); else one line and the scan
  stops, recorded interrupted, for ``--resume``.

A failure that ends the scan is a ``DistributedFailure`` (a ``BrokenExecutor``: the coordinator
records the scan interrupted); its line is written to stderr first.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO, TypeVar

from govscan.distributed import settings
from govscan.distributed.wire import Identity, Refused, Task, decode_result, encode_unit, task_for
from govscan.engine.units import WorkContext
from govscan.executors.base import WorkKind
from govscan.redact import terminal_line

Unit = TypeVar("Unit")
Result = TypeVar("Result")
IN_FLIGHT_PER_WORKER = 4
CHECK_EVERY = 1.0  # seconds between looks at the workers' heartbeats and claims
_END: Any = object()


class DistributedFailure(BrokenExecutor):
    """The scan cannot go on through this broker (no worker, broker gone, a refusing worker)."""


@dataclass
class _Sent:
    unit: Any
    unit_id: str
    queue: str
    message: dict[str, Any]


@dataclass
class QueueCounts:
    """Units per queue: in flight (sent, not finished), of which claimed by a worker, and done."""

    queued: dict[str, int] = field(default_factory=dict)
    running: dict[str, int] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)
    resent: int = 0

    def line(self) -> str:
        parts = []
        for queue in sorted(set(self.queued) | set(self.done)):
            in_flight = self.queued.get(queue, 0)
            running = min(self.running.get(queue, 0), in_flight)  # claims as last seen, at most what is out
            parts.append(f"{queue}: {in_flight - running} queued, {running} running, {self.done.get(queue, 0)} done")
        return "; ".join(parts) + (f"; {self.resent} sent again" if self.resent else "")


class CeleryExecutor:
    """Run units on govscan workers (``govscan worker``) through the broker at ``broker``."""

    name = "celery"

    def __init__(
        self,
        context: WorkContext,
        broker: str | None = None,
        *,
        window: int | None = None,
        poll: float = 0.002,
        stream: TextIO | None = None,
        on_progress: Callable[[QueueCounts], None] | None = None,
    ) -> None:
        from govscan.distributed.app import make_app

        self.broker = settings.broker_url(broker)
        self.app = make_app(self.broker)
        self.backend = self.app.backend
        self.redis = self.backend.client
        self.identity = Identity(context.key, context.rules.digest)
        self.limits = context.limits
        self.scan = uuid.uuid4().hex  # names this scan's shared answers (robots.txt)
        self.window, self.poll = window, poll
        self.stream = stream
        self.on_progress = on_progress
        self.progress = QueueCounts()

    def run(
        self,
        fn: Callable[[Unit], Result],
        units: Iterable[Unit],
        kind: WorkKind,
        on_crash: Callable[[Unit, str], Result] | None = None,
    ) -> Iterator[Result]:
        return self._run(task_for(fn), units, kind, on_crash)

    def _run(self, task: Task, units: Iterable[Any], kind: str, on_crash: Callable[[Any, str], Any] | None) -> Any:
        pending: dict[str, _Sent] = {}
        source = iter(units)
        watch = _Watch(self, kind)
        self._guarded(self._declare, pending, task)
        idle = 0
        try:
            while True:
                while len(pending) < watch.window:
                    unit = next(source, _END)
                    if unit is _END:
                        break
                    sent = _Sent(unit, uuid.uuid4().hex, kind, {})
                    sent.message = encode_unit(self.identity, task, unit, sent.unit_id, self.scan, self.limits)
                    self._guarded(lambda s=sent: self._send(task, s, pending), pending, task)
                if not pending:
                    self.progress.running[kind] = 0
                    return
                ready = self._guarded(lambda: self._ready(pending), pending, task)
                idle = 0 if ready else idle + 1
                for task_id, meta in ready:
                    sent = pending.pop(task_id, None)
                    if sent is None:  # sent again meanwhile (the broker came back): the new id answers
                        continue
                    self.progress.queued[kind] -= 1
                    self.progress.done[kind] = self.progress.done.get(kind, 0) + 1
                    yield self._result(task, sent, meta, on_crash)
                if not ready:  # 2 ms after a result, backing off to 50 ms while units run long
                    time.sleep(min(self.poll * (1 + idle), 0.05))
                if watch.due():
                    self._guarded(lambda: watch.look(task, pending), pending, task)
        finally:
            self._forget(pending)

    def _declare(self) -> None:
        """Declare the queues and their bindings: a message to an exchange with no binding is dropped
        silently (a broker restarted empty, before any worker declared them again)."""
        with self.app.connection_for_write() as connection:
            channel = connection.default_channel
            for queue in self.app.amqp.queues.values():
                queue(channel).declare()

    def _send(self, task: Task, sent: _Sent, pending: dict[str, _Sent]) -> None:
        task_id = uuid.uuid4().hex
        self.app.send_task(task.name, args=[sent.message], queue=sent.queue, task_id=task_id)
        pending[task_id] = sent
        self.progress.queued[sent.queue] = self.progress.queued.get(sent.queue, 0) + 1

    def _ready(self, pending: dict[str, _Sent]) -> list[tuple[str, dict[str, Any]]]:
        """Finished units among ``pending`` (one round trip); their result keys and claims are deleted."""
        ids = list(pending)
        values = self.redis.mget([self.backend.get_key_for_task(i) for i in ids])
        ready = []
        for task_id, value in zip(ids, values, strict=True):
            if value is None:
                continue
            meta = self.backend.decode_result(value)
            if meta.get("status") in ("SUCCESS", "FAILURE", "REVOKED"):
                ready.append((task_id, meta))
        if ready:
            keys = [self.backend.get_key_for_task(i) for i, _ in ready]
            self.redis.delete(*keys, *(settings.CLAIM_KEY + i for i, _ in ready))
        return ready

    def _result(self, task: Task, sent: _Sent, meta: dict[str, Any], on_crash: Callable[[Any, str], Any] | None) -> Any:
        body = meta.get("result")
        if meta.get("status") == "SUCCESS" and isinstance(body, dict):
            if "refused" in body:
                self._fail(str(body["refused"]))
            try:
                return decode_result(self.identity, task, body, f"broker {settings.shown_broker(self.broker)}")
            except Refused as refused:
                self._fail(str(refused))
        kind = body.get("exc_type") if isinstance(body, dict) else None
        problem = f"not read: the worker failed on it ({kind or meta.get('status')})"
        return on_crash(sent.unit, problem) if on_crash is not None else task.failed(sent.unit, problem)

    def resend(self, task: Task, task_ids: Iterable[str], pending: dict[str, _Sent]) -> None:
        """Send these units again under new ids; whatever the old ids answer later is never read."""
        for task_id in list(task_ids):
            sent = pending.get(task_id)
            if sent is None:
                continue
            self._send(task, sent, pending)  # the old id leaves only once the new one is sent
            del pending[task_id]
            self.progress.queued[sent.queue] -= 1
            self.progress.resent += 1

    def _guarded(self, step: Callable[[], Any], pending: dict[str, _Sent], task: Task) -> Any:
        """Run one broker step; an unreachable broker is retried, then the scan stops with one line."""
        from kombu.exceptions import OperationalError
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisSlow

        down_since = None
        while True:
            try:
                value = step()
            except (RedisDown, RedisSlow, OperationalError, ConnectionError) as exc:
                now = time.monotonic()
                down_since = down_since or now
                if now - down_since >= settings.broker_down_after():
                    self._fail(
                        f"the broker {settings.shown_broker(self.broker)} is unreachable for "
                        f"{settings.broker_down_after():g} s ({type(exc).__name__}); the scan stopped: "
                        "run it again with --resume when the broker is back"
                    )
                time.sleep(0.5)
                continue
            if down_since is not None:  # back: a restarted broker may have lost the queue and the results
                self.warn(f"the broker {settings.shown_broker(self.broker)} is back; sending the units in flight again")
                self._guarded(self._declare, pending, task)
                self._guarded(lambda: self.resend(task, list(pending), pending), pending, task)
            return value

    def _forget(self, pending: dict[str, _Sent]) -> None:
        """An interrupted run: units not started are revoked, running portal crawls are told to wind
        down (the scan's stop key, what ``engine.steps.STOP`` is to a local crawl), keys deleted (best effort)."""
        if not pending:
            return
        with contextlib.suppress(Exception):
            self.redis.set(settings.STOP_KEY + self.scan, 1, ex=settings.VISIBILITY_TIMEOUT)
        with contextlib.suppress(Exception):
            self.app.control.revoke(list(pending))
        with contextlib.suppress(Exception):
            self.redis.delete(*(settings.CLAIM_KEY + i for i in pending))

    def warn(self, line: str) -> None:
        print(terminal_line(f"govscan: warning: {line}"), file=self.stream or sys.stderr, flush=True)

    def _fail(self, line: str) -> None:
        print(terminal_line(f"govscan: error: {line}"), file=self.stream or sys.stderr, flush=True)
        raise DistributedFailure(line)

    def workers(self) -> dict[str, dict[str, Any]]:
        """Live workers: node name → its heartbeat (queues, host, pid, concurrency)."""
        keys = list(self.redis.scan_iter(match=settings.HEARTBEAT_KEY + "*", count=1000))
        live: dict[str, dict[str, Any]] = {}
        for key, value in zip(keys, self.redis.mget(keys) if keys else [], strict=True):
            if value is not None:
                name = key.decode() if isinstance(key, bytes) else str(key)
                live[name[len(settings.HEARTBEAT_KEY) :]] = json.loads(value)
        return live

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.app.close()

    def __enter__(self) -> CeleryExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Watch:
    """The coordinator's eye on the workers of one queue: live ones, lost ones, none at all."""

    def __init__(self, executor: CeleryExecutor, queue: str) -> None:
        self.executor, self.queue = executor, queue
        self.next = 0.0
        self.none_since: float | None = None
        self.orphans_seen = 0
        self.window = executor.window or 8

    def due(self) -> bool:
        return time.monotonic() >= self.next

    def look(self, task: Task, pending: dict[str, _Sent]) -> None:
        executor = self.executor
        now = time.monotonic()
        self.next = now + CHECK_EVERY
        live = executor.workers()
        serving = {n: w for n, w in live.items() if self.queue in w.get("queues", ())}
        if executor.window is None and serving:
            self.window = max(2, IN_FLIGHT_PER_WORKER * sum(int(w.get("concurrency", 1)) for w in serving.values()))
        if not serving:
            self.none_since = self.none_since or now
            waited = now - self.none_since
            if waited >= settings.no_worker_after():
                executor._fail(
                    f"no govscan worker listens on queue {self.queue!r} of broker "
                    f"{settings.shown_broker(executor.broker)} (waited {waited:.0f} s); start one with "
                    f"'govscan worker --queues {self.queue} --broker URL'"
                )
        else:
            self.none_since = None
        ids = list(pending)
        claims = executor.redis.mget([settings.CLAIM_KEY + i for i in ids]) if ids else []
        lost: dict[str, list[str]] = {}
        running = 0
        for task_id, claim in zip(ids, claims, strict=True):
            if claim is None:
                continue
            node = claim.decode() if isinstance(claim, bytes) else str(claim)
            if node in live:
                running += 1
            else:
                lost.setdefault(node, []).append(task_id)
        executor.progress.running[self.queue] = running
        for node, task_ids in lost.items():
            executor.warn(f"worker {node} is lost (no heartbeat); sending its {len(task_ids)} unit(s) again")
            executor.resend(task, task_ids, pending)
        self._orphans(task, [i for i, claim in zip(ids, claims, strict=True) if claim is None], pending)
        if executor.on_progress is not None:
            executor.on_progress(executor.progress)
        else:  # the command's progress line shows the queues beside its counts
            from govscan.progress import current

            current().report("celery", uri=executor.progress.line())

    def _orphans(self, task: Task, unclaimed: list[str], pending: dict[str, _Sent]) -> None:
        """Units no worker claimed while their queue is empty, twice in a row: their messages are gone
        (a broker restarted without them); sent again."""
        if unclaimed and not self.executor.redis.llen(self.queue):
            self.orphans_seen += 1
            if self.orphans_seen >= 2:
                self.executor.warn(f"{len(unclaimed)} unit(s) vanished from queue {self.queue!r}; sending them again")
                self.executor.resend(task, unclaimed, pending)
                self.orphans_seen = 0
        else:
            self.orphans_seen = 0
