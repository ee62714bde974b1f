"""``govscan findings``, ``scans`` and ``diff``: what the findings database holds, in every format.

A stored finding prints in the shape ``check`` prints (``govscan.report.shape``), plus its stored
fields; ``--format`` names mean what they mean everywhere (``cli/options.py``) and ``-o FILE``
writes any of them to a file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

import click

from govscan import __version__
from govscan.cli.options import FORMATS, LISTING_FORMATS, SEVERITY_CHOICES, results_options
from govscan.cli.results import aligned, destination, document, write_json
from govscan.cli.store import DB_OPTION, _session
from govscan.store import TRIAGE_STATUSES

if TYPE_CHECKING:
    from sqlmodel import Session

    from govscan.model import Finding
    from govscan.rules import RuleSet

CHANGES = ("new", "reopened", "fixed", "unchanged")  # diff's order: what needs attention first


def _rules() -> RuleSet:
    from govscan.rules import RuleLoadError, load_rules

    try:
        return load_rules()
    except RuleLoadError as exc:
        raise click.ClickException(str(exc)) from exc


def stored_findings(session: Session, rows: list[Any]) -> list[Finding]:
    """Rows as findings in the one shape, with the loaded rules' titles and compliance links."""
    return _stored(session, rows, _rules())


def _stored(session: Session, rows: list[Any], rules: RuleSet) -> list[Finding]:
    """Rows as findings with their records (triage notes read in bounded batches)."""
    from sqlmodel import col, select

    from govscan.report.records import finding_of_row
    from govscan.store.tables import TriageNote
    from govscan.store.writer import chunks

    notes: dict[int, list[Any]] = {}
    for batch in chunks([r.id for r in rows]):
        query = select(TriageNote).where(col(TriageNote.finding_id).in_(batch)).order_by(col(TriageNote.id))
        for note in session.exec(query):
            notes.setdefault(note.finding_id, []).append(note)
    return [finding_of_row(r, rules, notes.get(r.id or 0, [])) for r in rows]


def _render_findings(fmt: str, found: list[Finding], rules: RuleSet, out: TextIO) -> None:
    """sarif and csv through ``check``'s reporters; text as a table with each finding's id and status."""
    from govscan.report import render
    from govscan.report.records import stored_result

    if fmt in ("sarif", "csv"):
        render(fmt, stored_result(found, rules, __version__, "findings"), out)
    else:
        out.writelines(line + "\n" for line in finding_lines(found, out=out))
        if not found:  # an empty table says nothing: say why there may be nothing
            click.echo("govscan: no recorded finding matches (open ones only unless --status or --all)", err=True)


def finding_lines(
    found: Iterable[Finding], change: dict[int, str] | None = None, *, out: TextIO | None = None, indent: int = 0
) -> list[str]:
    """``  12  open   critical  pii.kz-iin  data/a.csv  Лист1!ИИН  412 × 8805******12``, a table as
    wide as ``out`` allows (``indent`` spaces included)."""
    from govscan.model import place_of

    rows = []
    for f in found:
        record = f.record
        cells = [str(record.id) if record else "", record.status if record else "open"]
        if change is not None:
            cells.insert(0, change.get(id(f), ""))
        cells += [f.severity.label, f.rule_id, f.location.uri, place_of(f.location), f"{f.count} × {f.evidence}"]
        rows.append(cells)
    return aligned(rows, out, indent=indent)


@click.group()
def findings() -> None:
    """List, show and triage recorded findings."""


@findings.command("list")
@DB_OPTION
@click.option("--status", multiple=True, help="open, fixed, suppressed, false_positive, accepted_risk (repeatable).")
@click.option(
    "--severity", multiple=True, type=click.Choice(SEVERITY_CHOICES[:-1]), help="Only this severity (repeatable)."
)
@click.option("--rule", "rule_id", help="Only this rule id.")
@click.option("--target", help="Only findings of this target (its name in the scan config).")
@click.option("--scan", "scan_id", type=int, help="Only findings this scan saw.")
@click.option("--all", "show_all", is_flag=True, help="Include fixed, suppressed and triaged-away findings.")
@results_options(FORMATS)
def list_findings(
    db: str | None,
    status: tuple[str, ...],
    severity: tuple[str, ...],
    rule_id: str | None,
    target: str | None,
    scan_id: int | None,
    show_all: bool,
    fmt: str,
    output: str | None,
) -> None:
    """Recorded findings (open ones unless --status or --all says otherwise)."""
    from govscan.report.shape import finding_out
    from govscan.store.queries import FindingFilter, list_findings

    rules = _rules()
    where = FindingFilter(status, severity, rule_id, target, scan_id, include_closed=show_all or scan_id is not None)
    with _session(db) as session:
        found = _stored(session, list_findings(session, where), rules)
    with destination(output) as out:
        if fmt == "json":
            write_json(document("findings", findings=[finding_out(f) for f in found]), out)
        else:
            _render_findings(fmt, found, rules, out)


