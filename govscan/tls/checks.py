"""TLS verdicts as small pure functions of an endpoint's facts, registered by name.

They reach the judge through the ``govscan_tls_checks`` hook (:mod:`govscan.plugins`), like a
plugin's; :mod:`govscan.rules.judge` turns a ``Hit`` into the finding.

Rule files (``rules/tls/*.yaml``) refer to a check by name and pass ``params``. A check returns
``None`` (passes) or a ``Hit`` with a short evidence string; it never does I/O.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from govscan.model import Message, MessageParam
from govscan.rules.judge import Hit
from govscan.tls.facts import Certificate, Suite, TlsFacts
from govscan.tls.known_roots import known_roots

Check = Callable[[TlsFacts, Mapping[str, Any]], Hit | None]


@dataclass(frozen=True)
class TlsCheck:
    """A check as rules name it: ``check: <name>``."""

    name: str
    fn: Check


_BUILTIN: list[TlsCheck] = []


def check(name: str) -> Callable[[Check], Check]:
    """Mark ``fn`` as the built-in check ``name``."""

    def register(fn: Check) -> Check:
        _BUILTIN.append(TlsCheck(name, fn))
        return fn

    return register


def builtin_checks() -> list[TlsCheck]:
    """The TLS checks govscan ships (:mod:`govscan.builtins` registers them like a plugin's)."""
    return list(_BUILTIN)


# --- protocols ------------------------------------------------------------------------------
@check("protocol_offered")
def protocol_offered(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    """The server accepts a protocol version that should be off."""
    protocol = params["protocol"]
    return (
        Hit.said(f"{protocol} accepted", "tls.protocol-accepted", protocol=protocol) if facts.offers(protocol) else None
    )


@check("no_modern_protocol")
def no_modern_protocol(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    tested = [facts.protocols.get(p) for p in ("tls1.2", "tls1.3")]
    if any(t is None for t in tested) or any(tested):
        return None
    return Hit.said("neither TLS 1.2 nor TLS 1.3 accepted", "tls.no-modern")


# --- cipher suites --------------------------------------------------------------------------
def _suites_hit(suites: list[Suite], what: str, kind: str, **params: MessageParam) -> Hit | None:
    """``what: A, B, C and 2 more``; message ``tls.suites.<kind>`` says the same in the report's language."""
    if not suites:
        return None
    names = sorted({f"{s.name} ({s.protocol})" for s in suites})
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    said = Message(f"tls.suites.{kind}", {**params, "suites": names[:12]})  # bounded, no "and N more" to word
    return Hit(f"{what}: {shown}", count=len(names), messages=(said,))


def is_null(s: Suite) -> bool:
    return s.key_size == 0 or "_NULL_" in s.name or s.name.endswith("_NULL")


def is_anonymous(s: Suite) -> bool:
    return s.anonymous or "_anon_" in s.name


def is_export(s: Suite) -> bool:
    return "EXPORT" in s.name


def is_rc4(s: Suite) -> bool:
    return "RC4" in s.name


def is_des(s: Suite) -> bool:
    return "_DES_" in s.name or "3DES" in s.name or "DES_CBC" in s.name or "DES40" in s.name


def is_forward_secret(s: Suite) -> bool:
    return s.protocol == "tls1.3" or "_DHE_" in s.name or "_ECDHE_" in s.name or s.ephemeral_type is not None


def is_aead(s: Suite) -> bool:
    return s.protocol == "tls1.3" or any(m in s.name for m in ("_GCM_", "CHACHA20", "_CCM"))


CIPHER_CLASSES: dict[str, tuple[Callable[[Suite], bool], str]] = {
    "null": (is_null, "suites without encryption"),
    "anonymous": (is_anonymous, "suites without authentication"),
    "export": (is_export, "export-grade suites"),
    "rc4": (is_rc4, "RC4 suites"),
    "des": (is_des, "DES/3DES suites"),
}


@check("cipher_class")
def cipher_class(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    predicate, what = CIPHER_CLASSES[params["class"]]
    return _suites_hit([s for s in facts.suites if predicate(s)], what, params["class"])


@check("weak_dh")
def weak_dh(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    minimum = int(params.get("min_bits", 2048))
    weak = [s for s in facts.suites if s.ephemeral_type == "DH" and (s.ephemeral_size or 0) < minimum]
    return _suites_hit(weak, f"DH groups under {minimum} bits", "weak-dh", bits=minimum)


@check("no_forward_secrecy")
def no_forward_secrecy(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    if facts.suites and not any(is_forward_secret(s) for s in facts.suites):
        return Hit.said("no suite with forward secrecy is accepted", "tls.no-forward-secrecy")
    return None


@check("cbc_only_tls12")
def cbc_only_tls12(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    tls12 = [s for s in facts.suites if s.protocol == "tls1.2"]
    if tls12 and not any(is_aead(s) for s in tls12):
        return Hit.said("TLS 1.2 offers only CBC suites (no GCM/ChaCha20)", "tls.cbc-only")
    return None


# --- certificate ----------------------------------------------------------------------------
def _now(params: Mapping[str, Any]) -> dt.datetime:
    return params.get("now") or dt.datetime.now(dt.UTC)


@check("cert_expired")
def cert_expired(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    leaf = facts.leaf
    if leaf and leaf.not_after < _now(params):
        return Hit.said(f"expired {leaf.not_after:%Y-%m-%d}", "tls.cert-expired", date=f"{leaf.not_after:%Y-%m-%d}")
    return None


@check("cert_expiring")
def cert_expiring(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    leaf = facts.leaf
    now = _now(params)
    days = int(params.get("days", 30))
    if leaf and now <= leaf.not_after < now + dt.timedelta(days=days):
        left = (leaf.not_after - now).days
        text = f"expires {leaf.not_after:%Y-%m-%d} (in {left} days)"
        return Hit.said(text, "tls.cert-expiring", date=f"{leaf.not_after:%Y-%m-%d}", days=left)
    return None


@check("cert_not_yet_valid")
def cert_not_yet_valid(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    leaf = facts.leaf
    if leaf and leaf.not_before > _now(params):
        text = f"valid only from {leaf.not_before:%Y-%m-%d}"
        return Hit.said(text, "tls.cert-not-yet-valid", date=f"{leaf.not_before:%Y-%m-%d}")
    return None


def matches_hostname(cert: Certificate, host: str) -> bool:
    """RFC 6125 matching on SAN entries (one left-most wildcard label); IPs against IP SANs."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None:
        return any(ipaddress.ip_address(ip) == address for ip in cert.san_ip)
    host = host.lower().rstrip(".")
    for name in cert.san_dns:
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


@check("cert_hostname_mismatch")
def cert_hostname_mismatch(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    leaf = facts.leaf
    if leaf is None or matches_hostname(leaf, facts.endpoint.host):
        return None
    listed = [*leaf.san_dns, *leaf.san_ip][:4]
    host = facts.endpoint.host
    if not listed:
        return Hit.said(f"certificate names no subjectAltName, not {host}", "tls.cert-no-san", host=host)
    return Hit.said(f"certificate names {', '.join(listed)}, not {host}", "tls.cert-names", names=listed, host=host)


@check("cert_untrusted")
def cert_untrusted(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    """Not trusted by any store in use (public stores, and the configured anchors if any).

    Interception roots never count as trust, even when an operator configured them.
    """
    leaf = facts.leaf
    if leaf is None or not facts.trust:
        return None
    roots = known_roots()
    if any(roots.is_interception(c) for c in facts.chain):
        return None  # reported by the interception rule, at a higher severity
    if any(t.trusted for t in facts.trust):
        return None
    if not all(is_chain_error(t.error) for t in facts.trust):
        return None  # some store found a path and failed on expiry, name or hash: their own rules say so
    top = facts.chain[-1]
    reason, kind = (
        ("self-signed", "self-signed")
        if leaf.self_signed
        else (
            ("incomplete or unknown chain", "incomplete") if not top.self_signed else ("unknown root", "unknown-root")
        )
    )
    issuer = top.issuer
    if roots.is_national_ca(issuer):
        national = " — the Kazakhstan national CA (NCA RK), absent from public trust stores"
        return Hit.said(f"{reason}; issuer {issuer}{national}", f"tls.untrusted.{kind}.national", issuer=issuer)
    return Hit.said(f"{reason}; issuer {issuer}", f"tls.untrusted.{kind}", issuer=issuer)


NOT_CHAIN_ERRORS = ("not valid at validation time", "subjectaltname", "forbidden signature algorithm", "expired")


def is_chain_error(error: str | None) -> bool:
    """A validation error about the path to a root, not about the leaf's dates, names or hash."""
    if not error:
        return False
    lowered = error.lower()
    return not any(marker in lowered for marker in NOT_CHAIN_ERRORS)


@check("cert_interception_root")
def cert_interception_root(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    roots = known_roots()
    for cert in facts.chain:
        if roots.is_interception(cert):
            text = f"chain contains a known interception root: {cert.subject}"
            return Hit.said(text, "tls.interception-root", subject=cert.subject)
    anchors = {t.anchor_sha256 for t in facts.trust if t.anchor_sha256}
    if anchors & roots.fingerprints:
        return Hit.said("chain validates only through a known interception root", "tls.interception-anchor")
    return None


@check("cert_weak_key")
def cert_weak_key(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    leaf = facts.leaf
    if leaf is None:
        return None
    rsa_min, ec_min = int(params.get("rsa_min", 2048)), int(params.get("ec_min", 256))
    if leaf.key_type in ("RSA", "DSA") and leaf.key_size < rsa_min:
        text = f"{leaf.key_type} {leaf.key_size} bits"
        return Hit.said(text, "tls.weak-key", key=leaf.key_type, bits=leaf.key_size)
    if leaf.key_type == "EC" and leaf.key_size < ec_min:
        return Hit.said(f"EC {leaf.key_size} bits", "tls.weak-key", key="EC", bits=leaf.key_size)
    return None


@check("cert_weak_signature")
def cert_weak_signature(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    weak = {h.lower() for h in params.get("hashes", ["sha1", "md5", "md2"])}
    for cert in facts.chain:
        if not cert.self_signed and cert.signature_hash and cert.signature_hash.lower() in weak:
            text = f"{cert.signature_hash.upper()} signature on {cert.subject}"
            return Hit.said(text, "tls.weak-signature", hash=cert.signature_hash.upper(), subject=cert.subject)
    return None


# --- vulnerabilities ------------------------------------------------------------------------
@check("flag")
def flag(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    """A boolean fact equal to ``when`` (``heartbleed: true``, ``fallback_scsv: false``)."""
    value = getattr(facts, params["fact"])
    if value is not None and bool(value) == bool(params.get("when", True)):
        text = params.get("evidence", f"{params['fact']} = {value}")
        # a rule may name the message its evidence is in the report catalogues (``message:``)
        return Hit.said(text, params["message"]) if params.get("message") else Hit(text)
    return None


@check("robot")
def robot(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    if facts.robot and facts.robot.startswith("VULNERABLE"):
        return Hit.said(facts.robot.lower().replace("_", " "), "tls.robot", state=facts.robot)
    return None


@check("mozilla")
def mozilla(facts: TlsFacts, params: Mapping[str, Any]) -> Hit | None:
    """Failures of Mozilla's intermediate profile (sslyze's checker), by issue key prefix."""
    keys = [k for k in facts.mozilla_issues if any(k.startswith(p) for p in params["keys"])]
    if not keys:
        return None
    text = "; ".join(f"{k}: {facts.mozilla_issues[k]}" for k in sorted(keys))[:300]
    return Hit(
        text, count=len(keys), messages=tuple(_mozilla_message(k, facts.mozilla_issues[k]) for k in sorted(keys))
    )


_SUPPORTED = re.compile(r"\{(.*)\} are supported, but should be rejected")
_SIZE = re.compile(r"is (\d+), (?:should be superior or equal to|minimum allowed is) (\d+)")


def _mozilla_message(key: str, text: str) -> Message:
    """sslyze's English issue as a message: the rejected items as a list, the sizes as numbers.

    sslyze words its issues with Python set reprs (``{'secp521r1', 'X448'}``); the items are
    taken out so no report shows a repr. An issue of another shape keeps its text as a parameter.
    """
    listed = _SUPPORTED.search(text)
    if listed:
        items = sorted(re.findall(r"'([^']*)'", listed.group(1)))
        return Message("tls.mozilla.rejected", {"what": key, "items": items})
    sized = _SIZE.search(text)
    if sized:
        return Message("tls.mozilla.size", {"what": key, "size": int(sized.group(1)), "minimum": int(sized.group(2))})
    return Message("tls.mozilla.other", {"what": key, "text": text})
