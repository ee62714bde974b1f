"""``govscan scan``: scheduled scans into the findings database (``findings``, ``scans`` and ``diff``
read it back: ``cli/findings.py``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from govscan.cli.options import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    SEVERITY_CHOICES,
    format_option,
    output_option,
    writable_target,
)
from govscan.progress import Progress
from govscan.redact import terminal_line

if TYPE_CHECKING:
    from sqlmodel import Session

# sqlmodel and the tables are imported inside the commands: `govscan check` never pays for them.

SCAN_FORMATS = ("text", "json")  # a scan's result: for people and CI logs, or the ``kind: scan`` document
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
              help="Processes reading files at once (default: one per core); 1 runs everything in this process. "
                   "Network work (portals, dataset URLs, TLS) runs on threads beside them.")  # fmt: skip
@click.option("--executor", "executor_name", type=click.Choice(["local", "celery"]),
              help="Where units run: this machine's pools, or govscan workers via Celery (default: the config's executor:, else local).")  # fmt: skip
@click.option("--broker", metavar="URL", help="Celery broker for --executor celery (default: $GOVSCAN_BROKER).")
@click.option("--progress/--no-progress", default=None,
              help="Files, pages, requests, endpoints and findings so far on stderr (a bar on a terminal, "
                   "a line every 10 s otherwise).")  # fmt: skip
@format_option(SCAN_FORMATS)
@output_option
@click.option("--json-output", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              callback=writable_target, help="Also write the json output to FILE, whatever --format says.")  # fmt: skip
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
    progress: bool | None,
    fmt: str,
    output: str | None,
    json_output: str | None,
) -> None:
    """Run every target of a scan configuration and record the results in the database.

    Prints what the scan changed (text: one line; json: the scan's id, counts, errors and the
    findings that tripped the gate). Errors and the gate's findings are also said on stderr.

    Exit status: 0 no new or reopened finding at or above --fail-on, 1 there are (listed on
    stderr), 2 an asset could not be read or a usage error.
    """
    from govscan.baseline import load_baseline
    from govscan.config import load_config
    from govscan.distributed.choose import executor_for
    from govscan.engine.scan import run_scan, tripping
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
            with Progress(enabled=progress is not False):
                outcome = run_scan(session, config, rules, key, resume=resume, executor=executor, suppress=suppress)
        except KeyboardInterrupt:
            click.echo("govscan: interrupted; run again with --resume to finish", err=True)
            sys.exit(130)
        for error in outcome.errors:
            click.echo(terminal_line(f"govscan: error: {error}"), err=True)
        if notify:
            _notify(notify, session, outcome)
        failing = tripping(session, outcome, fail_on.lower())
        _write_outcome(session, outcome, failing, rules, fail_on.lower(), fmt, output, json_output)
    sys.exit(EXIT_FINDINGS if failing else EXIT_ERROR if outcome.errors else EXIT_CLEAN)


def _write_outcome(
    session: Session,
    outcome: Any,
    failing: list[Any],
    rules: Any,
    fail_on: str,
    fmt: str,
    output: str | None,
    json_output: str | None,
) -> None:
    """What the scan changed, in ``fmt`` onto ``-o`` (standard output by default), and as JSON onto
    ``--json-output``. The gate's findings always go to stderr too, for the CI log; so does the
    summary line when standard output carries JSON."""
    from govscan.cli.results import destination, write_json

    suppressed = f", {len(outcome.suppressed)} suppressed by the baseline" if outcome.suppressed else ""
    summary = (
        f"scan {outcome.scan_id}: {len(outcome.new)} new, {len(outcome.reopened)} reopened, "
        f"{len(outcome.fixed)} fixed{suppressed}"
    )
    gate = gate_lines(failing, rules, fail_on, outcome.scan_id) if failing else []
    to_stdout = not output or output == "-"
    if fmt == "json" and to_stdout:
        click.echo(summary, err=True)
    for line in gate:
        click.echo(line, err=True)
    document = _scan_document(session, outcome, failing, fail_on) if fmt == "json" or json_output else {}
    with destination(output) as out:
        if fmt == "json":
            write_json(document, out)
        else:
            out.write(summary + "\n")
            if not to_stdout:  # a file holds the whole result; stderr already had the gate's list
                out.write("".join(line + "\n" for line in gate))
    if json_output:
        with destination(json_output) as out:
            write_json(document, out)


def _scan_document(session: Session, outcome: Any, failing: list[Any], fail_on: str) -> dict[str, Any]:
    """The ``kind: scan`` document (report/shape.py): counts, errors, the gate's findings in the one shape."""
    from govscan.cli.findings import stored_findings
    from govscan.cli.results import document
    from govscan.report.shape import finding_out

    errors = []
    for line in outcome.errors:  # "uri: problem" (model.ReadError), the uri masked
        uri, _, problem = line.partition(": ")
        errors.append({"uri": uri, "problem": problem or "not read"})
    return document(
        "scan",
        scan_id=outcome.scan_id,
        summary={
            "new": len(outcome.new),
            "reopened": len(outcome.reopened),
            "fixed": len(outcome.fixed),
            "suppressed": len(outcome.suppressed),
        },
        errors=errors,
        gate={"fail_on": fail_on, "tripped": len(failing)},
        findings=[finding_out(f) for f in stored_findings(session, failing)],
    )


