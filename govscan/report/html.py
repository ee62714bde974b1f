"""``govscan report --format html``: one self-contained, printable HTML file.

Self-contained means no request of any kind when opened: CSS is inline, charts are inline SVG,
there is no script, and a Content-Security-Policy (``default-src 'none'``) makes the browser refuse
anything a future template change might try to load. Autoescape is on for every expression, since
column names, file names and page titles come from scanned, possibly hostile, content.
"""

from __future__ import annotations

from markupsafe import Markup

from govscan.report.charts import TrendPoint, severity_bars, trend_line
from govscan.report.data import ReportData
from govscan.report.i18n import Translator
from govscan.report.templating import environment


def charts(data: ReportData, t: Translator) -> dict[str, Markup]:
    """The two inline SVG charts; :mod:`govscan.report.charts` escapes every text it embeds."""
    labels = {s: t(f"severity.{s}") for s in data.counts_by_severity}
    severity = severity_bars(data.counts_by_severity, labels, t("chart.severity_title"))
    points = [TrendPoint(f"#{p.scan_id}", p.present, p.open) for p in data.trend]
    # One point is no trend: until a second scan the summary says it in a sentence instead.
    trend = trend_line(points, t("chart.trend_title"), t("chart.present"), t("chart.open")) if len(points) > 1 else ""
    return {"severity_chart": Markup(severity), "trend_chart": Markup(trend)}  # noqa: S704 - built escaped


def render_html(data: ReportData, lang: str, strict: bool | None = None) -> str:
    """The whole report in ``lang`` (ru, kk or en) as one HTML document."""
    t = Translator(lang, strict)
    env = environment(t, autoescape=True)
    env.filters["rule_title"] = lambda rule_id: data.rule_title(rule_id, lang)
    return env.get_template("report.html.j2").render(data=data, **charts(data, t))
