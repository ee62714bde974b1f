"""``govscan tls``: certificate and TLS configuration audit of endpoints, with a grade each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from govscan import __version__
from govscan.cli.gate import finish, read_baseline
from govscan.cli.options import gate_options, output_options
from govscan.identity import load_secret
from govscan.model import ReadError, ScanResult
from govscan.rules import RuleLoadError, load_rules
from govscan.tls.facts import TlsFacts
from govscan.tls.targets import TargetError, parse_target, read_targets


@click.command()
@click.argument("targets", nargs=-1, metavar="HOST[:PORT]...")
@click.option(
    "-f", "--targets-file", type=click.File("r", encoding="utf-8"), help="Read targets from FILE, one per line."
)
@output_options
@gate_options
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Extra trust anchors (PEM), on top of the public stores.",
)
@click.option("--fast", is_flag=True, help="Certificate, protocol versions and HSTS only (monitoring runs).")
@click.option(
    "--expiring-days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="Warn this many days before expiry.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 120),
    default=5.0,
    show_default=True,
    help="Network timeout per connection (s).",
)
@click.option(
    "--per-host", type=click.IntRange(1, 20), default=5, show_default=True, help="Concurrent connections per endpoint."
)
@click.option(
    "--rate",
    type=click.FloatRange(0),
    default=10.0,
    show_default=True,
    help="At most this many endpoint scans started per second, scan-wide (0: no limit).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: one per core).")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr.")
def tls(
    targets: tuple[str, ...],
    targets_file: object,
    fmt: str,
    output: str | None,
    fail_on: str,
    baseline: str | None,
    write_baseline: str | None,
    baseline_reason: str,
    ca_file: str | None,
    fast: bool,
    expiring_days: int,
    timeout: float,
    per_host: int,
    rate: float,
    workers: int | None,
    progress: bool | None,
) -> None:
    """Audit TLS endpoints (default port 443): protocols, ciphers, certificate, known vulnerabilities.

    Each endpoint gets an SSL Labs-style grade. Exit status as for 'govscan check'; an endpoint
    that cannot be scanned (refused, not TLS, hanging) is an error line and exit 2.
    """
    from govscan.tls.audit import judge, summary
    from govscan.tls.collect import ScanSettings
    from govscan.tls.runner import run

    raw = list(targets) + (read_targets(targets_file) if targets_file else [])  # type: ignore[arg-type]
    if not raw:
        raise click.UsageError("give at least one HOST[:PORT] or -f FILE")
    try:
        endpoints = [parse_target(t) for t in raw]
        rules = load_rules()
    except (TargetError, RuleLoadError) as exc:
        raise click.UsageError(str(exc)) from exc
    accepted = read_baseline(baseline)
    key = load_secret()
    settings = ScanSettings(
        profile="fast" if fast else "full",
        ca_file=str(Path(ca_file).resolve()) if ca_file else None,
        network_timeout=timeout,
        per_host_connections=per_host,
    )
    show = progress is not False
    started = dt.datetime.now(dt.UTC)
    done: list[TlsFacts] = []

    def report_progress(facts: TlsFacts) -> None:
        done.append(facts)
        if show:
            state = facts.error or "done"
            click.echo(f"govscan: [{len(done)}/{len(endpoints)}] {facts.endpoint.address}: {state}", err=True)

    # --expiring-days reaches every rule built on the expiry check (overrides are keyed by rule id)
    expiring = {r.id: {"days": expiring_days} for r in rules.of_kind("tls") if r.tls and r.tls.check == "cert_expiring"}
    findings, errors, summaries = [], [], []
    for facts in run(endpoints, settings, workers=workers, rate=rate, on_done=report_progress):
        summaries.append(summary(facts))
        if facts.error:
            errors.append(ReadError(facts.endpoint.uri, facts.error))
            continue
        findings.extend(judge(facts, rules, key, expiring))
    order = {e.uri: i for i, e in enumerate(endpoints)}
    summaries.sort(key=lambda s: order.get(f"tls://{s['host']}:{s['port']}", 0))
    result = ScanResult(
        findings=findings,
        errors=errors,
        rules=rules,
        inputs=raw,
        tool_version=__version__,
        started_at=started,
        finished_at=dt.datetime.now(dt.UTC),
        scanned=[f.endpoint.uri for f in done if not f.error],
        endpoints=summaries,
        category="tls",
    )
    finish(
        result,
        fmt=fmt,
        output=output,
        fail_on=fail_on,
        accepted=accepted,
        baseline=baseline,
        write_baseline_to=write_baseline,
        baseline_reason=baseline_reason,
    )
