"""``govscan demo``: a self-contained tour — a local portal, a full scan, the HTML report."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="govscan-demo", show_default=True,
              help="Where the demo database, exports and report are written.")  # fmt: skip
@click.option("--lang", type=click.Choice(["ru", "kk", "en"]), default="ru", show_default=True,
              help="Language of the report.")  # fmt: skip
def demo(out_dir: str, lang: str) -> None:
    """Start a demo portal on 127.0.0.1, scan it into a database and write the compliance report.

    Everything is synthetic and local: no request leaves this machine.
    """
    from govscan.demo.run import run_demo
    from govscan.progress import Progress

    with Progress():  # the demo's scan: files, pages, requests and findings so far, on stderr
        run = run_demo(Path(out_dir), lang, say=lambda line: click.echo(line, err=True))
    outcome = run.outcome
    counts = ", ".join(f"{n} {severity}" for severity, n in run.counts.items() if n)
    click.echo(f"scan {outcome.scan_id}: {len(outcome.new)} findings ({counts or 'none'})")
    for error in outcome.errors[:5]:
        click.echo(f"  note: {error}", err=True)
    click.echo(f"database: {run.database}")
    click.echo(f"report:   {run.report.resolve()}")
    click.echo(f"next:     govscan findings list --db sqlite:///{run.database}")
