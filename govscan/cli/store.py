"""``govscan scan``, ``findings``, ``scans`` and ``diff``: scheduled scans into the findings database."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from govscan.cli.options import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, SEVERITY_CHOICES
from govscan.redact import terminal_line
from govscan.store import TRIAGE_STATUSES

if TYPE_CHECKING:
    from sqlmodel import Session

# sqlmodel and the tables are imported inside the commands: `govscan check` never pays for them.

DB_OPTION = click.option("--db", metavar="URL", help="SQLAlchemy URL (default: $GOVSCAN_DB or sqlite:///govscan.db).")


@contextmanager
def _session(db: str | None, *, create: bool = False) -> Iterator[Session]:
    """A session on the database; only ``create=True`` (``scan``) may bring a new one into being.

    A database error at any point inside the block — a file truncated past its first pages
    shows only when those pages are read — is a ``StoreError``: one line, exit 2, no traceback.
    """
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from govscan.store.engine import failure, open_engine

    engine = open_engine(db, create=create, warn=lambda text: click.echo(f"govscan: warning: {text}", err=True))
    try:
        with Session(engine) as session:
            yield session
    except SQLAlchemyError as exc:
        raise failure(db, exc) from None
    finally:
        engine.dispose()


@click.command()
@click.argument("config_path", metavar="CONFIG.yaml", type=click.Path(dir_okay=False))
@DB_OPTION
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES, case_sensitive=False), default="high", show_default=True,
              help="Exit 1 when a NEW or REOPENED finding is at or above this severity.")  # fmt: skip
@click.option(
    "--resume", is_flag=True, help="Finish the last interrupted scan of this config instead of starting anew."
)
@click.option("--notify", metavar="URL", help="POST a JSON summary of new and reopened findings to this webhook.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Findings whose fingerprint is in this baseline are stored as suppressed.")  # fmt: skip
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Parsing processes (default: one per core); 1 runs everything in this process.")  # fmt: skip
@click.option("--executor", "executor_name", type=click.Choice(["local", "celery"]),
              help="Where units run: this machine's pools, or govscan workers via Celery (default: the config's executor:, else local).")  # fmt: skip
@click.option("--broker", metavar="URL", help="Celery broker for --executor celery (default: $GOVSCAN_BROKER).")
def scan(
    config_path: str,
    db: str | None,
    fail_on: str,
    resume: bool,
    notify: str | None,
    baseline_path: str | None,
    jobs: int | None,
    executor_name: str | None,
    broker: str | None,
) -> None:
    """Run every target of a scan configuration and record the results in the database."""
    from govscan.baseline import load_baseline
    from govscan.config import load_config
    from govscan.distributed.choose import executor_for
    from govscan.engine.scan import gate, run_scan
    from govscan.engine.units import WorkContext
    from govscan.identity import load_secret
    from govscan.rules import load_rules

    # A bad config or baseline is an InputError: one line and exit 2 (govscan.cli.errors).
    config = load_config(config_path)
    baseline = load_baseline(baseline_path or config.baseline) if (baseline_path or config.baseline) else None
    rules, key = load_rules(), load_secret()
    context = WorkContext(rules, key, limits=config.read_limits())
    config = config.model_copy(update={"executor": executor_name or config.executor})  # recorded with the scan
    executor = executor_for(config.executor, context, jobs=jobs, broker=broker)
    suppress = {fp: e.reason for fp, e in baseline.entries.items()} if baseline else None
    with _session(db, create=True) as session:
        try:
            outcome = run_scan(session, config, rules, key, resume=resume, executor=executor, suppress=suppress)
        except KeyboardInterrupt:
            click.echo("govscan: interrupted; run again with --resume to finish", err=True)
            sys.exit(130)
        for error in outcome.errors:
            click.echo(terminal_line(f"govscan: error: {error}"), err=True)
        suppressed = f", {len(outcome.suppressed)} suppressed by the baseline" if outcome.suppressed else ""
        click.echo(
            f"scan {outcome.scan_id}: {len(outcome.new)} new, {len(outcome.reopened)} reopened, "
            f"{len(outcome.fixed)} fixed{suppressed}"
        )
        if notify:
            _notify(notify, session, outcome)
        if gate(session, outcome, fail_on.lower()):
            sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_ERROR if outcome.errors else EXIT_CLEAN)


def _notify(url: str, session: Session, outcome: Any) -> None:
    from govscan.net.webhook import post_json
    from govscan.store.tables import FindingRow

    rows = [session.get(FindingRow, i) for i in outcome.new + outcome.reopened]
    payload = {
        "scan_id": outcome.scan_id,
        "new": len(outcome.new),
        "reopened": len(outcome.reopened),
        "fixed": len(outcome.fixed),
        "findings": [_row_dict(r) for r in rows if r is not None],
    }
    problem = post_json(url, payload)  # the named host:port only, no redirects, no proxies: see net/webhook.py
    if problem:
        from govscan.identity import public_uri

        shown = public_uri(url).split("/", 3)[:3]  # scheme and host only: webhook paths hold tokens
        click.echo(f"govscan: error: notification to {'/'.join(shown)}/… failed ({problem})", err=True)


def _row_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "rule_id": row.rule_id,
        "severity": row.severity,
        "status": row.status,
        "location": json.loads(row.location_json),
        "count": row.count,
        "evidence": row.evidence_masked,
        "fingerprint": row.fingerprint,
        "reopened_count": row.reopened_count,
        "first_seen_scan_id": row.first_seen_scan_id,
        "last_seen_scan_id": row.last_seen_scan_id,
    }


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def list_findings(
    db: str | None,
    status: tuple[str, ...],
    severity: tuple[str, ...],
    rule_id: str | None,
    target: str | None,
    scan_id: int | None,
    show_all: bool,
    fmt: str,
) -> None:
    """Recorded findings (open ones unless --status or --all says otherwise)."""
    from govscan.store.queries import FindingFilter, list_findings

    where = FindingFilter(status, severity, rule_id, target, scan_id, include_closed=show_all or scan_id is not None)
    with _session(db) as session:
        rows = [_row_dict(r) for r in list_findings(session, where)]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        from govscan.report.csv_ import SafeCsvWriter

        writer = SafeCsvWriter(sys.stdout)
        writer.writerow(["id", "status", "severity", "rule_id", "uri", "count", "evidence"])
        for r in rows:
            writer.writerow(
                [r["id"], r["status"], r["severity"], r["rule_id"], r["location"]["uri"], r["count"], r["evidence"]]
            )
    else:
        for r in rows:
            click.echo(
                f"{r['id']:>5}  {r['status']:<14} {r['severity']:<8} {r['rule_id']:<24} {r['location']['uri']}  {r['count']} × {r['evidence']}"
            )


@findings.command("show")
@click.argument("finding_id", type=int)
@DB_OPTION
def show_finding(finding_id: int, db: str | None) -> None:
    """A finding with its history: what each scan saw and every triage note."""
    from sqlmodel import select

    from govscan.store.tables import FindingEvent, FindingRow, TriageNote

    with _session(db) as session:
        row = session.get(FindingRow, finding_id)
        if row is None:
            raise click.ClickException(f"no finding with id {finding_id}")
        click.echo(json.dumps(_row_dict(row), ensure_ascii=False, indent=2))
        for event in session.exec(
            select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.id)
        ):
            click.echo(f"scan {event.scan_id}: {event.kind} (count {event.count})")
        for note in session.exec(select(TriageNote).where(TriageNote.finding_id == finding_id).order_by(TriageNote.id)):
            click.echo(
                f"{note.at:%Y-%m-%d %H:%M} {note.actor or '-'}: {note.from_status} → {note.to_status} {note.note}"
            )


@findings.command("triage")
@click.argument("finding_id", type=int)
@click.option("--status", required=True, type=click.Choice(TRIAGE_STATUSES), help="The finding's new status.")
@click.option("--note", default="", help="Why.")
@click.option("--by", default="", help="Who decided.")
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
def list_scans(db: str | None) -> None:
    """Every recorded scan: id, status, start and end times, executor (local or celery), name."""
    from sqlmodel import select

    from govscan.store.tables import Scan

    with _session(db) as session:
        for s in session.exec(select(Scan).order_by(Scan.id)):
            finished = f"{s.finished_at:%Y-%m-%d %H:%M}" if s.finished_at else "-"
            executor = json.loads(s.settings_json or "{}").get("executor", "local")
            click.echo(f"{s.id:>4}  {s.status:<11} {s.started_at:%Y-%m-%d %H:%M}  {finished}  {executor:<6}  {s.name}")


@click.command()
@click.argument("scan_a", type=int, required=False)
@click.argument("scan_b", type=int, required=False)
@DB_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def diff(scan_a: int | None, scan_b: int | None, db: str | None, fmt: str) -> None:
    """What changed between two scans: new, fixed, reopened, unchanged.

    No argument: the latest scan against the one before it of the same configuration; one
    argument: that scan against its predecessor; two: the first against the second.
    """
    from govscan.store.queries import diff_scans, last_two_scans, previous_scan

    with _session(db) as session:
        if scan_a is not None and scan_b is None:
            scan_a, scan_b = previous_scan(session, scan_a), scan_a
        elif scan_b is None:
            last = last_two_scans(session)
            if last is None:
                raise click.ClickException("no scans recorded yet")
            scan_a, scan_b = last
        changes = diff_scans(session, scan_a, scan_b)
        groups = {
            name: [_row_dict(r) for r in getattr(changes, name)] for name in ("new", "fixed", "reopened", "unchanged")
        }
    if fmt == "json":
        click.echo(json.dumps({"from_scan": scan_a, "to_scan": scan_b, **groups}, ensure_ascii=False, indent=2))
        return
    click.echo(f"scan {scan_a} → {scan_b}: " + ", ".join(f"{len(v)} {k}" for k, v in groups.items()))
    for kind in ("new", "reopened", "fixed"):
        for r in groups[kind]:
            click.echo(f"  {kind:<9} {r['severity']:<8} {r['rule_id']:<24} {r['location']['uri']}  {r['evidence']}")
