"""``python -m govscan.schemas [--check]``: regenerate the committed JSON Schemas (or only check them)."""

from __future__ import annotations

import argparse
import sys

from govscan.schemas import HERE, stale, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govscan.schemas", description=__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a schema file is out of date")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for name in out_of_date:
            print(f"{HERE / name}: out of date; run python -m govscan.schemas", file=sys.stderr)
        return 1 if out_of_date else 0
    for name in write():
        print(f"wrote {HERE / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
