"""CPU seconds of `verify` in process, per workbook: the figure to compare on a shared machine.

    python benchmarks/verify_cpu.py [--repeat 2] [XLSX ...]

Default: every workbook of ../shared/students. Prints one line per workbook (its status and the
least CPU time of --repeat runs, the workbook read and checked, Python start-up excluded) and
the slowest. To compare two versions of the code, run this twice back to back, each with its
own tree first on PYTHONPATH, so both see the same load.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sheetgen.verify import verify

STUDENTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "students"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workbooks", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=2, help="runs per workbook (default 2)")
    args = parser.parse_args()
    paths = args.workbooks or sorted(STUDENTS.glob("*.xlsx"))
    slowest = (0.0, "")
    for path in paths:
        best, status = float("inf"), ""
        for _ in range(args.repeat):
            start = time.process_time()
            status = verify(path).status
            best = min(best, time.process_time() - start)
        slowest = max(slowest, (best, path.name))
        print(f"{path.name:<16} {status:<10} {best:6.2f} s CPU", flush=True)
    print(f"slowest: {slowest[1]} {slowest[0]:.2f} s CPU")


if __name__ == "__main__":
    main()
