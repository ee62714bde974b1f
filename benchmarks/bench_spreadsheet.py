"""Speed and memory of reading spreadsheets: python-calamine against openpyxl, and govscan's reader.

Prints figures; asserts nothing (speed is measured here, never in unit tests).

    python benchmarks/bench_spreadsheet.py                # 100,000-row XLSX, 1M/2M-cell sheets, XLS
    python benchmarks/bench_spreadsheet.py --rows 20000   # a quick run

Rates are rows per CPU second of the child (wall time is printed too: on a shared machine it
says more about the neighbours). Every measurement runs in its own child process, so its peak resident set size is its own
(interpreter and imports included; the bare interpreter with govscan's readers imported is
printed as ``baseline``). The XLSX files are written the way Excel writes them — strings in the
shared-strings table, UTF-8 — by a small writer here (openpyxl's write-only mode writes inline
strings with numeric character references, three times the bytes Excel writes).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from govscan.testing import synth

HEADER = ["№", "ФИО", "ИИН", "Телефон", "Дата рождения", "Сумма, тенге", "Адрес", "Комментарий"]
WIDTH = len(HEADER)


def records(rows: int, seed: int = 1) -> Iterator[list[object]]:
    rng = random.Random(seed)
    names = [synth.full_name(rng) for _ in range(2000)]
    iins = [synth.iin(rng) for _ in range(5000)]
    addresses = [synth.address(rng) for _ in range(500)]
    for i in range(1, rows + 1):
        yield [
            i,
            names[i % len(names)],
            int(iins[i % len(iins)]),
            synth.mobile(rng),
            f"{1 + i % 28:02d}.{1 + i % 12:02d}.19{50 + i % 50}",
            round(1000 + rng.random() * 90000, 2),
            addresses[i % len(addresses)],
            "Выплата произведена" if i % 3 else "Документы предоставлены",
        ]


def _column(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def write_xlsx(path: Path, rows: int) -> None:
    """A one-sheet XLSX with a shared-strings table, as Excel saves it."""
    strings: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for r, row in enumerate([HEADER, *records(rows)], start=1):
                cells = []
                for c, value in enumerate(row, start=1):
                    ref = f"{_column(c)}{r}"
                    if isinstance(value, str):
                        index = strings.setdefault(value, len(strings))
                        cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}"><v>{value}</v></c>')
                out.write(f'<row r="{r}">{"".join(cells)}</row>'.encode())
            out.write(b"</sheetData></worksheet>")
        shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        zf.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )
        ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            f'<Relationships {ns}><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{rel}"><sheets><sheet name="Получатели" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships {ns}><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )


def write_xls(path: Path, rows: int) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Получатели")
    for r, row in enumerate([HEADER, *records(rows)]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(path))


# --- children ----------------------------------------------------------------------------------


def child(mode: str, path: str) -> None:
    start = time.perf_counter()
    cpu = time.process_time()
    rows = 0
    if mode == "baseline":
        import govscan.readers  # noqa: F401 - what every reader run imports
    elif mode == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(path)
        for name in book.sheet_names:
            for _ in book.get_sheet_by_name(name).iter_rows():
                rows += 1
    elif mode == "openpyxl":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in book.worksheets:
            for _ in sheet.iter_rows(values_only=True):
                rows += 1
    elif mode == "govscan":
        from govscan.model import Asset, ReadError, Values
        from govscan.readers import read_asset

        for piece in read_asset(Asset(path, path)):
            if isinstance(piece, ReadError):
                raise SystemExit(f"read error: {piece.problem}")
            if isinstance(piece, Values) and piece.first_line is not None:
                rows = max(rows, piece.first_line + len(piece.values) - 2)  # data rows under the header
    seconds = time.perf_counter() - start
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": time.process_time() - cpu, "peak_mb": peak_mb()}))


def peak_mb() -> float:
    """This process's own peak RSS: ``VmHWM`` (``ru_maxrss`` keeps the forking parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def report(label: str, mode: str, path: Path) -> dict[str, float]:
    figures = measure(mode, path)
    rate = figures["rows"] / figures["cpu"] if figures["cpu"] else 0.0
    print(
        f"{label:<34} {mode:<9} {int(figures['rows']):>8} rows {figures['seconds']:7.2f} s wall"
        f" {figures['cpu']:7.2f} s cpu {rate:>9,.0f} rows/cpu-s  peak {figures['peak_mb']:6.0f} MB"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the speed XLSX (8 columns)")
    parser.add_argument(
        "--cells",
        type=int,
        nargs="*",
        default=[1_000_000, 2_000_000],
        help="cells of the memory XLSXs (above ~1.9M cells the sheet XML passes the in-memory bound: streamed)",
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report("baseline (imports only)", "baseline", folder)
        speed = folder / "speed.xlsx"
        write_xlsx(speed, args.rows)
        label = f"XLSX {args.rows:,} rows × {WIDTH}"
        for mode in ("calamine", "openpyxl", "govscan"):
            report(label, mode, speed)
        xls = folder / "speed.xls"
        xls_rows = min(args.rows, 65_535)
        write_xls(xls, xls_rows)
        for mode in ("calamine", "govscan"):
            report(f"XLS {xls_rows:,} rows × {WIDTH}", mode, xls)
        for cells in args.cells:
            path = folder / f"cells-{cells}.xlsx"
            write_xlsx(path, cells // WIDTH)
            size = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size
            for mode in ("calamine", "govscan"):
                report(f"XLSX {cells / 1e6:g}M cells ({size / 2**20:.0f} MB XML)", mode, path)
            path.unlink()


if __name__ == "__main__":
    main()
