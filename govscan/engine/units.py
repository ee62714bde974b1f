"""Work units: plain picklable data naming one piece of work, whatever command planned it.

An executor runs each unit with the matching function of ``steps.py`` in a thread, a child
process or (later) a remote worker, so a unit carries everything its step needs but the
process-wide context (``WorkContext``: rules, fingerprint key), installed once per worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govscan.net.client import ClientSettings
from govscan.readers.limits import Limits
from govscan.rules import RuleSet
from govscan.sources.crawl import CrawlSettings

MiB = 1024 * 1024
PORTAL_DEADLINE = 3600.0  # seconds for one portal: a slow or endless site cannot hold a nightly scan for hours
NER_MAX_CHARS = 100_000  # of one page's (one file's) text given to name NER (~10 s of CPU per MiB): see budgeted()


@dataclass(frozen=True)
class WorkContext:
    rules: RuleSet
    key: bytes
    ner: bool = True
    limits: Limits | None = None  # the readers' limits of this scan (its OCR mode); None: the defaults


@dataclass(frozen=True)
class DatasetUnit:
    """One dataset asset (a file, a glob's match, a URL) of a target."""

    target: str
    uri: str
    ca_file: str | None = None  # a URL's TLS trust: the target's ``crawl.ca_file`` (the national root CA)


@dataclass(frozen=True)
class TlsOptions:
    """How TLS endpoints are audited (``govscan tls``'s flags); the defaults are a scheduled scan's."""

    profile: str = "full"  # or "fast": certificate, protocol versions and HSTS only
    ca_file: str | None = None  # extra trust anchors (PEM)
    timeout: float = 5.0  # network timeout per connection (s)
    per_host: int = 5  # concurrent connections per endpoint
    rate: float = 0.0  # endpoint scans started per second, unit-wide (0: no limit)
    workers: int | None = None  # sslyze worker processes (None: one per core)
    expiring_days: int | None = None  # warn this many days before expiry (None: the rules' own)


@dataclass(frozen=True)
class TlsUnit:
    """The TLS endpoints of a target, audited together (sslyze batches them itself)."""

    target: str
    endpoints: tuple[str, ...]
    options: TlsOptions = field(default_factory=TlsOptions)


@dataclass(frozen=True)
class PortalSettings:
    """How one portal is audited: the client's and the crawler's blocks of ``crawl:``, and the audit's own bounds."""

    client: ClientSettings = field(default_factory=ClientSettings)  # the network layer's block of ``crawl:``
    crawl: CrawlSettings = field(default_factory=CrawlSettings)  # the crawler's own bounds
    probes: bool = True  # exposure rules (.git, .env, dumps…)
    api_sources: tuple[str, ...] | None = None  # portal-API plugins to try; None = every registered one
    egov_api_key: str | None = None  # never written anywhere: only sent to data.egov.kz
    max_dataset_bytes: int = 200 * MiB  # a discovered data file is read up to this size
    robots: str = "obey"  # obey | audit | ignore: see ``RobotsGate`` (``crawl.ignore_robots`` means ignore)
    ner: bool = True  # name NER over page and file text (the rule-based recognizers always run)
    ner_max_chars: int | None = NER_MAX_CHARS  # per page or file; None: no budget
    deadline: float | None = PORTAL_DEADLINE  # wall-clock seconds for the whole portal; None: none
    scan_stop_at: float | None = None  # ``time.time()`` when the scan's own deadline passes
    limits: Limits | None = None  # readers' limits for pages and data files (the scan's OCR mode)

    @property
    def robots_mode(self) -> str:
        return "ignore" if self.crawl.ignore_robots else self.robots


@dataclass(frozen=True)
class PortalUnit:
    """A portal (``url:`` target): crawl, HTTP rules, exposure probes, its datasets and APIs."""

    target: str
    url: str
    settings: PortalSettings
