"""Plain data shared by every stage: what readers yield, what detectors produce, what a run returns.

Nothing here does I/O; everything is a small dataclass so that work units can cross process
boundaries (pickling) and reporters can be tested on hand-built values.
"""

from __future__ import annotations

import enum
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from govscan.redact import public_json, public_text, public_uri

if TYPE_CHECKING:
    from govscan.rules.loader import RuleSet


class Severity(enum.IntEnum):
    """Ordered so that ``finding.severity >= threshold`` reads naturally."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Field:
    """A column-like place inside an asset.

    A table column (``sheet`` + ``column`` header + 1-based ``column_index``), a JSON/XML path
    with ``[*]`` for array items (``items[*].applicant.phone``), or, with every attribute empty,
    the running text of a document. Findings are aggregated per (asset, field, entity).
    """

    sheet: str | None = None
    column: str | None = None
    column_index: int | None = None
    json_path: str | None = None
    # Which hidden or secondary part of a document the place is in, when it is not the visible
    # body: "hidden sheet", "hidden column", "hidden rows", "comment", "tracked deletion",
    # "under a redaction box", "metadata:author", "attachment", "form field", "header/footer"…
    # Auditors are told where a leak hides; it enters the fingerprint only when set, so the
    # findings of visible places keep the fingerprints they had.
    part: str | None = None

    @property
    def label(self) -> str:
        """Human name of the place, as shown in text reports."""
        parts = []
        if self.sheet:
            parts.append(self.sheet)
        if self.column is not None:
            parts.append(self.column)
        elif self.column_index is not None:
            parts.append(f"#{self.column_index}")
        if self.json_path:
            parts.append(self.json_path)
        label = "!".join(parts) if parts else "text"
        return f"{label} ({self.part})" if self.part else label


@dataclass(slots=True)
class Values:
    """A batch of values read from one field: a chunk of a table column, values of a JSON path.

    Readers emit tables column-wise in chunks so detectors can scan a whole column chunk with
    one regex pass instead of one call per cell.
    """

    uri: str
    field: Field
    values: list[str]
    first_line: int | None = None  # line (CSV) or row (XLSX) of values[0], 1-based
    page: int | None = None  # 1-based page of a paged document (PDF), when the table is on one


@dataclass(slots=True)
class Text:
    """A piece of free text (a paragraph of a page, a block of lines of a text file)."""

    uri: str
    text: str
    field: Field = field(default_factory=Field)
    line: int | None = None  # line of the first character, 1-based, when the format has lines
    page: int | None = None  # 1-based page of a paged document (PDF, DOCX rendered pages), when known


Piece = Values | Text


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is (DESIGN.md contract for the JSON ``location`` object)."""

    uri: str
    sheet: str | None = None
    column: str | None = None
    column_index: int | None = None
    json_path: str | None = None
    line: int | None = None
    page: int | None = None  # 1-based page of a paged document
    part: str | None = None  # hidden or secondary part (see ``Field.part``)

    def __post_init__(self) -> None:
        # The boundary where names read from scanned content become output: every report,
        # baseline, database row and printed line gets its location from here, so it is masked
        # here (identifiers, credentials, tokens). Fingerprints are computed from the raw uri and
        # Field before a Location exists, so they do not change.
        object.__setattr__(self, "uri", public_uri(self.uri))
        for name in ("sheet", "column", "json_path", "part"):
            value = getattr(self, name)
            if value:
                object.__setattr__(self, name, public_text(value))

    @classmethod
    def of(cls, uri: str, place: Field, line: int | None = None, page: int | None = None) -> Location:
        return cls(uri, place.sheet, place.column, place.column_index, place.json_path, line, page, place.part)

    def as_dict(self) -> dict[str, object]:
        return {
            "uri": self.uri,
            "sheet": self.sheet,
            "column": self.column,
            "column_index": self.column_index,
            "json_path": self.json_path,
            "line": self.line,
            "page": self.page,
            "part": self.part,
        }


def place_of(location: Location) -> str:
    """The place inside the asset as one string (``Лист1!ИИН``, ``items[*].phone``, ``text``).

    Same spelling as :attr:`govscan.model.Field.label`, so text reports, baselines and sort
    order agree with what readers call the field.
    """
    if location.uri.startswith("tls://"):
        return "endpoint"  # a TLS finding is about the whole service, not a place inside it
    return Field(location.sheet, location.column, location.column_index, location.json_path).label


@dataclass(frozen=True, slots=True)
class TriageStep:
    """One triage decision recorded for a stored finding: who moved it from which status to which, and why."""

    at: datetime
    actor: str
    from_status: str
    to_status: str
    note: str


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """What the findings database knows of a finding beyond what one scan found.

    A finding read back from the database (``findings list``, ``report``, ``diff``) carries one, so
    every output of a stored finding has the same shape as ``check``'s, plus these fields.
    """

    id: int
    status: str  # open / fixed / suppressed / false_positive / accepted_risk
    reopened_count: int
    first_seen_scan_id: int
    last_seen_scan_id: int
    first_seen_at: datetime
    last_seen_at: datetime
    triage: tuple[TriageStep, ...] = ()


MessageParam = str | int | list[str]


@dataclass(frozen=True, slots=True)
class Message:
    """A piece of evidence as a message id and its parameters (``http.cookie.without``, name, flag).

    The English ``Finding.evidence`` stays what JSON, SARIF and text print; the HTML and Markdown
    reports say the same from these through their catalogues (``evidence.<id>``), in ru, kk or en.
    Parameters are masked like the evidence: they quote banners, names and URLs.
    """

    id: str
    params: dict[str, MessageParam] = field(default_factory=dict)

    def __post_init__(self) -> None:
        masked = {
            k: public_text(v) if isinstance(v, str) else [public_text(x) for x in v] if isinstance(v, list) else v
            for k, v in self.params.items()
        }
        object.__setattr__(self, "params", masked)

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "params": dict(self.params)}


