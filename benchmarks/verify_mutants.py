"""The mutation test in full: planted mistakes and correct rewrites, with the figures.

    python benchmarks/verify_mutants.py [--every 1] [--students ../shared/students]

Builds a small workbook (`sheetgen build`, one learning rate, 8 iterations) and plants every
mutant and rewrite of tests/mutants.py in a middle row of its table, then in the tables of the
correct real workbooks student01 (two tables) and student04. Prints, per workbook and in all:
mutants, how many change the value, how many of those get a finding (and how many PASS: a wrong
PASS), how many correct rewrites pass, crashes; then every outcome that breaks a property.
Exit 1 when one does. `--every K` plants every K-th only (quicker).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import mutants

from sheetgen.workbook import build
from sheetgen.workbook.settings import Settings


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=1, help="plant every K-th mutant (default 1)")
    ap.add_argument("--students", type=Path, default=Path("../shared/students"),
                    help="folder of the real workbooks (default ../shared/students)")
    args = ap.parse_args()
    total = mutants.Tally()
    with tempfile.TemporaryDirectory() as tmp:
        small = build(Path(tmp) / "small.xlsx", Settings(learning_rates=(0.5,), iterations=8))
        books = [(small, 1), (args.students / "student01.xlsx", 2),
                 (args.students / "student04.xlsx", 1)]
        for path, tables in books:
            start, tally = time.perf_counter(), mutants.Tally()
            mutants.run(path, tables=tables, every=args.every, tally=tally)
            print(f"{path.name}: {tally.line()} ({time.perf_counter() - start:.0f} s)", flush=True)
            total.counts.update(tally.counts)
            total.bad += tally.bad
    print(f"all: {total.line()}")
    print("\n".join(total.bad))
    return 1 if total.bad else 0


if __name__ == "__main__":
    sys.exit(main())
