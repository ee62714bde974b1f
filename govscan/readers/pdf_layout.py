"""One PDF page's text layer split into what a reader sees: prose, table cells, covered text.

Everything starts from the page's words (PyMuPDF ``get_text("words")``: a box, the text, and
block/line numbers), read once. Each word goes to exactly one place:

* **under a redaction box**: its centre lies inside a dark filled rectangle drawn on the page
  (a vector path, or a Square/Redact annotation not applied) and the text itself is not light
  (white text on a black band is a design, not a redaction). The text is still in the file:
  anyone can copy it out. That is a failed redaction, reported on its own;
* **a table cell**: its centre lies inside a cell of a ruled table. The grid is read from the
  page's ruling lines (:func:`_grids`: horizontal and vertical strokes and rectangle edges,
  snapped, grouped by contact; a cell boundary missing in a row is a merged cell, whose text
  goes to its first column). That takes ~1 ms a page, where PyMuPDF's table finder
  (``find_tables``) costs 50-300 ms (it builds a Python object per character) for the same
  cells on the lists measured in ``benchmarks/bench_pdf.py``. Cell texts are rebuilt from the words, which keeps punctuation where
  the author put it;
* **prose**: the rest, as lines and blocks in the PDF's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MIN_RULINGS = 4
"""Line/rectangle paths a page needs before its rulings are looked at as a table grid."""
DARK = 0.25
"""A fill whose red, green and blue are all at or below this is dark enough to hide text."""
LIGHT = 0.75
"""Text whose colour components are all at or above this is light: visible on a dark band."""
MIN_BOX_AREA = 20.0
"""Square points: smaller dark shapes are bullets, rules and dots, not boxes over words."""

Word = tuple[float, float, float, float, str, int, int, int]


@dataclass
class Table:
    rows: list[list[str]]


@dataclass
class PageLayout:
    prose: str = ""
    tables: list[Table] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # texts under redaction boxes, one per box


def layout(page: Any, drawings: bool = True) -> PageLayout:
    """Split ``page``'s words into prose, tables and covered text (see the module docstring).

    ``drawings=False`` reads the words only (no tables, no boxes): for pages whose content is too
    large to turn every path into a Python object.
    """
    words: list[Word] = page.get_text("words")
    out = PageLayout()
    if not words:
        return out
    if not drawings:
        out.prose = _prose(words, [False] * len(words))
        return out
    drawings = page.get_drawings()
    boxes = _dark_boxes(drawings) + _dark_annotations(page)
    taken = [False] * len(words)
    if boxes:
        out.covered = _covered(page, words, boxes, taken)
    if sum(1 for d in drawings if _is_ruling(d)) >= MIN_RULINGS:
        out.tables = _fill(_grids(drawings), words, taken)
    out.prose = _prose(words, taken)
    return out


def _is_ruling(drawing: dict[str, Any]) -> bool:
    return any(item[0] in ("l", "re") for item in drawing.get("items", ()))


def _dark(color: Any) -> bool:
    return bool(color) and len(color) >= 3 and all(c <= DARK for c in color[:3])


def _dark_boxes(drawings: list[dict[str, Any]]) -> list[Any]:
    boxes = []
    for drawing in drawings:
        if drawing.get("type") not in ("f", "fs") or not _dark(drawing.get("fill")):
            continue
        if (drawing.get("fill_opacity") or 1.0) < 0.5:
            continue  # a translucent highlight leaves the text readable
        rect = drawing.get("rect")
        if rect is not None and rect.width * rect.height >= MIN_BOX_AREA:
            boxes.append(rect)
    return boxes


def _dark_annotations(page: Any) -> list[Any]:
    """Square and (unapplied) Redact annotations filled dark: viewers draw them over the text."""
    boxes = []
    for annot in page.annots() or ():
        kind = annot.type[1] if annot.type else ""
        if kind not in ("Square", "Redact"):
            continue
        colors = annot.colors or {}
        fill = colors.get("fill") or (colors.get("stroke") if kind == "Redact" else None)
        if (kind == "Redact" and not fill) or _dark(fill):
            boxes.append(annot.rect)
    return boxes


def _inside(word: Word, rect: Any) -> bool:
    cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
    return rect.x0 <= cx <= rect.x1 and rect.y0 <= cy <= rect.y1


def _covered(page: Any, words: list[Word], boxes: list[Any], taken: list[bool]) -> list[str]:
    out = []
    for box in boxes:
        hits = [i for i, w in enumerate(words) if not taken[i] and _inside(w, box)]
        if not hits or _light_text(page, box):
            continue
        for i in hits:
            taken[i] = True
        out.append(_join([words[i] for i in hits]))
    return out


def _light_text(page: Any, box: Any) -> bool:
    """True when every span inside ``box`` is drawn in a light colour (meant to be read on it)."""
    spans = [
        span
        for block in page.get_text("dict", clip=box).get("blocks", ())
        for line in block.get("lines", ())
        for span in line.get("spans", ())
        if span.get("text", "").strip()
    ]
    if not spans:
        return False
    return all(_light(span.get("color", 0)) for span in spans)


def _light(srgb: int) -> bool:
    parts = ((srgb >> 16) & 255, (srgb >> 8) & 255, srgb & 255)
    return all(p / 255 >= LIGHT for p in parts)


SNAP = 3.0
"""Points within which two ruling coordinates are the same line (PyMuPDF's and pdfplumber's tolerance)."""


@dataclass
class _Grid:
    """A ruled table: row boundaries ``ys``, column boundaries ``xs`` and, per row band, the
    column boundaries actually drawn in it (a missing one merges two cells)."""

    ys: list[float]
    xs: list[float]
    drawn: list[set[int]]


def _segments(
    drawings: list[dict[str, Any]],
) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal ``(y, x0, x1)`` and vertical ``(x, y0, y1)`` rulings: lines and rectangle edges."""
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    for drawing in drawings:
        for item in drawing.get("items", ()):
            if item[0] == "l":
                (x0, y0), (x1, y1) = (item[1].x, item[1].y), (item[2].x, item[2].y)
                if abs(y1 - y0) <= SNAP and abs(x1 - x0) > SNAP:
                    horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
                elif abs(x1 - x0) <= SNAP and abs(y1 - y0) > SNAP:
                    vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
            elif item[0] == "re":
                r = item[1]
                if r.height <= SNAP and r.width > SNAP:
                    horizontal.append(((r.y0 + r.y1) / 2, r.x0, r.x1))
                elif r.width <= SNAP and r.height > SNAP:
                    vertical.append(((r.x0 + r.x1) / 2, r.y0, r.y1))
                elif r.width > SNAP and r.height > SNAP:
                    horizontal += [(r.y0, r.x0, r.x1), (r.y1, r.x0, r.x1)]
                    vertical += [(r.x0, r.y0, r.y1), (r.x1, r.y0, r.y1)]
    return horizontal, vertical


