"""One PDF page's text layer split into what a reader sees: prose, table cells, covered text.

Everything starts from the page's words (PyMuPDF ``get_text("words")``: a box, the text, and
block/line numbers), read once. Each word goes to exactly one place:

* **under a redaction box**: its centre lies inside a dark filled rectangle drawn on the page
  (a vector path, or a Square/Redact annotation not applied) and the text itself is not light
  (white text on a black band is a design, not a redaction). The text is still in the file:
  anyone can copy it out. That is a failed redaction, reported on its own;
* **a table cell**: its centre lies inside a cell of a ruled table (PyMuPDF's line-based table
  finder, run only on pages with enough ruling lines; its cell texts are rebuilt here from the
  words, which keeps punctuation where the author put it);
* **prose**: the rest, as lines and blocks in the PDF's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MIN_RULINGS = 4
"""Line/rectangle paths a page needs before the table finder is run (~50 ms a page)."""
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


def layout(page: Any) -> PageLayout:
    """Split ``page``'s words into prose, tables and covered text (see the module docstring)."""
    words: list[Word] = page.get_text("words")
    out = PageLayout()
    if not words:
        return out
    drawings = page.get_drawings()
    boxes = _dark_boxes(drawings) + _dark_annotations(page)
    taken = [False] * len(words)
    if boxes:
        out.covered = _covered(page, words, boxes, taken)
    if sum(1 for d in drawings if _is_ruling(d)) >= MIN_RULINGS:
        out.tables = _tables(page, words, taken)
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


def _tables(page: Any, words: list[Word], taken: list[bool]) -> list[Table]:
    try:
        found = page.find_tables(use_layout=False)  # PyMuPDF 2: skip the ONNX layout model
    except TypeError:  # PyMuPDF before 2.0 has no layout model and no such argument
        found = page.find_tables()
    tables = []
    for tab in found.tables:
        grid: list[list[list[Word]]] = []
        cells: list[tuple[int, int, Any]] = []
        for r, row in enumerate(tab.rows):
            grid.append([[] for _ in row.cells])
            cells.extend((r, c, rect) for c, rect in enumerate(row.cells) if rect is not None)
        if not cells:
            continue
        for i, word in enumerate(words):
            if taken[i]:
                continue
            for r, c, rect in cells:
                if _inside(word, _Rect(rect)):
                    grid[r][c].append(word)
                    taken[i] = True
                    break
        rows = [[_join(cell) for cell in row] for row in grid]
        if any(any(row) for row in rows):
            tables.append(Table(rows))
    return tables


class _Rect:
    """A cell bbox tuple seen as a rectangle (``x0, y0, x1, y1``)."""

    __slots__ = ("x0", "x1", "y0", "y1")

    def __init__(self, bbox: Any) -> None:
        self.x0, self.y0, self.x1, self.y1 = bbox[:4]


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
