"""Compliance frameworks as data: laws and policies whose requirements list the rules that test them.

``rules/compliance/*.yaml`` holds one framework per file (Law 94-V on personal data, the Cyber
Shield concept, the Unified requirements of decree 832, the Administrative Code). The rule loader
fills each rule's ``compliance`` ids from these files; :func:`evaluate` turns one scan's open
findings into failed / passed / not-tested verdicts per requirement.
"""

from __future__ import annotations

from govscan.compliance.evaluate import (
    STATUSES,
    FrameworkSummary,
    RequirementStatus,
    Status,
    evaluate,
    summarize,
)
from govscan.compliance.loader import (
    ComplianceLoadError,
    frameworks_in_dirs,
    load_frameworks,
    parse_framework_file,
    rule_links,
)
from govscan.compliance.spec import Framework, Requirement, Text

__all__ = [
    "STATUSES",
    "ComplianceLoadError",
    "Framework",
    "FrameworkSummary",
    "Requirement",
    "RequirementStatus",
    "Status",
    "Text",
    "evaluate",
    "frameworks_in_dirs",
    "load_frameworks",
    "parse_framework_file",
    "rule_links",
    "summarize",
]