def _grids(drawings: list[dict[str, Any]]) -> list[_Grid]:
    """Ruled tables of a page: rulings that touch one another, at least two rows and two columns."""
    horizontal, vertical = _segments(drawings)
    if len(horizontal) < 3 or len(vertical) < 3 or len(horizontal) * len(vertical) > 250_000:
        return []
    parent = list(range(len(horizontal) + len(vertical)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(horizontal):
        for j, (x, vy0, vy1) in enumerate(vertical):
            if hx0 - SNAP <= x <= hx1 + SNAP and vy0 - SNAP <= y <= vy1 + SNAP:
                parent[root(i)] = root(len(horizontal) + j)
    groups: dict[int, tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]] = {}
    for i, segment in enumerate(horizontal):
        groups.setdefault(root(i), ([], []))[0].append(segment)
    for j, segment in enumerate(vertical):
        groups.setdefault(root(len(horizontal) + j), ([], []))[1].append(segment)
    grids = []
    for hs, vs in groups.values():
        ys = _snapped(h[0] for h in hs)
        xs = _snapped(v[0] for v in vs)
        if len(ys) < 3 or len(xs) < 3:
            continue  # a box or a single row: not a table
        drawn = []
        for top, bottom in zip(ys, ys[1:], strict=False):
            middle = (top + bottom) / 2
            drawn.append(
                {
                    k
                    for k, x in enumerate(xs)
                    if any(abs(v[0] - x) <= SNAP and v[1] - SNAP <= middle <= v[2] + SNAP for v in vs)
                }
            )
        grids.append(_Grid(ys, xs, drawn))
    return sorted(grids, key=lambda g: (g.ys[0], g.xs[0]))


def _snapped(values: Any) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > SNAP:
            out.append(value)
    return out


def _fill(grids: list[_Grid], words: list[Word], taken: list[bool]) -> list[Table]:
    """Each grid's cells filled with the words whose centre is in them (merged cells: first column)."""
    import bisect

    tables = []
    for grid in grids:
        columns = len(grid.xs) - 1
        cells: list[list[list[Word]]] = [[[] for _ in range(columns)] for _ in grid.drawn]
        for i, word in enumerate(words):
            if taken[i]:
                continue
            cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
            if not (grid.xs[0] <= cx <= grid.xs[-1] and grid.ys[0] <= cy <= grid.ys[-1]):
                continue
            row = min(bisect.bisect_right(grid.ys, cy) - 1, len(grid.drawn) - 1)
            column = min(bisect.bisect_right(grid.xs, cx) - 1, columns - 1)
            while column > 0 and column not in grid.drawn[row]:
                column -= 1  # no boundary drawn on the left: a cell merged with the one before it
            cells[row][column].append(word)
            taken[i] = True
        rows = [[_join(cell) for cell in row] for row in cells]
        if any(any(row) for row in rows):
            tables.append(Table(rows))
    return tables


def _join(words: list[Word]) -> str:
    """Words of one cell or box back into one value, in reading order (a wrapped name is one name)."""
    return " ".join(w[4] for w in sorted(words, key=lambda w: (w[5], w[6], w[7])))


def _prose(words: list[Word], taken: list[bool]) -> str:
    """The words no other place took, as lines (space-joined) and blocks (blank-line separated)."""
    parts: list[str] = []
    block = line = None
    for i, w in enumerate(words):
        if taken[i]:
            continue
        if w[5] != block:
            if parts:
                parts.append("\n\n")
            block, line = w[5], w[6]
        elif w[6] != line:
            parts.append("\n")
            line = w[6]
        else:
            parts.append(" ")
        parts.append(w[4])
    return "".join(parts)
