"""What govscan ships, offered through the same hooks as a third-party plugin (``DEFAULT_PLUGINS``).

Each hook imports its room only when asked: ``govscan check`` never pays for the TLS checks,
the HTTP checks or the portal sources it does not use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from govscan.hookspecs import hookimpl

if TYPE_CHECKING:
    from govscan.pii.recognizers.base import Recognizer
    from govscan.readers import Format
    from govscan.report.base import Reporter
    from govscan.sources.portal_api import ApiSource
    from govscan.tls.checks import TlsCheck
    from govscan.web.checks import HttpCheck


@hookimpl
def govscan_readers() -> list[Format]:
    from govscan.readers import builtin_formats

    return builtin_formats()


@hookimpl
def govscan_recognizers() -> list[type[Recognizer]]:
    from govscan.pii.recognizers import BUILTIN_RECOGNIZERS

    return list(BUILTIN_RECOGNIZERS)


@hookimpl
def govscan_tls_checks() -> list[TlsCheck]:
    from govscan.tls.checks import builtin_checks

    return builtin_checks()


@hookimpl
def govscan_http_checks() -> list[HttpCheck]:
    from govscan.web.checks import builtin_checks

    return builtin_checks()


@hookimpl
def govscan_reporters() -> list[Reporter]:
    from govscan.report import builtin_reporters

    return builtin_reporters()


@hookimpl
def govscan_portal_sources() -> list[ApiSource]:
    from govscan.sources.portal_api import builtin_sources

    return builtin_sources()


@hookimpl
def govscan_rule_dirs() -> list[Path]:
    from govscan.rulefiles import builtin_rules_dir

    return [builtin_rules_dir()]
