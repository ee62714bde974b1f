"""``govscan report --format md``: the same report as Markdown tables, for tickets and wikis.

Markdown has no autoescape, so the environment escapes every ``{{ … }}`` output through
:func:`md_escape` (Jinja's ``finalize``): HTML special characters become entities (many wikis
render inline HTML, so a column named ``<script>`` must stay text), Markdown punctuation is
backslash-escaped, ``|`` cannot break a table and line breaks cannot start a new block. Only values
wrapped in :class:`markupsafe.Markup` by this module pass unescaped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup

from govscan.report.data import ReportData
from govscan.report.i18n import Translator
from govscan.report.templating import environment, group_anchor

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#~|!])")


def md_escape(value: Any) -> str:
    """Text safe in a Markdown paragraph or table cell, rendering as the same characters."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Zl", "Zp"} else "" if unicodedata.category(ch) == "Cf" else ch
        for ch in str(value)
    )
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(data: ReportData, lang: str, strict: bool | None = None) -> str:
    """The whole report in ``lang`` as GitHub-flavoured Markdown."""
    t = Translator(lang, strict)
    env = environment(t, autoescape=False, finalize=md_escape)
    env.filters["rule_title"] = lambda rule_id: data.rule_title(rule_id, lang)
    # ``group_anchor`` yields only [a-z0-9_-]: safe as it is, where escaping ``_`` would break the link
    env.filters["anchor"] = lambda index, rule_id: Markup(group_anchor(index, rule_id))  # noqa: S704
    return env.get_template("report.md.j2").render(data=data)
