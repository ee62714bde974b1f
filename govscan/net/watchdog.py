"""A wall-clock limit on one HTTP exchange, whatever the server does.

Read timeouts bound each socket read, not the exchange: a server can send one header line every
few seconds (a hundred lines allowed) or drip empty compressed blocks that decompress to nothing
forever. A ``Watch`` started around a request shuts the connection's socket down when the
deadline passes; the blocked read then fails and the client reports the deadline.

The connection registers itself with the watch of the thread that sends the request (the
guarded connection class calls ``attach_current``), so pooled keep-alive connections are covered too.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

_current = threading.local()


class Watch:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._connection: Any = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Watch:
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.watch = None

    def attach(self, connection: Any) -> None:
        with self._lock:
            self._connection = connection
            if self.expired:
                _shut(connection)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._connection is not None:
                _shut(self._connection)


def attach_current(connection: Any) -> None:
    """Called by a connection about to send a request: the current thread's watch now covers it."""
    watch = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(connection)


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
