"""Time `sheetgen verify` on the real student workbooks in ../shared/students.

    python benchmarks/verify_students.py [--folder ../shared/students] [--jobs 2] [--repeat 3]

Prints the wall time of the whole command (`sheetgen verify -j JOBS FOLDER/*.xlsx`, Python
start-up included, best of --repeat), then each file's time in process (best of --repeat) with
its status and number of distinct mistakes, slowest first. CPU seconds are printed beside wall
seconds: on a shared machine the CPU figure is the steadier one.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from sheetgen.verify import report, verify

HERE = Path(__file__).resolve().parent


def whole_command(files: list[Path], jobs: int, repeat: int) -> tuple[float, float, int]:
    """Best wall seconds, the CPU seconds of that run (its processes), and the exit code."""
    best = (float("inf"), 0.0, 0)
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "sheetgen.cli", "verify", "-j", str(jobs),
                              *map(str, files)], capture_output=True, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        best = min(best, (wall, cpu, run.returncode))
    return best


def one_file(path: Path, repeat: int) -> tuple[float, float, str, int]:
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = verify(path)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu), result.status, len(report.mistakes(result))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--folder", type=Path, default=HERE.parents[1] / "shared" / "students",
                   help="folder of workbooks (default ../shared/students)")
    p.add_argument("--jobs", type=int, default=2, help="-j for the whole command (default 2)")
    p.add_argument("--repeat", type=int, default=3, help="runs per figure, best kept (default 3)")
    args = p.parse_args()
    files = sorted(args.folder.glob("*.xlsx"))
    if not files:
        sys.exit(f"no .xlsx files in {args.folder}")
    wall, cpu, code = whole_command(files, args.jobs, args.repeat)
    print(f"sheetgen verify -j {args.jobs} on {len(files)} workbooks: {wall:.2f} s wall, "
          f"{cpu:.2f} s CPU, exit code {code}")
    rows = sorted(((f.name, *one_file(f, args.repeat)) for f in files), key=lambda x: -x[1])
    for name, seconds, cpu_seconds, status, mistakes in rows:
        print(f"  {name:<20} {seconds:5.2f} s wall  {cpu_seconds:5.2f} s CPU  {status.upper():<5} "
              f"{mistakes} distinct mistake(s)")
    print(f"slowest file: {rows[0][0]}, {rows[0][1]:.2f} s in process")


if __name__ == "__main__":
    main()