@dataclass(slots=True)
class Finding:
    """One aggregated finding: a rule that fired at one place, with a count and masked evidence."""

    rule_id: str
    entity: str | None
    severity: Severity
    title: str
    location: Location
    count: int
    evidence: str  # always masked
    confidence: float
    fingerprint: str = ""
    compliance: list[str] = field(default_factory=list)
    baseline_state: str | None = None  # "new" | "unchanged" when compared with a baseline
    suppressed: str | None = None  # the baseline's reason when a baseline accepts it
    record: FindingRecord | None = None  # what the findings database adds, for a stored finding
    messages: list[Message] = field(default_factory=list)  # the evidence as message templates (reports)

    def __post_init__(self) -> None:
        # Evidence of PII is masked by its recognizer; web and TLS evidence quotes banners,
        # listing titles and certificate names, which may carry identifiers too.
        self.evidence = public_text(self.evidence)
        self.title = public_text(self.title)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "entity": self.entity,
            "severity": self.severity.label,
            "title": self.title,
            "location": self.location.as_dict(),
            "count": self.count,
            "evidence": self.evidence,
            "confidence": round(self.confidence, 2),
            "fingerprint": self.fingerprint,
            "compliance": list(self.compliance),
        }


@dataclass(frozen=True, slots=True)
class ReadError:
    """An input that could not be read (fully): errors are data, reported once per asset."""

    uri: str
    problem: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "uri", public_uri(self.uri))
        object.__setattr__(self, "problem", public_text(self.problem))

    def __str__(self) -> str:
        return f"{self.uri}: {self.problem}"


@dataclass(frozen=True, slots=True)
class Asset:
    """Something to read: a local file, a downloaded URL, or an archive member.

    ``uri`` is what reports show (``exports/a.zip!/2023/b.csv``); ``path`` is where the bytes
    are on disk now (a temp file for URLs and archive members).
    """

    uri: str
    path: str
    media_hint: str | None = None  # Content-Type from HTTP, when known


@dataclass(frozen=True, slots=True)
class SourceAsset(Asset):
    """An ``Asset`` that owns its temp directory (downloads) and removes it on exit.

    Here, not in ``sources/``, because the network layer (``net/download.py``), the sources and
    the portal audit all hand these out: a shared type, so no room imports another for it.
    """

    cleanup_dir: str | None = None

    def __enter__(self) -> SourceAsset:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def release(self) -> None:
        if self.cleanup_dir:
            shutil.rmtree(self.cleanup_dir, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class AssetOutcome:
    """Whether an asset was read: only a successful read may mark its earlier findings fixed."""

    uri: str
    ok: bool
    reason: str | None = None
    summary: dict[str, Any] | None = None  # observations beside findings (TLS grade, crawl figures)

    def __post_init__(self) -> None:
        # Outcomes are stored (asset uri, reason, summary): banners, titles, certificate subjects.
        object.__setattr__(self, "uri", public_uri(self.uri))
        if self.reason:
            object.__setattr__(self, "reason", public_text(self.reason))
        if self.summary:
            object.__setattr__(self, "summary", public_json(self.summary))


@dataclass
class WorkResult:
    """What one work unit found, wherever it ran: the coordinator writes it to the database."""

    target: str
    outcomes: list[AssetOutcome] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScanResult:
    """Everything one ``check`` run produced, as the reporters need it.

    ``scanned`` holds the uris that were read (assets, including archive members), ``errors`` the
    inputs that could not be read; ``rules`` is the whole loaded rule set, so formats that
    document rules (SARIF) can list every rule, not only the ones that fired.
    """

    findings: list[Finding]
    errors: list[ReadError]
    rules: RuleSet
    inputs: list[str]
    tool_version: str
    started_at: datetime
    finished_at: datetime
    scanned: list[str]
    baseline_path: str | None = None
    endpoints: list[dict[str, Any]] = field(default_factory=list)  # TLS audits: one summary each
    ner_cut: dict[str, int] = field(default_factory=dict)  # uri -> characters read without name NER (budget)
    category: str = "check"  # what ran on what ("check", "tls", "crawl/<host>", "scan/<name>"): SARIF analyses

    def __post_init__(self) -> None:
        # Findings and errors arrive masked (their own classes); what the command was given and the TLS
        # summaries (certificate subjects, sslyze's raw result) are masked here.
        object.__setattr__(self, "inputs", [public_uri(i) for i in self.inputs])
        object.__setattr__(self, "scanned", [public_uri(s) for s in self.scanned])
        object.__setattr__(self, "endpoints", public_json(self.endpoints))
        object.__setattr__(self, "ner_cut", {public_uri(uri): chars for uri, chars in self.ner_cut.items()})

    @property
    def baseline_applied(self) -> bool:
        """True when findings were compared with a baseline, so baseline fields mean something."""
        return self.baseline_path is not None or any(f.baseline_state is not None for f in self.findings)

    @property
    def open_findings(self) -> list[Finding]:
        """Findings a baseline did not accept: the ones that count."""
        return [f for f in self.findings if not f.suppressed]

    @property
    def failed_uris(self) -> list[str]:
        """Inputs that could not be read, each once, in first-seen order."""
        return list(dict.fromkeys(e.uri for e in self.errors))
