"""Turn the pieces of one asset into findings: one per (asset, field, entity).

Table-like fields (``Values``) go through the per-column verdict and the bulk counters; free
text (``Text``) goes through presidio, built once per process and only when text shows up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from govscan.identity import fingerprint
from govscan.model import Field, Finding, Location, Piece, ReadError, Text, Values
from govscan.pii.columns import EntityPlan, FieldScanner, Tally
from govscan.pii.recognizers import BUILTIN, Recognizer
from govscan.pii.recognizers.person import PersonRecognizer
from govscan.rules import RuleSet


class UnknownRecognizer(Exception):
    pass


def build_plans(rules: RuleSet, extra: dict[str, type[Recognizer]] | None = None) -> list[EntityPlan]:
    """One recognizer per pii rule; its context words are the rule's header hints."""
    registry = {**BUILTIN, **(extra or {})}
    plans = []
    for rule in rules.pii_rules():
        assert rule.pii is not None
        cls = registry.get(rule.pii.recognizer)
        if cls is None:
            raise UnknownRecognizer(f"rule {rule.id}: no recognizer named {rule.pii.recognizer!r}")
        plans.append(EntityPlan(rule, cls(context=rule.pii.header_hints.all())))
    return plans


@dataclass
class _TextTally:
    plan: EntityPlan
    count: int = 0
    example: str | None = None
    line: int | None = None
    page: int | None = None
    scores: list[float] = field(default_factory=list)


class TextAnalyzer:
    """Free text through presidio, with the same recognizers as the bulk path."""

    def __init__(self, plans: list[EntityPlan], ner: bool = True) -> None:
        self._plans = {p.recognizer.entity: p for p in plans if p.spec.in_free_text}
        self._ner = ner
        self._engine = None

    def _recognizers(self) -> list[Recognizer]:
        """The plans' recognizers; names in prose also get natasha's NER (when ``ner``)."""
        out = []
        for plan in self._plans.values():
            recognizer = plan.recognizer
            if self._ner and isinstance(recognizer, PersonRecognizer):
                from govscan.pii.recognizers.person_ner import NerPersonRecognizer

                recognizer = NerPersonRecognizer(context=recognizer.context)
            out.append(recognizer)
        return out

    def analyze(self, text: str) -> list[tuple[EntityPlan, int, int, float]]:
        from govscan.pii.engine import build_analyzer, detect_language

        if self._engine is None:
            self._engine = build_analyzer(self._recognizers())
        results = self._engine.analyze(text=text, language=detect_language(text))
        return [(self._plans[r.entity_type], r.start, r.end, r.score) for r in results if r.entity_type in self._plans]


class PiiDetector:
    """Holds the plans and the key; ``detect`` handles one asset's stream of pieces."""

    def __init__(self, rules: RuleSet, key: bytes, plans: list[EntityPlan] | None = None, *, ner: bool = True) -> None:
        self.rules = rules
        self.key = key
        self.plans = plans if plans is not None else build_plans(rules)
        self.text = TextAnalyzer(self.plans, ner=ner)
        # Rules that take over what any entity finds in one hidden part ("under a redaction box").
        self.part_rules = {r.hidden_part.part: r for r in rules if r.hidden_part is not None}

    def detect(self, pieces: Iterable[Piece | ReadError]) -> Iterator[Finding | ReadError]:
        """Findings once the stream ends (columns are judged as wholes); errors as they come."""
        fields: dict[tuple[str, Field], FieldScanner] = {}
        texts: dict[tuple[str, Field, str], _TextTally] = {}
        for piece in pieces:
            if isinstance(piece, ReadError):
                yield piece
            elif isinstance(piece, Values):
                key = (piece.uri, piece.field)
                scanner = fields.get(key)
                if scanner is None:
                    scanner = fields[key] = FieldScanner(piece.uri, piece.field, self.plans)
                scanner.add(piece)
            elif isinstance(piece, Text):
                self._text(piece, texts)
        for (uri, place), scanner in fields.items():
            for tally in scanner.finish():
                yield self._column_finding(uri, place, tally)
        for (uri, place, _), tt in texts.items():
            yield self._finding(uri, place, tt.plan, tt.count, tt.example, tt.line, max(tt.scores), tt.page)

    def _text(self, piece: Text, texts: dict[tuple[str, Field, str], _TextTally]) -> None:
        for plan, start, end, score in self.text.analyze(piece.text):
            key = (piece.uri, piece.field, plan.recognizer.entity)
            tt = texts.get(key)
            if tt is None:
                tt = texts[key] = _TextTally(plan)
            tt.count += 1
            tt.scores.append(score)
            if tt.example is None:
                tt.example = piece.text[start:end]
                tt.line = None if piece.line is None else piece.line + piece.text.count("\n", 0, start)
                tt.page = piece.page

    def _column_finding(self, uri: str, place: Field, tally: Tally) -> Finding:
        return self._finding(
            uri, place, tally.plan, tally.count, tally.example, tally.first_line, tally.confidence, tally.first_page
        )

    def _finding(
        self,
        uri: str,
        place: Field,
        plan: EntityPlan,
        count: int,
        example: str | None,
        line: int | None,
        confidence: float,
        page: int | None = None,
    ) -> Finding:
        rule = plan.rule
        severity, compliance, distinct = rule.level, list(rule.compliance), ""
        over = self.part_rules.get(place.part) if place.part else None
        if over is not None:  # e.g. a failed redaction: its own rule, never milder than the entity's
            severity = max(over.level, rule.level)
            compliance = list(dict.fromkeys([*over.compliance, *rule.compliance]))
            distinct = plan.recognizer.entity  # one finding per entity in the same place
            rule = over
        return Finding(
            rule_id=rule.id,
            entity=plan.recognizer.entity,
            severity=severity,
            title=rule.title,
            location=Location.of(uri, place, line, page),
            count=count,
            evidence=plan.recognizer.mask(example) if example else "",
            confidence=confidence,
            fingerprint=fingerprint(self.key, rule.id, uri, place, distinct),
            compliance=compliance,
        )
