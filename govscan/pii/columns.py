"""Per-column verdicts: judge a field from its header and a sample, then count in bulk.

Calling an analyzer per cell costs ~60 µs of fixed overhead (presidio) or a Python call per
value; a 300,000-row export would take minutes. Instead each field is judged once, from its
header and the first values, and the fields found to hold an entity are counted with one regex
pass per column chunk and vectorised validation.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from govscan.model import Field, Values
from govscan.pii.headers import HeaderVerdict, field_header, judge_header
from govscan.pii.name_parts import name_role
from govscan.pii.recognizers.base import Recognizer
from govscan.rules.spec import PiiSpec, RuleSpec

SAMPLE_SIZE = 200  # non-empty values the verdict is based on
MAX_UNDECIDED_VALUES = 50_000  # mostly-empty columns: decide anyway after this many cells
WHOLE_CELL = 0.8  # a match this much of a cell's length makes the cell "one value"
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class EntityPlan:
    """A pii rule with the recognizer that serves it."""

    rule: RuleSpec
    recognizer: Recognizer

    @property
    def spec(self) -> PiiSpec:
        assert self.rule.pii is not None
        return self.rule.pii


@dataclass
class Tally:
    """What a field yielded for one entity so far."""

    plan: EntityPlan
    mode: str  # "column": the whole field holds the entity; "text": found inside free text
    share: float
    header: HeaderVerdict
    count: int = 0
    example: str | None = None
    first_line: int | None = None
    first_page: int | None = None
    scores: list[float] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        if self.mode == "text":
            return statistics.fmean(self.scores) if self.scores else self.plan.recognizer.base_score
        boost = 0.2 if self.header is HeaderVerdict.POSITIVE else 0.0
        return min(0.99, 0.5 + self.share / 2 + boost)


@dataclass
class FieldScanner:
    """Accumulates one field of one asset; decides once, then counts every chunk."""

    uri: str
    place: Field
    plans: list[EntityPlan]
    pending: list[Values] = field(default_factory=list)
    sample: list[str] = field(default_factory=list)
    seen: int = 0
    tallies: list[Tally] | None = None
    # Row-aligned first values (empty cells kept) and where they start: a name split over
    # columns is judged by joining the cells of one row (see ``name_parts``).
    head: list[str] = field(default_factory=list)
    first_line: int | None = None
    first_page: int | None = None
    role: str | None = None  # "surname", "given" or "patronymic" when the header names a name part
    name_cells: int = 0  # capitalised cells of a surname column, every row

    def __post_init__(self) -> None:
        self.role = name_role(field_header(self.place), self.plans)

    def add(self, chunk: Values) -> None:
        if not self.head:
            self.first_line, self.first_page = chunk.first_line, chunk.page
        if len(self.head) < SAMPLE_SIZE:
            self.head.extend(v.strip() for v in chunk.values[: SAMPLE_SIZE - len(self.head)])
        if self.role == "surname":
            values = chunk.values
            self.name_cells += sum(map(operator.or_, map(str.istitle, values), map(str.isupper, values)))
        if self.tallies is not None:
            self._count(chunk)
            return
        self.pending.append(chunk)
        self.seen += len(chunk.values)
        for value in chunk.values:
            if len(self.sample) >= SAMPLE_SIZE:
                break
            value = value.strip()
            if value:
                self.sample.append(value)
        if len(self.sample) >= SAMPLE_SIZE or self.seen >= MAX_UNDECIDED_VALUES:
            self._decide_and_flush()

    def finish(self) -> list[Tally]:
        if self.tallies is None:
            self._decide_and_flush()
        assert self.tallies is not None
        return [t for t in self.tallies if t.count > 0]

    # ------------------------------------------------------------------------------------------
    def _decide_and_flush(self) -> None:
        self.tallies = decide(self.place, self.sample, self.plans)
        pending, self.pending = self.pending, []
        for chunk in pending:
            self._count(chunk)

    def _count(self, chunk: Values) -> None:
        assert self.tallies is not None
        if not self.tallies:
            return
        joined = "\n".join(chunk.values)
        prose: _Prose | None = None
        for tally in self.tallies:
            recognizer = tally.plan.recognizer
            if tally.mode == "column":
                text = recognizer.repair_column(joined) if recognizer.repairs_cells else joined
                count, example = recognizer.count_in_column(text)
            else:
                prose = prose or _Prose(chunk.values, joined)
                count, example, scores = prose.count(recognizer)
                tally.scores.extend(scores[:100])
            if count:
                if tally.example is None and example is not None:
                    tally.example = example
                    tally.first_line = _line_of(chunk, joined, example)
                    tally.first_page = chunk.page
                tally.count += count


def decide(place: Field, sample: list[str], plans: list[EntityPlan]) -> list[Tally]:
    """Which entities this field holds, and how to count each: the column verdict.

    A field is counted as a column of an entity when its header says so and enough sampled
    values validate, or, without a header hint, when most cells *are* one such value (a column
    of IINs, of names). A field of words (comments, notes, addresses) is searched as free text
    for every entity that can hide in prose, however few cells hold one.
    """
    header = field_header(place)
    text_like = _is_free_text(sample)
    tallies: list[Tally] = []
    for plan in plans:
        spec = plan.spec
        verdict = judge_header(header, spec.header_hints.all(), spec.negative_header_hints.all())
        if not sample:
            continue
        if verdict is HeaderVerdict.NEGATIVE:
            despite = plan.recognizer.share_despite_header(sample)
            if despite >= spec.min_share_with_hint:
                tallies.append(Tally(plan, "column", despite, HeaderVerdict.NONE))
            continue
        share, whole = _shares(plan.recognizer, sample)
        if verdict is HeaderVerdict.POSITIVE and share >= spec.min_share_with_hint and share > 0:
            tallies.append(Tally(plan, "column", share, verdict))
        elif not spec.needs_context and whole >= spec.min_share and whole > 0:
            tallies.append(Tally(plan, "column", whole, verdict))
        elif text_like and spec.in_free_text:
            tallies.append(Tally(plan, "text", share, verdict))
    return tallies


def _shares(recognizer: Recognizer, sample: list[str]) -> tuple[float, float]:
    """Shares of sampled cells that hold a valid match, and that are one (after repair).

    The sample is searched as one text; matches are mapped back to their cells. For
    context-dependent entities (document numbers, dates) the header is the context, so every
    validated match counts.
    """
    cells = recognizer.repair_column("\n".join(sample)).split("\n") if recognizer.repairs_cells else sample
    starts = list(itertools.accumulate((len(c) + 1 for c in cells), initial=0))
    longest: dict[int, int] = {}
    for match in recognizer.validated("\n".join(cells)):
        cell = bisect.bisect_right(starts, match.start) - 1
        longest[cell] = max(longest.get(cell, 0), match.end - match.start)
    whole = sum(1 for cell, size in longest.items() if size >= WHOLE_CELL * len(cells[cell].strip()))
    return len(longest) / len(cells), whole / len(cells)


class _Prose:
    """A chunk of free-text cells, prepared once for every recognizer that searches it.

    Exports repeat template sentences ("Выплата произведена своевременно"); when most cells
    repeat, each distinct text is searched once and its matches count once per occurrence.
    Otherwise the recognizers search only the lines their trigger (a digit, an "@") occurs in.
    """

    def __init__(self, values: list[str], joined: str) -> None:
        distinct = Counter(values)
        self.joined = joined
        self.weights: list[int] | None = None
        if len(distinct) * 2 <= len(values):
            self.lines = list(distinct)
            self.weights = list(distinct.values())
        self._narrowed: dict[str | None, tuple[str, list[int] | None]] = {}

    def count(self, recognizer: Recognizer) -> tuple[int, str | None, list[float]]:
        text, weights = self._text_for(recognizer.trigger)
        matches = list(recognizer.find(text))
        if not matches:
            return 0, None, []
        if weights is None:
            count = len(matches)
        else:
            starts = list(itertools.accumulate((len(line) + 1 for line in text.split("\n")), initial=0))
            count = sum(weights[bisect.bisect_right(starts, m.start) - 1] for m in matches)
        return count, matches[0].text, [m.score for m in matches]

    def _text_for(self, trigger: str | None) -> tuple[str, list[int] | None]:
        if trigger not in self._narrowed:
            if self.weights is None:
                narrowed = self.joined if trigger is None else lines_containing(self.joined, trigger)
                self._narrowed[trigger] = (narrowed, None)
            else:
                search = _compiled(trigger).search if trigger else None
                keep = [i for i, line in enumerate(self.lines) if search is None or search(line)]
                text = "\n".join(self.lines[i] for i in keep)
                self._narrowed[trigger] = (text, [self.weights[i] for i in keep])
        return self._narrowed[trigger]


def lines_containing(text: str, trigger: str) -> str:
    """Only the lines of ``text`` where ``trigger`` matches, newline-joined, in order."""
    lines: list[str] = []
    end = -1
    for m in _compiled(trigger).finditer(text):
        if m.start() <= end:
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        if end < 0:
            end = len(text)
        lines.append(text[start:end])
    return "\n".join(lines)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_free_text(sample: list[str]) -> bool:
    """Words rather than values: most cells have a letter and a space ("Выплата произведена")."""
    if not sample:
        return False
    worded = sum(1 for v in sample if " " in v and _LETTER.search(v))
    return worded * 2 >= len(sample)


def _line_of(chunk: Values, joined: str, example: str) -> int | None:
    if chunk.first_line is None:
        return None
    pos = joined.find(example)
    return chunk.first_line + joined.count("\n", 0, pos) if pos >= 0 else chunk.first_line
