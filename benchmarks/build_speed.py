"""Time building the default workbook, and LibreOffice's recalculation of it.

    python benchmarks/build_speed.py [--repeat 5]

Prints seconds; the build target is under 1 s on a 2-core machine. The in-process evaluation
of the same workbook is timed by benchmarks/verify_speed.py.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sheetgen.libreoffice import recalculate
from sheetgen.workbook import build


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "backprop.xlsx"
        build_times = timed(lambda: build(path), args.repeat)
        print(f"build (in-process, default workbook): median {statistics.median(build_times):.3f} s, "
              f"best {min(build_times):.3f} s over {args.repeat} runs")
        cli = [sys.executable, "-m", "sheetgen.cli", "build", "-o", str(path), "--no-plot"]
        cli_times = timed(lambda: subprocess.run(cli, check=True, capture_output=True), args.repeat)
        print(f"`sheetgen build` end to end (Python start-up and imports included): "
              f"median {statistics.median(cli_times):.3f} s")
        recalc = timed(lambda: recalculate(path, Path(tmp) / "lo"), max(1, args.repeat // 2))
        print(f"LibreOffice headless recalculation: median {statistics.median(recalc):.3f} s "
              f"(soffice start-up included)")


if __name__ == "__main__":
    main()
