"""Check backprop workbooks against the NumPy reference and name the first wrong cells.

Exit codes: 0 every file passes; 1 some file is FAIL or INCOMPLETE (whatever the others are);
2 no file is, but some file cannot be checked (each such file has its own line), or bad options.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from pathlib import Path

from ..files import OutputError
from ..text import printable
from ..usage import UsageError
from . import DEFAULTS, FileResult, check_one, report
from .workers import Stopped, check_all


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


def run(args) -> int:
    from ..files import atomic_write
    from .gradescope import to_json as gradescope_json

    _check_options(args)
    rubric, students, draws = _grading(args)
    _check_outputs(args)
    options = {"engine": args.engine, "rtol": args.rtol, "atol": args.atol, "max_rows": args.max_rows}
    with stop_on_sigterm():
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
    if args.jobs < 1:
        raise UsageError("sheetgen verify: -j/--jobs must be at least 1")
    if not (args.rtol >= 0 and args.atol >= 0):
        raise UsageError("sheetgen verify: --rtol and --atol must be 0 or more")
    if args.max_rows < 1:
        raise UsageError("sheetgen verify: --max-rows must be at least 1")
    if args.annotate and args.annotate.exists() and not args.annotate.is_dir():
        raise UsageError(f"sheetgen verify: --annotate {printable(args.annotate)} is a file, "
                         "not a folder")
    if args.annotate:  # the folder must be possible before anything is checked
        above = next(p for p in (args.annotate.absolute(), *args.annotate.absolute().parents)
                     if p.exists())
        if not above.is_dir():
            raise UsageError(f"sheetgen verify: cannot make the folder --annotate "
                             f"{printable(args.annotate)}: {printable(above.name)} is a file")


def _check_outputs(args) -> None:
    """Before anything is checked: every report file can be written, and none is one of the
    workbooks to check (by path or by device and inode: a hard link is the same file) or
    another report file."""
    from ..files import check_output_path, same_file

    inputs = [os.stat(f) for f in args.files if os.path.exists(f)]
    named: dict[Path, str] = {}
    for option, path in (("--junit", args.junit), ("--csv", args.csv),
                         ("--gradescope", args.gradescope)):
        if not path:
            continue
        target = check_output_path(path).resolve()
        if any(same_file(target, st) for st in inputs) or target in {
                Path(f).resolve() for f in args.files}:
            raise UsageError(f"sheetgen verify: {option} {printable(path)} is one of the "
                             "workbooks to check; refusing to write over it")
        if _is_workbook(target):  # `--csv class/*.xlsx`: the report's own name forgotten
            raise UsageError(f"sheetgen verify: {option} {printable(path)} is a workbook (was "
                             "the report's name forgotten?); refusing to write over it")
        if target in named:
            raise UsageError(f"sheetgen verify: {option} and {named[target]} both name "
                             f"{printable(path)}")
        named[target] = option


def _is_workbook(path: Path) -> bool:
    """Whether an existing file is a spreadsheet (by its first bytes: a zip or OLE container)."""
    from ..files import open_regular

    try:
        with open_regular(path) as f:
            return f.read(4) in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
    except OSError:
        return False


def annotate_all(results: list[FileResult], folder: Path) -> int:
    """A marked copy of every checked workbook in `folder`, under its own name, or beside it
    under a new one (never over a workbook checked, another copy of this run, a link or an
    unrelated file: only a marked copy an earlier run wrote is replaced); 2 if one cannot be
    written."""
    from ..xlsx.package import PackageError
    from .annotate import annotate

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return _warn(f"cannot make the folder {printable(folder)} for the marked copies "
                     f"({e.strerror or e})")
    taken = [os.stat(r.path) for r in results if os.path.isfile(r.path)]
    code = 0
    for r in results:
        if r.status == "error":
            continue
        source = Path(r.path)
        target, passed = marked_copy_path(folder, source, taken)
        if passed:
            _warn(f"the marked copy of {printable(source.name)} is {printable(target.name)}: "
                  f"{printable(passed.name)} there is a link or another file, not a marked copy",
                  code=0)
        try:
            taken.append(os.stat(annotate(r, source, target)))
        except (PackageError, OSError, ValueError) as e:
            code = _warn(f"cannot write the marked copy of {printable(source)}: "
                         f"{printable(str(e))}")
    return code


def marked_copy_path(folder: Path, source: Path, taken: list) -> tuple[Path, Path | None]:
    """Where the marked copy of `source` goes: `folder/NAME`, else `NAME-marked`, `NAME-marked-2`,
    ... the first that is free or an earlier run's marked copy, and none of the files `taken`
    (stat results). Also the first name passed over because an unrelated file or link is there."""
    from ..files import same_file
    from .annotate import is_marked_copy

    passed = None
    for n in range(10_000):
        name = source.name if n == 0 else (
            f"{source.stem}-marked{'' if n == 1 else f'-{n}'}{source.suffix}")
        target = folder / name
        if any(same_file(target, st) for st in taken):
            continue
        if not os.path.lexists(target) or is_marked_copy(target):
            return target, passed
        passed = passed or target
    raise OutputError(f"no free name for the marked copy of {source.name} in {folder}")


def _warn(message: str, code: int = 2) -> int:
    print(f"sheetgen verify: {message}"[:200], file=sys.stderr)
    return code


@contextlib.contextmanager
def stop_on_sigterm():
    """SIGTERM raises Stopped (a KeyboardInterrupt) in the main process and in the workers it
    forks, so every `finally` runs: LibreOffice's process group is killed, temporary folders
    and half-written files are removed. The old handler is put back after."""

    def stop(signum, frame):
        raise Stopped(signum)

    try:
        old = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def show(text: str) -> None:
    """Print the report; a reader that closed the pipe (`| head`) ends it quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Point stdout at /dev/null so Python's own flush at exit does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
