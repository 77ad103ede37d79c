"""Time and peak memory of `sheetgen build`, from the default workbook up to the largest one.

    python benchmarks/build_scale.py [--repeat 1] [--sizes 6x100 20x10000]

Each build runs as its own `sheetgen build --no-plot` process, so its peak resident memory
(ru_maxrss from wait4) is that build's alone, Python start-up and imports included. SIZES are
`learning rates × iterations`; the learning rates are 0.1, 0.2, ... The issue's targets: the
largest build (20 × 10,000, 6.2 M formulas) in at most 60 s and 800 MB. Prints one line per size.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_build(out: Path, rates: int, iterations: int) -> tuple[float, float]:
    """Seconds and peak resident MB of one `sheetgen build` process."""
    etas = [f"{(k + 1) / 10:g}" for k in range(rates)]
    cmd = [sys.executable, "-m", "sheetgen.cli", "build", "-o", str(out), "--no-plot",
           "--iterations", str(iterations), "--lr", *etas]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed: {child.stderr.read().decode().strip()}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["6x100", "20x1000", "20x10000"],
                        help="RATESxITERATIONS to build (default 6x100 20x1000 20x10000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size, best kept (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rates, iterations = map(int, size.lower().split("x"))
            out = Path(tmp) / f"b{size}.xlsx"
            runs = [run_build(out, rates, iterations) for _ in range(args.repeat)]
            seconds = min(s for s, _ in runs)
            peak = max(m for _, m in runs)
            formulas = rates * iterations * 31
            print(f"{rates:>2} η × {iterations:>6,} iterations ({formulas / 1e6:5.2f} M cells): "
                  f"{seconds:6.1f} s, peak {peak:6.0f} MB, file {out.stat().st_size / 1e6:6.1f} MB",
                  flush=True)


if __name__ == "__main__":
    main()
