"""``govscan report``: a stored scan as an HTML/Markdown compliance report or as json/csv/sarif.

HTML and Markdown are the auditor's report in Russian, Kazakh or English; json, csv and sarif have
exactly the shapes ``govscan check`` writes, so CI tooling reads a stored scan like a live one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govscan.cli.store import DB_OPTION, _session

if TYPE_CHECKING:
    from govscan.report.data import ReportData
    from govscan.rules import RuleSet

FORMATS = ("html", "md", "json", "csv", "sarif")
LANGS = ("ru", "kk", "en")


@click.command()
@click.option("--scan", "scan_id", type=int, metavar="ID", help="Scan to report on (default: the latest completed).")
@click.option("--target", metavar="NAME", help="Only this target (its name in the scan config).")
@click.option("--framework", metavar="ID", help="Only this compliance framework (e.g. kz-pdl).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True, help="Report format.")
@click.option("--lang", type=click.Choice(LANGS), default="ru", show_default=True,
              help="Language of the HTML and Markdown reports.")  # fmt: skip
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, metavar="FILE", help="Where to write the report ('-' for standard output).")  # fmt: skip
@DB_OPTION
def report(
    scan_id: int | None,
    target: str | None,
    framework: str | None,
    fmt: str,
    lang: str,
    output: str,
    db: str | None,
) -> None:
    """Write a compliance report for a recorded scan: findings, requirements, trend and methodology."""
    from govscan.redact import neutralise
    from govscan.report.data import ReportError, build_report_data
    from govscan.rules import RuleLoadError, load_rules

    try:
        rules = load_rules()
        with _session(db) as session:
            data = build_report_data(session, rules, scan_id=scan_id, target=target, framework=framework)
    except (ReportError, RuleLoadError) as exc:
        raise click.ClickException(str(exc)) from exc
    text = render(fmt, data, lang, rules)
    if output == "-":
        sys.stdout.write(text)
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(neutralise(text), encoding="utf-8", newline="")  # stdout is neutralised by cli/output.py
    click.echo(f"report: {path} (scan {data.scan.id}, {data.open_total} open findings)", err=True)


def render(fmt: str, data: ReportData, lang: str, rules: RuleSet) -> str:
    """The report text in ``fmt``; the CI formats go through ``check``'s own reporters."""
    import io

    from govscan.report import render as render_ci
    from govscan.report.html import render_html
    from govscan.report.markdown import render_markdown
    from govscan.report.stored import as_scan_result

    if fmt == "html":
        return render_html(data, lang)
    if fmt == "md":
        return render_markdown(data, lang)
    out = io.StringIO(newline="")
    render_ci(fmt, as_scan_result(data, rules), out)
    return out.getvalue()
