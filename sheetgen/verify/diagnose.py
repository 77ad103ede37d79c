"""Say in words why a cell is wrong: what its formula reads against what the maths needs.

A cell whose own formula is wrong (its value differs from its template evaluated on the sheet's
own upstream values) is explained by mapping the cells it reads, through any helper cells, to
quantity names via the table's header, and comparing them with `Quantity.refs()`:

    X7 (∂E/∂w1) reads N7 (w6); the chain rule needs O7 (w7)
"""

from __future__ import annotations

import math

from .. import network as net
from .tables import Table, reads

RULES = {0: "the update rule", 1: "the forward pass", 3: "the chain rule", 6: "the chain rule"}


def rule(name: str) -> str:
    q = net.BY_NAME[name]
    return "copying the row above" if q.is_input else RULES[q.block]


def number(x: float, other: float | None = None) -> str:
    """`x` with as few digits as tell it apart from `other`."""
    if not isinstance(x, float) or not math.isfinite(x):
        return repr(x)
    for digits in range(4, 18):
        text = f"{x:.{digits}g}"
        if other is None or not isinstance(other, float) or text != f"{other:.{digits}g}":
            return text
    return f"{x:.17g}"


def label(book, table: Table, key, row: int) -> str:
    """`N7 (w6)`, `W6 (∂E/∂w1 of row 6)`, `B3 (η)` or `B2 (outside the table)`."""
    addr = book.address(key, sheet=key[0] != table.sheet)
    if key == table.eta_key:
        return f"{addr} (η)"
    name = table.name_at(key)
    if name is None:
        return f"{addr} (outside the table)"
    text = net.BY_NAME[name].label
    return f"{addr} ({text})" if key[1] == row else f"{addr} ({text} of row {key[1]})"


def explain(engine, table: Table, key, name: str, got: float, want: float) -> str:
    """One sentence on why the cell `key` of quantity `name` holds `got` where `want` belongs."""
    book = engine.book
    s, r, _ = key
    here = label(book, table, key, r)
    if key not in book.formulas:
        return (
            f"{here} holds the number {number(got, want)}, not a formula; "
            f"it should be {number(want, got)}"
        )
    read: dict[tuple[str, int], tuple] = {}  # (name, row offset) -> the cell read
    for ref in reads(engine, table, key):
        if ref == table.eta_key:
            read[("eta", 0)] = ref
        elif (n := table.name_at(ref)) is not None:
            read.setdefault((n, ref[1] - r), ref)
        elif ref != key:  # a constant outside the table: a name no template uses
            read[(f"@{book.address(ref)}", 0)] = ref
    needed = net.BY_NAME[name].refs()
    extra = [k for k in read if k not in needed]
    missing = [k for k in needed if k not in read]
    the = rule(name)

    def cells(keys) -> str:
        return ", ".join(label(book, table, read[k], r) for k in keys)

    def wanted(keys) -> str:
        out = []
        for n, off in keys:
            if n == "eta":
                out.append(label(book, table, table.eta_key, r) if table.eta_key else "η")
            else:
                out.append(label(book, table, (s, r + off, table.columns[n]), r))
        return ", ".join(out)

    if extra and missing:
        if len(extra) == len(missing) == 1 and extra[0][0] == missing[0][0]:
            return f"{here} reads {cells(extra)} where {the} needs {wanted(missing)}"
        return f"{here} reads {cells(extra)}; {the} needs {wanted(missing)}"
    if missing:
        return f"{here} does not read {wanted(missing)}, which {the} needs"
    if extra:
        return f"{here} also reads {cells(extra)}, which {the} does not use"
    return (
        f"{here} reads the same cells as {the} but computes {number(got, want)} "
        f"where they give {number(want, got)}"
    )
