"""Time the self-check page: from opening it in a fresh headless chromium to the first report.

    python benchmarks/web_page.py [--repeat 3] [--settle 3] [FILE.xlsx]

Writes the site with `sheetgen web` (the asset cache must be filled: `sheetgen web --fetch`),
serves it on 127.0.0.1, and opens the page --repeat times, each in a new browser with an empty
cache, checking FILE (default: the default workbook, built here). Prints for each run when the
report was shown (the page's own clock, from the start of navigation), when the marked copy was
offered after it (the driver's clock), the steps, and the load average, as the figure depends
on what else the machine is doing.

The clock starts when the page is opened, --settle seconds after the browser is launched: a
headless chromium just launched spends about a second of CPU on its own pages (measured here with
`ps`: all of it in its first 2 s), which on two cores slowed the page by 0.4-0.9 s; a student
opens the page in a browser already running. `--settle 0` times it from the launch.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser.serve import drive, serve

from sheetgen.cli import main as sheetgen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--settle", type=float, default=3.0, metavar="SECONDS")
    parser.add_argument("file", nargs="?", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = args.file or tmp / "backprop.xlsx"
        if args.file is None:
            sheetgen(["build", "--no-plot", "-o", str(book)])
        if sheetgen(["web", str(tmp / "site")]) != 0:
            sys.exit(2)
        with serve(tmp / "site") as url:
            for n in range(args.repeat):
                run = tmp / f"run{n}"
                run.mkdir()
                shown = drive({"chromium": shutil.which("chromium"), "url": url + "index.html",
                               "files": [str(book.resolve())],
                               "settle": int(args.settle * 1000)}, run)
                steps = ", ".join(f"{ms / 1000:.2f} s {text.split(' (')[0].rstrip('…')}"
                                  for ms, text in shown["timings"])
                shown_at = next(ms for ms, text in shown["timings"] if text.startswith("Checked"))
                load = os.getloadavg()[0]
                print(f"run {n + 1}: report {shown_at / 1000:.2f} s after opening the page, "
                      f"marked copy offered at {shown['results'][0]['ms'] / 1000:.2f} s "
                      f"(load average {load:.1f}); {steps}")


if __name__ == "__main__":
    main()