GATE_LISTED = 20  # findings named when the gate fails; the rest are counted


def gate_lines(rows: list[Any], rules: Any, fail_on: str, scan_id: int) -> list[str]:
    """Why ``scan`` exits 1: the new or reopened open findings at or above ``--fail-on``, the
    most severe first, at most :data:`GATE_LISTED` of them — one line each, so a CI log can be
    searched: severity, rule id, masked location, the finding's id (``govscan findings show ID``)."""
    from govscan.report.records import finding_of_row
    from govscan.report.text import place_text

    noun = "finding" if len(rows) == 1 else "findings"
    lines = [f"govscan: gate: {len(rows)} new or reopened {noun} at or above {fail_on} (--fail-on {fail_on}):"]
    shown = [finding_of_row(row, rules, []) for row in rows[:GATE_LISTED]]
    rule_width = min(48, max(len(f.rule_id) for f in shown))
    for row, finding in zip(rows, shown, strict=False):
        severity = finding.severity.label.upper()
        location = f"{finding.location.uri}  {place_text(finding)}"
        lines.append(f"  {severity:<8}  {finding.rule_id:<{rule_width}}  {location}  #{row.id}")
    if len(rows) > GATE_LISTED:
        lines.append(f"  and {len(rows) - GATE_LISTED} more (govscan findings list --scan {scan_id})")
    return lines


def _notify(url: str, session: Session, outcome: Any) -> None:
    from govscan.cli.findings import stored_findings
    from govscan.net.webhook import post_json
    from govscan.report.shape import finding_out
    from govscan.store.tables import FindingRow

    rows = [r for r in (session.get(FindingRow, i) for i in outcome.new + outcome.reopened) if r is not None]
    payload = {
        "scan_id": outcome.scan_id,
        "new": len(outcome.new),
        "reopened": len(outcome.reopened),
        "fixed": len(outcome.fixed),
        # the one shape of a finding (report/shape.py), as `findings list --format json` prints it
        "findings": [
            finding_out(f).model_dump(mode="json", exclude_unset=True) for f in stored_findings(session, rows)
        ],
    }
    problem = post_json(url, payload)  # the named host:port only, no redirects, no proxies: see net/webhook.py
    if problem:
        from govscan.identity import public_uri

        shown = public_uri(url).split("/", 3)[:3]  # scheme and host only: webhook paths hold tokens
        click.echo(f"govscan: error: notification to {'/'.join(shown)}/… failed ({problem})", err=True)
