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

from .diagnose import explain
from .formula import shape_key, translate
from .tables import Table
from .words import right_formula, what


@dataclass
class Cause:
    """One root-cause cell before grouping. `text`: the words, for kinds other than formula."""

    kind: str  # formula | pasted | error | text | structure | values
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
    buckets: dict[tuple, list[Cause]] = {}
    for cause in sorted(causes, key=lambda c: (c.key[1], c.key[2])):
        buckets.setdefault(_bucket(engine, cause), []).append(cause)
    findings = [_finding(engine, table, members) for members in buckets.values()]
    return sorted(_merge_columns(engine.book, table, findings), key=lambda f: (f.row, f.order))


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
