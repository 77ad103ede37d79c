"""Check backprop workbooks against the NumPy reference and name the first wrong cells.

Exit codes: 0 every file passes; 1 some file is FAIL or INCOMPLETE (whatever the others are);
2 no file is, but some file cannot be checked (each such file has its own line), or bad options.
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
        "--csv",
        type=Path,
        metavar="FILE",
        help="also write one row per workbook for a gradebook: file, status, tables, findings, "
        "first finding (default: none)",
    )
    p.add_argument(
        "--annotate",
        type=Path,
        metavar="DIR",
        help="also write a marked copy of each checked workbook into DIR: wrong cells red with "
        "a note on what to write, the cells the error spreads to tinted (default: none)",
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
    add_grading_arguments(p)
    p.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULTS["max_rows"],
        metavar="N",
        help=f"refuse tables longer than N rows (default {DEFAULTS['max_rows']:,})",
    )


# --- issue 19: scores, hints, roster, similarity, a class run that reads as it goes ---------


def add_grading_arguments(p: argparse.ArgumentParser) -> None:
    from .hints import DEFAULT, LEVELS

    p.add_argument("--hints", choices=LEVELS, default=DEFAULT,
                   help="how much each finding tells: none (verdict and score), where (the "
                        "cells), why (and why, in words), formula (and the formula to write: for "
                        f"the teacher). Below formula no formula the student has not written is "
                        f"shown, in any output (default {DEFAULT})")
    p.add_argument("--rubric", type=Path, metavar="TOML",
                   help="points per part, from a TOML file ([points] forward, loss, "
                        "output_gradients, hidden_gradients, updates, filled_down, blocks; "
                        "default 20, 10, 15, 20, 10, 10, 15 of 100, partial credit by the share "
                        "of right cells)")
    p.add_argument("--gradescope", type=Path, metavar="JSON",
                   help="also write Gradescope's autograder results.json for the one FILE "
                        "(default: none)")
    p.add_argument("--roster", type=Path, metavar="CSV",
                   help="check that each file starts from its student's values (columns id, "
                        "name; a file is matched by the id in its document properties, else by "
                        "its file name, <id>.xlsx or <anything>-<id>.xlsx)")
    p.add_argument("--similar", action="store_true",
                   help="list pairs of files that share what independent work would not "
                        "(starting values, wrong formulas, stored values, author, creation time)")


def _grading(args):
    """The rubric and the roster's students, read before any file is checked."""
    from ..cli import UsageError
    from ..workbook.roster import RosterError, draw, read
    from .rubric import DEFAULT, RubricError, load

    try:
        rubric = load(args.rubric) if args.rubric else DEFAULT
        students = read(args.roster) if args.roster else None
    except (RubricError, RosterError) as e:
        raise UsageError(f"sheetgen verify: {e}") from None
    if args.gradescope and len(args.files) != 1:
        raise UsageError("sheetgen verify: --gradescope writes the results of one FILE; "
                         f"{len(args.files)} given")
    draws = {s.id: draw(s.id).values() for s in students} if students else None
    return rubric, students, draws


def _live(args, rubric, students, draws):
    """The callback that prints each file's report as it is checked (text mode)."""
    from . import hints
    from . import roster as R
    from .progress import Live

    def render(result) -> str:
        if students:
            R.check(result, students, draws)
        return "" if args.json else report.text(hints.apply(result, args.hints), rubric)

    return Live(len(args.files), render, show)


def _finish(args, results, rubric) -> list:
    """The summary, the similar pairs and the JSON, after every file is checked."""
    from . import hints
    from .progress import summary
    from .similar import pairs

    found = pairs(results) if args.similar else []
    shown = [hints.apply(r, args.hints) for r in results]
    if args.json:
        extra = {"similar": [p.to_dict() for p in found]} if args.similar else {}
        show(report.to_json(shown, rubric, extra))
    else:
        if len(results) > 1:
            show(summary(results, rubric))
        if args.similar:
            show("\n".join(p.line() for p in found) or "similar: no pair of files shares what "
                 "independent work would not")
    return shown


def check_one(path: Path, options: dict) -> FileResult:
    """Verify one file; whatever goes wrong comes back as a result, never as a traceback."""
    try:
        return verify(path, **options)
    except Exception as e:  # noqa: BLE001 - the last line of defence for forty student files
        return FileResult(
            str(path),
            "error",
            f"internal error while checking ({type(e).__name__}: {str(e)[:120]})",
            engine=options.get("engine", "builtin"),
        )


def run(args) -> int:
    from ..files import atomic_write, check_output_path
    from .gradescope import to_json as gradescope_json

    _check_options(args)
    rubric, students, draws = _grading(args)
    for path in (args.junit, args.csv, args.gradescope):
        if path:
            check_output_path(path)
    options = {"engine": args.engine, "rtol": args.rtol, "atol": args.atol, "max_rows": args.max_rows}
    live = _live(args, rubric, students, draws)
    try:
        results = check_all(args.files, options, args.jobs, check_one, done=live.done)
    finally:
        live.close()
    shown = _finish(args, results, rubric)
    for path, render in ((args.junit, lambda: report.junit(shown, rubric)),
                         (args.csv, lambda: report.to_csv(shown, rubric)),
                         (args.gradescope,
                          lambda: gradescope_json(results[0], rubric, shown[0]))):
        if path:
            data = render()
            with atomic_write(path) as f:
                f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    code = report.exit_code(results)
    if args.annotate:
        code = max(code, annotate_all(results, args.annotate))
    return code


def _check_options(args) -> None:
    from ..cli import UsageError

    if args.jobs < 1:
        raise UsageError("sheetgen verify: -j/--jobs must be at least 1")
    if not (args.rtol >= 0 and args.atol >= 0):
        raise UsageError("sheetgen verify: --rtol and --atol must be 0 or more")
    if args.max_rows < 1:
        raise UsageError("sheetgen verify: --max-rows must be at least 1")
    if args.annotate and args.annotate.exists() and not args.annotate.is_dir():
        raise UsageError(f"sheetgen verify: --annotate {args.annotate} is a file, not a folder")


def annotate_all(results: list[FileResult], folder: Path) -> int:
    """A marked copy of every checked workbook in `folder`, under its own name (never over the
    workbook itself or another copy of this run); 2 if one cannot be written."""
    from ..package import PackageError
    from .annotate import annotate

    folder.mkdir(parents=True, exist_ok=True)
    inputs = {Path(r.path).resolve() for r in results}
    written: set[Path] = set()
    code = 0
    for r in results:
        if r.status == "error":
            continue
        source = Path(r.path)
        target = folder / source.name
        n = 1
        while target.resolve() in inputs or target.resolve() in written:
            n += 1
            target = folder / f"{source.stem}-marked{'' if n == 2 else f'-{n - 1}'}{source.suffix}"
        try:
            written.add(annotate(r, source, target).resolve())
        except (PackageError, OSError) as e:
            print(f"sheetgen verify: cannot write the marked copy of {source}: {e}"[:200],
                  file=sys.stderr)
            code = 2
    return code


def show(text: str) -> None:
    """Print the report; a reader that closed the pipe (`| head`) ends it quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Point stdout at /dev/null so Python's own flush at exit does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
