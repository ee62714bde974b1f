"""What a compliance report says, read from the findings database into one typed model.

:func:`build_report_data` is the only place that reads the store for ``govscan report`` (its SQL
is in :mod:`govscan.store.queries`); the HTML, Markdown, JSON, CSV and SARIF renderers are pure
functions of :class:`ReportData`. Values in
it come from scanned files and pages (column names, uris, page titles) and are hostile: renderers
escape them. Evidence is the masked text stored at detection time; nothing raw is ever read here.

Which rules ran is recorded with the scan (:mod:`govscan.store.coverage`); for scans recorded
before that, it is inferred from what they read. Compliance verdicts build on that set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session

from govscan.model import Severity, place_of
from govscan.report.base import SEVERITIES_DESC
from govscan.report.i18n import LANGUAGES
from govscan.report.records import location_of_row, record_of_row
from govscan.rules import RuleSet
from govscan.store import queries
from govscan.store.coverage import kinds_exercised, recorded_rules_run, recorded_settings, target_settings
from govscan.store.queries import PRESENT, FindingAt, ScanRead
from govscan.store.tables import Asset, FindingRow, Scan, Target, TriageNote
from govscan.strict import StrictModel

TREND_SCANS = 12  # scans on the trend chart: about a quarter of weekly scans
CLOSED_BY_TRIAGE = ("false_positive", "accepted_risk", "suppressed")
RULE_KINDS = ("pii", "tls", "http", "exposure")
# Summary keys too bulky or too raw for a report (sslyze's whole result object).
DROPPED_SUMMARY_KEYS = frozenset({"sslyze"})


class ReportError(Exception):
    """The report cannot be built as asked (no such scan, target or framework); one line for the CLI."""


class Localized(StrictModel):
    """A phrase in the three report languages (framework and requirement titles)."""

    ru: str
    kk: str
    en: str

    def get(self, lang: str) -> str:
        return getattr(self, lang, None) or self.en


class ScanInfo(StrictModel):
    id: int
    name: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    govscan_version: str
    ruleset_digest: str
    config_digest: str
    fingerprint_key_id: str


class TriageEntry(StrictModel):
    """One triage decision: who, when, from which status to which, and why."""

    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class EvidenceMessage(StrictModel):
    """Evidence as a catalogue message (``evidence.<id>``) and its parameters, stored with the finding."""

    id: str
    params: dict[str, str | int | list[str]] = {}


class FindingItem(StrictModel):
    id: int
    rule_id: str
    rule_kind: str
    rule_title: str  # English: the JSON, CSV and SARIF outputs keep it
    rule_titles: Localized  # the rule's title in each report language (HTML, Markdown)
    severity: str
    entity: str | None
    uri: str
    place: str  # ``Лист1!ИИН``, ``items[*].phone``, ``text``, ``endpoint``
    sheet: str | None
    column: str | None
    column_index: int | None
    json_path: str | None
    line: int | None
    page: int | None = None  # 1-based page of a paged document (PDF)
    part: str | None = None  # hidden part: "under a redaction box", "hidden sheet", "metadata:author"…
    evidence: str  # masked at detection
    messages: list[EvidenceMessage] = []  # the same evidence as templates, when the check gave them
    count: int
    confidence: float
    fingerprint: str
    status: str  # current status (open/fixed/suppressed/false_positive/accepted_risk)
    event: str  # what this scan saw: new / seen / reopened
    reopened_count: int
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    first_seen_scan_id: int
    last_seen_scan_id: int
    remediation: str  # English, like ``rule_title``
    remediations: Localized
    references: list[str]
    compliance: list[str]
    triage: list[TriageEntry]

    def title_in(self, lang: str) -> str:
        return self.rule_titles.get(lang)

    def remediation_in(self, lang: str) -> str:
        return self.remediations.get(lang)


class GradeItem(StrictModel):
    uri: str
    grade: str


class UnreadAsset(StrictModel):
    uri: str
    reason: str


class RuleGroup(StrictModel):
    """One rule's findings on one target: what the report shows under one folded heading."""

    rule_id: str
    titles: Localized
    severity: str  # the most severe of its findings (a hit may raise the rule's severity)
    findings: list[FindingItem]
    remediations: Localized
    references: list[str]

    @property
    def open_count(self) -> int:
        return sum(1 for f in self.findings if f.status == "open")

    @property
    def has_triage(self) -> bool:
        return any(f.triage for f in self.findings)

    @property
    def one_status(self) -> str | None:
        """The status all its findings share, seen for the first time or again alike; None if they differ."""
        states = {(f.status, f.event, f.reopened_count, f.first_seen_scan_id) for f in self.findings}
        return self.findings[0].status if len(states) == 1 else None


