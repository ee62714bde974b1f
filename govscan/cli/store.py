"""``govscan scan``: scheduled scans into the findings database (``findings``, ``scans`` and ``diff``
read it back: ``cli/findings.py``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from govscan.cli.options import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, SEVERITY_CHOICES
from govscan.redact import terminal_line

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
