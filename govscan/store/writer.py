"""The single database writer: a batch of assets' results in a handful of bulk statements.

Recording asset by asset through the ORM costs a dozen round trips per asset, which for small
files is more than detecting them. The writer keeps what a scan needs to know in memory (target
ids, the target's assets and which archive members belong to which file) and writes a batch —
asset reads, new and updated findings, their events, the findings a batch proves fixed — with
one executemany per table. Only the coordinator thread calls it.

A finding absent from a scan is ``fixed`` only when that scan read its asset successfully: a
file that could not be read this time changes nothing about what was found in it before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlmodel import Session

from govscan.identity import mask_uri, stored_uri
from govscan.model import AssetOutcome, Finding
from govscan.store.tables import Asset, AssetRead, FindingEvent, FindingRow, Target, utcnow

CHUNK = 500  # bound on IN (...) lists: SQLite allows 32,766 variables, PostgreSQL far more

ASSET: Table = Asset.__table__  # type: ignore[attr-defined]
ASSET_READ: Table = AssetRead.__table__  # type: ignore[attr-defined]
FINDING: Table = FindingRow.__table__  # type: ignore[attr-defined]
EVENT: Table = FindingEvent.__table__  # type: ignore[attr-defined]


@dataclass
class Recorded:
    """What a write changed, by finding id (``suppressed``: new, but accepted by the baseline)."""

    new: list[int] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)
    suppressed: list[int] = field(default_factory=list)


@dataclass
class _Entry:
    target: str
    kind: str
    outcomes: list[AssetOutcome]
    findings: list[Finding]


@dataclass
class _TargetAssets:
    """A target's assets by normal uri, and the archive members under each top-level file."""

    id: int
    by_uri: dict[str, int] = field(default_factory=dict)
    members: dict[str, list[int]] = field(default_factory=dict)

    def remember(self, uri: str, asset_id: int) -> None:
        self.by_uri[uri] = asset_id
        parent, sep, _ = uri.partition("!/")
        if sep:
            self.members.setdefault(parent, []).append(asset_id)


