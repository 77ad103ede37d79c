"""One finding per distinct mistake: root-cause cells grouped, explained once, in ranges.

A mistake copied down a column gives the same formula shape (its R1C1 form) in every row, so the
root causes of one column with one shape are one mistake: explained at its first cell and
reported with its range (`Z33:Z100`). Columns whose mistakes read the same in words and cover
the same rows are one finding too (`Z33:AA100 (∂E/∂w3, ∂E/∂w4)`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .. import network as net
from .diagnose import explain
from .formula import shape_key, translate
from .tables import Table
from .words import right_formula, what

EMPTY = "is empty where a number belongs"


@dataclass
class Cause:
    """One root-cause cell before grouping. `text`: the words, for kinds other than formula."""

    kind: str  # formula | pasted | error | text | empty | structure | values
    key: tuple[int, int, int]
    name: str | None
    got: float = math.nan
    want: float = math.nan
    text: str = ""


@dataclass
class Finding:
    """One distinct mistake. `cell` is its first cell (full address), `cells` all of them as
    ranges, `message` the line shown to people: subject (cells and quantities) and words."""

    kind: str
    cell: str
    message: str
    cells: str = ""
    count: int = 1
    quantity: str = ""
    words: str = ""
    formula: str = ""  # what the first cell holds
    fix: str = ""  # what to write there, in the student's own cells
    row: int = 0
    order: int = 0
    keys: list[tuple[int, int, int]] = field(default_factory=list, repr=False)
    fixes: dict[int, tuple[int, str]] = field(default_factory=dict, repr=False)  # col: (row, fix)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("keys", "order", "fixes")}

    def fix_at(self, row: int, col: int) -> str:
        """What to write in the cell (row, col) of this finding: its column's fix, moved down."""
        if col not in self.fixes:
            return ""
        first, fix = self.fixes[col]
        return fix if row == first or not fix else "=" + translate(fix[1:], row - first, 0)


def group(engine, table: Table, causes: list[Cause]) -> list[Finding]:
    """The root causes of one table as findings, earliest row first."""
    empty = [c for c in causes if c.kind == "empty"]
    buckets: dict[tuple, list[Cause]] = {}
    for cause in sorted(causes, key=lambda c: (c.key[1], c.key[2])):
        if cause.kind != "empty" or len(empty) == 1:
            buckets.setdefault(_bucket(engine, cause), []).append(cause)
    findings = [_finding(engine, table, members) for members in buckets.values()]
    if len(empty) > 1:
        findings += _empty(engine, table, empty)
    return sorted(_merge_columns(engine.book, table, findings), key=lambda f: (f.row, f.order))


def _empty(engine, table: Table, empty: list[Cause]) -> list[Finding]:
    """Empty cells as a student fills a table in: the first row's formulas, the second row's
    updates, then filling down. At most three findings, however many cells are empty."""
    rows, updated = table.rows, set(table.network.updated)
    first = [c for c in empty if c.key[1] == rows[0]]
    updates = [c for c in empty if len(rows) > 1 and c.key[1] == rows[1] and c.name in updated]
    rest = [c for c in empty if c not in first and c not in updates]
    top = f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]} and {rows[1]}"
    parts = [
        (first, (f"are still empty: write row {rows[0]}'s formulas, the forward pass, then the "
                 "chain rule")),
        (updates, "are still empty: write the update rule, w − η·∂E/∂w of the row above"),
        (rest, f"are still empty: fill {top} down to row {rows[-1]}"),
    ]
    # No formula to write here: for cells not yet attempted that would hand out the answers.
    return [_empty_finding(engine.book, table, members, words) for members, words in parts
            if members]


def _empty_finding(book, table: Table, members: list[Cause], words: str) -> Finding:
    keys = sorted((m.key for m in members), key=lambda k: (k[1], k[2]))
    names = [n for n in table.network.names if n in {m.name for m in members}]
    shown = ", ".join(net.label_of(n) for n in names) if len(names) <= 4 else (
        f"{net.label_of(names[0])} … {net.label_of(names[-1])}")
    rows = sorted({k[1] for k in keys})
    cols = sorted({k[2] for k in keys})
    if len(rows) == 1:
        runs = _runs(cols)
        cells = ", ".join(f"{get_column_letter(a)}{rows[0]}" + (
            f":{get_column_letter(b)}{rows[0]}" if b > a else "") for a, b in runs)
    else:
        cells = f"{get_column_letter(cols[0])}{rows[0]}:{get_column_letter(cols[-1])}{rows[-1]}"
    quantity = f"{shown}; {len(keys):,} cells"
    first = keys[0]
    name = next(m.name for m in members if m.key == first)
    return Finding("empty", book.address(first), f"{cells} ({quantity}) {words}", cells,
                   len(keys), quantity, words, "", "", first[1],
                   table.network.names.index(name), keys)


