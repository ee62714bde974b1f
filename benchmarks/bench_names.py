"""Does natasha's Russian NER pay for PERSON in free text, next to govscan's morphology rules?

Prints sentence-level recall on planted names and false positives on hard negatives (streets
and organisations named after people), for: the rule-based recognizer, natasha, and both.
Needs ``pip install natasha`` (not a govscan dependency). Synthetic sentences, seeded.
"""

from __future__ import annotations

import random
import time

from govscan.pii.recognizers.person import PersonRecognizer

GIVEN_M = [
    "Нурлан",
    "Ерлан",
    "Серик",
    "Дмитрий",
    "Сергей",
    "Жанболат",
    "Ерназар",
    "Бекарыс",
    "Алдияр",
    "Темирхан",
    "Игорь",
    "Олжас",
]
GIVEN_F = [
    "Айгерим",
    "Динара",
    "Жансая",
    "Томирис",
    "Ольга",
    "Елена",
    "Аружан",
    "Балнур",
    "Нургуль",
    "Камила",
    "Инкар",
    "Мадина",
]
SURNAMES_M = [
    "Сейтов",
    "Ахметов",
    "Жумабаев",
    "Иванов",
    "Касымов",
    "Тулегенов",
    "Сапаров",
    "Ким",
    "Жиентай",
    "Сәтбай",
    "Оспан",
    "Нургалиев",
]
FATHERS = ["Марат", "Ерлан", "Кайрат", "Серик", "Болат", "Нурлан", "Жандос", "Бауыржан"]
RU_TEMPLATES = [
    "Заявитель {name} обратился в акимат с просьбой о выделении жилья.",
    "Выплата назначена гражданину {name} по решению комиссии.",
    "Ответственный исполнитель: {name}, главный специалист отдела.",
    "По заявлению {name} проведена проверка сведений о доходах.",
]
KK_TEMPLATES = [
    "Өтініш беруші {name} Алматы қаласында тұрады.",
    "{name} әкімдікке тұрғын үй беру туралы өтініш жазды.",
    "Комиссия шешімімен {name} атына төлем тағайындалды.",
]
NEGATIVES = [
    "Ремонт дороги по пр. Назарбаева завершён в срок.",
    "Школа-гимназия имени Абая Кунанбаева приглашает учеников.",
    "Договор заключён с ТОО «Астана Сервис» на поставку угля.",
    "Остановка на ул. Жамбыла Жабаева перенесена.",
    "Жамбыл ауданы бойынша жол жөндеу жұмыстары аяқталды.",
    "Проспект Абылай хана закрыт для движения в выходные.",
    "Бұқар жырау даңғылы бойындағы ғимарат жөнделді.",
]


def name(rng: random.Random) -> str:
    female = rng.random() < 0.5
    given = rng.choice(GIVEN_F if female else GIVEN_M)
    surname = rng.choice(SURNAMES_M)
    if female and surname.endswith(("ов", "ев", "ин")):
        surname += "а"
    style = rng.random()
    if style < 0.4:  # Russian order with a patronymic
        father = rng.choice(FATHERS)
        return f"{surname} {given} {father}{'овна' if female else 'ович'}"
    if style < 0.7:  # Kazakh form with -ұлы / -қызы
        father = rng.choice(FATHERS)
        return f"{given} {father}{'қызы' if female else 'ұлы'} {surname}"
    return f"{given} {surname}"  # given name and surname only


def sentences(n: int, seed: int = 7) -> list[tuple[str, str | None]]:
    rng = random.Random(seed)
    out: list[tuple[str, str | None]] = []
    for _ in range(n):
        if rng.random() < 0.15:
            out.append((rng.choice(NEGATIVES), None))
        else:
            planted = name(rng)
            template = rng.choice(RU_TEMPLATES + KK_TEMPLATES)
            out.append((template.format(name=planted), planted))
    return out


def rules_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in PersonRecognizer().find(text)]


def main() -> None:
    data = sentences(1000)
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    t = time.perf_counter()
    segmenter, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())
    load = time.perf_counter() - t

    def natasha_spans(text: str) -> list[tuple[int, int]]:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        return [(s.start, s.stop) for s in doc.spans if s.type == "PER"]

    results = {}
    for label, finder in (("rules", rules_spans), ("natasha", natasha_spans)):
        t = time.perf_counter()
        results[label] = [finder(text) for text, _ in data]
        print(f"{label:8} {len(data) / (time.perf_counter() - t):8.0f} sentences/s")
    print(f"natasha load {load:.2f} s")
    results["both"] = [a + b for a, b in zip(results["rules"], results["natasha"], strict=True)]
    for label, spans in results.items():
        hit = miss = fp = 0
        for (text, planted), found in zip(data, spans, strict=True):
            if planted is None:
                fp += bool(found)
                continue
            start = text.index(planted)
            covered = any(s < start + len(planted) and e > start for s, e in found)
            hit += covered
            miss += not covered
        negatives = sum(1 for _, p in data if p is None)
        print(f"{label:8} recall {hit / (hit + miss):.3f}   false positives on negatives {fp}/{negatives}")


if __name__ == "__main__":
    main()