class FindingsWriter:
    """Buffer results with ``add``; ``flush`` writes them in one transaction and commits."""

    def __init__(self, session: Session, scan_id: int, suppress: Mapping[str, str] | None = None) -> None:
        self.session = session
        self.scan_id = scan_id
        self.suppress = dict(suppress or {})  # fingerprint → reason: baseline entries
        self.baseline_given = suppress is not None
        self._evented: set[int] = set()  # findings this scan has recorded an event for
        self._targets: dict[str, _TargetAssets] = {}
        self._pending: list[_Entry] = []

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, target: str, kind: str, outcomes: Iterable[AssetOutcome], findings: Iterable[Finding]) -> None:
        self._pending.append(_Entry(target, kind, list(outcomes), list(findings)))

    def flush(self) -> Recorded:
        entries, self._pending = self._pending, []
        if not entries:
            return Recorded()
        try:
            recorded = self._write(entries)
            self.session.commit()
        except BaseException:
            self.session.rollback()
            self._targets.clear()  # ids inserted in the rolled-back transaction are gone
            raise
        return recorded

    # --- the write ----------------------------------------------------------------------------
    def _write(self, entries: list[_Entry]) -> Recorded:
        """Reads, then new findings, then known ones seen again, then the ones proven fixed."""
        conn = self.session.connection()
        recorded = Recorded()
        self._ensure_assets(conn, entries)
        now = utcnow()
        ok_assets = self._record_reads(conn, entries)
        findings = self._findings_by_key(entries)
        known = self._known(conn, list(findings))
        events: list[dict[str, Any]] = []
        seen_ids = self._insert_fresh(conn, findings, known, now, events, recorded)
        seen_ids.update(row_id for row_id, _ in known.values())
        self._update_known(conn, findings, known, now, events, recorded)
        fixed = [row_id for row_id in self._open_in(conn, ok_assets) if row_id not in seen_ids]
        if fixed:
            conn.execute(
                update(FINDING).where(FINDING.c.id == bindparam("b_id")).values(status="fixed"),
                [{"b_id": row_id} for row_id in fixed],
            )
            events += [self._event(row_id, "fixed", 0) for row_id in fixed]
            recorded.fixed += fixed
        if events:
            conn.execute(insert(EVENT), events)
            self._evented.update(e["finding_id"] for e in events)
        return recorded

    def _record_reads(self, conn: Any, entries: list[_Entry]) -> set[int]:
        """One asset read per outcome; the assets read successfully (with their archive members)."""
        reads, ok_assets = [], set()
        for entry in entries:
            assets = self._targets[entry.target]
            unreadable = {assets.by_uri[stored_uri(o.uri)] for o in entry.outcomes if not o.ok}
            for outcome in entry.outcomes:
                uri = stored_uri(outcome.uri)
                asset_id = assets.by_uri[uri]
                reads.append(
                    {
                        "scan_id": self.scan_id,
                        "asset_id": asset_id,
                        "status": "ok" if outcome.ok else "error",
                        "reason": outcome.reason,
                        "summary_json": json.dumps(outcome.summary, ensure_ascii=False) if outcome.summary else None,
                    }
                )
                if outcome.ok:
                    ok_assets.add(asset_id)
                    # members read with the archive, except those that failed this time
                    ok_assets.update(m for m in assets.members.get(uri, ()) if m not in unreadable)
        if reads:
            conn.execute(insert(ASSET_READ), reads)
        return ok_assets

    def _findings_by_key(self, entries: list[_Entry]) -> dict[tuple[int, str], Finding]:
        """A finding is one fingerprint at one target's asset: a file two targets name is two findings."""
        findings: dict[tuple[int, str], Finding] = {}
        for entry in entries:
            assets = self._targets[entry.target]
            for finding in entry.findings:
                asset_id = assets.by_uri[stored_uri(finding.location.uri)]
                findings.setdefault((asset_id, finding.fingerprint), finding)
        return findings

    def _insert_fresh(
        self,
        conn: Any,
        findings: dict[tuple[int, str], Finding],
        known: dict[tuple[int, str], tuple[int, str]],
        now: Any,
        events: list[dict[str, Any]],
        recorded: Recorded,
    ) -> set[int]:
        """Insert the findings the database lacks; ``known`` gains those another scan stored first."""
        seen_ids: set[int] = set()
        fresh = [(key, f) for key, f in findings.items() if key not in known]
        if not fresh:
            return seen_ids
        rows = [self._new_row(f, asset_id, now) for (asset_id, _), f in fresh]
        returned = insert_new(
            conn,
            FINDING,
            rows,
            ("asset_id", "fingerprint"),
            (FINDING.c.id, FINDING.c.asset_id, FINDING.c.fingerprint),
        )
        ids = {(asset_id, fp): row_id for row_id, asset_id, fp in returned}
        # another scan sharing this target stored some first: they are known findings now
        known.update(self._known(conn, [key for key, _ in fresh if key not in ids]))
        for key, finding in fresh:
            if key not in ids:
                continue
            row_id = ids[key]
            seen_ids.add(row_id)
            events.append(self._event(row_id, "new", finding.count))
            (recorded.suppressed if finding.fingerprint in self.suppress else recorded.new).append(row_id)
        return seen_ids

    def _update_known(
        self,
        conn: Any,
        findings: dict[tuple[int, str], Finding],
        known: dict[tuple[int, str], tuple[int, str]],
        now: Any,
        events: list[dict[str, Any]],
        recorded: Recorded,
    ) -> None:
        """Findings the database had: seen again, reopened, or suppressed by the baseline."""
        updates = []
        for key, (row_id, status) in known.items():
            finding, fingerprint = findings[key], key[1]
            if row_id in self._evented:
                continue  # already recorded by this scan
            kind_of_event, new_status, reopened = _next_state(status, fingerprint, self.suppress, self.baseline_given)
            updates.append(
                {
                    "b_id": row_id,
                    "b_status": new_status,
                    "b_reopened": reopened,
                    "b_count": finding.count,
                    "b_evidence": finding.evidence,
                    "b_messages": _messages_json(finding),
                    "b_severity": finding.severity.label,
                    "b_now": now,
                }  # fmt: skip
            )
            events.append(self._event(row_id, kind_of_event, finding.count))
            getattr(
                recorded, "suppressed" if new_status == "suppressed" and kind_of_event != "seen" else kind_of_event
            ).append(row_id)
        if updates:
            conn.execute(
                update(FINDING)
                .where(FINDING.c.id == bindparam("b_id"))
                .values(
                    status=bindparam("b_status"),
                    reopened_count=FINDING.c.reopened_count + bindparam("b_reopened"),
                    count=bindparam("b_count"),
                    evidence_masked=bindparam("b_evidence"),
                    evidence_messages_json=bindparam("b_messages"),
                    severity=bindparam("b_severity"),
                    last_seen_scan_id=self.scan_id,
                    last_seen_at=bindparam("b_now"),
                ),
                updates,
            )

    def _new_row(self, finding: Finding, asset_id: int, now: Any) -> dict[str, Any]:
        return {
            "fingerprint": finding.fingerprint,
            "rule_id": finding.rule_id,
            "entity": finding.entity,
            "severity": finding.severity.label,
            "title": finding.title,
            "asset_id": asset_id,
            "location_json": json.dumps(
                {**finding.location.as_dict(), "uri": mask_uri(finding.location.uri)}, ensure_ascii=False
            ),
            "evidence_masked": finding.evidence,
            "evidence_messages_json": _messages_json(finding),
            "count": finding.count,
            "confidence": finding.confidence,
            "status": "suppressed" if finding.fingerprint in self.suppress else "open",
            "reopened_count": 0,
            "first_seen_scan_id": self.scan_id,
            "last_seen_scan_id": self.scan_id,
            "first_seen_at": now,
            "last_seen_at": now,
        }

    def _event(self, finding_id: int, kind: str, count: int) -> dict[str, Any]:
        return {"finding_id": finding_id, "scan_id": self.scan_id, "kind": kind, "count": count}

    # --- what the database already knows ------------------------------------------------------
    def _known(self, conn: Any, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, str]]:
        """(asset id, fingerprint) → (finding id, status) for the findings the database already has."""
        wanted = set(keys)
        fingerprints = sorted({fp for _, fp in keys})
        known: dict[tuple[int, str], tuple[int, str]] = {}
        for chunk in chunks(fingerprints):
            query = select(FINDING.c.asset_id, FINDING.c.fingerprint, FINDING.c.id, FINDING.c.status).where(
                FINDING.c.fingerprint.in_(chunk)
            )
            for asset_id, fingerprint, row_id, status in conn.execute(query):
                if (asset_id, fingerprint) in wanted:
                    known[(asset_id, fingerprint)] = (row_id, status)
        return known

    def _open_in(self, conn: Any, asset_ids: set[int]) -> list[int]:
        open_ids: list[int] = []
        for chunk in chunks(sorted(asset_ids)):
            query = select(FINDING.c.id).where(FINDING.c.asset_id.in_(chunk), FINDING.c.status == "open")
            open_ids += [row_id for (row_id,) in conn.execute(query)]
        return open_ids

    def _ensure_assets(self, conn: Any, entries: list[_Entry]) -> None:
        missing: dict[tuple[str, str], str] = {}
        for entry in entries:
            assets = self._target(conn, entry.target, entry.kind)
            uris = [o.uri for o in entry.outcomes] + [f.location.uri for f in entry.findings]
            for uri in uris:
                normal = stored_uri(uri)
                if normal not in assets.by_uri:
                    missing.setdefault((entry.target, normal), uri)
        if not missing:
            return
        rows = [
            {"target_id": self._targets[target].id, "uri_normal": normal, "uri_display": mask_uri(display)}
            for (target, normal), display in missing.items()
        ]
        by_id = {self._targets[t].id: self._targets[t] for t, _ in missing}
        returned = insert_new(
            conn, ASSET, rows, ("target_id", "uri_normal"), (ASSET.c.id, ASSET.c.target_id, ASSET.c.uri_normal)
        )
        for asset_id, target_id, normal in returned:
            by_id[target_id].remember(normal, asset_id)
        for target_id, assets in by_id.items():  # assets another scan sharing the target stored first
            lost = sorted(
                normal for (t, normal) in missing if self._targets[t].id == target_id and normal not in assets.by_uri
            )
            for chunk in chunks(lost):
                query = select(ASSET.c.id, ASSET.c.uri_normal).where(
                    ASSET.c.target_id == target_id, ASSET.c.uri_normal.in_(chunk)
                )
                for asset_id, normal in conn.execute(query):
                    assets.remember(normal, asset_id)

    def _target(self, conn: Any, name: str, kind: str) -> _TargetAssets:
        cached = self._targets.get(name)
        if cached is not None:
            return cached
        table: Table = Target.__table__  # type: ignore[attr-defined]
        query = select(table.c.id, table.c.kind).where(table.c.name == name)
        row = conn.execute(query).first()
        if row is None:
            inserted = insert_new(conn, table, [{"name": name, "kind": kind}], ("name",), (table.c.id, table.c.kind))
            row = inserted[0] if inserted else conn.execute(query).one()  # else another scan created it meanwhile
        target_id = row.id
        if row.kind != kind:  # the config gave the target another kind (e.g. a url: added)
            conn.execute(update(table).where(table.c.id == target_id).values(kind=kind))
        assets = _TargetAssets(target_id)
        for asset_id, uri in conn.execute(select(ASSET.c.id, ASSET.c.uri_normal).where(ASSET.c.target_id == target_id)):
            assets.remember(uri, asset_id)
        self._targets[name] = assets
        return assets


