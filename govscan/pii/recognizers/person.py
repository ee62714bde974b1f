"""PERSON: Russian and Kazakh full names, by morphology and a word list, with no NER model.

A run of two to four capitalised words is a name when its words carry a name's marks: a
patronymic (-ович, -овна, -ұлы, -қызы…), a surname ending (-ов, -ева, -ин…) next to a known given
name. Places and organisations named after people (``ул. Абая``, ``пр. Назарбаева``,
``ТОО «Астана Сервис»``) are excluded by the words around them.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources

from govscan.pii.recognizers.base import Match, PatternDef, Recognizer

UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
LOWER = "a-zа-яёәғқңөұүһі"
_WORD = rf"(?:[{UPPER}][{LOWER}]+|[{UPPER}]{{2,}})(?:-[{UPPER}]?[{LOWER}{UPPER}]+)?"
_WORD_AFTER_FIRST = rf"(?:[{LOWER}]+|[{UPPER}]+)(?:-[{UPPER}]?[{LOWER}{UPPER}]+)?"  # _WORD minus its capital
NAME_RUN = (
    rf"[{UPPER}](?<![{UPPER}{LOWER}\-][{UPPER}]){_WORD_AFTER_FIRST}"
    rf"(?:[ \u00a0]+(?:{_WORD})){{1,3}}(?![{UPPER}{LOWER}])"
)

# A sole trader or a farm registered in its owner's name: "ИП Ахметова А.К.", "КХ «Сериков Б.»",
# "ЖК Төлегенов А.". The owner's surname with initials is a person; a trade name ("КХ «Береке»")
# or a surname alone ("ИП Сапаров") is not. Initials followed by a mask ("И.***") are not either.
SOLE_TRADER = (
    # The first letter as a character class, so prose is skipped fast (see kz_numbers).
    r"[ИЖКФШижкфш](?<![\w][ИЖКФШижкфш])"
    r"(?:(?<=И)П|(?<=Ж)К|(?<=К)Х|(?<=Ф)Х|(?<=Ш)[ҚК]|(?<=[Ии])ндивидуальный предприниматель"
    r"|(?<=[Жж])еке кәсіпкер|(?<=[Кк])рестьянское(?: \(?фермерское\)?)? хозяйство"
    r"|(?<=[Фф])ермерское хозяйство|(?<=[Шш])аруа қожалығы)"
    rf"[ \u00a0]*[«\"“]?[ \u00a0]*(?P<owner>[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?"
    rf"[ \u00a0]+[{UPPER}]\.(?:[ \u00a0]?[{UPPER}]\.)?)(?![\w*])"
)

# The legal forms that a person trades or farms under, at the start of a cell.
LEGAL_FORM = re.compile(
    r"\s*[«\"]?(?:(?:ИП|ЖК|КХ|ФХ|ШҚ|ШК)(?![\w-])|(?i:индивидуальный предприниматель|жеке кәсіпкер"
    r"|крестьянское(?: \(?фермерское\)?)? хозяйство|фермерское хозяйство|шаруа қожалығы))"
)

PATRONYMIC = re.compile(
    r"(?:ович|евич|ьич|овна|евна|ична|инична|ұлы|улы|қызы|кызы|uly|ulı|kyzy|qyzy|ovich|evich|ovna|evna)$"
)
SURNAME = re.compile(
    r"(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|цкий|ская|цкая|енко|ук|юк|ov|ev|ova|eva|in|ina|yn|yna)$"
)
# Words that, right before a run, say it names a street, an institution or a title, not a person.
PLACE_BEFORE = re.compile(
    r"(?:ул|улиц[аеуы]|улицей|пр|пр-к?т|просп|проспект[аеу]?|бульвар[аеу]?|б-р|пер|переул(?:ок|к[аеу])|"
    r"мкрн?|микрорайон[аеу]?|наб|набережн(?:ая|ой|ую)|алле[еияю]|тупик[аеу]?|проезд[аеу]?|"
    r"им|имени|пл|площад[ьи]|шоссе|ш|ж\.м|тоо|ао|зао|оао|гкп|кгу|ргп|ргу|гу|фонд|школа|лицей|гимназия|"
    r"памятник|район|р-н|село|с|г|город|станция)\.?\s*[«\"]?\s*$",
    re.I,
)
PLACE_AFTER = re.compile(
    r"^\s*(?:көшесі|көшесінде|көшесинде|көш\.|даңғылы|даңғылында|даң\.|атындағы|ықшамауданы|шағын|"
    r"ауданы|облысы|тас жолы|жағалауы|алаңы|бульвары|тұйығы|тұйық|өткелі|ш\. ?а\.|"
    r"street|avenue|ave|st\.|prospekt)",
    re.I,
)
NOT_NAME_WORDS = frozenset(
    """
    республика республики казахстан казахстана қазақстан алматы астана шымкент караганда
    город области район акимат аким министерство управление отдел департамент комитет
    заявитель получатель гражданин гражданка житель жительница решение приказ постановление
    тоо ао ип гкп кгу ргп гу нао зао оао ооо мкр ул пр
    """.split()
)


@cache
def given_names() -> frozenset[str]:
    text = (resources.files("govscan.pii.recognizers") / "data" / "given_names.txt").read_text("utf-8")
    words = (w for line in text.splitlines() if not line.startswith("#") for w in line.split())
    return frozenset(words)


def name_signals(tokens: Sequence[str]) -> tuple[int, int, int]:
    """(patronymics, surname-shaped words, known given names) among the tokens."""
    names = given_names()
    patronymic = surname = given = 0
    for token in tokens:
        low = token.lower()
        if low in NOT_NAME_WORDS:
            return (0, 0, 0)
        if len(low) >= 6 and PATRONYMIC.search(low):
            patronymic += 1
        elif low in names:
            given += 1
        elif len(low) >= 4 and SURNAME.search(low):
            surname += 1
    return patronymic, surname, given


def is_full_name(tokens: Sequence[str]) -> bool:
    if not 2 <= len(tokens) <= 4:
        return False
    patronymic, surname, given = name_signals(tokens)
    return (
        (patronymic >= 1 and (given + surname) >= 1)
        or (patronymic >= 1 and len(tokens) == 3)
        or (given >= 1 and surname >= 1)
    )


class PersonRecognizer(Recognizer):
    entity = "PERSON"
    name = "person_name"
    trigger = None
    patterns = (PatternDef("full_name", NAME_RUN, 0.6), PatternDef("sole_trader", SOLE_TRADER, 0.6))

    def validate(self, text: str) -> bool | None:
        return None if is_full_name(text.split()) else False

    def validated(self, text: str) -> Iterator[Match]:
        return self.find(text)

    def find(self, text: str) -> Iterator[Match]:
        for match in self._find(text):
            if not in_address(text, match.start, match.end):
                yield match

    def _find(self, text: str) -> Iterator[Match]:
        for m in self._compiled[0].finditer(text):
            tokens = m.group().split()
            span = _best_span(tokens)
            if span is None:
                continue
            i, j = span
            before = text[max(0, m.start() - 16) : m.start()]
            after = text[m.end() : m.end() + 16]
            if i == 0 and PLACE_BEFORE.search(before):
                continue
            if j == len(tokens) and PLACE_AFTER.search(after):
                continue
            start = m.start() + len(" ".join(tokens[:i])) + (1 if i else 0)
            value = " ".join(tokens[i:j])
            yield Match(start, start + len(value), value, self.patterns[0].score)
        for m in self._compiled[1].finditer(text):
            owner = m.group("owner")
            if owner.split()[0].lower() not in NOT_NAME_WORDS:
                yield Match(m.start("owner"), m.end("owner"), owner, self.patterns[1].score)

    def share_despite_header(self, sample: Sequence[str]) -> float:
        # A supplier or winner column ("Поставщик", "Наименование поставщика") holds companies,
        # but a cell that opens with a person's own legal form and names its owner is a person.
        named = sum(1 for cell in sample if LEGAL_FORM.match(cell) and next(self.find(cell), None) is not None)
        return named / len(sample) if sample else 0.0

    def count_in_column(self, joined: str) -> tuple[int, str | None]:
        # The column was judged from a sample with the full morphology check; the rest is
        # counted by shape (capitalised words with a space between), with C-level map calls only.
        # Cells of another shape (a recipient column of "ИП Иванов И.И." beside "ТОО «Агро»")
        # are searched, and count when they name a person.
        cells = joined.split("\n")
        cased = map(operator.or_, map(str.istitle, cells), map(str.isupper, cells))
        spaced = map(operator.and_, cased, map(operator.contains, cells, itertools.repeat(" ")))
        if "*" in joined:  # "Иванов И.***" is a masked name, not a name
            spaced = map(operator.gt, spaced, map(operator.contains, cells, itertools.repeat("*")))
        shaped = list(spaced)
        count = sum(shaped)
        example = next((c for c in cells[:200] if is_full_name(c.split())), None)
        if count < len(cells) - cells.count(""):
            rest = "\n".join(c for c, ok in zip(cells, shaped) if not ok and c)
            named = _cells_with_a_name(rest, sorted(self.find(rest), key=operator.attrgetter("start")))
            count += len(named)
            if example is None and named:
                example = named[0]
        if not count:
            return 0, None
        return count, example or cells[shaped.index(True)]

    def mask(self, text: str) -> str:
        # Keep the initials only: "Иванов Сергей Петрович" → "И***** С***** П*******".
        return " ".join(w[0] + "*" * (len(w) - 1) for w in text.split())


@cache
def _address() -> Recognizer:
    from govscan.pii.recognizers.address import AddressRecognizer

    return AddressRecognizer()


def _cells_with_a_name(joined: str, matches: list[Match]) -> list[str]:
    """The first name found in each cell of a newline-joined chunk (matches sorted by start)."""
    names: list[str] = []
    line, pos, last = 0, 0, -1
    for m in matches:
        line += joined.count("\n", pos, m.start)
        pos = m.start
        if line != last:
            names.append(m.text)
            last = line
    return names


ADDRESS_REACH = 48  # characters around a name searched for the address it may belong to


def in_address(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies in a street address ("Қаныш Сәтбаев тас жолы, 3").

    Only the neighbourhood of a name is searched, so prose without names costs nothing more.
    """
    lo = max(0, start - ADDRESS_REACH)
    window = text[lo : end + ADDRESS_REACH]
    return any(m.start + lo < end and start < m.end + lo for m in _address().validated(window))


def _best_span(tokens: list[str]) -> tuple[int, int] | None:
    """The longest sub-run of tokens that reads as a full name (drops 'Заявитель' and the like)."""
    n = len(tokens)
    for size in range(min(n, 4), 1, -1):
        for i in range(0, n - size + 1):
            if is_full_name(tokens[i : i + size]):
                return i, i + size
    return None
