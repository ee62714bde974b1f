"""The hooks a govscan plugin may implement: one answer to "how do I add a reader, a check…?".

Built-in readers, recognizers, checks, reporters, portal sources and the bundled rules are
registered through these same hooks (``govscan.plugins.DEFAULT_PLUGINS``), so a third-party
package is no different from the code shipped here. A plugin is a module (or object) with
functions named like the specs below and marked ``@hookimpl``, exposed through the ``govscan``
entry-point group (the pattern datasette and pytest use)::

    [project.entry-points.govscan]
    my_plugin = "my_package.govscan_plugin"

Every hook takes no arguments and returns a list; the plugin manager collects the lists of all
plugins, a later-registered plugin replacing an earlier one's entry of the same name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:
    from govscan.pii.recognizers.base import Recognizer
    from govscan.readers import Format
    from govscan.report.base import Reporter
    from govscan.sources.portal_api import ApiSource
    from govscan.tls.checks import TlsCheck
    from govscan.web.checks import HttpCheck

PROJECT = "govscan"
hookspec = HookspecMarker(PROJECT)
hookimpl = HookimplMarker(PROJECT)


@hookspec
def govscan_readers() -> list[Format]:
    """Document formats: a reader function with the file extensions and media types it claims."""


@hookspec
def govscan_recognizers() -> list[type[Recognizer]]:
    """Recognizer classes; a ``pii`` rule names one with ``recognizer: <class.name>``."""


@hookspec
def govscan_tls_checks() -> list[TlsCheck]:
    """TLS checks (pure functions of an endpoint's facts); a ``tls`` rule names one with ``check:``."""


@hookspec
def govscan_http_checks() -> list[HttpCheck]:
    """HTTP checks with the unit they judge (site, page, cookie); an ``http`` rule names one."""


@hookspec
def govscan_reporters() -> list[Reporter]:
    """Report formats, offered by their ``name`` (``--format``)."""


@hookspec
def govscan_portal_sources() -> list[ApiSource]:
    """Portal-API sources (CKAN, data.egov.kz…) that list a portal's datasets."""


@hookspec
def govscan_rule_dirs() -> list[Path]:
    """Directories of rule files (and their ``compliance/`` frameworks) to load with the bundled ones."""
