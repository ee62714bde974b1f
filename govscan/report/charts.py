"""Inline SVG charts for the HTML report: pure functions from numbers and labels to markup.

The report must load nothing from the network and work printed, so charts are hand-built SVG
rather than a JavaScript library. Every piece of text that reaches the markup goes through
:func:`_esc` (labels come from catalogues, but scan names and dates are data), and numbers are
formatted by us, so the returned string is safe to embed as-is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#7f1d1d",
    "high": "#dc2626",
    "medium": "#d97706",
    "low": "#2563eb",
    "info": "#6b7280",
}
PRESENT_COLOUR = "#6b7280"
OPEN_COLOUR = "#dc2626"
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def severity_bars(
    counts: Mapping[str, int],
    labels: Mapping[str, str],
    title: str,
    width: int = 520,
) -> str:
    """Horizontal bars, one per severity in ``counts`` order; ``labels`` are the translated names."""
    row_h, gap, label_w, value_w = 26, 8, 150, 48
    height = len(counts) * (row_h + gap) + gap
    biggest = max(counts.values(), default=0) or 1
    bar_room = width - label_w - value_w
    parts = [
        f'<svg class="chart chart-severity" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{_esc(title)}" {FONT}>',
        f"<title>{_esc(title)}</title>",
    ]
    for i, (severity, count) in enumerate(counts.items()):
        y = gap + i * (row_h + gap)
        bar = bar_room * count / biggest
        colour = SEVERITY_COLOURS.get(severity, PRESENT_COLOUR)
        label = labels.get(severity, severity)
        parts.append(
            f'<text x="{label_w - 8}" y="{_num(y + row_h * 0.68)}" text-anchor="end" font-size="13" '
            f'fill="#111827">{_esc(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{_num(max(bar, 1.5 if count else 0))}" height="{row_h}" '
            f'rx="3" fill="{colour}"><title>{_esc(label)}: {count}</title></rect>'
        )
        parts.append(
            f'<text x="{_num(label_w + bar + 6)}" y="{_num(y + row_h * 0.68)}" font-size="13" '
            f'fill="#111827">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class TrendPoint:
    """One scan on the trend line: its label (``#12``) and the two series' values."""

    label: str
    present: int
    open: int


def trend_line(
    points: Sequence[TrendPoint],
    title: str,
    present_label: str,
    open_label: str,
    width: int = 560,
    height: int = 220,
) -> str:
    """Two lines over scans: findings present in each scan and, of those, the ones still open."""
    left, right, top, bottom = 40, 16, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((max(p.present, p.open) for p in points), default=0) or 1
    step = plot_w / (len(points) - 1) if len(points) > 1 else 0.0

    def x(i: int) -> float:
        return left + (i * step if len(points) > 1 else plot_w / 2)

    def y(value: int) -> float:
        return top + plot_h - plot_h * value / biggest

    parts = [
        f'<svg class="chart chart-trend" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{_esc(title)}" {FONT}>',
        f"<title>{_esc(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#9ca3af"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#9ca3af"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#374151">{biggest}</text>',
        f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end" font-size="11" fill="#374151">0</text>',
    ]
    for series, colour, dash in (("present", PRESENT_COLOUR, ' stroke-dasharray="5 4"'), ("open", OPEN_COLOUR, "")):
        coords = " ".join(f"{_num(x(i))},{_num(y(getattr(p, series)))}" for i, p in enumerate(points))
        if len(points) > 1:
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for i, p in enumerate(points):
            value = getattr(p, series)
            parts.append(
                f'<circle cx="{_num(x(i))}" cy="{_num(y(value))}" r="3.5" fill="{colour}">'
                f"<title>{_esc(p.label)}: {value}</title></circle>"
            )
    for i, p in enumerate(points):
        parts.append(
            f'<text x="{_num(x(i))}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11" '
            f'fill="#374151">{_esc(p.label)}</text>'
        )
    legend_y = 14
    parts.append(
        f'<line x1="{left}" y1="{legend_y}" x2="{left + 22}" y2="{legend_y}" stroke="{PRESENT_COLOUR}" '
        f'stroke-width="2" stroke-dasharray="5 4"/>'
        f'<text x="{left + 28}" y="{legend_y + 4}" font-size="12" fill="#111827">{_esc(present_label)}</text>'
        f'<line x1="{left + 160}" y1="{legend_y}" x2="{left + 182}" y2="{legend_y}" stroke="{OPEN_COLOUR}" '
        f'stroke-width="2"/>'
        f'<text x="{left + 188}" y="{legend_y + 4}" font-size="12" fill="#111827">{_esc(open_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
