"""Which rules a scan ran: decided when the scan finishes, recorded with it (``Scan.rules_run_json``).

A rule ran when its kind was exercised by at least one successfully read asset — ``pii`` rules on
datasets and pages, ``tls`` rules on ``tls://`` endpoints, ``http`` and ``exposure`` rules on a
portal (``url:``) target whose crawl reached pages (``exposure`` only when its probes were on).
The rule ids come from the rule set the scan ran with, so a report built later, with rules added
or removed since, still says what that scan tested. Scans recorded before migration 0007 have no
list; the report infers theirs from their reads with :func:`kinds_exercised`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from govscan.rules import RuleSet
from govscan.store.queries import ScanRead, scan_reads
from govscan.store.tables import Scan


def record_rules_run(session: Session, scan: Scan, rules: RuleSet) -> list[str]:
    """Store on ``scan`` the ids of the rules it ran (from all its reads, a resumed run's included)."""
    assert scan.id is not None
    kinds = kinds_exercised(scan_reads(session, scan.id), target_settings(recorded_settings(scan)))
    ran = sorted(rule.id for rule in rules if rule.kind in kinds)
    scan.rules_run_json = json.dumps(ran)
    session.add(scan)
    return ran


def recorded_rules_run(scan: Scan) -> list[str] | None:
    """The rule ids recorded with ``scan``; None when it was recorded before they were."""
    if scan.rules_run_json is None:
        return None
    try:
        ran = json.loads(scan.rules_run_json)
    except ValueError:
        return None
    return [str(r) for r in ran] if isinstance(ran, list) else None


def kinds_exercised(reads: Iterable[ScanRead], recorded: dict[str, dict[str, Any]] | None = None) -> set[str]:
    """Rule kinds a scan exercised, from the assets it read successfully (see the module docstring).

    A portal target (kind ``url``) whose recorded crawl settings turned probes off exercised no
    ``exposure`` rules.
    """
    kinds: set[str] = set()
    for read, asset, target in reads:
        if read.status != "ok":
            continue
        observed = json.loads(read.summary_json) if read.summary_json else {}
        if asset.uri_display.startswith("tls://"):
            kinds.add("tls")
        elif observed.get("kind") == "portal":  # the portal's own read: did the crawl reach pages?
            if observed.get("pages"):
                crawl = (recorded or {}).get(target.name, {}).get("crawl") or {}
                kinds.update(("http", "pii") if crawl.get("probes") is False else ("http", "exposure", "pii"))
        else:
            kinds.add("pii")  # a dataset, a page or a file: read for personal data
    return kinds


def recorded_settings(scan: Scan) -> dict[str, Any]:
    """``Scan.settings_json`` as a dict (``{}`` when absent or unreadable: older scans did not record it)."""
    try:
        settings = json.loads(scan.settings_json or "{}")
    except ValueError:
        return {}
    return settings if isinstance(settings, dict) else {}


def target_settings(settings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Recorded per-target settings by target name."""
    targets = settings.get("targets")
    if not isinstance(targets, list):
        return {}
    return {str(t["name"]): t for t in targets if isinstance(t, dict) and "name" in t}
