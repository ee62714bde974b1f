"""Webhooks (``govscan scan --notify URL``): one JSON POST to a destination the operator named.

The trust differs from a portal's, so the policy does too. The operator typed this URL, and it is
often on the internal network (a chat or SIEM relay), so its own host may be a private address —
for that exact ``host:port`` only, re-checked at connect time so a DNS answer that changes in
between cannot move the POST elsewhere. What the operator did not name is never reached:

* no redirect is followed — the body lists new findings, and a 3xx would hand them to a host
  nobody chose; it is reported as a failure naming the status;
* no proxy from the environment: an outbound ``HTTPS_PROXY`` would carry an internal POST (and its
  findings) through a machine nobody named for it, the guard must judge the real peer, and the
  portal client makes the same choice. A destination that can only be reached through a proxy is
  not supported;
* bounded: ``timeout`` seconds to connect and between bytes, ``deadline`` for the whole exchange
  (the watchdog shuts a socket a dripping server keeps open); one attempt, no retries;
* a failure is one line that names no path (webhook paths hold tokens) and never the answer's body.
"""

from __future__ import annotations

import dataclasses
import json

import requests

from govscan.net.client import trust_context, user_agent
from govscan.net.guard import Guard, GuardedAdapter, GuardRefused, Resolver, resolve
from govscan.net.urls import UnsafeURL, parse
from govscan.net.watchdog import Watch

TIMEOUT = 10.0  # seconds to connect, and between bytes of the answer
DEADLINE = 30.0  # seconds for the whole exchange


def post_json(
    url: str,
    payload: object,
    *,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    ca_file: str | None = None,
    resolver: Resolver = resolve,
) -> str | None:
    """POST ``payload`` as JSON to ``url``; None when it was taken (2xx), else the one-line problem."""
    try:
        target = parse(url)
    except UnsafeURL as exc:
        return f"refused: {exc}"
    guard = dataclasses.replace(Guard.for_target(url, resolver=resolver), allow_ports=frozenset({target.port}))
    problem = guard.check(target)
    if problem:
        return f"refused: {problem}"
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    with requests.Session() as session:
        session.trust_env = False
        adapter = GuardedAdapter(guard, trust_context(ca_file) if ca_file else None, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        watch = Watch(deadline)
        try:
            with watch:
                reply = session.post(
                    target.url,
                    data=body,
                    headers={"Content-Type": "application/json", "User-Agent": user_agent()},
                    timeout=(timeout, timeout),
                    allow_redirects=False,
                    stream=True,  # the answer's body is not wanted: nothing is read past the status line
                )
                reply.close()
        except requests.RequestException as exc:
            return _problem(exc, watch, timeout, deadline)
    if watch.expired:
        return f"no answer within {deadline:g} s"
    if 300 <= reply.status_code < 400:
        return f"HTTP {reply.status_code}: redirects are not followed"
    if not 200 <= reply.status_code < 300:
        return f"HTTP {reply.status_code}"
    return None


def _problem(exc: requests.RequestException, watch: Watch, timeout: float, deadline: float) -> str:
    """One line for a failed POST: what happened, never the URL (its path may hold a token)."""
    if watch.expired:
        return f"no answer within {deadline:g} s"
    refused = _guard_refusal(exc)
    if refused is not None:
        return f"refused: {str(refused).rpartition('blocked by SSRF guard: ')[2]}"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS failure (certificate not trusted, or no TLS on that port)"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connect timed out after {timeout:g} s"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "connection failed (refused, reset or unreachable)"
    return type(exc).__name__


def _guard_refusal(exc: BaseException) -> GuardRefused | None:
    """The guard's refusal somewhere in the chain requests wraps it in (ConnectionError → MaxRetryError → …)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        error = todo.pop()
        if isinstance(error, GuardRefused):
            return error
        seen.add(id(error))
        linked = (error.__cause__, error.__context__, getattr(error, "reason", None), *error.args)
        todo += [e for e in linked if isinstance(e, BaseException) and id(e) not in seen]
    return None
