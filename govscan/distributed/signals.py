"""A worker's hooks: load rules and key per process, beat a heartbeat, claim what it receives.

The coordinator notices a lost worker (a VM gone, ``kill -9`` of the whole worker) by its
heartbeat key expiring (``settings.lost_after()``), and knows which units were that worker's by
their claims — so it sends them again within that bound instead of after the broker's
visibility timeout (hours, above the longest portal crawl).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from typing import Any

from celery import signals
from celery.app import trace

from govscan.distributed import settings

log = logging.getLogger("govscan.worker")
# The default success line quotes the result: a sealed token nobody can read, only noise.
trace.LOG_SUCCESS = "Task %(name)s[%(id)s] succeeded in %(runtime).3fs"
_beating = threading.Event()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _public_logs(logger: logging.Logger | None = None, **_: Any) -> None:
    """Whatever the worker and its libraries log is masked on the way out (``logs.PublicFormatter``)."""
    from billiard.util import get_logger as multiprocessing_logger

    from govscan.distributed.logs import make_public

    make_public(*(x for x in (logger, logging.getLogger(), multiprocessing_logger()) if x is not None))


@signals.worker_process_init.connect
def _process_init(**_: Any) -> None:
    from govscan.distributed.runtime import load

    load()


@signals.worker_ready.connect
def _ready(sender: Any = None, **_: Any) -> None:
    from govscan.distributed.runtime import load

    state = load()
    node = str(sender.hostname)
    queues = _queues(sender)
    log.info("%s ready: queues %s; rule set %s; key id %s", node, ",".join(queues), state.rules.digest,
             state.identity.key_id)  # fmt: skip
    redis = sender.app.backend.client
    concurrency = getattr(getattr(sender, "controller", None), "concurrency", 1) or 1
    beat = json.dumps({"queues": queues, "host": socket.gethostname(), "pid": os.getpid(), "concurrency": concurrency})
    ttl = settings.lost_after()

    def heartbeat() -> None:
        while not _beating.is_set():
            try:
                redis.set(settings.HEARTBEAT_KEY + node, beat, px=int(ttl * 1000))
            except Exception as exc:  # noqa: BLE001 - the broker may be restarting; keep beating
                log.warning("heartbeat not sent (%s)", type(exc).__name__)
            _beating.wait(ttl / 4)

    threading.Thread(target=heartbeat, name="govscan-heartbeat", daemon=True).start()


@signals.worker_shutdown.connect
def _shutdown(sender: Any = None, **_: Any) -> None:
    _beating.set()
    try:
        sender.app.backend.client.delete(settings.HEARTBEAT_KEY + str(sender.hostname))
    except Exception:  # noqa: BLE001,S110 - the key expires by itself
        pass


@signals.task_received.connect
def _claim(request: Any = None, **_: Any) -> None:
    """Record which worker holds this unit, before it even starts (prefetched units count too)."""
    try:
        request.task.app.backend.client.set(
            settings.CLAIM_KEY + str(request.id), str(request.hostname), ex=settings.VISIBILITY_TIMEOUT
        )
    except Exception as exc:  # noqa: BLE001 - without a claim the unit is re-sent only if it is lost
        log.warning("claim not recorded (%s)", type(exc).__name__)


@signals.task_revoked.connect
def _unclaim(request: Any = None, **_: Any) -> None:
    """A revoked unit (its scan was interrupted) is nobody's any more."""
    try:
        request.task.app.backend.client.delete(settings.CLAIM_KEY + str(request.id))
    except Exception as exc:  # noqa: BLE001 - the claim expires by itself
        log.warning("claim not deleted (%s)", type(exc).__name__)


def _queues(consumer: Any) -> list[str]:
    try:
        return sorted(q.name for q in consumer.task_consumer.queues)
    except AttributeError:
        return list(settings.QUEUES)
