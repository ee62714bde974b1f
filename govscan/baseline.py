"""Baselines: accept today's findings once, then fail CI only on new ones.

``--write-baseline FILE`` records the fingerprints of the current findings; ``--baseline FILE``
marks findings whose fingerprint is recorded as ``unchanged`` and suppressed (they no longer
count for the exit code) and everything else as ``new``. The file is JSON meant to be committed
and reviewed::

    {"version": 1, "tool": "govscan 0.1.0", "ruleset_digest": "…", "fingerprint_key_id": "…",
     "generated_at": "…", "entries": [{"fingerprint", "rule_id", "uri", "place", "reason", "accepted_at"}]}

Entries are sorted by fingerprint so regenerating a baseline gives a small diff. Like
detect-secrets' ``.secrets.baseline``, it records which rule set produced it (``ruleset_digest``)
so a reader can tell whether the rules changed since. Fingerprints are keyed hashes: the file holds
no personal data (``uri`` and ``place`` name the file and column, not values).

Fingerprints are keyed, so a baseline only means something under the key it was written with:
it records that key's public id (``fingerprint_key_id``), and loading it under another key is an
error naming both ids (otherwise a second developer's machine, or CI without the team's
``GOVSCAN_SECRET``, would match nothing and say nothing). Baselines written before the id was
recorded still load, with a one-line warning to rewrite them.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from pydantic import ValidationError

from govscan.errors import InputError, one_line, shown
from govscan.identity import key_id, load_secret
from govscan.model import Finding, place_of
from govscan.rules.loader import RuleSet
from govscan.strict import StrictModel, first_error

BASELINE_VERSION = 1
DEFAULT_REASON = "accepted in baseline"


class BaselineError(InputError):
    """A baseline file that cannot be used; the one-line message names the file."""


class BaselineEntry(StrictModel):
    """One accepted finding."""

    fingerprint: str
    rule_id: str
    uri: str
    place: str
    reason: str
    accepted_at: str


class _BaselineFile(StrictModel):
    version: int
    tool: str
    ruleset_digest: str
    fingerprint_key_id: str | None = None  # absent in baselines written before it was recorded
    generated_at: str
    entries: list[BaselineEntry]


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline: its entries by fingerprint, and what produced it."""

    path: str
    tool: str
    ruleset_digest: str
    generated_at: str
    entries: dict[str, BaselineEntry]
    fingerprint_key_id: str | None = None

    def reason_for(self, fingerprint: str) -> str | None:
        entry = self.entries.get(fingerprint)
        return entry.reason if entry else None