def _runs(cols: list[int]) -> list[tuple[int, int]]:
    """Neighbouring columns as (first, last) runs."""
    runs: list[list[int]] = []
    for c in cols:
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return [tuple(r) for r in runs]


def _bucket(engine, cause: Cause) -> tuple:
    s, r, c = cause.key
    formula = engine.book.formulas.get(cause.key)
    if cause.kind in ("formula", "structure", "error") and formula is not None:
        return (s, c, cause.kind, shape_key(formula, r, c))
    if cause.kind == "pasted":
        return (s, c, "pasted")
    return (s, c, cause.kind, cause.text, r if cause.kind == "values" else 0)


def _finding(engine, table: Table, members: list[Cause]) -> Finding:
    book, first = engine.book, members[0]
    key, row = first.key, first.key[1]
    formula = book.formulas.get(key, "")
    fix = right_formula(book, table, first.name, row) if first.name else ""
    if first.kind == "formula" or not first.text:
        why = explain(engine, table, key, first.name, first.got, first.want)
        words, fix, formula = why.words, why.fix, why.formula
    elif first.kind == "pasted" and len(members) > 1:
        words = "holds pasted numbers, not formulas"
    else:
        words = first.text
    keys = [m.key for m in members]
    names = table.network.names
    order = names.index(first.name) if first.name in names else 100 + key[2]
    order = order if key[0] == table.sheet else -1
    cells = _ranges(book, table, keys)
    quantity = what(table, key)
    if first.kind == "pasted-table":  # a sentence about the whole table
        quantity, cells = "", book.address(table.corner, sheet=False)
    subject = f"{cells} ({quantity})" if quantity else f"{cells}:"
    return Finding(first.kind, book.address(key), f"{subject} {words}", cells,
                   len(keys), quantity, words, formula, fix, row, order, keys, {key[2]: (row, fix)})


def _ranges(book, table: Table, keys: list[tuple]) -> str:
    """`Z33:Z100` for a run of rows in one column; runs `AA32:AA34, AA36:AA38, … (28 cells)`."""
    rows = sorted({k[1] for k in keys})
    s, c = keys[0][0], keys[0][2]
    prefix = book.address((s, rows[0], c), sheet=s != table.sheet)[: -len(str(rows[0]))]
    letter = get_column_letter(c)
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    text = ", ".join(f"{letter}{run[0]}" + (f":{letter}{run[-1]}" if len(run) > 1 else "")
                     for run in runs[:3])
    text = prefix[: -len(letter)] + text
    return text if len(runs) <= 3 else f"{text}, … ({len(keys):,} cells)"


def _merge_columns(book, table: Table, findings: list[Finding]) -> list[Finding]:
    """Findings of several columns whose words and rows are the same, as one."""
    out: list[Finding] = []
    first: dict[tuple, Finding] = {}
    for f in sorted(findings, key=lambda f: f.keys[0][2]):
        rows = tuple(sorted({k[1] for k in f.keys}))
        key = (f.kind, f.words, rows)
        if f.kind in ("formula", "pasted") and len(rows) > 1 and key in first:
            _absorb(first[key], f, rows)
        else:
            first.setdefault(key, f)
            out.append(f)
    return out


def _absorb(into: Finding, other: Finding, rows: tuple[int, ...]) -> None:
    into.keys += other.keys
    into.fixes.update(other.fixes)
    into.count += other.count
    into.quantity += f", {other.quantity}"
    columns = sorted({k[2] for k in into.keys})
    if columns[-1] - columns[0] + 1 == len(columns):
        into.cells = f"{get_column_letter(columns[0])}{rows[0]}:{get_column_letter(columns[-1])}"
        into.cells += str(rows[-1])
    else:
        into.cells = ", ".join(f"{get_column_letter(c)}{rows[0]}:{get_column_letter(c)}{rows[-1]}"
                               for c in columns)
    into.message = f"{into.cells} ({into.quantity}) {into.words}"
