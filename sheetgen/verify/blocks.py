"""The Backprop sheet's chain-rule blocks, judged like a table.

A workbook that has them (ours, and the exercise made from it) holds each block's title, then
one line per step: its label (column A), its maths (B) and a formula for its value at the first
iteration (C). Each value cell must equal the line's template evaluated on the reference's first
row, started from the first table's own first row (the η sheet the block title names). An empty
value cell is still to write (the exercise leaves them so); a number that differs, an error or
text is wrong; a right number typed in, not computed, is a pasted number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from openpyxl.utils import get_column_letter

from .. import network as net
from .check import TableResult, reference_table
from .findings import Finding
from .values import XLError
from .words import number

VALUE_OFFSET = 2  # the value cell is two columns right of the label (A -> C)


@dataclass
class BlockFinding(Finding):
    """A finding over block lines: each line has its own formula to write."""

    by_row: dict[int, str] = field(default_factory=dict, repr=False)

    def fix_at(self, row: int, col: int) -> str:
        return self.by_row.get(row, "")

    def to_dict(self) -> dict:
        out = super().to_dict()
        out.pop("by_row", None)
        return out


@dataclass(frozen=True)
class Line:
    block: int  # 1..6
    label: str
    template: str
    key: tuple[int, int, int]  # the value cell


def find(book, network: net.Network) -> list[Line]:
    """The block lines of the first sheet that holds every block title in one column."""
    titles = {title: k for k, (title, _) in enumerate(network.blocks, start=1)}
    for s in range(len(book.sheets)):
        found = {titles[v]: key for key, v in book.constants.items()
                 if key[0] == s and isinstance(v, str) and v in titles}
        if len(found) != len(titles) or len({key[2] for key in found.values()}) != 1:
            continue
        lines = []
        for k, (_, steps) in enumerate(network.blocks, start=1):
            _, row, col = found[k]
            for n, (label, template) in enumerate(steps, start=1):
                if book.constants.get((s, row + n, col)) != label:
                    return []  # the titles without their lines: not our blocks
                lines.append(Line(k, label, template, (s, row + n, col + VALUE_OFFSET)))
        return lines
    return []


def check_blocks(engine, table, lines: list[Line], rtol: float, atol: float) -> TableResult | None:
    """The block lines as one result: its causes are the wrong and the empty value cells."""
    book = engine.book
    first = _first_row(engine, table) if lines else None
    if first is None:
        return None
    top = lines[0].key
    corner = (top[0], top[1] - 1, top[2] - VALUE_OFFSET)  # the first block's title
    result = TableResult(book.sheets[top[0]], book.address(corner, sheet=False), "pass",
                         len(lines))
    result.cells = len(lines)
    bad: dict[tuple[int, str], list[tuple[Line, str]]] = {}
    for line in lines:
        want = float(net.evaluate(line.template, lambda n, o: first[n]))
        v = _number(engine.value(line.key))
        if v is None or v == "":
            bad.setdefault((0, "empty"), []).append((line, ""))  # one finding for all blocks
        elif type(v) is float and abs(v - want) <= atol + rtol * abs(want):
            if line.key not in book.formulas:
                bad.setdefault((line.block, "pasted"), []).append((line, ""))
        else:
            shown = v.code if isinstance(v, XLError) else number(v, want) if type(v) is float \
                else repr(v)
            bad.setdefault((line.block, "wrong"), []).append(
                (line, (f"{book.address(line.key, sheet=False)} gives {shown} where the first "
                       f"iteration's value is {number(want, v if type(v) is float else None)}")))
    result.causes = [_finding(book, table, block, kind, members)
                     for (block, kind), members in bad.items()]
    result.status = "pass" if not result.causes else "fail"
    return result


def _number(v):
    """A line's value as arithmetic reads it: TRUE and FALSE are 1 and 0 (ReLU's slope
    `=(a_o1>0)` shows TRUE where ∂a/∂o is 1, and multiplies as 1)."""
    return float(v) if type(v) is bool else v


WORDS = {
    "empty": "are still empty: write each line's formula for its first-iteration value",
    "pasted": "hold typed numbers, not formulas that compute them",
}


def _finding(book, table, block: int, kind: str, members: list) -> BlockFinding:
    keys = [line.key for line, _ in members]
    cells = _runs(keys)
    labels = [line.label for line, _ in members]
    which = f"block {block}" if block else (
        f"blocks {_listed(sorted({line.block for line, _ in members}))}")
    quantity = f"{which}: " + (", ".join(labels) if len(labels) <= 3
                               else f"{labels[0]} … {labels[-1]}; {len(labels)} lines")
    words = WORDS.get(kind) or f"differ from the first iteration ({members[0][1]})"
    fixes = {line.key[1]: _right(book, table, line.template) for line, _ in members}
    first = keys[0]
    return BlockFinding(
        "empty" if kind == "empty" else "block", book.address(first),
        f"{book.address(first).rsplit('!', 1)[0]}!{cells} ({quantity}) {words}",
        cells, len(keys), quantity, words, book.formulas.get(first, ""), fixes[first[1]],
        first[1], block, keys, {first[2]: (first[1], fixes[first[1]])}, by_row=fixes)


def _listed(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:-1])) + " and " + str(numbers[-1]) if len(numbers) > 1 \
        else str(numbers[0])


def _runs(keys) -> str:
    """`C21:C31, C34:C37` for the value cells of neighbouring lines."""
    column, runs = get_column_letter(keys[0][2]), []
    for _, r, _ in keys:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    return ", ".join(f"{column}{a}" + (f":{column}{b}" if b > a else "") for a, b in runs)


def _right(book, table, template: str) -> str:
    """The line's template written in the first table's first row: `='η=0.1'!J6*(1-'η=0.1'!J6)`."""
    from .book import quote_sheet

    sheet, row = quote_sheet(book.sheets[table.sheet]), table.rows[0]
    return "=" + net.render(template, lambda n, o: f"{sheet}!{get_column_letter(table.columns[n])}"
                                                   f"{row}")


def _first_row(engine, table) -> dict[str, float] | None:
    """Every quantity of the reference's first row, started from the table's first row."""
    network = table.network
    if not table.rows or any(n not in table.columns and n not in table.cells
                             for n in network.names):
        return None
    start = {}
    for q in network.columns:
        if q.block == 0:
            v = engine.value(table.key(q.name, table.rows[0]))
            if type(v) is not float:
                return None
            start[q.name] = np.array([v])
    ref = reference_table(start, network, 1.0, 1)
    return None if ref is None else {name: float(np.asarray(v)[0][0]) for name, v in ref.items()}
