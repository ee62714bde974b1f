"""Settings shared by the coordinator and the workers: the broker, time bounds, Redis key names.

Every number can be set by an environment variable so tests (and small deployments) can use
short bounds without code: a worker is lost when its heartbeat key is older than
``GOVSCAN_WORKER_LOST_AFTER`` seconds; a scan with no worker listening gives up after
``GOVSCAN_NO_WORKER_AFTER``; a unit that killed ``GOVSCAN_MAX_TRIES`` workers is unreadable.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

BROKER_ENV = "GOVSCAN_BROKER"
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
QUEUES = ("io", "cpu")

# Seconds a unit of each task may run: soft (the task ends with an error result) and hard (the pool
# kills the process). A portal is bounded by its own deadline (engine.units.PORTAL_DEADLINE, 1 h).
TIME_LIMITS: dict[str, tuple[float, float]] = {
    "govscan.read_dataset": (1800.0, 1900.0),  # a large scanned PDF through OCR, a 1 GiB download
    "govscan.audit_tls": (900.0, 960.0),
    "govscan.audit_site": (4200.0, 4500.0),
}
# Above the longest unit: Redis re-delivers an unacknowledged message only after this long, so a unit
# still running is never handed to a second worker. Lost workers are noticed sooner (heartbeats).
VISIBILITY_TIMEOUT = 6 * 3600

HEARTBEAT_KEY = "govscan:worker:"  # + node name: JSON {queues, host, pid}, expires when not refreshed
CLAIM_KEY = "govscan:claim:"  # + task id: the node that received it
TRIES_KEY = "govscan:tries:"  # + unit id: how many times a worker started it
SHARED_KEY = "govscan:shared:"  # + scan + ":" + what: answers fetched once per host per scan
RATE_KEY = "govscan:rate:"  # + host: the next free request start (the cross-worker limiter)
SLOTS_KEY = "govscan:slots:"  # + host: leases of the host's concurrency slots
STOP_KEY = "govscan:stop:"  # + scan: set when the coordinator is interrupted; running portal crawls wind down
STOP_POLL = 1.0  # seconds between a worker's looks at its scan's stop key while a portal unit runs


def time_limits() -> dict[str, tuple[float, float]]:
    """``TIME_LIMITS``, with ``GOVSCAN_TIME_LIMITS="govscan.read_dataset=1800/1900,…"`` applied (read by a
    worker when it starts: the limits are the worker's, whoever sent the unit)."""
    limits = dict(TIME_LIMITS)
    for item in os.environ.get("GOVSCAN_TIME_LIMITS", "").split(","):
        name, _, pair = item.strip().partition("=")
        soft, _, hard = pair.partition("/")
        try:
            if name in limits and 0 < float(soft) < float(hard):
                limits[name] = (float(soft), float(hard))
        except ValueError:
            continue
    return limits


def broker_url(given: str | None = None) -> str:
    """The broker's URL: ``given``, else ``$GOVSCAN_BROKER``, else the local Redis. Redis only — results,
    heartbeats, claims and the shared per-host limits live in it too — so any other is an ``InputError``."""
    url = given or os.environ.get(BROKER_ENV) or DEFAULT_BROKER
    if urlsplit(url).scheme not in ("redis", "rediss"):
        from govscan.errors import InputError

        raise InputError(
            f"broker {shown_broker(url)}: govscan's distributed scans need a Redis broker (redis:// or rediss://): "
            "results, worker heartbeats and the shared per-host limits live in it; RabbitMQ is not supported"
        )
    return url


def shown_broker(url: str) -> str:
    """The broker URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def lost_after() -> float:
    """Seconds without a heartbeat after which a worker is lost and its units are sent again."""
    return seconds("GOVSCAN_WORKER_LOST_AFTER", 30.0)


def no_worker_after() -> float:
    """Seconds a scan waits for a worker on the queue it needs before it says there is none."""
    return seconds("GOVSCAN_NO_WORKER_AFTER", 60.0)


def broker_down_after() -> float:
    """Seconds the coordinator keeps trying an unreachable broker before it stops the scan."""
    return seconds("GOVSCAN_BROKER_DOWN_AFTER", 30.0)


def max_tries() -> int:
    return int(seconds("GOVSCAN_MAX_TRIES", 3))