class TargetSection(StrictModel):
    name: str
    kind: str
    assets_read: int
    assets_failed: int
    read_uris: list[str]
    unread: list[UnreadAsset]
    grades: list[GradeItem]
    findings: list[FindingItem]  # most severe first, then uri and rule
    observations: list[dict[str, Any]]  # asset summaries (TLS endpoint facts), bulky raw parts dropped

    @property
    def groups(self) -> list[RuleGroup]:
        """The findings per rule, most severe rule first (findings arrive most severe first)."""
        by_rule: dict[str, list[FindingItem]] = {}
        for f in self.findings:
            by_rule.setdefault(f.rule_id, []).append(f)
        groups = [
            RuleGroup(
                rule_id=rule_id,
                titles=found[0].rule_titles,
                severity=max((f.severity for f in found), key=_rank),
                findings=found,
                remediations=found[0].remediations,
                references=list(found[0].references),
            )
            for rule_id, found in by_rule.items()
        ]
        return sorted(groups, key=lambda g: -_rank(g.severity))  # stable: first-seen order within a severity


class TrendItem(StrictModel):
    scan_id: int
    started_at: dt.datetime
    present: int  # findings this scan saw
    open: int  # of those, the ones not triaged away at the time of the scan


class RuleTally(StrictModel):
    """A failing rule of a requirement: its title, how many open findings, and where they are listed."""

    rule_id: str
    titles: Localized
    severity: str  # the most severe of its open findings: the list leads with the worst
    open_findings: int
    targets: list[int]  # 1-based positions in ``ReportData.targets`` whose findings list this rule


class RequirementItem(StrictModel):
    framework_id: str
    id: str
    title: Localized
    summary: Localized
    confirmed: bool
    note: str  # the maintainers' English note (Markdown report); HTML shows ``caveat``
    caveat: Localized | None  # what is unverified, in the report languages
    obligation: Localized | None
    rules: list[str]  # the patterns the framework maps to this requirement
    status: str  # failed / passed / not_tested
    tested_rules: list[str]
    failing_rules: list[str]
    failing: list[RuleTally] = []  # the failing rules with titles and counts, for the HTML report
    open_findings: int
    counts: dict[str, int]


class FrameworkSection(StrictModel):
    id: str
    title: Localized
    document: Localized
    as_of: dt.date
    order: int = 100
    requirements: list[RequirementItem]

    def count(self, status: str) -> int:
        return sum(1 for r in self.requirements if r.status == status)


class PortalRun(StrictModel):
    """What one portal audit recorded about its politeness and bounds (its summary), for the methodology."""

    robots_mode: str  # obey / audit / ignore
    overridden: int  # requests made although robots.txt disallows them
    skipped: int  # requests left out because robots.txt disallows them
    deadline_by: str | None  # "portal" or "scan" when a deadline cut the audit
    deadline_seconds: float | None
    not_done: list[str]  # crawl, probes, apis, data_files
    data_files_unread: int
    ner: bool
    ner_max_chars: int | None
    ner_cut_assets: int
    ner_cut_chars: int


class TargetPlan(StrictModel):
    """How one target was configured to be scanned (from ``Scan.settings_json``) and what was read."""

    name: str
    kind: str
    assets: int
    sources: list[str]  # dataset paths/globs/URLs, TLS endpoints, the portal URL
    limits: dict[str, Any] | None  # crawl bounds of a portal target
    robots: bool | str | None  # obey / audit / ignore (True/False from older scans), None: not a crawl
    options: dict[str, Any]  # the rest of the crawl settings (probes, tls, include/exclude, api sources)
    portal_runs: list[PortalRun] = []  # what each portal audit recorded: robots counts, deadline and NER cuts


class Methodology(StrictModel):
    targets: list[TargetPlan]
    kinds_run: list[str]
    rules_run: list[str]
    rules_total: int
    rules_digest_now: str
    settings_recorded: bool
    settings: dict[str, Any]  # top-level settings besides the targets, shown as recorded