@findings.command("show")
@click.argument("finding_id", type=int)
@DB_OPTION
@results_options(FORMATS)
def show_finding(finding_id: int, db: str | None, fmt: str, output: str | None) -> None:
    """A finding with its history: what each scan saw and every triage note."""
    from sqlmodel import col, select

    from govscan.report.shape import finding_out
    from govscan.store.tables import FindingEvent, FindingRow

    rules = _rules()
    with _session(db) as session:
        row = session.get(FindingRow, finding_id)
        if row is None:
            raise click.ClickException(f"no finding with id {finding_id}")
        (finding,) = _stored(session, [row], rules)
        query = select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(col(FindingEvent.id))
        history = [{"scan_id": e.scan_id, "kind": e.kind, "count": e.count} for e in session.exec(query)]
    with destination(output) as out:
        if fmt == "json":
            write_json(document("finding", findings=[finding_out(finding, history=history)]), out)
        elif fmt != "text":
            _render_findings(fmt, [finding], rules, out)
        else:
            out.writelines(line + "\n" for line in _detail_lines(finding, history))


def _detail_lines(finding: Finding, history: list[dict[str, Any]]) -> list[str]:
    record = finding.record
    assert record is not None  # a stored finding
    loc = finding.location
    lines = [
        f"finding {record.id}: {finding.rule_id} ({finding.severity.label}) {finding.title}",
        f"status: {record.status}    reopened: {record.reopened_count}    "
        f"first seen: scan {record.first_seen_scan_id}    last seen: scan {record.last_seen_scan_id}",
        f"where: {loc.uri}  {_place(finding)}",
        f"evidence: {finding.count} × {finding.evidence}    entity: {finding.entity or '-'}    "
        f"confidence: {finding.confidence:.2f}",
        f"fingerprint: {finding.fingerprint}",
    ]
    if finding.compliance:
        lines.append("compliance: " + ", ".join(finding.compliance))
    lines.append("history:")
    lines += [f"  scan {e['scan_id']}: {e['kind']} (count {e['count']})" for e in history]
    lines.append("triage:" if record.triage else "triage: none")
    lines += [
        f"  {t.at:%Y-%m-%d %H:%M} {t.actor or '-'}: {t.from_status} → {t.to_status} {t.note}".rstrip()
        for t in record.triage
    ]
    return lines


def _place(finding: Finding) -> str:
    from govscan.report.text import place_text

    return place_text(finding)


@findings.command("triage")
@click.argument("finding_id", type=int)
@click.option("--status", required=True, type=click.Choice(TRIAGE_STATUSES), help="The finding's new status.")
@click.option("--note", default="", help="Why (kept with the change, shown by 'findings show').")
@click.option("--by", default="", help="Who decided (a name or handle).")
@DB_OPTION
def triage_finding(finding_id: int, status: str, note: str, by: str, db: str | None) -> None:
    """Set a finding's status by hand (false positive, accepted risk…), with who and why; kept as history."""
    from govscan.store.lifecycle import TriageError, triage

    with _session(db) as session:
        try:
            row = triage(session, finding_id, status, note, by)
        except TriageError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"finding {row.id}: {row.status}")


@click.group()
def scans() -> None:
    """Recorded scans."""


