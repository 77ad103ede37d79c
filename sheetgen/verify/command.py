"""Check backprop workbooks against the NumPy reference and name the first wrong cells.

Exit code 0 when every file passes, 1 when a workbook is wrong, 2 when a file cannot be checked.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import DEFAULTS, FileResult, report, verify
from .workers import check_all


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="xlsx workbooks to check")
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="check N files at once in separate processes (default 1)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of text")
    p.add_argument(
        "--junit",
        type=Path,
        metavar="XML",
        help="also write JUnit XML, one test case per table (default: none)",
    )
    p.add_argument(
        "--rtol",
        type=float,
        default=DEFAULTS["rtol"],
        help=f"relative tolerance against the reference (default {DEFAULTS['rtol']:g})",
    )
    p.add_argument(
        "--atol",
        type=float,
        default=DEFAULTS["atol"],
        help=f"absolute tolerance for values near 0 (default {DEFAULTS['atol']:g})",
    )
    p.add_argument(
        "--engine",
        choices=("builtin", "libreoffice"),
        default=DEFAULTS["engine"],
        help="evaluate formulas in process, or recalculate in LibreOffice headless "
        f"(default {DEFAULTS['engine']})",
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULTS["max_rows"],
        metavar="N",
        help=f"refuse tables longer than N rows (default {DEFAULTS['max_rows']:,})",
    )


def check_one(path: Path, options: dict) -> FileResult:
    """Verify one file; whatever goes wrong comes back as a result, never as a traceback."""
    try:
        return verify(path, **options)
    except Exception as e:  # noqa: BLE001 - the last line of defence for forty student files
        return FileResult(
            str(path),
            "error",
            f"internal error while checking ({type(e).__name__}: {e})",
            engine=options.get("engine", "builtin"),
        )


def run(args) -> int:
    from ..cli import UsageError
    from ..files import atomic_write, check_output_path

    if args.jobs < 1:
        raise UsageError("sheetgen verify: -j/--jobs must be at least 1")
    if not (args.rtol >= 0 and args.atol >= 0):
        raise UsageError("sheetgen verify: --rtol and --atol must be 0 or more")
    if args.max_rows < 1:
        raise UsageError("sheetgen verify: --max-rows must be at least 1")
    if args.junit:
        check_output_path(args.junit)
    options = {"engine": args.engine, "rtol": args.rtol, "atol": args.atol, "max_rows": args.max_rows}
    results = check_all(args.files, options, args.jobs, check_one)
    show(report.to_json(results) if args.json else "\n".join(map(report.text, results)))
    if args.junit:
        with atomic_write(args.junit) as f:
            f.write(report.junit(results))
    return report.exit_code(results)


def show(text: str) -> None:
    """Print the report; a reader that closed the pipe (`| head`) ends it quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Point stdout at /dev/null so Python's own flush at exit does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