class ReportData(StrictModel):
    generated_at: dt.datetime
    scan: ScanInfo
    target_filter: str | None
    framework_filter: str | None
    counts_by_severity: dict[str, int]  # open findings seen by the scan, most severe first, zeros kept
    open_total: int
    seen_total: int
    triaged_total: int
    fixed_in_scan: int
    grades: list[tuple[str, GradeItem]]  # (target name, grade) for the summary
    targets: list[TargetSection]
    trend: list[TrendItem]
    frameworks: list[FrameworkSection]
    methodology: Methodology
    rule_titles: dict[str, Localized] = {}  # every rule that ran or found something, by id

    def rule_title(self, rule_id: str, lang: str) -> str:
        """A rule's title in ``lang``; its id when the rule is no longer known."""
        found = self.rule_titles.get(rule_id)
        return found.get(lang) if found is not None else rule_id

    @property
    def findings(self) -> list[FindingItem]:
        return [f for target in self.targets for f in target.findings]

    @property
    def requirement_counts(self) -> dict[str, int]:
        return {s: sum(fw.count(s) for fw in self.frameworks) for s in ("failed", "passed", "not_tested")}


# --- building -------------------------------------------------------------------------------------


def build_report_data(
    session: Session,
    rules: RuleSet,
    *,
    scan_id: int | None = None,
    target: str | None = None,
    framework: str | None = None,
    frameworks: Sequence[Any] | None = None,
    now: dt.datetime | None = None,
) -> ReportData:
    """Everything the report shows for one scan (default: the latest completed one).

    ``frameworks`` defaults to :func:`govscan.compliance.load_frameworks`; tests may pass their own.
    Raises :class:`ReportError` for an unknown scan, target or framework.
    """
    scan = _pick_scan(session, scan_id)
    assert scan.id is not None
    reads = _reads_of(session, scan.id, target)
    events = queries.scan_events(session, scan.id)
    sections = _sections(session, reads, events, target, rules)
    seen = [f for s in sections for f in s.findings]
    open_findings = [f for f in seen if f.status == "open"]
    counts = {s.label: 0 for s in SEVERITIES_DESC}
    for finding in open_findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    fixed_ids = [fid for fid, kind in events.items() if kind == "fixed"]
    kinds, rules_run = _rules_run(scan, reads, rules, target)
    framework_sections = _compliance(
        frameworks, framework, set(rules_run), [(f.rule_id, f.severity) for f in open_findings], sections
    )
    return ReportData(
        generated_at=now or dt.datetime.now(dt.UTC),
        scan=_scan_info(scan),
        target_filter=target,
        framework_filter=framework,
        counts_by_severity=counts,
        open_total=len(open_findings),
        seen_total=len(seen),
        triaged_total=sum(1 for f in seen if f.status in CLOSED_BY_TRIAGE),
        fixed_in_scan=len(_findings(session, fixed_ids, target)),
        grades=[(s.name, g) for s in sections for g in s.grades],
        targets=sections,
        trend=_trend(session, scan, target),
        frameworks=framework_sections,
        methodology=_methodology(scan, sections, kinds, rules_run, rules),
        rule_titles=_rule_titles(rules, [*rules_run, *(f.rule_id for f in seen)]),
    )


def _rule_titles(rules: RuleSet, rule_ids: Iterable[str]) -> dict[str, Localized]:
    titles: dict[str, Localized] = {}
    for rule_id in rule_ids:
        rule = rules.get(rule_id)
        if rule is not None and rule_id not in titles:
            titles[rule_id] = Localized(**{lang: rule.title_in(lang) for lang in LANGUAGES})
    return titles


def _rules_run(scan: Scan, reads: list[ScanRead], rules: RuleSet, target: str | None) -> tuple[set[str], list[str]]:
    """The kinds and ids of the rules the scan ran: as recorded with it, else inferred from its reads.

    A report on one target infers from that target's reads (the recorded list is the whole scan's).
    """
    recorded = recorded_rules_run(scan)
    if recorded is not None and target is None:
        return {rule.kind if (rule := rules.get(r)) else r.split(".", 1)[0] for r in recorded}, recorded
    kinds = kinds_exercised(reads, target_settings(recorded_settings(scan)))
    return kinds, sorted(r.id for r in rules if r.kind in kinds and (recorded is None or r.id in recorded))


def _reads_of(session: Session, scan_id: int, target: str | None) -> list[ScanRead]:
    """The scan's asset reads (only ``target``'s when given: an unknown target is a ReportError)."""
    reads = queries.scan_reads(session, scan_id)
    if target is None:
        return reads
    known_targets = sorted({t.name for _, _, t in reads})
    if target not in known_targets:
        listed = ", ".join(known_targets) or "none"
        raise ReportError(f"scan {scan_id} has no target {target!r} (targets: {listed})")
    return [r for r in reads if r[2].name == target]