@scans.command("list")
@DB_OPTION
@results_options(LISTING_FORMATS)
def list_scans(db: str | None, fmt: str, output: str | None) -> None:
    """Every recorded scan: id, status, start and end times, executor (local or celery), name."""
    from sqlmodel import col, select

    from govscan.report.csv_ import SafeCsvWriter
    from govscan.store.coverage import recorded_settings
    from govscan.store.tables import Scan

    with _session(db) as session:
        records = [
            {
                "id": s.id or 0,
                "name": s.name,
                "status": s.status,
                "started_at": _utc(s.started_at),
                "finished_at": _utc(s.finished_at) if s.finished_at else None,
                "govscan_version": s.govscan_version,
                "executor": str(recorded_settings(s).get("executor", "local")),
            }
            for s in session.exec(select(Scan).order_by(col(Scan.id)))
        ]
    with destination(output) as out:
        if fmt == "json":
            write_json(document("scans", scans=records), out)
        elif fmt == "csv":
            writer = SafeCsvWriter(out)
            writer.writerow(["id", "status", "started_at", "finished_at", "name", "govscan_version", "executor"])
            for s in records:
                ended = s["finished_at"].isoformat() if s["finished_at"] else ""
                cells = [s["id"], s["status"], s["started_at"].isoformat(), ended, s["name"], s["govscan_version"]]
                cells.append(s["executor"])
                writer.writerow(cells)
        else:
            rows = [
                [str(s["id"]), s["status"], f"{s['started_at']:%Y-%m-%d %H:%M}", _minute(s["finished_at"])]
                + [s["executor"], s["name"]]
                for s in records
            ]
            out.writelines(line + "\n" for line in aligned(rows, out))
            if not records:
                click.echo("govscan: no scans recorded yet (govscan scan CONFIG.yaml records one)", err=True)


def _minute(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


def _utc(moment: Any) -> Any:
    import datetime as dt

    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@click.command()
@click.argument("scan_a", type=int, required=False)
@click.argument("scan_b", type=int, required=False)
@DB_OPTION
@results_options(FORMATS)
def diff(scan_a: int | None, scan_b: int | None, db: str | None, fmt: str, output: str | None) -> None:
    """What changed between two scans: new, fixed, reopened, unchanged.

    No argument: the latest scan against the one before it of the same configuration; one
    argument: that scan against its predecessor; two: the first against the second.
    """
    from govscan.report.shape import finding_out
    from govscan.store.queries import diff_scans, last_two_scans, previous_scan

    rules = _rules()
    with _session(db) as session:
        if scan_a is not None and scan_b is None:
            scan_a, scan_b = previous_scan(session, scan_a), scan_a
        elif scan_b is None:
            last = last_two_scans(session)
            if last is None:
                raise click.ClickException("no scans recorded yet")
            scan_a, scan_b = last
        changes = diff_scans(session, scan_a, scan_b)
        groups = {name: _stored(session, getattr(changes, name), rules) for name in CHANGES}
    counts = {name: len(found) for name, found in groups.items()}
    with destination(output) as out:
        if fmt == "json":
            items = [finding_out(f, change=name) for name, found in groups.items() for f in found]
            write_json(document("diff", from_scan=scan_a, to_scan=scan_b, summary=counts, findings=items), out)
        elif fmt in ("sarif", "csv"):
            _render_changes(fmt, groups, rules, out)
        else:
            out.write(_diff_heading(scan_a, scan_b, counts) + "\n")
            shown = [f for name in ("new", "reopened", "fixed") for f in groups[name]]
            change = {id(f): name for name in CHANGES for f in groups[name]}
            out.writelines(line + "\n" for line in finding_lines(shown, change, out=out, indent=2))


def _diff_heading(scan_a: int | None, scan_b: int, counts: dict[str, int]) -> str:
    tally = ", ".join(f"{n} {name}" for name, n in counts.items())
    if scan_a is None:
        return f"scan {scan_b} is the first of its configuration, nothing earlier to compare with: {tally}"
    return f"scan {scan_a} → {scan_b}: {tally}"


# SARIF's baselineState for each change: GitHub and other viewers show new, unchanged and absent results.
_SARIF_STATE = {"new": "new", "reopened": "new", "unchanged": "unchanged", "fixed": "absent"}


def _render_changes(fmt: str, groups: dict[str, list[Finding]], rules: RuleSet, out: TextIO) -> None:
    """sarif: every finding with its ``baselineState``; csv: the findings columns plus ``change``."""
    from govscan.report import render
    from govscan.report.base import sort_findings
    from govscan.report.csv_ import COLUMNS, SafeCsvWriter, row
    from govscan.report.records import stored_result

    if fmt == "sarif":
        marked = [
            dataclasses.replace(f, baseline_state=_SARIF_STATE[name]) for name, found in groups.items() for f in found
        ]
        render("sarif", stored_result(marked, rules, __version__, "diff"), out)
        return
    writer = SafeCsvWriter(out)
    writer.writerow([*COLUMNS, "change"])
    for name, found in groups.items():
        writer.writerows([*row(f), name] for f in sort_findings(found))
