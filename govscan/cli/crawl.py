"""``govscan crawl URL``: one-off audit of a portal, without a database (the ``url:`` target of a scan)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from govscan.cli.gate import finish, read_baseline
from govscan.cli.options import gate_options, output_options
from govscan.identity import load_secret
from govscan.model import ReadError, ScanResult
from govscan.progress import Progress
from govscan.redact import shorten
from govscan.rules import RuleLoadError, RuleSet, load_rules

if TYPE_CHECKING:
    from govscan.config import CrawlConfig


@click.command()
@click.argument("url")
@output_options
@gate_options
@click.option("--max-pages", type=click.IntRange(min=1), default=500, show_default=True,
              help="Stop after fetching this many pages.")  # fmt: skip
@click.option("--max-depth", type=click.IntRange(min=0), default=5, show_default=True,
              help="Follow links at most this many clicks from the start URL.")  # fmt: skip
@click.option("--rate", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="Requests per second to the host (0: no limit, for your own test servers).")  # fmt: skip
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=4, show_default=True,
              help="Requests in flight at once to the portal (threads in this process, not --jobs processes; "
                   "the --rate limit still applies).")  # fmt: skip
@click.option("--robots", "robots", type=click.Choice(["obey", "audit", "ignore"]), default="obey", show_default=True,
              help="obey: fetch nothing robots.txt disallows (third parties); audit: the crawl obeys, exposure probes, "
                   "portal APIs and CORS/transport probes do not (your own portal or a written authorisation); "
                   "ignore: nothing obeys. Requests made despite robots.txt are counted and printed.")  # fmt: skip
@click.option("--ignore-robots", is_flag=True, help="Same as --robots ignore (authorised audits only).")
@click.option("--include", multiple=True, metavar="PATTERN", help="URL glob or 're:' regex to stay within.")
@click.option("--exclude", multiple=True, metavar="PATTERN", help="URL glob or 're:' regex never fetched.")
@click.option("--contact", default="", help="E-mail or URL for the portal's admins, put in the User-Agent.")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), help="CA bundle for the portal's TLS.")
@click.option("--probes/--no-probes", default=True, show_default=True, help="Probe for exposed files.")
@click.option("--tls/--no-tls", "with_tls", default=True, show_default=True, help="Audit TLS of an https URL's host.")
@click.option("--ner/--no-ner", default=True, show_default=True,
              help="Name NER over page and file text (~10 s CPU per MiB); the rule-based recognizers always run.")  # fmt: skip
@click.option("--ner-max-chars", type=click.IntRange(min=0), default=100_000, show_default=True,
              help="Characters of one page or file given to NER; the rest is read by the rules only (recorded).")  # fmt: skip
@click.option("--deadline", type=click.FloatRange(min=0, min_open=True), default=3600.0, show_default=True,
              help="Wall-clock seconds for the whole audit; what it cuts is printed and reported.")  # fmt: skip
@click.option("--progress/--no-progress", default=None,
              help="Pages, requests, files and findings so far on stderr (a bar on a terminal, a line every 10 s otherwise).")  # fmt: skip
def crawl(
    url: str,
    fmt: str,
    output: str | None,
    fail_on: str,
    baseline: str | None,
    write_baseline: str | None,
    baseline_reason: str,
    max_pages: int,
    max_depth: int,
    rate: float,
    concurrency: int,
    robots: str,
    ignore_robots: bool,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    contact: str,
    ca_file: str | None,
    probes: bool,
    with_tls: bool,
    ner: bool,
    ner_max_chars: int,
    deadline: float,
    progress: bool | None,
) -> None:
    """Crawl a portal politely and audit it: personal data in pages and datasets, HTTP hygiene,
    exposed files, portal APIs (CKAN, data.egov.kz) and, for https, TLS.

    Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 the portal could not
    be reached (problems with single pages or files are printed as warnings).
    """
    from govscan.config import CrawlConfig
    from govscan.net.urls import UnsafeURL, parse

    try:
        parse(url)  # read as the client will connect: a URL the parsers read differently is refused here
    except UnsafeURL as exc:
        raise click.UsageError(f"{exc}: {shorten(url, 200)}") from None
    try:
        rules = load_rules()
    except RuleLoadError as exc:
        raise click.UsageError(str(exc)) from exc
    accepted = read_baseline(baseline)
    config = CrawlConfig(
        max_pages=max_pages, max_depth=max_depth, rate=rate, concurrency=concurrency,
        robots="ignore" if ignore_robots else robots, include=list(include), exclude=list(exclude), contact=contact,
        ca_file=ca_file, probes=probes, tls=with_tls, ner=ner, ner_max_chars=ner_max_chars, deadline=deadline,
    )  # fmt: skip
    with Progress(enabled=progress is not False):
        result = _audit(url, config, rules)
    finish(result, fmt=fmt, output=output, fail_on=fail_on, accepted=accepted, baseline=baseline,
           write_baseline_to=write_baseline, baseline_reason=baseline_reason)  # fmt: skip


def _audit(url: str, config: CrawlConfig, rules: RuleSet) -> ScanResult:
    """Plan the portal (and its host's TLS), run it here, print its warnings and what the audit did."""
    from govscan.engine.plan import crawl_plan  # the engine is imported by the command that runs it
    from govscan.engine.run import run_plan
    from govscan.engine.sinks import MemorySink
    from govscan.engine.steps import install
    from govscan.engine.units import WorkContext
    from govscan.executors import SerialExecutor

    host = urlsplit(url).netloc.rpartition("@")[2].lower()  # one SARIF analysis per site
    sink = MemorySink(rules, [url], category=f"crawl/{host}", unreadable_fails=False, endpoints_scanned=False)
    context = WorkContext(rules, load_secret(), ner=config.ner)
    run_plan(SerialExecutor(initializer=install, initargs=(context,)), crawl_plan(url, config), sink)
    for problem in sink.warnings:  # a page or file of the portal, or its TLS endpoint: not the portal itself
        click.echo(f"govscan: warning: {problem}", err=True)
    site = sink.portals[0] if sink.portals else {}
    if not site.get("pages"):
        sink.errors.append(ReadError(url, "no page of the portal could be fetched"))
    for line in summary_lines(site):
        click.echo(f"govscan: {line}", err=True)
    return sink.result()


def summary_lines(summary: dict) -> list[str]:  # type: ignore[type-arg]
    """What the audit did, in words: counts, what robots.txt changed, what the deadline and NER budget cut."""
    mode = summary.get("robots_mode", "obey")
    lines = [
        f"{summary.get('pages', 0)} pages, {summary.get('data_links', 0)} data links, "
        f"{summary.get('requests', 0)} requests (robots.txt {summary.get('robots', 'obeyed')}, --robots {mode}: "
        f"{summary.get('robots_overridden', 0)} requests made despite it, "
        f"{summary.get('robots_skipped', 0)} left out because of it)"
    ]
    deadline = summary.get("deadline")
    if isinstance(deadline, dict):
        not_done = ", ".join(deadline.get("not_done", [])) or "nothing"
        unread = deadline.get("data_files_unread", 0)
        lines.append(
            f"the {deadline.get('by', 'portal')}'s deadline ({deadline.get('seconds', 0):g} s) cut: {not_done}"
            + (f" ({unread} data files not read)" if unread else "")
        )
    if summary.get("ner_cut_assets"):
        lines.append(
            f"name NER stopped at {summary.get('ner_max_chars')} characters on {summary['ner_cut_assets']} pages/files "
            f"({summary.get('ner_cut_chars', 0)} characters read by the rule-based recognizers only)"
        )
    elif summary.get("ner") is False:
        lines.append("name NER off (--no-ner): names found by the rule-based recognizers only")
    return lines