def _sections(
    session: Session, reads: list[ScanRead], events: dict[int, str], target: str | None, rules: RuleSet
) -> list[TargetSection]:
    """One section per target the scan read, with the findings the scan saw there."""
    rows = _findings(session, [fid for fid, kind in events.items() if kind in PRESENT], target)
    notes = queries.triage_notes(session, [r.id for r, _, _ in rows if r.id is not None])
    items = {r.id: _finding_item(r, a, events[r.id], rules, notes.get(r.id, [])) for r, a, _ in rows if r.id}
    by_target: dict[str, list[FindingItem]] = {}
    for row, _, tgt in rows:
        by_target.setdefault(tgt.name, []).append(items[row.id])  # type: ignore[index]
    return [
        _target_section(tgt, [r for r in reads if r[2].id == tgt.id], by_target.get(tgt.name, []))
        for tgt in _unique_targets(reads)
    ]


def _scan_info(scan: Scan) -> ScanInfo:
    assert scan.id is not None
    return ScanInfo(
        id=scan.id,
        name=scan.name,
        status=scan.status,
        started_at=_utc(scan.started_at),
        finished_at=_utc(scan.finished_at) if scan.finished_at else None,
        govscan_version=scan.govscan_version,
        ruleset_digest=scan.ruleset_digest,
        config_digest=scan.config_digest,
        fingerprint_key_id=scan.fingerprint_key_id,
    )


def _pick_scan(session: Session, scan_id: int | None) -> Scan:
    if scan_id is not None:
        scan = session.get(Scan, scan_id)
        if scan is None:
            raise ReportError(f"no scan with id {scan_id}")
        return scan
    latest = queries.latest_completed_scan(session)
    if latest is None:
        raise ReportError("no completed scan recorded yet; run `govscan scan` first or pass --scan")
    return latest


def _unique_targets(reads: Iterable[ScanRead]) -> list[Target]:
    return list({t.id: t for _, _, t in reads}.values())


def _findings(session: Session, ids: Sequence[int], target: str | None) -> list[FindingAt]:
    """The findings with these ids, most severe first, then by uri and rule."""
    out = queries.findings_at(session, ids, target) if ids else []
    out.sort(key=lambda r: (-_rank(r[0].severity), r[1].uri_display, r[0].rule_id, r[0].id or 0))
    return out


def _rank(severity: str) -> int:
    try:
        return int(Severity.parse(severity))
    except ValueError:
        return -1


def _finding_item(row: FindingRow, asset: Asset, event: str, rules: RuleSet, notes: list[TriageNote]) -> FindingItem:
    rule = rules.get(row.rule_id)
    location = location_of_row(row, asset.uri_display)
    return FindingItem(
        rule_id=row.rule_id,
        rule_kind=rule.kind if rule else row.rule_id.split(".", 1)[0],
        rule_title=rule.title if rule else row.title,
        rule_titles=_localized({lang: rule.title_in(lang) for lang in LANGUAGES} if rule else row.title),
        severity=row.severity,
        entity=row.entity,
        uri=asset.uri_display,
        place=place_of(location),
        sheet=location.sheet,
        column=location.column,
        column_index=location.column_index,
        json_path=location.json_path,
        line=location.line,
        page=location.page,
        part=location.part,
        evidence=row.evidence_masked,
        messages=_messages(row.evidence_messages_json),
        count=row.count,
        confidence=round(row.confidence, 2),
        fingerprint=row.fingerprint,
        event=event,
        remediation=rule.remediation if rule else "",
        remediations=_localized({lang: rule.remediation_in(lang) for lang in LANGUAGES} if rule else ""),
        references=list(rule.references) if rule else [],
        compliance=list(rule.compliance) if rule else [],
        # id, status, first and last seen, triage: the stored record, read as ``findings`` reads it
        **dataclasses.asdict(record_of_row(row, notes)),
    )


def _messages(text: str | None) -> list[EvidenceMessage]:
    """Stored evidence templates; none (the English evidence is shown) when absent or unreadable."""
    if not text:
        return []
    try:
        return [EvidenceMessage.model_validate(m) for m in json.loads(text)]
    except (ValueError, TypeError):
        return []


