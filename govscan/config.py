"""Scan configuration (YAML), validated; an error names the file, the line and the problem.

Target kinds: ``datasets`` (paths, globs, URLs read by the dataset gate), ``tls``
(``HOST[:PORT]`` endpoints) and ``url`` (a portal: crawled, HTTP rules, exposure probes, its
datasets and portal APIs read, and its HTTPS host's TLS audited). A target may have several.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import InitErrorDetails

from govscan.errors import InputError, shown
from govscan.net.client import ClientSettings
from govscan.readers.limits import Limits
from govscan.redact import mask_identifiers
from govscan.safeyaml import MAX_BYTES, YamlBoundsError, compose_yaml, load_yaml
from govscan.sources.crawl import CrawlSettings
from govscan.strict import dotted, first_error


class ConfigError(InputError):
    """One line: ``scan.yaml:7: targets.0.datasets: Input should be a valid list``."""


# The keys users write flat under ``crawl:``, by the block that owns them (the rest are the audit's).
CLIENT_KEYS = ("contact", "rate", "concurrency", "max_bytes_per_response", "max_total_bytes", "ca_file")
CRAWLER_KEYS = ("max_pages", "max_depth", "include", "exclude")
BLOCKS = ("client", "crawler")
# ``crawl:`` as recorded (a scan's settings, the config digest): flat, in this order, as ever.
RECORDED_ORDER = (
    "max_pages", "max_depth", "rate", "concurrency", "ignore_robots", "robots", "ner", "ner_max_chars",
    "deadline", "include", "exclude", "contact", "max_bytes_per_response", "max_total_bytes", "ca_file",
    "probes", "tls", "api_sources", "egov_api_key_env",
)  # fmt: skip
MIN_OPERATOR_BYTES = 1024  # a byte limit below this in a scan config is a typo, not a policy


class CrawlConfig(BaseModel):
    """How politely and how far a ``url:`` target is crawled and audited.

    One block per owner, so nothing is copied between them: ``client`` is the network layer's own
    ``ClientSettings``, which every client of the audit takes as is; ``crawler`` is the crawler's
    ``CrawlSettings``; the other fields are the audit's. In YAML the keys stay flat under ``crawl:``
    (``rate: 2``, ``max_pages: 500``) as users have always written them: each is routed to its block
    on the way in, and the config is dumped flat again (``RECORDED_ORDER``).
    """

    model_config = ConfigDict(extra="forbid")

    client: ClientSettings = ClientSettings()
    crawler: CrawlSettings = CrawlSettings()
    ignore_robots: bool = Field(False, description="same as robots: ignore (kept for older configs)")
    robots: Literal["obey", "audit", "ignore"] = Field(
        "obey",
        description="obey: nothing robots.txt disallows is fetched (third parties); audit: the crawl obeys, "
        "exposure probes, portal APIs and transport/CORS probes do not (your own portal, or authorised); "
        "ignore: nothing obeys. Requests made despite robots.txt are counted in the scan",
    )
    ner: bool = Field(True, description="name NER over page and file text (rule-based recognizers always run)")
    ner_max_chars: int | None = Field(
        100_000, ge=0, description="characters of one page or file given to NER (~10 s CPU/MiB); the rest: rules only"
    )
    deadline: float | None = Field(
        3600.0, gt=0, description="wall-clock seconds for the whole portal (crawl, probes, files, APIs); null: none"
    )
    probes: bool = Field(True, description="probe for exposed files (.git, .env, dumps…)")
    tls: bool = Field(True, description="audit TLS of an https target's host")
    api_sources: list[str] | None = Field(None, description="portal-API plugins (ckan, egov); default: all")
    egov_api_key_env: str | None = Field(None, description="environment variable holding the data.egov.kz key")

    @model_validator(mode="before")
    @classmethod
    def _route_flat_keys(cls, data: Any) -> Any:
        """``crawl: {rate: 2, max_pages: 50}`` → ``client: {rate: 2}``, ``crawler: {max_pages: 50}``.

        The blocks are not YAML keys (one way to write a setting): code may pass them built.
        """
        if not isinstance(data, dict):
            return data
        data = dict(data)
        errors = [_error("extra_forbidden", block, data[block]) for block in BLOCKS if _raw(data.get(block))]
        errors += [
            _error("greater_than_equal", key, value, ge=MIN_OPERATOR_BYTES)
            for key in ("max_bytes_per_response", "max_total_bytes")
            if _number(value := data.get(key)) and value < MIN_OPERATOR_BYTES
        ]
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        for block, keys in (("client", CLIENT_KEYS), ("crawler", CRAWLER_KEYS)):
            flat = {key: data.pop(key) for key in keys if key in data}
            if flat:
                given = data.get(block)
                data[block] = {**(given.model_dump() if isinstance(given, BaseModel) else {}), **flat}
        return data

    @model_serializer(mode="wrap")
    def _flat(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        client, crawler = data.pop("client", {}), data.pop("crawler", {})
        data.update({key: client[key] for key in CLIENT_KEYS if key in client})
        data.update({key: crawler[key] for key in CRAWLER_KEYS if key in crawler})
        for key in ("include", "exclude"):
            if key in data:
                data[key] = [p if isinstance(p, str) else p.pattern for p in data[key]]
        return {key: data[key] for key in RECORDED_ORDER if key in data}


def _raw(value: Any) -> bool:
    return value is not None and not isinstance(value, BaseModel)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _error(kind: str, key: str, value: Any, **ctx: Any) -> InitErrorDetails:
    return (
        InitErrorDetails(type=kind, loc=(key,), input=value, ctx=ctx)
        if ctx
        else InitErrorDetails(type=kind, loc=(key,), input=value)
    )


def flat_loc(loc: tuple[Any, ...] | list[Any]) -> list[Any]:
    """An error's path as the user wrote it: ``crawl.client.rate`` is ``crawl: {rate: …}`` in YAML."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if not (out and out[-1] == "crawl" and part in BLOCKS and i + 1 < len(loc)):
            out.append(part)
    return out


