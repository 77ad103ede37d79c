"""After the tables are checked: the Backprop sheet's blocks, the verdict of each table (pass,
incomplete, fail), the tally of right cells per rubric part, and the facts `--roster` and
`--similar` read.

A table is INCOMPLETE when all that is wrong with it is cells still empty: what is there is
right, something is missing. A file is FAIL when one table fails, else INCOMPLETE when one is
incomplete, else cannot be checked (error) when one cannot be checked, else PASS.
"""
from __future__ import annotations

from . import blocks as B
from . import facts
from .score import add, tally

ORDER = ("fail", "incomplete", "error", "pass")  # the first that a table has is the file's


def table_verdict(t) -> str:
    if t.status == "fail" and all(f.kind == "empty" for f in t.causes):
        return "incomplete"
    return t.status


def file_verdict(tables) -> str:
    statuses = {t.status for t in tables}
    return next(s for s in ORDER if s in statuses or s == "pass")


def complete(result, evaluator, tables, rtol: float, atol: float, owned=None) -> None:
    """Judge the blocks (on the sheets `owned`, when given), set each table's verdict and the
    file's, and count the right cells."""
    book = evaluator.book
    counts: dict[str, list[int]] = {}
    for table, t in zip(tables, result.tables):
        if t.status != "error":
            add(counts, tally(table, t))
    checked = [table for table, t in zip(tables, result.tables) if t.status != "error"]
    if checked:
        lines = [x for x in B.find(book, checked[0].network) if owned is None or x.key[0] in owned]
        judged = B.check_blocks(evaluator, checked[0], lines, rtol, atol)
        if judged is not None:
            result.tables.append(judged)
            wrong = {key for f in judged.causes for key in f.keys}
            counts["blocks"] = [judged.cells - len(wrong), judged.cells]
    for t in result.tables:
        t.status = table_verdict(t)
    result.status = file_verdict(result.tables)
    result.tally = counts
    result.facts = {
        "properties": facts.properties(book.path),
        "start": facts.start(evaluator, checked[0]) if checked else {},
        "shapes": facts.wrong_shapes(book, result.tables),
        "digest": facts.digest(book),
    }
