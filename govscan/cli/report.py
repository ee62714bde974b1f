"""``govscan report``: a stored scan as an HTML/Markdown compliance report or as json/csv/sarif.

HTML and Markdown are the auditor's report in Russian, Kazakh or English; text, json, csv and sarif
have exactly the shapes ``govscan check`` writes (plus each finding's stored fields), so CI tooling
reads a stored scan like a live one.

Without ``-o``, HTML and Markdown meant for a terminal go to a file named after the scan
(``govscan-report-scan-3.ru.html``), said on stderr: 150 KB of markup scrolling past helps nobody,
and refusing would make the user type a name the tool can choose. Piped (``govscan report > x``) or
with ``-o -`` they go to standard output as before.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from govscan.cli.options import REPORT_FORMATS, format_option
from govscan.cli.store import DB_OPTION, _session

if TYPE_CHECKING:
    from govscan.report.data import ReportData
    from govscan.rules import RuleSet

LANGS = ("ru", "kk", "en")
DOCUMENT_FORMATS = {"html": "html", "md": "md"}  # format -> file extension of the default file


@click.command()
@click.option("--scan", "scan_id", type=int, metavar="ID", help="Scan to report on (default: the latest completed).")
@click.option("--target", metavar="NAME", help="Only this target (its name in the scan config).")
@click.option("--framework", metavar="ID", help="Only this compliance framework (e.g. kz-pdl).")
@format_option(REPORT_FORMATS, default="html")
@click.option("--lang", type=click.Choice(LANGS), default="ru", show_default=True,
              help="Language of the HTML and Markdown reports.")  # fmt: skip
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
              help="Where to write the report ('-': standard output; default: standard output, or for html and md "
                   "on a terminal a file named after the scan).")  # fmt: skip
@DB_OPTION
def report(
    scan_id: int | None,
    target: str | None,
    framework: str | None,
    fmt: str,
    lang: str,
    output: str | None,
    db: str | None,
) -> None:
    """Write a compliance report for a recorded scan: findings, requirements, trend and methodology."""
    from govscan.redact import mask_identifiers, neutralise
    from govscan.report.data import ReportError, build_report_data
    from govscan.rules import RuleLoadError, load_rules

    if target is not None:
        target = mask_identifiers(target)  # target names are stored masked (config.masked_name)
    try:
        rules = load_rules()
        with _session(db) as session:
            data = build_report_data(session, rules, scan_id=scan_id, target=target, framework=framework)
    except (ReportError, RuleLoadError) as exc:
        raise click.ClickException(str(exc)) from exc
    text = render(fmt, data, lang, rules)
    if output is None and fmt in DOCUMENT_FORMATS and sys.stdout.isatty():
        output = f"govscan-report-scan-{data.scan.id}.{lang}.{DOCUMENT_FORMATS[fmt]}"
    if output is None or output == "-":
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
    from govscan.report.json_ import report_dict, write_json
    from govscan.report.markdown import render_markdown
    from govscan.report.stored import as_scan_result

    if fmt == "html":
        return render_html(data, lang)
    if fmt == "md":
        return render_markdown(data, lang)
    result = as_scan_result(data, rules)
    out = io.StringIO(newline="")
    if fmt == "json":
        write_json(report_dict(result, scan_id=data.scan.id), out)
    else:
        render_ci(fmt, result, out)
    return out.getvalue()
