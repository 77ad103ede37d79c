"""Check backprop workbooks against the NumPy reference and name the first wrong cells.

    >>> from sheetgen.verify import verify
    >>> result = verify("output/backprop.xlsx")
    >>> result.status, [t.name for t in result.tables]

`verify` returns a `FileResult`: status pass / incomplete / fail / error, one `TableResult` per iteration
table with its root causes (`Finding`s), and notes such as a stale file. The command
`sheetgen verify` (module `command`) prints these, in text, JSON or JUnit XML.
"""

from __future__ import annotations

import contextlib
import gc
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import groups, verdict
from .book import CannotCheck, TooLarge, open_book
from .check import Finding, TableResult, check_table
from .engine import ENGINES
from .identify import identify
from .tables import find_regions
from .values import NotEvaluated, XLError

__all__ = ["DEFAULTS", "CannotCheck", "FileResult", "Finding", "TableResult", "verify"]

LABELS = "t1 … ∂E/∂w8"
DEFAULTS = {"engine": "builtin", "rtol": 1e-9, "atol": 1e-12, "max_rows": 10_000}


@dataclass
class FileResult:
    path: str
    status: str  # pass | incomplete | fail | error
    reason: str = ""  # why the file cannot be checked, in one sentence
    engine: str = "builtin"
    seconds: float = 0.0
    tables: list[TableResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)  # the workbook's sheet names, in order
    # issue 19: right cells per rubric part (`score.grade` makes the score), and what
    # `--roster` and `--similar` read (`facts`)
    tally: dict[str, list[int]] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "tables"}
        out["tables"] = [t.to_dict() for t in self.tables]
        return out


def verify(
    path, engine: str = "builtin", rtol: float = 1e-9, atol: float = 1e-12, max_rows: int = 10_000
) -> FileResult:
    """Check every iteration table of the workbook at `path`. Raises nothing for a bad file:
    its result has status 'error' and the reason in one sentence."""
    start = time.perf_counter()
    with _fewer_collections():
        try:
            book = open_book(Path(path), max_rows=max_rows)
        except TooLarge as e:
            result = _in_groups(Path(path), e, engine, rtol, atol, max_rows)
        except CannotCheck as e:
            result = FileResult(str(path), "error", str(e), engine=engine)
        else:
            result = check_book(book, engine, rtol, atol, max_rows)
    result.seconds = time.perf_counter() - start
    return result


def _in_groups(path: Path, large: TooLarge, engine: str, rtol: float, atol: float,
               max_rows: int) -> FileResult:
    """A workbook over the cells read at once, checked a few sheets at a time (`groups`)."""
    def check(book, owned: set[int]) -> FileResult:
        return check_book(book, engine, rtol, atol, max_rows, owned)

    try:
        results = groups.check_in_groups(path, large.sizes, large.max_cells, check, max_rows)
    except CannotCheck as e:
        return FileResult(str(path), "error", str(e), engine=engine)
    result = groups.merge(results, sum(large.sizes))
    if result.status != "error" and not result.tables:
        result.status, result.reason = "error", _no_table(result.sheets)
    return result


def _no_table(sheets: list[str]) -> str:
    return (f"no iteration table found in {len(sheets)} sheet(s): no header row names the "
            f"quantities {LABELS}, and no rows update weights as w − η·∂E/∂w")


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


@contextlib.contextmanager
def _fewer_collections():
    """Python's cycle collector runs every 20,000 new objects rather than every 700 while a file
    is checked: at 700 it walked the objects a check keeps for 10-25 % of the check's time
    (the default workbook and real ones, native), while a check's cells, tuples and dicts are
    freed by reference counting. Unlike switching it off, this bounds the cycles left waiting."""
    before = gc.get_threshold()
    gc.set_threshold(20_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def check_book(
    book, engine: str = "builtin", rtol: float = 1e-9, atol: float = 1e-12,
    max_rows: int = 10_000, owned: set[int] | None = None,
) -> FileResult:
    """Check every iteration table of a workbook already read (`verify` without the file); with
    `owned`, those of these sheets only (a workbook read a few sheets at a time, `groups`),
    where none is no error."""
    from ..libreoffice import LibreOfficeError

    result = FileResult(str(book.path), "error", engine=engine, sheets=list(book.sheets))
    try:
        evaluator = ENGINES[engine](book)
        found = find_regions(book, evaluator)
        if owned is not None:
            found = [r for r in found if r.sheet in owned]
            if not found:
                result.status = "pass"  # nothing of its own to judge: `groups.merge` decides
                return result
        regions, notes = _with_rows(book, found)
        tables = [identify(book, evaluator, region) for region in regions]
        if not tables:
            raise CannotCheck(_no_table(book.sheets))
        result.tables = [check_table(evaluator, t, rtol, atol, max_rows) for t in tables]
        result.notes = notes + [f"{t.name}: {n}" for t in result.tables for n in t.notes]
        result.notes += stale_notes(evaluator) + evaluator.notes()
        verdict.complete(result, evaluator, tables, rtol, atol, owned)
    except (CannotCheck, LibreOfficeError, NotEvaluated) as e:
        result.reason = str(e)
        result.status = "error"
    else:
        if result.status == "error":
            result.reason = "; ".join(f"{t.name}: {t.reason}" for t in result.tables if t.reason)
    return result


def _with_rows(book, regions: list) -> tuple[list, list[str]]:
    """The regions with data rows, and a note on the header rows without any (a header copied
    below the table, an unfilled exercise): those are skipped, so the real table is judged;
    when no region has rows the file cannot be checked, in one sentence however many there are."""
    empty = [r for r in regions if not r.rows]
    if not empty:
        return regions, []
    where = book.address((empty[0].sheet, empty[0].header_row, min(empty[0].columns, default=1)))
    count = f"{len(empty):,} header row{'s' * (len(empty) > 1)}"
    if len(empty) == len(regions):
        raise CannotCheck(f"{count} naming the quantities but no data rows under "
                          f"{'them' if len(empty) > 1 else 'it'} (first at {where})")
    note = (f"skipped {count} with no data rows under {'them' if len(empty) > 1 else 'it'} "
            f"(first at {where})")
    return [r for r in regions if r.rows], [note]


# A stored value is stale when it differs from its formula's value by more than rounding to
# the 10 to 15 significant digits spreadsheet programs store, whatever tolerance checks the table.
STALE_RTOL, STALE_ATOL = 1e-9, 1e-12


def stale_notes(engine, rtol: float = STALE_RTOL, atol: float = STALE_ATOL) -> list[str]:
    """A note when the values cached in the file disagree with what its formulas give."""
    book, bad, vals = engine.book, [], engine.vals
    for key, cached in book.cached.items():
        if (v := vals.get(key, vals)) is vals:  # not computed: no table reads it
            continue
        if isinstance(v, float) and isinstance(cached, float):
            if not abs(v - cached) <= atol + rtol * abs(v):
                bad.append((key, cached, v))
        elif isinstance(v, XLError) != isinstance(cached, XLError) or (
            not isinstance(v, (float, XLError)) and v != cached
        ):
            bad.append((key, cached, v))
    if not bad:
        return []
    key, cached, v = min(bad)

    def show(x) -> str:
        return x.code if isinstance(x, XLError) else f"{x:.6g}" if isinstance(x, float) else repr(x)

    note = (f"stale file: {len(bad):,} cached values differ from what the formulas give "
            f"(first {book.address(key)}: cached {show(cached)}, formulas give {show(v)}); "
            "the file was saved without recalculating")
    return [note]
