"""``govscan tls``: certificate and TLS configuration audit of endpoints, with a grade each."""

from __future__ import annotations

from pathlib import Path

import click

from govscan.cli.gate import finish, read_baseline
from govscan.cli.options import gate_options, output_options
from govscan.identity import load_secret
from govscan.progress import Progress
from govscan.rules import RuleLoadError, load_rules
from govscan.tls.targets import TargetError, read_targets


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
@click.option("--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Processes auditing endpoints at once (default: one per core), as scan's --jobs.")  # fmt: skip
@click.option("--workers", "workers_alias", type=click.IntRange(1, 64), hidden=True,
              help="Deprecated name of --jobs.")  # fmt: skip
@click.option("--progress/--no-progress", default=None,
              help="Endpoints and findings so far on stderr (a bar on a terminal, a line every 10 s otherwise).")  # fmt: skip
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
    jobs: int | None,
    workers_alias: int | None,
    progress: bool | None,
) -> None:
    """Audit TLS endpoints (default port 443): protocols, ciphers, certificate, known vulnerabilities.

    Each endpoint gets an SSL Labs-style grade. Exit status as for 'govscan check'; an endpoint
    that cannot be scanned (refused, not TLS, hanging) is an error line and exit 2.
    """
    from govscan.engine.plan import tls_plan  # the engine is imported by the command that runs it
    from govscan.engine.run import run_tls_here
    from govscan.engine.sinks import MemorySink
    from govscan.engine.steps import install
    from govscan.engine.units import TlsOptions, WorkContext

    raw = list(targets) + (read_targets(targets_file) if targets_file else [])  # type: ignore[arg-type]
    if not raw:
        raise click.UsageError("give at least one HOST[:PORT] or -f FILE")
    options = TlsOptions(
        profile="fast" if fast else "full", ca_file=str(Path(ca_file).resolve()) if ca_file else None,
        timeout=timeout, per_host=per_host, rate=rate, workers=_jobs(jobs, workers_alias), expiring_days=expiring_days,
    )  # fmt: skip
    try:
        work = tls_plan(raw, options)
        rules = load_rules()
    except (TargetError, RuleLoadError) as exc:
        raise click.UsageError(str(exc)) from exc
    accepted = read_baseline(baseline)
    install(WorkContext(rules, load_secret()))
    sink = MemorySink(rules, raw, category="tls")
    with Progress(enabled=progress is not False, total=len(raw)):
        for unit in work.tls:
            run_tls_here(unit, sink)
    result = sink.result()
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


def _jobs(jobs: int | None, workers: int | None) -> int | None:
    """``--jobs``, or the deprecated ``--workers`` it replaced (one name for processes in every command)."""
    if workers is not None:
        click.echo("govscan: warning: --workers is deprecated; use --jobs", err=True)
    return jobs if jobs is not None else workers
