"""What sslyze observed about one endpoint, as plain frozen data (picklable, JSON-able).

Collectors fill these; checks and the grader read only these. Keeping the two apart lets the
verdicts be tested on hand-built facts, and lets a worker process hand facts back cheaply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PROTOCOLS = ("ssl2", "ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3")


@dataclass(frozen=True)
class Endpoint:
    """A TLS service to audit. ``host`` is what is validated (SNI, names); ``ip`` where to connect."""

    host: str
    port: int = 443
    ip: str | None = None

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def uri(self) -> str:
        return f"tls://{self.address}"


@dataclass(frozen=True)
class Suite:
    """An accepted cipher suite. ``key_size`` is the symmetric key (0 for NULL)."""

    name: str
    protocol: str
    key_size: int
    anonymous: bool = False
    ephemeral_type: str | None = None  # "DH" / "ECDH" when the key exchange is ephemeral
    ephemeral_size: int | None = None


@dataclass(frozen=True)
class Certificate:
    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    key_type: str  # "RSA", "EC", "DSA", "Ed25519"…
    key_size: int
    signature_hash: str | None  # "sha256", "sha1", "md5"… (None for Ed25519)
    san_dns: tuple[str, ...] = ()
    san_ip: tuple[str, ...] = ()
    self_signed: bool = False
    is_ca: bool = False
    sha256: str = ""
    issuer_country: str | None = None
    rsa_exponent: int | None = None


@dataclass(frozen=True)
class Trust:
    """One trust store's verdict on the received chain."""

    store: str
    trusted: bool
    error: str | None = None
    configured: bool = False  # an operator-supplied anchor file (--ca-file), not a public store
    anchor_sha256: str | None = None  # root of the verified chain, when trusted


@dataclass(frozen=True)
class TlsFacts:
    endpoint: Endpoint
    scanned_at: dt.datetime
    ip: str | None = None
    error: str | None = None  # the endpoint could not be scanned at all (refused, not TLS, timeout)
    protocols: dict[str, bool | None] = field(default_factory=dict)  # None: not tested
    suites: tuple[Suite, ...] = ()
    chain: tuple[Certificate, ...] = ()  # as received, leaf first
    trust: tuple[Trust, ...] = ()
    chain_in_order: bool | None = None
    heartbleed: bool | None = None
    ccs_injection: bool | None = None
    robot: str | None = None  # sslyze's RobotScanResultEnum name
    compression: bool | None = None
    secure_renegotiation: bool | None = None
    client_renegotiation: bool | None = None
    fallback_scsv: bool | None = None
    ocsp_stapling: bool | None = None
    hsts_max_age: int | None = None  # None: no header (or not tested, see ``hsts_tested``)
    hsts_tested: bool = False
    hsts_include_subdomains: bool = False
    mozilla_issues: dict[str, str] = field(default_factory=dict)  # intermediate profile
    command_errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)  # sslyze's own JSON, kept as evidence

    @property
    def leaf(self) -> Certificate | None:
        return self.chain[0] if self.chain else None

    def offers(self, protocol: str) -> bool:
        return bool(self.protocols.get(protocol))

    @property
    def publicly_trusted(self) -> bool:
        return any(t.trusted for t in self.trust if not t.configured)

    @property
    def trusted_by_configured(self) -> bool:
        return any(t.trusted for t in self.trust if t.configured)
