"""Speed and memory of the DOCX reader on a large generated Word document.

Prints figures; asserts nothing (speed is measured here, never in unit tests).

    python benchmarks/bench_docx.py                        # 100,000 paragraphs + a 20,000-row table
    python benchmarks/bench_docx.py --paragraphs 1000000   # memory must stay flat

The document is written directly as WordprocessingML into python-docx's own package (writing
a million paragraphs through python-docx would take longer than reading them). The reader runs
in a child process, best of ``--repeat`` runs: "read" is the reader alone (pieces drained, no
detection); with ``--check``, "check" is ``govscan check`` on the file (detection on every
paragraph of prose dominates it); peak memory is the child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import docx

from govscan.testing import synth

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SENTENCES = [
    "Комиссия рассмотрела заявления граждан о назначении жилищной помощи.",
    "Решение принято на основании представленных документов и сведений о доходах семьи.",
    "Выплата производится ежемесячно на текущий счёт получателя в банке второго уровня.",
    "Отказано в связи с непредставлением полного пакета документов.",
]


def generate(path: Path, paragraphs: int, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    names = [synth.full_name(rng) for _ in range(2000)]
    iins = [synth.iin(rng) for _ in range(5000)]
    template = io.BytesIO()
    docx.Document().save(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info))
        with target.open("word/document.xml", "w") as out:
            out.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'.encode()
            )
            for i in range(paragraphs):
                words = f"{i}. {SENTENCES[i % len(SENTENCES)]} {names[i % len(names)]}"
                out.write(f"<w:p><w:r><w:t>{escape(words)}</w:t></w:r></w:p>".encode())
            out.write(b"<w:tbl>")
            for r in range(rows + 1):
                cells = ["ФИО", "ИИН", "Сумма"] if r == 0 else [names[r % len(names)], iins[r % len(iins)], str(r * 10)]
                out.write(b"<w:tr>")
                for cell in cells:
                    out.write(f"<w:tc><w:p><w:r><w:t>{escape(cell)}</w:t></w:r></w:p></w:tc>".encode())
                out.write(b"</w:tr>")
            out.write(b"</w:tbl></w:body></w:document>")


READ = """
import resource, sys
from govscan.model import Asset, ReadError
from govscan.readers import read_asset
errors = [p for p in read_asset(Asset(sys.argv[1], sys.argv[1])) if isinstance(p, ReadError)]
assert not errors, errors
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""
CHECK = """
import resource, runpy, sys
sys.argv = ["govscan", "check", "--no-progress", "--format", "json", sys.argv[1]]
try:
    runpy.run_module("govscan", run_name="__main__")
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run(code: str, path: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process running ``code`` on ``path``."""
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(process.stderr.decode(errors="replace")[-2000:])
    return seconds, int(process.stderr.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="also time govscan check (detection on all the prose)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "decision.docx"
        generate(path, args.paragraphs, args.rows)
        size = path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            unpacked = archive.getinfo("word/document.xml").file_size
        total = args.paragraphs + 3 * (args.rows + 1)  # table cells are paragraphs too
        print(f"document: {args.paragraphs} paragraphs + a {args.rows}-row table ({total} paragraphs in all)")
        print(f"          {size / 1e6:.1f} MB docx, {unpacked / 1e6:.1f} MB document.xml")
        for label, code in (("read ", READ), ("check", CHECK))[: 2 if args.check else 1]:
            runs = [run(code, path) for _ in range(args.repeat)]
            best = min(seconds for seconds, _ in runs)
            peak = max(rss for _, rss in runs)
            print(
                f"{label}: {best:.2f} s best of {args.repeat}, {total / best:,.0f} paragraphs/s, peak RSS {peak / 1024:.0f} MiB"
            )


if __name__ == "__main__":
    main()