def _next_state(
    status: str, fingerprint: str, suppress: Mapping[str, str], baseline_given: bool
) -> tuple[str, str, int]:
    """(event kind, new status, reopened increment) for a known finding seen again.

    A fixed finding comes back ``reopened``; with a baseline, an accepted one is ``suppressed``
    (not reopened: the gate must not fail on it), and a suppressed one the baseline no longer
    lists is ``open`` again. Triage decisions (false positive, accepted risk) are never touched.
    """
    accepted = fingerprint in suppress
    if status == "fixed":
        return ("reopened", "suppressed", 0) if accepted else ("reopened", "open", 1)
    if status == "open" and accepted:
        return "seen", "suppressed", 0
    if status == "suppressed" and baseline_given and not accepted:
        return "seen", "open", 0
    return "seen", status, 0


def insert_new(
    conn: Any, table: Table, rows: list[dict[str, Any]], identity: tuple[str, ...], returning: tuple[Any, ...]
) -> list[Any]:
    """Insert ``rows``, skipping those whose ``identity`` another scan stored first; the inserted rows' ``returning``.

    Scans of different configs may share a target (targets are named, not owned by a config):
    with the unique indexes of migration 0005, ``ON CONFLICT DO NOTHING`` turns a race between
    them into "already there" instead of a duplicate row or a crashed scan.
    """
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        return list(conn.execute(insert(table).returning(*returning), rows).all())
    statement = dialect_insert(table).on_conflict_do_nothing(index_elements=list(identity)).returning(*returning)
    return list(conn.execute(statement, rows).all())


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``CHUNK``: bounded ``IN (...)`` lists for any backend."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _messages_json(finding: Finding) -> str | None:
    """The evidence's message templates as stored (null when the check gave none: PII evidence)."""
    if not finding.messages:
        return None
    return json.dumps([m.as_dict() for m in finding.messages], ensure_ascii=False)
