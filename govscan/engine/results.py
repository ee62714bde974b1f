"""Results of work units beyond ``model.WorkResult`` that a sink reads (kept light: ``check`` imports it).

A portal's result (``portal.PortalResult``) carries its figures on the site's outcome instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govscan.model import WorkResult


@dataclass
class TlsResult(WorkResult):
    """One endpoint's result, with its whole summary (grade, certificate, sslyze's raw answer) for reports."""

    endpoint: dict[str, Any] = field(default_factory=dict)