def load_baseline(path: str | os.PathLike[str], key: bytes | None = None) -> Baseline:
    """Read and validate a baseline file; raise :class:`BaselineError` with a one-line message.

    ``key``: the key this run fingerprints with (default: the installation's, ``load_secret()``);
    a baseline that records another key's id is refused.
    """
    name = shown(os.fspath(path))
    try:
        text = Path(path).read_text(encoding="utf-8")  # ``name`` is the clipped form for messages
    except FileNotFoundError:
        raise BaselineError(f"baseline {name}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {name}: cannot read ({one_line(exc)})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"baseline {name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError:
        raise BaselineError(f"baseline {name}: nested too deeply to be a govscan baseline") from None
    except ValueError:  # int() refuses numbers over 4,300 digits
        raise BaselineError(f"baseline {name}: a number too long to be a govscan baseline") from None
    if not isinstance(data, dict):
        raise BaselineError(f"baseline {name}: expected a JSON object, not a govscan baseline")
    version = data.get("version")
    if version != BASELINE_VERSION:
        raise BaselineError(
            f"baseline {name}: unsupported version {version!r} (this govscan reads version {BASELINE_VERSION})"
        )
    try:
        parsed = _BaselineFile.model_validate(data)
    except ValidationError as exc:
        raise BaselineError(f"baseline {name}: {first_error(exc)}") from exc
    _check_key(name, parsed.fingerprint_key_id, key)
    return Baseline(
        path=os.fspath(path),
        tool=parsed.tool,
        ruleset_digest=parsed.ruleset_digest,
        generated_at=parsed.generated_at,
        entries={e.fingerprint: e for e in parsed.entries},
        fingerprint_key_id=parsed.fingerprint_key_id,
    )


def _check_key(name: str, recorded: str | None, key: bytes | None) -> None:
    """Refuse a baseline of another key; let one from before key ids through, with a warning."""
    if recorded is None:
        print(
            f"govscan: warning: baseline {name} records no fingerprint key id (written by an older govscan); "
            "if it matches nothing it was written under another key; rewrite it with --write-baseline",
            file=sys.stderr,
        )
        return
    current = key_id(key if key is not None else load_secret())
    if recorded != current:
        raise BaselineError(
            f"baseline {name}: written with fingerprint key {recorded}, this run's key is {current}, so it "
            "would match nothing: set GOVSCAN_SECRET to the key it was written with (the team's key), "
            "or delete it and write a new one with --write-baseline"
        )


def apply_baseline(findings: list[Finding], baseline: Baseline) -> list[Finding]:
    """Mark each finding ``unchanged`` + suppressed (known) or ``new`` (not in the baseline).

    The findings are updated in place and the same list is returned, so callers may use either.
    """
    for finding in findings:
        reason = baseline.reason_for(finding.fingerprint) if finding.fingerprint else None
        finding.baseline_state = "new" if reason is None else "unchanged"
        finding.suppressed = reason
    return findings


def write_baseline(
    path: str | os.PathLike[str],
    findings: Iterable[Finding],
    rules: RuleSet,
    reason: str = DEFAULT_REASON,
    *,
    key: bytes | None = None,
    tool_version: str | None = None,
    now: datetime | None = None,
) -> Baseline:
    """Write a baseline accepting ``findings``; return what was written.

    ``key``: the key the findings were fingerprinted with (default: the installation's); its
    public id is recorded so the baseline is refused under another key.

    If ``path`` already holds a baseline, the reason and acceptance time of fingerprints already
    in it are kept (a reviewer's justification survives regeneration); entries whose findings
    are gone are dropped. An unreadable existing file is an error rather than silently replaced,
    since it may hold reasons someone wrote by hand.
    """
    name = os.fspath(path)
    key = key if key is not None else load_secret()
    previous = load_baseline(name, key).entries if Path(name).exists() else {}
    stamp = _iso(now or datetime.now(UTC))
    entries: dict[str, BaselineEntry] = {}
    for finding in findings:
        if not finding.fingerprint:
            raise ValueError(f"finding {finding.rule_id} at {finding.location.uri} has no fingerprint to baseline")
        old = previous.get(finding.fingerprint)
        entries[finding.fingerprint] = BaselineEntry(
            fingerprint=finding.fingerprint,
            rule_id=finding.rule_id,
            uri=finding.location.uri,
            place=place_of(finding.location),
            reason=old.reason if old else reason,
            accepted_at=old.accepted_at if old else stamp,
        )
    document = _BaselineFile(
        version=BASELINE_VERSION,
        tool=f"govscan {tool_version or _installed_version()}",
        ruleset_digest=rules.digest,
        fingerprint_key_id=key_id(key),
        generated_at=stamp,
        entries=[entries[fp] for fp in sorted(entries)],
    )
    _atomic_write(
        name,
        json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n",
    )
    return Baseline(
        path=name,
        tool=document.tool,
        ruleset_digest=document.ruleset_digest,
        generated_at=document.generated_at,
        entries={e.fingerprint: e for e in document.entries},
        fingerprint_key_id=document.fingerprint_key_id,
    )


def _atomic_write(path: str, text: str) -> None:
    """Replace the file in one step, so an interrupted run never leaves half a baseline."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".baseline-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _installed_version() -> str:
    try:
        return metadata.version("govscan")
    except metadata.PackageNotFoundError:
        return "unknown"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