def masked_name(name: str) -> str:
    """A scan's or target's name as it is stored and printed: identifiers masked.

    Names are chosen after what is scanned (``spravki 900101300017``); they reach the database,
    ``scans list``, every report's title and SARIF categories, so they are masked where the config
    is read, once. ``--target NAME`` filters mask the name given the same way.
    """
    return mask_identifiers(name)


class TargetConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    datasets: list[str] = []
    exclude: list[str] = []
    tls: list[str] = []
    url: str | None = Field(None, pattern=r"^https?://", description="a portal to crawl and audit")
    crawl: CrawlConfig = CrawlConfig()

    @field_validator("name")
    @classmethod
    def _masked(cls, name: str) -> str:
        return masked_name(name)

    @field_validator("url")
    @classmethod
    def _one_reading(cls, url: str | None) -> str | None:
        """A portal URL the URL parsers read differently is refused here, with the reason, rather
        than when its audit starts (where it could only say "could not be audited")."""
        if url is None:
            return None
        from govscan.net.urls import UnsafeURL, parse

        try:
            parse(url)
        except UnsafeURL as exc:
            raise ValueError(f"unsafe URL: {exc}") from None
        return url

    @model_validator(mode="after")
    def _has_something_to_scan(self) -> TargetConfig:
        if not (self.datasets or self.tls or self.url):
            raise ValueError("a target needs 'datasets:', 'tls:' or 'url:'")
        return self

    @property
    def kind(self) -> str:
        return "+".join(k for k in ("datasets", "tls", "url") if getattr(self, k))


class ScanConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    targets: list[TargetConfig] = Field(min_length=1)
    baseline: str | None = Field(None, description="baseline file: its findings are stored as suppressed")
    deadline: float | None = Field(None, gt=0, description="wall-clock seconds for the scan's portal audits")
    ocr: Literal["auto", "off", "force"] = Field(
        "auto", description="Tesseract OCR of scanned PDF pages and images, as 'govscan check --ocr'"
    )
    # Where units run changes no finding, so it stays out of the config's digest (exclude).
    executor: Literal["local", "celery"] = Field(
        "local", exclude=True, description="local pools, or Celery workers (govscan worker); --executor overrides"
    )

    @field_validator("name")
    @classmethod
    def _masked(cls, name: str) -> str:
        return masked_name(name)

    @field_validator("ocr", mode="before")
    @classmethod
    def _bare_off(cls, value: Any) -> Any:
        """YAML 1.1 reads a bare ``off`` as false (and ``on`` as true)."""
        return {False: "off", True: "auto"}.get(value, value) if isinstance(value, bool) else value

    def read_limits(self) -> Limits:
        """The readers' limits this scan asks for (its OCR mode; every bound at its default)."""
        return Limits(ocr=self.ocr)

    @model_validator(mode="after")
    def _unique_target_names(self) -> ScanConfig:
        names = [t.name for t in self.targets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"target names must be unique: {', '.join(duplicates)}")
        return self


def load_config(path: str | Path) -> ScanConfig:
    """Read and validate a scan config; every problem is one :class:`ConfigError` line.

    Hostile YAML (100,000-deep nesting, a 100,000-digit number, an impossible date) is refused
    by :mod:`govscan.safeyaml` with its line instead of a traceback; the file is read up to
    ``MAX_BYTES`` only.
    """
    path = Path(path)
    name = shown(str(path))
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MiB, not a scan config")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 (byte {exc.start + 1}); save the file as UTF-8") from None
    try:
        node = compose_yaml(text)
        data = load_yaml(text)
    except YamlBoundsError as exc:
        raise ConfigError(f"{name}{f':{exc.line}' if exc.line else ''}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{name}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    try:
        return ScanConfig.model_validate(data)
    except ValidationError as exc:
        line = _line_of(node, flat_loc(exc.errors()[0]["loc"]))
        return _raise(path, line, first_error(exc, lambda loc: dotted(flat_loc(loc))))


def _raise(path: Path, line: int | None, problem: str) -> ScanConfig:
    prefix = f"{shown(str(path))}:{line}" if line else shown(str(path))
    raise ConfigError(f"{prefix}: {problem}")


def _line_of(node: Any, loc: list[Any]) -> int | None:
    """The YAML line of the deepest node along ``loc`` that exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
