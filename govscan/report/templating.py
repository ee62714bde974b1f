"""The Jinja2 environment the HTML and Markdown reports share: loader, filters, the ``t`` global.

Filters that turn stored values into interface text (``label``, ``kinds``, ``robots``) translate
known values and pass unknown ones through as data, so an unexpected status in the database shows
as itself instead of breaking the report; a *template* asking for a missing key still fails in
strict mode (see :mod:`govscan.report.i18n`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from govscan import __version__
from govscan.report.data import FindingItem
from govscan.report.i18n import Translator

TEMPLATE_DIR = Path(__file__).with_name("templates")
_CSS_TOKEN = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class RuleFix:
    """A rule's remediation, shown once per target rather than once per finding."""

    id: str
    title: str
    remediation: str
    references: list[str]


def day(value: dt.date | dt.datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d")


def moment(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def css_token(value: object) -> str:
    """A class-name suffix from data: itself when it is a plain token, else ``unknown``."""
    text = str(value)
    return text if _CSS_TOKEN.match(text) else "unknown"


def rules_of(findings: Iterable[FindingItem], lang: str = "en") -> list[RuleFix]:
    """The rules behind ``findings``, each once, in first-seen (most severe first) order, in ``lang``."""
    fixes: dict[str, RuleFix] = {}
    for f in findings:
        if f.rule_id not in fixes:
            fixes[f.rule_id] = RuleFix(f.rule_id, f.title_in(lang), f.remediation_in(lang), list(f.references))
    return list(fixes.values())


def setting_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def environment(t: Translator, *, autoescape: bool, finalize: Callable[[Any], Any] | None = None) -> Environment:
    """An environment for one language; the HTML one escapes everything, the Markdown one finalizes."""
    # Autoescape is on for HTML; the Markdown environment escapes every output through ``finalize``.
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=autoescape,  # noqa: S701
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )

    def label(value: object, prefix: str) -> str:
        key = f"{prefix}.{value}"
        return t(key) if t.has(key) else str(value)

    def kinds(value: str) -> str:
        return ", ".join(label(part, "kind") for part in str(value).split("+") if part)

    def robots(value: Any) -> str:
        if value is None:
            return t("methodology.robots_na")
        if isinstance(value, bool):
            return t("methodology.robots_respected" if value else "methodology.robots_ignored")
        if isinstance(value, str) and value.lower() in ("respect", "respected", "obey"):
            return t("methodology.robots_respected")
        if isinstance(value, str) and value.lower() in ("ignore", "ignored"):
            return t("methodology.robots_ignored")
        if isinstance(value, str) and value.lower() == "audit":
            return t("methodology.robots_audit")
        return setting_text(value)

    def cut_list(not_done: list[str], unread: int = 0) -> str:
        """What a deadline left undone, in words ("exposure probes, portal APIs, 3 data files")."""
        return ", ".join(t(f"methodology.cut.{part}", count=unread) for part in not_done)

    env.filters.update(
        cut_list=cut_list,
        day=day,
        moment=moment,
        cls=css_token,
        label=label,
        kinds=kinds,
        robots=robots,
        rules_of=rules_of,
        setting=setting_text,
    )
    env.globals.update(t=t, lang=t.lang, version=__version__)
    return env
