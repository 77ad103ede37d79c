"""Time and peak memory of `sheetgen verify` on the builder's largest workbooks.

    python benchmarks/verify_large.py [--sizes 20x10000] [--keep DIR] [XLSX ...]

Builds each size (`learning rates × iterations`, as benchmarks/build_scale.py; default the
largest, 20 × 10,000: 6.2 M cells, read a few sheets at a time) unless workbooks are given, then
runs `sheetgen verify` on it as its own process: wall and CPU seconds, peak resident memory
(ru_maxrss from wait4, start-up included) and the verdict line. Prints one line per workbook.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from build_scale import run_build


def run_verify(path: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak resident MB and the first line of one verify process."""
    cmd = [sys.executable, "-m", "sheetgen.cli", "verify", str(path)]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = child.stdout.read().decode()
    _, _, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, (out.splitlines() or [""])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workbooks", nargs="*", type=Path, help="verify these instead of building")
    parser.add_argument("--sizes", nargs="+", default=["20x10000"],
                        help="RATESxITERATIONS to build (default 20x10000)")
    parser.add_argument("--keep", type=Path, help="build into this folder and keep the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        paths = list(args.workbooks)
        for size in [] if paths else args.sizes:
            rates, iterations = map(int, size.lower().split("x"))
            out = folder / f"b{size}.xlsx"
            if not out.exists():
                run_build(out, rates, iterations)
            paths.append(out)
        for path in paths:
            seconds, cpu, peak, line = run_verify(path)
            print(f"{path.name}: {path.stat().st_size / 1e6:6.1f} MB file, verify {seconds:6.1f} s "
                  f"({cpu:6.1f} s CPU), peak {peak:6.0f} MB: {line[len(str(path)) + 2:][:80]}",
                  flush=True)


if __name__ == "__main__":
    main()
