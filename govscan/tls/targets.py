"""``HOST[:PORT]`` arguments and target files into endpoints; a bad one is a clear error."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from govscan.tls.facts import Endpoint


class TargetError(ValueError):
    pass


def parse_target(text: str, default_port: int = 443) -> Endpoint:
    """``almaty.gov.kz``, ``almaty.gov.kz:8443``, ``https://x.kz/path``, ``[::1]:443``, ``10.0.0.1``."""
    raw = text.strip()
    if "://" in raw:
        parts = urlsplit(raw)
        if not parts.hostname:
            raise TargetError(f"{text!r}: no host name")
        return Endpoint(parts.hostname.lower(), parts.port or default_port)
    host, port = raw, default_port
    if raw.startswith("["):
        host, _, rest = raw[1:].partition("]")
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
        port = _port(port_text, text)
    if not host or " " in host:
        raise TargetError(f"{text!r}: not a host name")
    return Endpoint(host.lower(), port)


def _port(value: str, text: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise TargetError(f"{text!r}: bad port {value!r}")
    return int(value)


def read_targets(lines: Iterable[str]) -> list[str]:
    """Targets from a file: one per line, ``#`` comments and blank lines ignored."""
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
