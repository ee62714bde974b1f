"""Politeness across workers: one per-host rate and concurrency cap, robots.txt once per host per scan.

A portal audited by four workers must see the configured 2 requests/s, not 8. While a worker
process runs a unit, new clients take a ``RedisHostLimiter`` (``net.limiter.share_limits``): the
next free request start of each host is reserved atomically in Redis (a Lua script on the
server's clock, so workers on several machines agree), and concurrency slots are leases in a
sorted set (a worker killed mid-request frees its slot when the lease ends). robots.txt and a site's
soft-404 baselines are fetched by the first worker to ask and shared, sealed, with the others for
the rest of the scan (``net.robots.share_robots`` / ``fetch_once``). When Redis does not answer, a worker falls back to its own limiter
rather than failing the audit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from govscan.distributed import settings
from govscan.distributed.wire import Identity
from govscan.net.limiter import HostLimiter, share_limits
from govscan.net.model import FetchError, Response
from govscan.net.robots import share_robots

LEASE_SECONDS = 120.0  # a request holds a slot at most this long (the client's deadline is 60 s)
_MACHINE = socket.gethostname()
SHARED_TTL = 24 * 3600
WAIT_FOR_PEER = 60.0  # seconds a worker waits for another's robots.txt before fetching it itself

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.6f', start + interval), 'PX', math.ceil((start - now + interval) * 1000) + 1000)
return string.format('%.6f', start - now)
"""
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
  return 1
end
return 0
"""


class RedisHostLimiter(HostLimiter):
    """``HostLimiter`` whose rate and concurrency hold across every process sharing ``redis``."""

    def __init__(self, redis: Any, rate: float | None = 2.0, concurrency: int | None = 4, **kwargs: Any) -> None:
        super().__init__(rate, concurrency, **kwargs)
        self.redis = redis
        self._reserve = redis.register_script(_RESERVE)
        self._acquire = redis.register_script(_ACQUIRE)
        self._tokens = 0

    def wait(self, host: str) -> float:
        interval = self.interval_for(host)
        if interval <= 0:
            return 0.0
        try:
            delay = float(self._reserve(keys=[settings.RATE_KEY + host], args=[interval]))
        except Exception:  # noqa: BLE001 - Redis away: this process's own limit still holds
            return super().wait(host)
        if delay > 0:
            self._sleep(delay)
        return delay

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        token = self._lease(host) if self.concurrency > 0 else None
        try:
            self.wait(host)
            yield
        finally:
            if token is not None:
                try:
                    self.redis.zrem(settings.SLOTS_KEY + host, token)
                except Exception:  # noqa: BLE001,S110 - the lease ends by itself
                    pass

    def _lease(self, host: str) -> str | None:
        with self._lock:
            self._tokens += 1
            token = f"{_MACHINE}|{os.getpid()}|{id(self)}:{self._tokens}"
        key = settings.SLOTS_KEY + host
        while True:
            try:
                if self._acquire(keys=[key], args=[self.concurrency, LEASE_SECONDS, token]):
                    return token
                self._free_dead(key)
            except Exception:  # noqa: BLE001 - Redis away: go on without the cross-worker cap
                return None
            self._sleep(0.05)

    def _free_dead(self, key: str) -> None:
        """Slots held by processes of this machine that died (a pool process killed mid-request) are
        free now, not when their lease ends; a machine that vanished frees its slots by the lease."""
        for member in self.redis.zrange(key, 0, -1):
            machine, _, rest = member.decode(errors="replace").partition("|")
            pid = rest.partition("|")[0]
            if machine == _MACHINE and pid.isdigit() and not _alive(int(pid)):
                self.redis.zrem(key, member)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SharedAnswers:
    """Answers fetched once per scan by the first worker to ask; sealed in Redis for the others."""

    def __init__(self, redis: Any, scan: str, identity: Identity) -> None:
        self.redis, self.scan, self.identity = redis, scan, identity

    def once(self, url: str, fetch: Callable[[], Response | FetchError]) -> Response | FetchError:
        # keyed like fingerprints: whoever reads Redis cannot confirm a guessed URL without the scan key
        name = hmac.new(self.identity.key, url.encode(), hashlib.sha256).hexdigest()[:32]
        key = f"{settings.SHARED_KEY}{self.scan}:{name}"
        try:
            known = self.redis.get(key)
            if known is None and not self.redis.set(key + ":lock", 1, nx=True, ex=int(WAIT_FOR_PEER)):
                known = self._wait(key)
        except Exception:  # noqa: BLE001 - Redis away: fetch it here
            return fetch()
        if known is not None:
            try:
                return _load(self.identity.open(known.decode()))
            except Exception:  # noqa: BLE001 - unreadable (another key): fetch it here
                return fetch()
        answer = fetch()
        try:
            self.redis.set(key, self.identity.seal(_dump(answer)), ex=SHARED_TTL)
        except Exception:  # noqa: BLE001,S110 - the others fetch it themselves
            pass
        return answer

    def _wait(self, key: str) -> bytes | None:
        deadline = time.monotonic() + WAIT_FOR_PEER
        while time.monotonic() < deadline:
            value = self.redis.get(key)
            if value is not None:
                return bytes(value)
            time.sleep(0.05)
        return None


def _dump(answer: Response | FetchError) -> bytes:
    if isinstance(answer, FetchError):
        return json.dumps({"error": [answer.url, answer.problem]}).encode()
    fields = {
        "url": answer.url,
        "status": answer.status,
        "headers": [list(h) for h in answer.headers],
        "body": base64.b64encode(answer.body).decode(),
        "final_url": answer.final_url,
        "redirects": list(answer.redirects),
        "truncated": answer.truncated,
    }
    return json.dumps(fields).encode()


def _load(data: bytes) -> Response | FetchError:
    fields = json.loads(data)
    if "error" in fields:
        return FetchError(*fields["error"])
    return Response(
        fields["url"],
        int(fields["status"]),
        tuple((str(n), str(v)) for n, v in fields["headers"]),
        base64.b64decode(fields["body"]),
        fields["final_url"],
        tuple(fields["redirects"]),
        bool(fields["truncated"]),
    )


def begin(redis: Any, scan: str, identity: Identity) -> None:
    """Shared politeness and answers for the unit this process runs now."""
    share_limits(lambda rate, concurrency, **kwargs: RedisHostLimiter(redis, rate, concurrency, **kwargs))
    if scan:
        share_robots(SharedAnswers(redis, scan, identity).once)


def end() -> None:
    """Back to this process's own limiter and robots.txt fetches."""
    share_limits(None)
    share_robots(None)
