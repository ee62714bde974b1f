"""Name NER reads at most a budget of each asset's text; the rule-based recognizers read all of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from govscan.model import Text
from govscan.pii.detector import PiiDetector, _cut_point
from govscan.rules import load_rules

KEY = b"ner-budget-test-key-0123456789abcdef"
IIN = "710508363018"
FILLER = "Акимат провёл плановое совещание по вопросам благоустройства района. " * 20  # ~1,400 characters


@pytest.fixture
def ner_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from govscan.pii.recognizers import person_ner

    calls: list[int] = []
    real = person_ner.NerPersonRecognizer._ner_spans

    def counted(self: object, text: str) -> Iterator[tuple[int, int]]:
        calls.append(len(text))
        return real(self, text)  # type: ignore[arg-type]

    monkeypatch.setattr(person_ner.NerPersonRecognizer, "_ner_spans", counted)
    return calls


def pieces(uri: str) -> list[Text]:
    tail = f"Заявитель Иванов Пётр Сергеевич, ИИН {IIN}, просит выдать справку."
    return [Text(uri, FILLER, line=1), Text(uri, FILLER, line=2), Text(uri, FILLER + tail, line=3)]


def test_ner_stops_at_the_budget_and_the_rules_still_find_what_follows(ner_calls: list[int]) -> None:
    rules = load_rules(plugins=False)
    base = PiiDetector(rules, KEY)
    detector = base.budgeted(ner_max_chars=2000)
    found = {f.rule_id for f in detector.detect(pieces("https://portal.kz/a"))}
    assert 0 < sum(ner_calls) <= 2000
    assert {"pii.kz-iin", "pii.person"} <= found  # the IIN and the name sit past the budget
    total = sum(len(p.text) for p in pieces("x"))
    assert detector.ner_cut == {"https://portal.kz/a": total - sum(ner_calls)}
    assert base.ner_cut == {} and base.ner_max_chars is None  # a view: the shared detector is untouched


def test_each_asset_has_its_own_budget(ner_calls: list[int]) -> None:
    detector = PiiDetector(load_rules(plugins=False), KEY).budgeted(ner_max_chars=2000)
    list(detector.detect(pieces("https://portal.kz/a")))
    list(detector.detect(pieces("https://portal.kz/b")))
    assert set(detector.ner_cut) == {"https://portal.kz/a", "https://portal.kz/b"}
    assert sum(ner_calls) <= 4000


def test_ner_off_never_runs_natasha(ner_calls: list[int]) -> None:
    detector = PiiDetector(load_rules(plugins=False), KEY).budgeted(ner=False)
    assert "pii.kz-iin" in {f.rule_id for f in detector.detect(pieces("https://portal.kz/a"))}
    assert ner_calls == [] and detector.ner_cut == {}


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [("aaaa bbbb cccc", 12, 10), ("one\ntwo three", 9, 8), ("aaaaaa\nb c", 10, 7), ("x" * 20, 10, 10), ("abc", 0, 0)],
)
def test_the_cut_falls_after_a_space_or_line_break_so_no_word_is_split(text: str, limit: int, cut: int) -> None:
    assert _cut_point(text, limit) == cut
