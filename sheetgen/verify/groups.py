"""A workbook larger than the cells read at once, checked a few sheets at a time.

The budget is per sheet (`xlsx.read.MAX_CELLS`), not for the whole workbook: the builder's
largest workbook (20 learning-rate sheets of 10,000 rows, 6.2 M cells) is read as each large
sheet together with the small ones (the Backprop sheet, the loss summary, a sheet of inputs),
checked, and let go before the next is read. The small sheets are those that together hold at
most a quarter of the budget; their tables and blocks are judged with the first large sheet. A
formula that reads a large sheet other than its own cannot be computed so, and the workbook is
refused in one line (`Engine.present`) rather than judged on empty cells.
"""

from __future__ import annotations

import hashlib

from .book import open_book
from .score import add

SMALL_SHARE = 4  # the small sheets, read with every large one, hold at most 1/4 of the budget


def plan(sizes: list[int], max_cells: int) -> list[tuple[set[int], set[int]]]:
    """(sheets read together, sheets whose tables are judged there) for each large sheet, in
    sheet order: the small sheets with each large one, judged with the first."""
    small: set[int] = set()
    total = 0
    for k in sorted(range(len(sizes)), key=lambda k: (sizes[k], k)):
        if total + sizes[k] > max_cells // SMALL_SHARE:
            break
        small.add(k)
        total += sizes[k]
    large = [k for k in range(len(sizes)) if k not in small]
    return [(small | {k}, ({k} | small) if n == 0 else {k}) for n, k in enumerate(large)]


def check_in_groups(path, sizes: list[int], max_cells: int, check, max_rows: int):
    """The FileResults of each group of `plan`, in order; `check(book, owned)` checks one."""
    results = []
    for read, owned in plan(sizes, max_cells):
        book = open_book(path, max_rows=max_rows, sheets=read,
                         max_cells=max_cells + max_cells // SMALL_SHARE)
        results.append(check(book, owned))
        del book  # let go of one group's cells before the next is read
        if _refused(results[-1]):
            break  # one group that cannot be checked: the workbook cannot
    return results


def merge(results: list, cells: int):
    """One FileResult from the groups' results: their tables (in the order read: the blocks
    after the first large sheet's tables), notes, tally and facts; its status from all the
    tables."""
    from . import verdict

    first = results[0]
    if any(_refused(r) for r in results):
        bad = next(r for r in results if _refused(r))
        first.status, first.reason, first.tables = "error", bad.reason, []
        return first
    first.tables = [t for r in results for t in r.tables]
    first.notes = list(dict.fromkeys(n for r in results for n in r.notes))
    first.notes.insert(0, f"read a few sheets at a time: {cells:,} cells in "
                          f"{len(first.sheets)} sheets")
    tally: dict[str, list[int]] = {}
    for r in results:
        add(tally, r.tally)
    first.tally = tally
    first.facts = _facts([r.facts for r in results])
    first.status = verdict.file_verdict(first.tables)
    if first.status == "error":
        first.reason = "; ".join(f"{t.name}: {t.reason}" for t in first.tables if t.reason)
    return first


def _refused(result) -> bool:
    """A group that could not be checked at all (not one of its tables: the whole group)."""
    return result.status == "error" and not result.tables


def _facts(facts: list[dict]) -> dict:
    digest = hashlib.sha256("".join(f.get("digest", "") for f in facts).encode()).hexdigest()
    return {
        "properties": facts[0].get("properties", {}),
        "start": next((f["start"] for f in facts if f.get("start")), {}),
        "shapes": sorted({s for f in facts for s in f.get("shapes", [])}),
        "digest": digest[:32],
    }
