"""What one large page costs in name NER, with and without the per-page NER budget.

A portal page of ``--mib`` MiB of Russian prose (names, IINs, phones planted) is scanned by the
detector as a crawled page is: through the HTML reader, then presidio with natasha's NER. Prints
CPU seconds per MiB without a budget, with the default budget (``NER_MAX_CHARS``) and with NER
off, and how many findings each found — the rule-based recognizers read the whole page in every
case, so IINs are found in all three. Synthetic text, seeded.

    python benchmarks/bench_ner_budget.py --mib 1
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time

from govscan.engine.documents import scan_assets
from govscan.engine.units import NER_MAX_CHARS
from govscan.model import SourceAsset
from govscan.pii.detector import PiiDetector
from govscan.rules import load_rules
from govscan.testing import synth

SENTENCES = [
    "Аким района провёл приём граждан по вопросам благоустройства дворов.",
    "Заявитель {name} обратился с просьбой о выделении земельного участка.",
    "Получатель адресной помощи {name}, ИИН {iin}, телефон {phone}.",
    "Совещание по подготовке к отопительному сезону прошло в акимате.",
]
NAMES = ["Иванов Пётр Сергеевич", "Жумабеков Ерлан Нурланович", "Ахметова Айгерим Болатовна"]


def page(mib: float, rng: random.Random) -> bytes:
    parts, size = ["<html><head><meta charset='utf-8'></head><body>"], 0
    while size < mib * 1024 * 1024:
        text = rng.choice(SENTENCES).format(name=rng.choice(NAMES), iin=synth.iin(rng), phone=synth.mobile(rng))
        parts.append(f"<p>{text}</p>")
        size += len(parts[-1].encode())
    return ("".join(parts) + "</body></html>").encode()


def run(body: bytes, detector: PiiDetector) -> tuple[float, int]:
    directory = tempfile.mkdtemp(prefix="bench-ner-")
    path = os.path.join(directory, "index.html")
    with open(path, "wb") as handle:
        handle.write(body)
    started = time.process_time()
    found = scan_assets(
        [SourceAsset(uri="https://portal.kz/", path=path, media_hint="text/html", cleanup_dir=directory)], detector
    )
    return time.process_time() - started, len(found.findings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=float, default=1.0)
    args = parser.parse_args()
    rules, key = load_rules(plugins=False), b"bench-key-0123456789abcdef0123456789"
    body = page(args.mib, random.Random(7))
    base = PiiDetector(rules, key)
    run(page(0.01, random.Random(1)), base)  # load natasha and presidio once, outside the timings
    mib = len(body) / 1024 / 1024
    for label, detector in [
        ("no budget", base.budgeted(ner=True, ner_max_chars=None)),
        (f"budget {NER_MAX_CHARS} chars", base.budgeted(ner=True, ner_max_chars=NER_MAX_CHARS)),
        ("NER off", base.budgeted(ner=False)),
    ]:
        seconds, findings = run(body, detector)
        cut = sum(detector.ner_cut.values())
        print(f"{label:>22}: {seconds:6.1f} s CPU for {mib:.2f} MiB ({seconds / mib:5.1f} s/MiB), "
              f"{findings} findings, {cut} characters past the NER budget")  # fmt: skip


if __name__ == "__main__":
    main()
