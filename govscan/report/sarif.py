"""``--format sarif``: SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, Azure DevOps).

Choices that matter to those consumers:

* ``tool.driver.rules`` lists every loaded rule, so a UI can document rules that did not fire;
* ``partialFingerprints["govscan/v1"]`` carries our keyed fingerprint, and
  ``primaryLocationLineHash`` — the only key GitHub matches alerts by — is derived from it, so an
  alert follows the finding (rule, file, place), not the text of whatever line or row it is on;
* every result has a ``region.startLine`` (GitHub wants one): the finding's line, else 1 — a
  column, JSON path, page or hidden part stays in the logical location and the location properties;
* ``automationDetails.id`` is ``govscan/<category>/``: each kind of run (``check``, ``tls``,
  ``crawl/<host>``, ``scan/<name>``) is its own analysis, so uploading one never closes another's alerts;
* ``properties["security-severity"]`` is the CVSS-like score GitHub sorts security alerts by;
* artifact uris are valid RFC 3986 references: relative paths stay relative to ``SRCROOT``,
  spaces and non-ASCII (Cyrillic file names) are percent-encoded, ``!`` of archive members is kept.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import quote, urlsplit, urlunsplit

from govscan.model import Finding, Location, ScanResult, Severity, place_of
from govscan.redact import public_text
from govscan.report.base import INFORMATION_URI, TOOL_NAME, sort_findings
from govscan.rules.spec import RuleSpec

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "govscan/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
SRCROOT = "SRCROOT"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
# GitHub's names for how often a rule's results are true positives.
PRECISION = {"high": "very-high", "medium": "high", "low": "medium"}

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters a file path may keep in a URI path: sub-delims, "@", "/" and unreserved marks.
# ":" is encoded so a relative path like "a:b.csv" is not read as a scheme; "%", "?" and "#" are
# encoded because in a file name they are data, not URI syntax.
_PATH_SAFE = "!$&'()*+,;=@/~-._"
# In a URL, ":" is allowed in paths and existing %XX escapes stay; "?" also in query and
# fragment. "[" and "]" are only for IPv6 hosts (left untouched in the netloc), "#" only once.
_URL_PATH_SAFE = _PATH_SAFE + ":%"
_URL_QUERY_SAFE = _URL_PATH_SAFE + "?"


def artifact_location(uri: str) -> dict[str, str]:
    """A SARIF ``artifactLocation`` for a govscan uri (local path, archive member or URL)."""
    if _WINDOWS_DRIVE.match(uri):
        return {"uri": "file:///" + quote(uri.replace("\\", "/"), safe=_PATH_SAFE + ":")}
    if _SCHEME.match(uri):
        return {"uri": _encode_url(uri)}
    if uri.startswith("/"):
        return {"uri": "file://" + quote(uri, safe=_PATH_SAFE)}
    return {"uri": quote(uri, safe=_PATH_SAFE), "uriBaseId": SRCROOT}


def _encode_url(url: str) -> str:
    parts = urlsplit(_LONE_PERCENT.sub("%25", url))
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="")
        netloc = f"{quote(userinfo, safe=':%')}{at}{host}{colon}{port}"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_URL_PATH_SAFE),
            quote(parts.query, safe=_URL_QUERY_SAFE),
            quote(parts.fragment, safe=_URL_QUERY_SAFE),
        )
    )


def rule_name(rule_id: str) -> str:
    """``pii.kz-iin`` → ``PiiKzIin``: SARIF wants a readable identifier-like name."""
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", rule_id) if word)


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://")) and not any(c.isspace() for c in text)


def _rule_descriptor(rule: RuleSpec) -> dict[str, Any]:
    level = rule.level
    urls = [r for r in rule.references if _is_url(r)]
    help_text = rule.remediation
    help_markdown = rule.remediation
    if rule.references:
        help_text += "\n\nReferences:\n" + "\n".join(f"- {r}" for r in rule.references)
        help_markdown += "\n\n**References**\n\n" + "\n".join(
            f"- [{r}]({r})" if _is_url(r) else f"- {r}" for r in rule.references
        )
    tags = list(dict.fromkeys([*rule.tags, "security"]))  # SARIF tags must be unique
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule_name(rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[level]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[level],
            "precision": PRECISION[rule.confidence],
            "compliance": list(rule.compliance),
        },
    }
    if urls:
        descriptor["helpUri"] = urls[0]
    return descriptor


def _fallback_descriptor(finding: Finding) -> dict[str, Any]:
    """For a finding whose rule is not in the loaded set (a plugin check): enough to index it."""
    return {
        "id": finding.rule_id,
        "name": rule_name(finding.rule_id),
        "shortDescription": {"text": finding.title},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
        "properties": {
            "tags": ["security"],
            "security-severity": SECURITY_SEVERITY[finding.severity],
        },
    }


def _logical_locations(location: Location) -> list[dict[str, str]]:
    logical: list[dict[str, str]] = []
    if location.column is not None or location.column_index is not None:
        name = location.column if location.column is not None else f"#{location.column_index}"
        qualified = f"{location.sheet}!{name}" if location.sheet else name
        logical.append({"name": name, "fullyQualifiedName": qualified, "kind": "column"})
    elif location.sheet:
        logical.append(
            {
                "name": location.sheet,
                "fullyQualifiedName": location.sheet,
                "kind": "sheet",
            }
        )
    if location.json_path:
        name = location.json_path.rsplit(".", 1)[-1]
        logical.append({"name": name, "fullyQualifiedName": location.json_path, "kind": "member"})
    return logical


def message_text(finding: Finding) -> str:
    """One sentence: what, how many, a masked example and where."""
    noun = "value" if finding.count == 1 else "values"
    text = f"{finding.title}: {finding.count} {noun}"
    if finding.evidence:
        text += f" (e.g. {finding.evidence})"
    loc = finding.location
    text += f" in {place_of(loc)}"
    if loc.part:
        text += f" ({loc.part})"
    if loc.page is not None:
        text += f" on page {loc.page}"
    if loc.line is not None:
        text += f" at line {loc.line}"
    return text


def line_hash(fingerprint: str) -> str:
    """``primaryLocationLineHash`` from our keyed fingerprint, in GitHub's own shape (``<16 hex>:<n>``).

    GitHub otherwise hashes the text of the reported line, so a row that moves or changes would
    open a new alert and close the old one. The fingerprint names one finding, so the occurrence
    counter GitHub appends for repeated lines is always 1.
    """
    return f"{fingerprint[:16]}:1"


def automation_id(category: str) -> str:
    """``automationDetails.id``: ``govscan/<category>/``, identifiers in it masked.

    Code scanning takes what comes before the last ``/`` as the analysis category and a new upload
    replaces only the alerts of its own category; the trailing ``/`` leaves the run id empty, so
    successive runs of one kind are one analysis over time.
    """
    parts = [part.strip() for part in public_text(category).split("/") if part.strip()]
    return "/".join([TOOL_NAME, *parts]) + "/"


def _result(finding: Finding, rule_index: int, with_baseline: bool) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": artifact_location(finding.location.uri),
        "region": {"startLine": finding.location.line or 1},
    }
    location: dict[str, Any] = {"physicalLocation": physical}
    logical = _logical_locations(finding.location)
    if logical:
        location["logicalLocations"] = logical
    # A page is not a SARIF text region (lines, columns, offsets): the region is line 1 and the
    # page goes in the location's property bag, beside the hidden part, and in the message.
    paged = {k: v for k, v in (("page", finding.location.page), ("part", finding.location.part)) if v is not None}
    if paged:
        location["properties"] = paged
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message_text(finding)},
        "locations": [location],
    }
    if finding.fingerprint:
        result["partialFingerprints"] = {
            FINGERPRINT_KEY: finding.fingerprint,
            LINE_HASH_KEY: line_hash(finding.fingerprint),
        }
    if with_baseline and finding.baseline_state:
        result["baselineState"] = finding.baseline_state
    if finding.suppressed:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": finding.suppressed,
            }
        ]
    result["properties"] = {
        "severity": finding.severity.label,
        "entity": finding.entity,
        "count": finding.count,
        "confidence": round(finding.confidence, 2),
        "compliance": list(finding.compliance),
    }
    return result


def _utc(moment: datetime) -> str:
    """SARIF times are UTC with a ``Z``; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _notification(uri: str, problem: str) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": f"could not read {uri}: {problem}"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(uri)}}],
    }


def build_sarif(result: ScanResult) -> dict[str, Any]:
    """The SARIF log for ``result`` as plain JSON data."""
    descriptors = [_rule_descriptor(rule) for rule in result.rules]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    findings = sort_findings(result.findings)
    for finding in findings:
        if finding.rule_id not in index:
            index[finding.rule_id] = len(descriptors)
            descriptors.append(_fallback_descriptor(finding))
    with_baseline = result.baseline_applied
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": result.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "automationDetails": {"id": automation_id(result.category)},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory govscan was run in; relative paths start here."}}
        },
        "invocations": [
            {
                "executionSuccessful": not result.errors,
                "startTimeUtc": _utc(result.started_at),
                "endTimeUtc": _utc(result.finished_at),
                "toolExecutionNotifications": [_notification(e.uri, e.problem) for e in result.errors],
            }
        ],
        "results": [_result(f, index[f.rule_id], with_baseline) for f in findings],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


class SarifReporter:
    name = "sarif"
    media_type = "application/sarif+json"

    def render(self, result: ScanResult, out: TextIO) -> None:
        json.dump(build_sarif(result), out, ensure_ascii=False, indent=2)
        out.write("\n")
