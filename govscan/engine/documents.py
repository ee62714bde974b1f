"""Documents: sources → readers → detectors, streamed (the CI gate ``check``, and a scan's dataset units).

No database, no network beyond fetching URLs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from govscan.engine.sinks import MemorySink, Scanned
from govscan.errors import described
from govscan.model import Piece, ReadError, ScanResult, SourceAsset
from govscan.pii.detector import PiiDetector
from govscan.progress import Progress
from govscan.readers import read_asset
from govscan.readers.background import read_in_background, worth_it
from govscan.readers.limits import Limits
from govscan.rules import RuleSet
from govscan.sources import expand_inputs

# Characters of one file's text given to name NER (~10 s of CPU per MiB): about a 300-page
# document. Past it the text still goes through every rule-based recognizer; only NER stops, and
# the result says where (a hostile 5 MiB page otherwise held one ``check`` for minutes).
DOCUMENT_NER_MAX_CHARS = 1_000_000


@dataclass
class CheckOptions:
    inputs: list[str]
    exclude: list[str] = field(default_factory=list)
    limits: Limits | None = None
    parallel: bool = True  # read big files in a child process while detecting in this one
    ner: bool = True  # natasha NER for names in documents (pages, text files)
    ner_max_chars: int | None = DOCUMENT_NER_MAX_CHARS  # per file; None: no budget
    ca_file: str | None = None  # CA bundle trusted for https inputs (a portal signed by the national root CA)


def run_check(
    options: CheckOptions,
    rules: RuleSet,
    key: bytes,
    progress: Progress | None = None,
    detector: PiiDetector | None = None,
) -> ScanResult:
    """Read every input and collect findings; an input that fails becomes an error, never a crash.

    A caller that runs many checks (a scheduled scan, asset by asset) passes one ``detector`` so
    recognizers and presidio are built once.
    """
    progress = progress or Progress(enabled=False)
    detector = (detector or PiiDetector(rules, key, ner=options.ner)).budgeted(
        ner=options.ner, ner_max_chars=options.ner_max_chars
    )
    sink = MemorySink(rules, options.inputs)
    try:
        scan_assets(
            expand_inputs(options.inputs, options.exclude, options.limits, ca_file=options.ca_file),
            detector,
            limits=options.limits,
            parallel=options.parallel,
            progress=progress,
            into=sink,
        )
    finally:  # Ctrl-C too: a terminal gets its cursor back and its bar cleared
        progress.close()
    sink.ner_cut.update(detector.ner_cut)
    return sink.result()


def scan_assets(
    items: Iterable[SourceAsset | ReadError],
    detector: PiiDetector,
    *,
    limits: Limits | None = None,
    parallel: bool = True,
    progress: Progress | None = None,
    into: Scanned | None = None,
) -> Scanned:
    """Detect personal data in assets from any source (files, downloads, crawled pages, portal APIs).

    Findings, errors and read uris are added to ``into`` (a new ``Scanned`` by default), as they
    come: a ``check`` streams its files through here. Each asset is released (its temp directory
    removed) once read.
    """
    progress = progress or Progress(enabled=False)
    found = Scanned() if into is None else into
    for item in items:
        if isinstance(item, ReadError):
            found.errors.append(item)
            continue
        with item as asset:
            progress.asset_started(asset.uri)
            before = len(found.findings)
            reader = read_in_background if parallel and worth_it(asset) else read_asset
            for result in detector.detect(_guarded(reader(asset, limits), asset.uri)):
                if isinstance(result, ReadError):
                    found.errors.append(result)
                else:
                    found.findings.append(result)
            found.scanned.append(asset.uri)
            progress.asset_finished(asset.uri, len(found.findings) - before)
    return found


def _guarded(pieces: Iterable[Piece | ReadError], uri: str) -> Iterator[Piece | ReadError]:
    """Readers report bad input as errors; this catches the rest so one file never ends a scan."""
    try:
        yield from pieces
    except MemoryError:
        yield ReadError(uri, "ran out of memory while reading")
    except Exception as exc:  # noqa: BLE001 - any reader bug must stay one file's problem
        yield ReadError(uri, f"could not be read ({described(exc, 200)})")  # masked before the cut
