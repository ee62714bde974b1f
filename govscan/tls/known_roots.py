"""Known Kazakhstan interception roots and national-CA issuer names, loaded from package data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from govscan.tls.facts import Certificate


@dataclass(frozen=True)
class KnownRoots:
    fingerprints: frozenset[str]
    names: tuple[str, ...]
    national_ca_names: tuple[str, ...]

    def is_interception(self, cert: Certificate) -> bool:
        if cert.sha256.lower() in self.fingerprints:
            return True
        text = f"{cert.subject} {cert.issuer}".lower()
        return any(name.lower() in text for name in self.names)

    def is_national_ca(self, issuer: str) -> bool:
        text = issuer.lower()
        return any(name.lower() in text for name in self.national_ca_names)


@cache
def known_roots() -> KnownRoots:
    data = yaml.safe_load((resources.files("govscan.tls") / "data" / "interception_roots.yaml").read_text("utf-8"))
    return KnownRoots(
        fingerprints=frozenset(f.lower() for f in data["fingerprints"]),
        names=tuple(data["names"]),
        national_ca_names=tuple(data["national_ca_names"]),
    )
