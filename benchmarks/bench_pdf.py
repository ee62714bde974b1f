"""PDF figures: which library reads Russian/Kazakh PDFs best, govscan's pages/s, OCR time, memory.

Prints figures; asserts nothing (speed is measured here, never in unit tests).

    python benchmarks/bench_pdf.py                # 50-page comparison, 500-page memory run
    python benchmarks/bench_pdf.py --pages 20 --big 200

1. Library choice, on one generated list (a ruled table of people per page under a Russian and
   Kazakh paragraph): text-layer pages/s, Cyrillic fidelity (share of the names, IINs, phones
   and addresses written that come back as the same words, Kazakh letters included) and table
   structure (share of table rows whose cells come back exactly) for PyMuPDF (its
   ``find_tables``, and govscan's grid over its rulings and words), pypdfium2 and pdfplumber.
2. govscan's PDF reader (text, tables, hidden parts): pages/s through ``read_asset``.
3. Tesseract: seconds per A4 page rendered at 300 dpi (``rus+kaz+eng``, one thread).
4. Peak memory of ``read_asset`` over a 50-page and a 500-page PDF, each in a fresh process
   (flat means: the same, not ten times more).
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govscan.testing import pdfs

PER_PAGE = 20


def generate(path: Path, pages: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    pdf = pdfs.new_pdf()
    pdf.set_font_size(9)
    truth: list[list[str]] = []
    for _ in range(pages):
        pdf.add_page()
        pdfs.add_paragraph(pdf, "Список получателей адресной социальной помощи. Әлеуметтік көмек алушылар тізімі.")
        rows = pdfs.list_rows(rng, PER_PAGE, header=("№", "ФИО", "ИИН", "Телефон"))
        pdfs.add_table(pdf, rows)
        truth += rows[1:]
    pdf.output(str(path))
    return truth


def replicate(source: Path, target: Path, pages: int) -> None:
    """A long PDF made of copies of ``source`` (fast: no re-layout)."""
    import pymupdf

    with pymupdf.open(source) as src, pymupdf.open() as out:
        while out.page_count < pages:
            out.insert_pdf(src, to_page=min(src.page_count, pages - out.page_count) - 1)
        out.save(target, garbage=1, deflate=True)


def text_pymupdf(path: Path) -> str:
    import pymupdf

    with pymupdf.open(path) as doc:
        return "\n".join(page.get_text() for page in doc)


def text_pdfium(path: Path) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(doc[i].get_textpage().get_text_bounded() for i in range(len(doc)))
    finally:
        doc.close()


def text_plumber(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def tables_pymupdf(path: Path) -> list[list[str]]:
    """Rows as govscan reads them: a grid from PyMuPDF's ruling lines, cells filled with its words."""
    from govscan.readers.pdf import load_pymupdf
    from govscan.readers.pdf_layout import layout

    pymupdf = load_pymupdf()
    rows: list[list[str]] = []
    with pymupdf.open(path) as doc:
        for page in doc:
            for table in layout(page).tables:
                rows += [r for r in table.rows if r and r[0] != "№"]
    return rows


def tables_find_tables(path: Path) -> list[list[str]]:
    """PyMuPDF's own table finder (ruling lines, no layout model), cells as it extracts them."""
    from govscan.readers.pdf import load_pymupdf

    pymupdf = load_pymupdf()
    rows: list[list[str]] = []
    with pymupdf.open(path) as doc:
        for page in doc:
            for table in page.find_tables(use_layout=False).tables:
                rows += [[" ".join((c or "").split()) for c in r] for r in table.extract() if r and r[0] != "№"]
    return rows


def tables_plumber(path: Path) -> list[list[str]]:
    import pdfplumber

    rows: list[list[str]] = []
    with pdfplumber.open(path) as doc:
        for page in doc.pages:
            for table in page.extract_tables():
                rows += [[" ".join((c or "").split()) for c in r] for r in table if r and r[0] != "№"]
    return rows


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def compare(path: Path, truth: list[list[str]], pages: int) -> None:
    words = [w for row in truth for cell in row[1:] for w in cell.split()]
    print(f"1. libraries on a {pages}-page generated list ({len(truth)} people):")
    print(f"   {'library':<11} {'text pages/s':>12} {'words back':>10} {'table rows exact':>17} {'tables pages/s':>15}")
    for name, text_fn, table_fn in (
        ("PyMuPDF", text_pymupdf, tables_find_tables),
        ("+ grid", text_pymupdf, tables_pymupdf),  # govscan: PyMuPDF's rulings and words, own grid
        ("pypdfium2", text_pdfium, None),
        ("pdfplumber", text_plumber, tables_plumber),
    ):
        text_fn(path)  # warm: imports and caches out of the figure
        text, seconds = timed(text_fn, path)
        tokens = set(text.split())
        fidelity = sum(w in tokens for w in words) / len(words)
        if table_fn is None:
            exact, table_rate = "no tables", "-"
        else:
            rows, table_seconds = timed(table_fn, path)
            exact = f"{sum(r == t for r, t in zip(rows, truth, strict=False)) / len(truth):.1%}"
            table_rate = f"{pages / table_seconds:.1f}"
        print(f"   {name:<11} {pages / seconds:>12.0f} {fidelity:>10.1%} {exact:>17} {table_rate:>15}")


def govscan_rate(path: Path, pages: int) -> None:
    from govscan.model import Asset
    from govscan.readers import read_asset

    list(read_asset(Asset(path.name, str(path))))  # warm
    _, seconds = timed(lambda: list(read_asset(Asset(path.name, str(path)))))
    print(f"2. govscan read_asset (text + tables + hidden parts): {pages / seconds:.1f} pages/s")


def ocr_rate(path: Path, tmp: Path) -> None:
    from govscan.readers.limits import Limits
    from govscan.readers.ocr import Ocr
    from govscan.readers.pdf import _render, load_pymupdf

    limits = Limits()
    ocr = Ocr(limits)
    if not ocr.available:
        print("3. OCR: Tesseract not installed (Debian package tesseract-ocr); not measured")
        return
    pymupdf = load_pymupdf()
    scan = tmp / "scan.pdf"
    pdfs.rasterise(path, scan, dpi=200)
    with pymupdf.open(scan) as doc:
        pages = min(3, doc.page_count)
        start = time.perf_counter()
        for i in range(pages):
            ocr.png(_render(doc[i], limits))
        seconds = (time.perf_counter() - start) / pages
    print(f"3. OCR, A4 page rendered at {limits.ocr_dpi} dpi, {limits.ocr_languages}: {seconds:.1f} s/page")


def peak_memory(path: Path) -> int:
    """Max RSS (MiB) of a fresh process that reads ``path`` with govscan."""
    code = (  # VmHWM, not ru_maxrss: Linux keeps the parent's ru_maxrss across exec
        "import sys;from govscan.model import Asset;from govscan.readers import read_asset\n"
        "n=sum(1 for _ in read_asset(Asset('x.pdf', sys.argv[1])))\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--big", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govscan-bench-") as name:
        tmp = Path(name)
        small = tmp / "list.pdf"
        truth = generate(small, args.pages)
        compare(small, truth, args.pages)
        govscan_rate(small, args.pages)
        ocr_rate(small, tmp)
        big = tmp / "big.pdf"
        replicate(small, big, args.big)
        size = big.stat().st_size // 1024
        print(
            f"4. peak memory of read_asset: {args.pages} pages {peak_memory(small)} MiB; "
            f"{args.big} pages ({size} KiB) {peak_memory(big)} MiB"
        )
    print(f"   (this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)")


if __name__ == "__main__":
    main()
