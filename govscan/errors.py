"""The one error type the command line turns into a single line and exit 2.

A problem with something the user handed govscan — a key, a key file, a config, a baseline, a
database — is not a bug: it gets one line naming the file (or variable) and the problem, never a
traceback. Library code raises a subclass of :class:`InputError`; the ``govscan`` command group
prints ``govscan: error: <message>`` and exits 2 (DESIGN.md: 2 is usage or input error).
"""

from __future__ import annotations

from govscan.redact import shorten

# An echoed path or value is clipped: a 5 MB path in an error line helps nobody.
MAX_SHOWN = 300


class InputError(Exception):
    """Bad input the user must fix; ``str()`` is the whole one-line message."""


def shown(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` on one line and at most ``limit`` characters, for echoing inputs in error lines."""
    flat = " ".join(text.split()) if any(c in text for c in "\r\n\t") else text
    return shorten(flat, limit)  # identifiers masked before the cut, which could halve one


def one_line(value: object, limit: int | None = None) -> str:
    """``str(value)`` with every whitespace run (newlines too) as one space, cut at ``limit``.

    Exception texts and server answers span lines; an error line, a log line or a stored
    problem must stay one line, so every place that quotes them goes through here.
    """
    flat = " ".join(str(value).split())
    return flat if limit is None else shorten(flat, limit)


def described(exc: BaseException, limit: int | None = None) -> str:
    """``TypeName: message`` on one line (the message cut at ``limit``), or just ``TypeName``."""
    text = one_line(exc, limit)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
