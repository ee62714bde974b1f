"""An SSL Labs-style grade from an endpoint's facts (rating guide as implemented by testssl.sh).

Score = 30 % protocol + 30 % key exchange + 40 % cipher strength (each the mean of best and
worst), then caps (F, C, B), then T (untrusted) and M (name mismatch) override, then A- for
warnings and A+ for a long HSTS. sslyze has no client simulation, so forward secrecy and AEAD
are capped on "not offered at all", as testssl.sh does. Pure: facts in, grade out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govscan.tls import checks
from govscan.tls.facts import TlsFacts

PROTOCOL_POINTS = {"ssl2": 0, "ssl3": 80, "tls1.0": 90, "tls1.1": 95, "tls1.2": 100, "tls1.3": 100}
LETTERS = ("A", "B", "C", "D", "E", "F")
HSTS_LONG = 15_552_000  # 180 days


@dataclass(frozen=True)
class Grade:
    letter: str  # A+, A, A-, B…F, T, M, or "-" when the endpoint could not be graded
    score: int = 0
    protocol_score: int = 0
    key_exchange_score: int = 0
    cipher_score: int = 0
    caps: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    if_trusted: str | None = None  # SSL Labs shows the grade "if trust issues were resolved"

    def as_dict(self) -> dict[str, Any]:
        return {
            "letter": self.letter,
            "score": self.score,
            "protocol": self.protocol_score,
            "key_exchange": self.key_exchange_score,
            "cipher_strength": self.cipher_score,
            "caps": list(self.caps),
            "warnings": list(self.warnings),
            "if_trusted": self.if_trusted,
        }


def key_bits_score(key_type: str, bits: int) -> int:
    if key_type == "EC":
        steps = ((110, 20), (123, 40), (163, 80), (225, 90))
    else:
        steps = ((512, 20), (1024, 40), (2048, 80), (4096, 90))
    for limit, points in steps:
        if bits < limit:
            return points
    return 100


def cipher_bits_score(bits: int) -> int:
    if bits == 0:
        return 0
    if bits < 128:
        return 20
    return 80 if bits < 256 else 100


def letter_for(score: int) -> str:
    for threshold, letter in ((80, "A"), (65, "B"), (50, "C"), (35, "D"), (20, "E")):
        if score >= threshold:
            return letter
    return "F"


def grade(facts: TlsFacts) -> Grade:
    if facts.error or not facts.suites:
        return Grade("-")
    offered = [p for p in PROTOCOL_POINTS if facts.offers(p)]
    points = [PROTOCOL_POINTS[p] for p in offered]
    protocol = (max(points) + min(points)) // 2

    leaf = facts.leaf
    kx_scores = [key_bits_score(leaf.key_type, leaf.key_size)] if leaf else []
    for suite in facts.suites:
        if checks.is_anonymous(suite):
            kx_scores.append(0)
        elif checks.is_export(suite):
            kx_scores.append(40)
        elif suite.ephemeral_type and suite.ephemeral_size:
            kx_scores.append(key_bits_score("EC" if suite.ephemeral_type == "ECDH" else "DH", suite.ephemeral_size))
    key_exchange = min(kx_scores) if kx_scores else 0

    sizes = [cipher_bits_score(s.key_size) for s in facts.suites]
    cipher = (max(sizes) + min(sizes)) // 2

    score = 0 if 0 in (protocol, key_exchange, cipher) else round(0.3 * protocol + 0.3 * key_exchange + 0.4 * cipher)
    caps = _caps(facts, offered, key_exchange)
    letter = letter_for(score)
    for cap_letter in caps.values():
        if LETTERS.index(cap_letter) > LETTERS.index(letter):
            letter = cap_letter
    warnings = _warnings(facts)
    if letter == "A":
        if warnings:
            letter = "A-"
        elif facts.hsts_max_age and facts.hsts_max_age >= HSTS_LONG:
            letter = "A+"
    trust_letter = _trust_letter(facts)
    final = trust_letter or letter
    return Grade(
        letter=final,
        score=score,
        protocol_score=protocol,
        key_exchange_score=key_exchange,
        cipher_score=cipher,
        caps=tuple(f"{cap}: {reason}" for reason, cap in caps.items()),
        warnings=tuple(warnings),
        if_trusted=letter if trust_letter else None,
    )


def _caps(facts: TlsFacts, offered: list[str], key_exchange: int) -> dict[str, str]:
    caps: dict[str, str] = {}
    suites = facts.suites
    modern = [s for s in suites if s.protocol in ("tls1.1", "tls1.2", "tls1.3")]
    leaf = facts.leaf
    # F
    if "ssl2" in offered:
        caps["SSLv2 offered"] = "F"
    if offered and offered[-1] == "ssl3":
        caps["SSLv3 is the best protocol"] = "F"
    if any(checks.is_export(s) or checks.is_null(s) or 0 < s.key_size < 112 for s in suites):
        caps["export, NULL or < 112-bit suites"] = "F"
    if key_exchange <= 40:
        caps["key exchange too weak (anonymous, export or short keys)"] = "F"
    if leaf and leaf.signature_hash in ("md5", "md2"):
        caps["MD5/MD2 certificate signature"] = "F"
    if leaf and leaf.rsa_exponent == 1:
        caps["RSA exponent 1"] = "F"
    if facts.heartbleed:
        caps["Heartbleed"] = "F"
    if facts.ccs_injection:
        caps["OpenSSL CCS injection"] = "F"
    if facts.robot == "VULNERABLE_STRONG_ORACLE":
        caps["ROBOT (strong oracle)"] = "F"
    # C
    if not (facts.offers("tls1.2") or facts.offers("tls1.3")):
        caps["neither TLS 1.2 nor TLS 1.3"] = "C"
    if facts.compression:
        caps["TLS compression (CRIME)"] = "C"
    if any(checks.is_rc4(s) for s in modern):
        caps["RC4 with TLS 1.1+"] = "C"
    if any(checks.is_des(s) for s in modern):
        caps["3DES/64-bit block suites with TLS 1.1+"] = "C"
    # B
    if any(p in offered for p in ("ssl3", "tls1.0", "tls1.1")):
        caps["SSLv3, TLS 1.0 or TLS 1.1 offered"] = "B"
    if not any(checks.is_forward_secret(s) for s in suites):
        caps["no forward secrecy"] = "B"
    if not any(checks.is_aead(s) for s in suites):
        caps["no AEAD suite"] = "B"
    if any(checks.is_rc4(s) for s in suites):
        caps["RC4 offered"] = "B"
    if key_exchange <= 80:
        caps["key exchange under 2048-bit strength"] = "B"
    if facts.robot == "VULNERABLE_WEAK_ORACLE":
        caps["ROBOT (weak oracle)"] = "B"
    return caps


def _warnings(facts: TlsFacts) -> list[str]:
    warnings = []
    if facts.protocols.get("tls1.3") is False:
        warnings.append("no TLS 1.3")
    if facts.secure_renegotiation is False:
        warnings.append("no secure renegotiation")
    if facts.hsts_tested and facts.hsts_max_age is not None and facts.hsts_max_age < HSTS_LONG:
        warnings.append("HSTS max-age under 180 days")
    return warnings


def _trust_letter(facts: TlsFacts) -> str | None:
    """M for a name mismatch, T for any trust problem (expired, self-signed, unknown, SHA-1)."""
    leaf = facts.leaf
    if leaf is None:
        return None
    if not checks.matches_hostname(leaf, facts.endpoint.host):
        return "M"
    params: dict[str, Any] = {}
    if (
        checks.cert_untrusted(facts, params)
        or checks.cert_interception_root(facts, params)
        or checks.cert_expired(facts, params)
        or checks.cert_not_yet_valid(facts, params)
        or checks.cert_weak_signature(facts, {"hashes": ["sha1", "md5", "md2"]})
    ):
        return "T"
    return None
