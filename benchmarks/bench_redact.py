"""Cost of the masking step (``govscan.redact``) and of the guarded output streams.

Prints figures; asserts nothing (speed is measured here, never in unit tests).

    python benchmarks/bench_redact.py

Every Location, error, outcome and printed line passes ``public_uri``/``public_text``; every byte of
a report on stdout passes ``neutralise``. These figures say what that costs per item and per MB.
"""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Callable

from govscan.cli.output import GuardedStream
from govscan.model import Field, Location
from govscan.redact import mask_identifiers, neutralise, public_uri, terminal_line
from govscan.testing import synth


def rate(label: str, fn: Callable[[str], object], items: list[str], unit: str = "items") -> None:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {len(items) / best:>12,.0f} {unit}/s  ({best / len(items) * 1e6:.2f} µs each)")


def main() -> None:
    rng = random.Random(1)
    plain = [f"exports/2024/region-{i}/statistics-{i % 97}.csv" for i in range(20_000)]
    named = [f"exports/spravka_{synth.iin(rng)}.csv" for _ in range(20_000)]
    spaced = [f"uploads/{' '.join(synth.iin(rng)[k : k + 3] for k in range(0, 12, 3))}.xlsx" for _ in range(20_000)]
    urls = [f"https://u:p@portal.kz/uploads/{synth.iin(rng)}/a.csv?token=T{i}&page={i}" for i in range(20_000)]
    rate("mask_identifiers, a path without identifier", mask_identifiers, plain)
    rate("mask_identifiers, spravka_<IIN>.csv", mask_identifiers, named)
    rate("mask_identifiers, '160 402 513 597' spelling", mask_identifiers, spaced)
    rate("public_uri, URL with credentials, token, IIN", public_uri, urls)
    rate("terminal_line, an error line", lambda s: terminal_line(f"govscan: error: {s}: bad zip"), named)
    rate("Location(...) built (model edge)", lambda s: Location.of(s, Field("Лист1", "ИИН", 3)), named)

    findings = [{"uri": u, "evidence": "8805******12", "count": i} for i, u in enumerate(named)]
    document = {"findings": findings}
    for label, clean in (("copy (no guard)", None), ("GuardedStream(neutralise)", neutralise)):
        best, size = float("inf"), 0
        for _ in range(3):
            sink = io.StringIO()
            out = sink if clean is None else GuardedStream(sink, clean, by_line=False)
            start = time.perf_counter()
            json.dump(document, out, ensure_ascii=False, indent=2)  # as the JSON and SARIF reporters do
            out.flush()
            best, size = min(best, time.perf_counter() - start), len(sink.getvalue().encode())
        print(f"json.dump report, {label:<30} {size / 1e6 / best:>12,.1f} MB/s  ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
