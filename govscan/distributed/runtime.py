"""A worker process's side of a unit: check it is ours, run the work function, seal the result.

The rule set and the fingerprint key are loaded once per worker process (``load``, called by
``worker_process_init`` and inherited by forked children), never received: a message carries only
the coordinator's key id, rule-set digest and format version, and a unit whose header differs is
refused before anything is read, with a line naming both sides.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded
from celery.utils.log import get_task_logger

from govscan.distributed import settings
from govscan.distributed.wire import Identity, Refused, Task, decode_unit, encode_result
from govscan.engine.steps import STOP, audit_site, install
from govscan.engine.units import DatasetUnit, WorkContext
from govscan.readers.limits import Limits
from govscan.rules import RuleSet
from govscan.sources import is_url


@dataclass
class WorkerState:
    """What one worker process loaded for itself: rules, key, and a scan context per readers' limits."""

    rules: RuleSet
    key: bytes
    identity: Identity
    contexts: dict[Limits | None, WorkContext] = field(default_factory=dict)

    def context(self, limits: Limits | None) -> WorkContext:
        context = self.contexts.get(limits)
        if context is None:
            context = self.contexts[limits] = WorkContext(self.rules, self.key, limits=limits)
        return context


log = get_task_logger("govscan.unit")  # a task logger: its lines name the task and id (not govscan.worker's logger)
_state: WorkerState | None = None
_lock = threading.Lock()


def load() -> WorkerState:
    """This process's rules and key, loaded on first use (a fork inherits its parent's)."""
    global _state
    with _lock:
        if _state is None:
            from govscan.identity import load_secret
            from govscan.rules import load_rules

            rules, key = load_rules(), load_secret()
            _state = WorkerState(rules, key, Identity(key, rules.digest))
        return _state


def run_message(app: Any, message: dict[str, Any], node: str, soft_limit: float) -> dict[str, Any]:
    """Run one unit message; the answer is a sealed result or a refusal line, never an exception."""
    state = load()
    where = f"worker {node}"
    try:
        if not isinstance(message, dict):  # a message crafted by hand: JSON, but not a govscan unit
            raise Refused(f"{where}: not a govscan unit message; refused")
        task, unit, limits = decode_unit(state.identity, message, where)
    except Refused as refused:
        log.warning("%s", refused)  # the task logger names the task and its id; the line names no unit
        return {**state.identity.header(), "refused": str(refused)}
    problem = _cannot_start(app.backend.client, task, unit, str(message.get("unit_id")), node)
    if problem:
        return encode_result(state.identity, task, task.failed(unit, problem))
    install(state.context(limits))
    from govscan.distributed import shared

    shared.begin(app.backend.client, str(message.get("scan") or ""), state.identity)
    try:
        with _soft_limit_noticed() as noticed, _stopped_with_the_scan(app.backend.client, task, message):
            result = task.fn(unit)
        # The soft limit interrupts the unit wherever it is, and work functions turn that into an
        # error of their own ("could not be scanned"): the result is partial, say why instead.
        if noticed.is_set():
            raise SoftTimeLimitExceeded()
    except SoftTimeLimitExceeded:
        result = task.failed(unit, f"took longer than {soft_limit:g} s on {where}; not read")
    finally:
        shared.end()
    return encode_result(state.identity, task, result)


@contextmanager
def _stopped_with_the_scan(redis: Any, task: Task, message: dict[str, Any]) -> Iterator[None]:
    """While a portal unit runs, its scan's stop key is watched: once the coordinator is interrupted
    (Ctrl-C, a failure) ``STOP`` is set here as a local Ctrl-C sets it, and the crawl winds down in
    seconds instead of going on to its own deadline for a scan nobody records any more."""
    STOP.clear()
    scan = str(message.get("scan") or "")
    if task.fn is not audit_site or not scan:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(settings.STOP_POLL):
            try:
                if redis.exists(settings.STOP_KEY + scan):
                    STOP.set()
                    return
            except Exception:  # noqa: BLE001,S112 - Redis away: the unit goes on, bounded by its deadline
                continue

    watcher = threading.Thread(target=watch, name="govscan-stop", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join(settings.STOP_POLL + 5)
        STOP.clear()


@contextmanager
def _soft_limit_noticed() -> Iterator[threading.Event]:
    """An event set when the pool's soft time limit (SIGUSR1) reaches this process during the block."""
    noticed = threading.Event()
    try:
        previous = signal.getsignal(signal.SIGUSR1)
    except ValueError:  # not the main thread (a threads pool): no signal to watch
        yield noticed
        return

    def notice(signum: int, frame: Any) -> None:
        noticed.set()
        if callable(previous):
            previous(signum, frame)

    try:
        signal.signal(signal.SIGUSR1, notice)
    except ValueError:
        yield noticed
        return
    try:
        yield noticed
    finally:
        signal.signal(signal.SIGUSR1, previous)


def _cannot_start(redis: Any, task: Task, unit: Any, unit_id: str, node: str) -> str | None:
    """Why this unit is not run here: it ended too many worker processes, or its file is not visible."""
    tries_key = settings.TRIES_KEY + unit_id
    tries = int(redis.incr(tries_key))
    redis.expire(tries_key, settings.VISIBILITY_TIMEOUT)
    if tries > settings.max_tries():
        return f"not read: the worker process reading it died {tries - 1} times (a crash or out of memory)"
    if isinstance(unit, DatasetUnit) and not is_url(unit.uri) and not os.path.exists(unit.uri):
        host = socket.gethostname()
        return (
            f"no such path on worker {node} (host {host}): dataset files must be readable at the same"
            " path on every worker (shared storage)"
        )
    return None