def _target_section(target: Target, reads: list[ScanRead], findings: list[FindingItem]) -> TargetSection:
    grades: list[GradeItem] = []
    observations: list[dict[str, Any]] = []
    for read, asset, _ in reads:
        summary = _summary(read.summary_json)
        if summary is None:
            continue
        observations.append(summary)
        if summary.get("grade"):
            grades.append(GradeItem(uri=asset.uri_display, grade=str(summary["grade"])))
    return TargetSection(
        name=target.name,
        kind=target.kind,
        assets_read=sum(1 for r, _, _ in reads if r.status == "ok"),
        assets_failed=sum(1 for r, _, _ in reads if r.status != "ok"),
        read_uris=[a.uri_display for r, a, _ in reads if r.status == "ok"],
        unread=[UnreadAsset(uri=a.uri_display, reason=r.reason or "") for r, a, _ in reads if r.status != "ok"],
        grades=grades,
        findings=findings,
        observations=observations,
    )


def _summary(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {k: v for k, v in data.items() if k not in DROPPED_SUMMARY_KEYS}


def _trend(session: Session, scan: Scan, target: str | None) -> list[TrendItem]:
    """Findings present and open in each of the last scans of the same configuration, oldest first.

    "Open" is the status at the time of that scan, replayed from triage notes: a finding triaged
    away (false positive, accepted risk) before the scan finished does not count as open there.
    """
    scans = queries.recent_scans(session, scan, TREND_SCANS)
    present = {s.id or 0: queries.present_in(session, s.id or 0, target) for s in scans}
    all_ids = sorted({fid for ids in present.values() for fid in ids})
    notes = queries.triage_notes(session, all_ids)
    current = queries.statuses(session, all_ids)
    trend = []
    for s in scans:
        moment = _naive(s.finished_at or s.started_at)
        open_count = sum(
            1
            for fid in present[s.id or 0]
            if _status_at(notes.get(fid, []), current.get(fid, "open"), moment) == "open"
        )
        trend.append(
            TrendItem(
                scan_id=s.id or 0, started_at=_utc(s.started_at), present=len(present[s.id or 0]), open=open_count
            )
        )
    return trend


def _status_at(notes: list[TriageNote], now_status: str, moment: dt.datetime) -> str:
    """A finding's status at ``moment``; a present finding whose status was ``fixed`` was reopened."""
    before = [n for n in notes if _naive(n.at) <= moment]
    if before:
        status = before[-1].to_status
    elif notes:
        status = notes[0].from_status
    else:
        status = now_status
    return "open" if status == "fixed" else status


def _compliance(
    frameworks: Sequence[Any] | None,
    wanted: str | None,
    rules_run: set[str],
    open_findings: list[tuple[str, str]],
    sections: Sequence[TargetSection] = (),
) -> list[FrameworkSection]:
    """Verdicts per requirement, frameworks in their declared ``order`` (the personal-data law first)."""
    from govscan.compliance import evaluate, load_frameworks

    loaded = sorted(load_frameworks() if frameworks is None else frameworks, key=lambda fw: fw.order)
    tallies = _tallies(sections)
    if wanted is not None:
        chosen = [fw for fw in loaded if fw.id == wanted]
        if not chosen:
            listed = ", ".join(fw.id for fw in loaded) or "none"
            raise ReportError(f"no compliance framework {wanted!r} (frameworks: {listed})")
        loaded = chosen
    statuses = evaluate(loaded, rules_run, open_findings)
    by_framework: dict[str, list[RequirementItem]] = {}
    for st in statuses:
        req = st.requirement
        by_framework.setdefault(st.framework_id, []).append(
            RequirementItem(
                framework_id=st.framework_id,
                id=req.id,
                title=_localized(req.title),
                summary=_localized(req.summary),
                confirmed=req.confirmed,
                note=req.note,
                caveat=_localized(req.caveat) if req.caveat is not None else None,
                obligation=_localized(req.obligation) if req.obligation is not None else None,
                rules=list(req.rules),
                status=st.status,
                tested_rules=list(st.tested_rules),
                failing_rules=list(st.failing_rules),
                failing=sorted(
                    (tallies[r] for r in st.failing_rules if r in tallies),
                    key=lambda t: (-_rank(t.severity), -t.open_findings),
                ),
                open_findings=st.open_findings,
                counts=dict(st.counts),
            )
        )
    return [
        FrameworkSection(
            id=fw.id,
            title=_localized(fw.title),
            document=_localized(fw.document),
            as_of=fw.as_of,
            order=fw.order,
            requirements=by_framework.get(fw.id, []),
        )
        for fw in loaded
    ]


def _tallies(sections: Sequence[TargetSection]) -> dict[str, RuleTally]:
    """Per rule: its title, its open findings, and the targets (1-based) that list them."""
    titles: dict[str, Localized] = {}
    counts: dict[str, int] = {}
    worst: dict[str, str] = {}
    where: dict[str, list[int]] = {}
    for index, section in enumerate(sections, start=1):
        for f in section.findings:
            if f.status != "open":
                continue
            titles.setdefault(f.rule_id, f.rule_titles)
            counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
            worst[f.rule_id] = max(worst.get(f.rule_id, f.severity), f.severity, key=_rank)
            if index not in where.setdefault(f.rule_id, []):
                where[f.rule_id].append(index)
    return {
        r: RuleTally(rule_id=r, titles=titles[r], severity=worst[r], open_findings=counts[r], targets=where[r])
        for r in titles
    }


def _localized(text: Any) -> Localized:
    if isinstance(text, str):
        return Localized(ru=text, kk=text, en=text)
    if isinstance(text, dict):
        return Localized(**{k: text.get(k) or text.get("en", "") for k in ("ru", "kk", "en")})
    return Localized(ru=text.ru, kk=text.kk, en=text.en)


CRAWL_LIMITS = ("max_pages", "max_depth", "rate", "concurrency", "max_bytes_per_response", "max_total_bytes")


def _plan(section: TargetSection, recorded: dict[str, Any] | None) -> TargetPlan:
    recorded = recorded or {}
    sources = [str(x) for key in ("datasets", "tls") for x in recorded.get(key) or []]
    if recorded.get("url"):
        sources.append(str(recorded["url"]))
    crawl = recorded.get("crawl") if isinstance(recorded.get("crawl"), dict) else None
    limits = {k: crawl[k] for k in CRAWL_LIMITS if k in crawl} if crawl else None
    options = {k: v for k, v in crawl.items() if k not in CRAWL_LIMITS and k not in ROBOTS_KEYS} if crawl else {}
    return TargetPlan(
        name=section.name,
        kind=section.kind,
        assets=section.assets_read + section.assets_failed,
        sources=sources,
        limits=limits or None,
        robots=_robots_mode(crawl) if crawl else None,
        options=options,
        portal_runs=[run for o in section.observations if (run := _portal_run(o)) is not None],
    )


ROBOTS_KEYS = ("ignore_robots", "robots")


def _robots_mode(crawl: dict[str, Any]) -> bool | str:
    if crawl.get("ignore_robots"):
        return "ignore"
    mode = crawl.get("robots")
    return mode if mode in ("obey", "audit", "ignore") else True  # older scans: respected unless ignored


def _portal_run(observed: dict[str, Any]) -> PortalRun | None:
    """A portal's summary as the methodology shows it; None for other assets and older scans."""
    if observed.get("kind") != "portal" or "robots_mode" not in observed:
        return None
    deadline = observed.get("deadline") if isinstance(observed.get("deadline"), dict) else {}

    def number(value: Any) -> int:
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    return PortalRun(
        robots_mode=str(observed.get("robots_mode")),
        overridden=number(observed.get("robots_overridden")),
        skipped=number(observed.get("robots_skipped")),
        deadline_by=str(deadline["by"]) if deadline.get("by") else None,
        deadline_seconds=deadline.get("seconds") if isinstance(deadline.get("seconds"), int | float) else None,
        not_done=[str(x) for x in deadline.get("not_done") or []],
        data_files_unread=number(deadline.get("data_files_unread")),
        ner=observed.get("ner") is not False,
        ner_max_chars=observed.get("ner_max_chars") if isinstance(observed.get("ner_max_chars"), int) else None,
        ner_cut_assets=number(observed.get("ner_cut_assets")),
        ner_cut_chars=number(observed.get("ner_cut_chars")),
    )


def _methodology(
    scan: Scan, sections: list[TargetSection], kinds: set[str], rules_run: list[str], rules: RuleSet
) -> Methodology:
    settings = recorded_settings(scan)
    recorded = target_settings(settings)
    return Methodology(
        targets=[_plan(s, recorded.get(s.name)) for s in sections],
        kinds_run=[k for k in RULE_KINDS if k in kinds],
        rules_run=rules_run,
        rules_total=len(rules),
        rules_digest_now=rules.digest,
        settings_recorded=bool(recorded),
        settings={k: v for k, v in settings.items() if k != "targets"},
    )


def _naive(moment: dt.datetime) -> dt.datetime:
    """UTC without tzinfo: SQLite hands datetimes back naive, so comparisons happen in that form."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
