"""How the verifier names cells, quantities and formulas for people.

A cell of a table is named by its quantity and column (`a_h1 (column J)`, `w3 3 rows up
(column G)`, `η (B3)`), the same words on every row, so a mistake copied down a column reads the
same in each of its cells; the right formula is the quantity's template written in the table's
own cells (`right_formula`), and a part of a formula can be read with its cells named (`maths`).
"""

from __future__ import annotations

import math
import re

from openpyxl.utils import get_column_letter

from .. import network as net
from .tables import Table

_A1 = re.compile(r"('(?:[^']|'')*'!|[A-Za-z_][\w.]*!)?(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(])")


def rule(name: str) -> str:
    """The rule a quantity follows, in words, whatever the network: given inputs copy the row
    above, weights and trained biases the update rule, gradients the chain rule."""
    if name[0] in "ti" or name[0] == "b" and name[1:].isdigit():
        return "copying the row above" if name[0] in "ti" else "the update rule"
    if name[0] == "w" and name[1:].isdigit():
        return "the update rule"
    return "the chain rule" if name[:2] in ("dw", "db") else "the forward pass"


def number(x: float, other: float | None = None) -> str:
    """`x` with as few digits as tell it apart from `other`."""
    if not isinstance(x, float) or not math.isfinite(x):
        return repr(x)
    for digits in range(4, 18):
        text = f"{x:.{digits}g}"
        if other is None or not isinstance(other, float) or text != f"{other:.{digits}g}":
            return text
    return f"{x:.17g}"


def what(table: Table, key) -> str:
    """What a cell holds, as a student labels it: `a_h1`, `η` or `outside the table`."""
    if key == table.eta_key:
        return "η"
    name = table.name_at(key)
    if name:
        return net.label_of(table.shown.get(name, name))
    s, r, c = key
    inside = s == table.sheet and table.rows and table.rows[0] <= r <= table.rows[-1]
    return f"{table.helpers[c]!r}" if inside and c in table.helpers else "outside the table"


def describe(book, table: Table, key, row: int) -> str:
    """A cell as the same words on every row: `a_h1 (column J)`, `η (G31)`, `w3 3 rows up
    (column G)`, `B2 (outside the table)`."""
    addr = book.address(key, sheet=key[0] != table.sheet)
    name = table.name_at(key)
    if name is None and key != table.eta_key:
        return f"{addr} (outside the table)"
    if key == table.eta_key or name in table.cells:
        return f"{what(table, key)} ({addr})"
    column = get_column_letter(key[2])
    offset = key[1] - row
    if offset == 0:
        return f"{what(table, key)} (column {column})"
    if offset == -1:
        return f"{what(table, key)} one row up (column {column})"
    where = f"{-offset} rows up" if offset < 0 else f"{offset} rows down"
    return f"{what(table, key)} {where} (column {column})"


def right_formula(book, table: Table, name: str, row: int) -> str:
    """The quantity's template written in the table's own cells for `row`: `=J33*C33+...`."""
    q = table.network.by_name[name]
    row = table.step_row(row)
    if row == table.rows[0] and q.block == 0:
        return ""  # the first row's inputs and weights are where the table starts

    def cell(n: str, offset: int) -> str:
        if n == "eta":
            return absolute(book, table, table.eta_key) if table.eta_key else "η"
        if n in table.cells:
            return absolute(book, table, table.cells[n])
        _, r, c = table.key(n, row, offset)
        return f"{get_column_letter(c)}{r}"

    return "=" + net.render(q.formula, cell)


def absolute(book, table: Table, key) -> str:
    s, r, c = key
    text = f"${get_column_letter(c)}${r}"
    return text if s == table.sheet else f"{book.address((s, r, c)).rpartition('!')[0]}!{text}"


def token_cell(engine, key, text: str):
    try:
        target = engine.compiler.resolve(text, key[1], key[2])
    except Exception:  # noqa: BLE001 - a name or text that is no cell
        return None
    if isinstance(target, tuple) or not target.is_cell:
        return None
    return target.at(*key)[:3]


def maths(engine, table: Table, key, text: str) -> str:
    """A part of a formula with its cells named, in parentheses: `R32*A32` -> `(a_o1·t1)`."""

    def name(m) -> str:
        cell = token_cell(engine, key, m.group(0))
        n = table.name_at(cell) if cell else None
        return "η" if cell == table.eta_key else (what(table, cell) if n else m.group(0))

    text = _A1.sub(name, text.replace(" ", "")).replace("*", "·").replace("-", "−")
    return text if text.startswith("(") and syntax_group(text) else f"({text})"


def syntax_group(text: str) -> bool:
    """Whether `text` is one parenthesised group, `(a−t)`, not `(a)·(b)`."""
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and k < len(text) - 1:
            return False
    return depth == 0
