"""SSRF guard: the scanner only talks to public addresses, or to the one local target it was pointed at.

A portal can redirect (or link, or resolve its own name) to ``169.254.169.254`` and turn the
scanner into a proxy into the network it runs in. So every address is judged *after* DNS
resolution: loopback, private, link-local, reserved, multicast, unspecified, carrier-grade NAT
and the cloud metadata endpoints are refused, including IPv4 hidden in IPv6 (``::ffff:10.0.0.1``,
6to4, NAT64). The exception is the target itself: a scan of ``http://127.0.0.1:8080/`` (tests, an
intranet portal) allows exactly the addresses that target resolved to, on the target's port
(``Guard.for_target``), and nothing else, so a redirect from it to ``10.0.0.5`` or to
``127.0.0.1:6379`` is still refused. URLs are read once, the way urllib3 will connect (``urls``).

``Guard.check_url`` runs before each request and redirect hop; ``guarded_adapter`` (used by the
client) repeats the check at connect time on the very address it connects to, so a DNS answer
that changes between the check and the connection (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from govscan.net.urls import DEFAULT_PORTS, UnsafeURL, WebURL, parse
from govscan.net.watchdog import attach_current

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean…
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (classic)
    )
)
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IP literals resolve to themselves, without DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def address_problem(address: str | IPAddress) -> str | None:
    """Why the scanner must not connect to ``address``, or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return f"not an IP address: {address}"
    if ip in METADATA_ADDRESSES:
        return f"cloud metadata address {ip}"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = address_problem(embedded)
            return f"{inner} (embedded in {ip})" if inner else None
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "site-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-public"),
    )
    for hit, kind in checks:
        if hit:
            return f"{kind} address {ip}"
    return None


def host_problem(host: str) -> str | None:
    """Names that mean "cloud metadata" whatever they resolve to."""
    name = host.lower().rstrip(".")
    if name in METADATA_HOSTS:
        return f"cloud metadata host {name}"
    return None


@dataclass(frozen=True)
class Guard:
    """Decides which hosts and addresses may be contacted.

    ``allow`` holds addresses that are fine although non-public (the target's own);
    ``allow_hosts`` host names likewise; ``allow_private`` switches the guard off entirely
    (an explicit operator decision, e.g. an internal network audit).
    """

    allow: frozenset[str] = frozenset()
    allow_hosts: frozenset[str] = frozenset()
    allow_private: bool = False
    resolver: Resolver = field(default=resolve, compare=False, repr=False)
    allow_ports: frozenset[int] = frozenset()  # the ports ``allow``/``allow_hosts`` hold for; empty: any port

    @classmethod
    def for_target(cls, url: str, *, allow_private: bool = False, resolver: Resolver = resolve) -> Guard:
        """A guard that lets the target's own (possibly local) addresses through and nothing else non-public.

        The allowance is for the target's port only (both 80 and 443 when it uses a default one, so
        ``http://`` → ``https://`` of an intranet portal works): scanning ``http://127.0.0.1:8080/``
        must not let a redirect reach ``127.0.0.1:6379``. A URL the parsers read differently
        (see ``urls``) allows nothing.
        """
        try:
            target = parse(url)
        except UnsafeURL:
            return cls(allow_private=allow_private, resolver=resolver)
        host = target.host.rstrip(".")
        try:
            addresses = resolver(host, target.port)
        except (OSError, ValueError, UnicodeError):
            addresses = []
        allowed = frozenset(str(ipaddress.ip_address(a)) for a in addresses if address_problem(a))
        hosts = frozenset({host}) if host_problem(host) else frozenset()
        defaults = frozenset(DEFAULT_PORTS.values())
        ports = defaults if target.port in defaults else frozenset({target.port})
        return cls(allow=allowed, allow_hosts=hosts, allow_private=allow_private, resolver=resolver, allow_ports=ports)

    def _port_allowed(self, port: int | None) -> bool:
        return not self.allow_ports or port is None or port in self.allow_ports

    def addresses_problem(self, host: str, addresses: Sequence[str], port: int | None = None) -> str | None:
        """Why connecting to ``host`` at these addresses (on ``port``) is refused; None when all are fine.

        One bad address refuses the host: an attacker's DNS can answer with a public and a
        private address and let the connection pick.
        """
        if self.allow_private:
            return None
        if not addresses:
            return f"{host} resolves to no address"
        for address in addresses:
            try:
                canonical = str(ipaddress.ip_address(address))
            except ValueError:
                return f"not an IP address: {address}"
            allowed = canonical in self.allow
            if allowed and self._port_allowed(port):
                continue
            problem = address_problem(canonical)
            if problem:
                if allowed:
                    problem = f"{problem} on port {port}, not the target's"
                return problem if host == canonical else f"{host} resolves to {problem}"
        return None

    def check_host(self, host: str, port: int) -> tuple[list[str], str | None]:
        """Resolve ``host`` and judge it: (addresses, problem or None)."""
        host = host.lower().rstrip(".").strip("[]")
        if not self.allow_private and not (host in self.allow_hosts and self._port_allowed(port)):
            problem = host_problem(host)
            if problem:
                return [], problem
        try:
            addresses = list(self.resolver(host, port))
        except (OSError, UnicodeError, ValueError) as exc:
            return [], f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}"
        return addresses, self.addresses_problem(host, addresses, port)

    def check(self, target: WebURL) -> str | None:
        """Why the parsed URL ``target`` must not be fetched, or None: resolves its host, judges every address."""
        _, problem = self.check_host(target.host, target.port)
        return problem

    def check_url(self, url: str) -> str | None:
        """``check`` for a URL string; a URL the parsers read differently is refused (see ``urls``)."""
        try:
            target = parse(url)
        except UnsafeURL as exc:
            return str(exc)
        return self.check(target)


class GuardRefused(NewConnectionError):
    """Raised inside urllib3 when the connect-time check refuses an address."""


def _guarded(connection_class: type[HTTPConnection], guard: Guard) -> type[HTTPConnection]:
    class Guarded(connection_class):  # type: ignore[valid-type,misc]
        def _new_conn(self):  # type: ignore[no-untyped-def]
            addresses, problem = guard.check_host(self._dns_host, self.port)
            if problem or not addresses:
                raise GuardRefused(self, f"blocked by SSRF guard: {problem or 'no address'}")
            # Connect to the address just judged, not to a fresh DNS answer; TLS still
            # verifies against the host name (``self.host`` is restored before the handshake).
            original = self._dns_host
            self._dns_host = addresses[0]
            try:
                return super()._new_conn()
            finally:
                self._dns_host = original

        def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            attach_current(self)  # the exchange's wall-clock watch may shut this socket down
            return super().request(*args, **kwargs)

    Guarded.__name__ = f"Guarded{connection_class.__name__}"
    return Guarded


class GuardedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections re-check the guard on the address they connect to."""

    def __init__(self, guard: Guard, ssl_context: ssl.SSLContext | None = None, **kwargs: object) -> None:
        self._guard = guard
        self._ssl_context = ssl_context  # the trust anchors of https connections, when not requests' default
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        if self._ssl_context is not None:
            kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        http_conn = _guarded(HTTPConnection, self._guard)
        https_conn = _guarded(HTTPSConnection, self._guard)
        http_pool = type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
        https_pool = type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
