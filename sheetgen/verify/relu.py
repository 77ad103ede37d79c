"""What a ReLU table's values cannot show: a formula right only while each unit stays as it is.

ReLU is max(0, x) and its slope the step (x > 0). Wherever a unit stays on, `=h1` (no
activation) or `=ABS(h1)` holds MAX(0, h1)'s values and a gradient without the factor (a_h1 > 0)
holds the chain rule's; wherever a unit stays off, anything multiplied by its slope 0 is 0,
however wrong. The comparison with the reference cannot tell these apart. So each formula of a
ReLU table that reads only cells of the table's own quantities is evaluated once more with each
unit it depends on turned off (net input −1, activation 0) and on (both 1), beside its template
at the same point: one that differs is a mistake, named at its cells, though every value agrees.
One row of each formula shape is probed, and the verdict holds for every row of that shape.
"""

from __future__ import annotations

import re

import numpy as np

from .. import network as net
from .findings import Cause
from .tables import Table

STATES = (("off", -1.0, 0.0), ("on", 1.0, 1.0))  # (state, net input, activation)


def probed_mistakes(engine, table: Table) -> list[Cause]:
    """The cells of a ReLU table whose formula disagrees with its template once a unit it
    reads is turned off or on (see the module's docstring)."""
    network = table.network
    if network.activation != "relu" or table.partial or not table.rows:
        return []
    out = []
    for q in network.computed:
        if not q.is_updated and q.name in table.columns:
            out += _column(engine, table, q)
    return out


def _column(engine, table: Table, q: net.Quantity) -> list[Cause]:
    book, shapes = engine.book, {}
    for r in table.rows:  # the rows of each formula shape, the first one probed
        key = table.key(q.name, r)
        if key in book.formulas:  # compiled once per shape already: a lookup
            shapes.setdefault(id(engine.shape(key)), []).append(r)
    out = []
    for rows in shapes.values():
        words = _probe(engine, table, q, rows[0])
        if words:
            out += [Cause("structure", table.key(q.name, r), q.name, text=words) for r in rows]
    return out


def _probe(engine, table: Table, q: net.Quantity, r: int) -> str:
    """Why the formula of `q` in row `r` is wrong once a unit is turned off or on; "" if it
    is not (or reads other cells: its values judge it)."""
    key, names = table.key(q.name, r), _row_cells(table, r)
    reads = engine.refs(key)
    if not reads or any(ref not in names and ref != table.eta_key for ref in reads):
        return ""
    network = table.network
    for unit in _units(network, {names[ref] for ref in reads if ref in names}):
        for state, x, a in STATES:
            at = {network.example(unit, e): x for e in range(1, network.examples + 1)}
            at |= {network.example(network.output_of(unit), e): a
                   for e in range(1, network.examples + 1)}
            got = _evaluate(engine, _with_numbers(engine.book, table, r, key, at), key)
            want = _template(engine, table, q, r, at)
            if got is not None and np.isfinite(want) and abs(got - want) > 1e-12 + 1e-9 * abs(want):
                other = "on" if state == "off" else "off"
                return (f"is right only while {unit} is {other}: with {unit} {state} (net input "
                        f"{x:g}) it gives {got + 0.0:.6g} where {q.label} is {want + 0.0:.6g}")
    return ""


def _row_cells(table: Table, r: int) -> dict:
    """The cells of row `r` (and fixed cells) that hold the table's quantities: key -> name."""
    out = {table.key(n, r): n for n in table.columns}
    out |= {k: n for n, k in table.cells.items()}
    return out


def _units(network: net.Network, read: set[str]) -> list[str]:
    """The units whose net input or activation the formula reads."""
    return [u for layer in range(1, network.depth + 1) for u in network.units(layer)
            if any(network.example(u, e) in read or network.example(network.output_of(u), e)
                   in read for e in range(1, network.examples + 1))]


def _template(engine, table: Table, q: net.Quantity, r: int, at: dict) -> float:
    def value(name: str, offset: int):
        if name == "eta":
            return _float(engine.value(table.eta_key)) if table.eta_key else np.nan
        if offset == 0 and name in at:
            return at[name]
        return _float(engine.value(table.key(name, r + offset)))

    return float(net.evaluate(q.formula, value))


def _with_numbers(book, table: Table, r: int, key, at: dict) -> str:
    """The formula of `key` with each number of `at` in place of its quantity's cell in row
    `r` (J6, $J$6, Sheet!J6)."""
    text = book.formulas[key]
    for name, number in at.items():
        if name in table.columns:
            text = _substitute(text, book.address(table.key(name, r), sheet=False), number)
    return text


def _substitute(formula: str, cell: str, number: float) -> str:
    column, row = cell.rstrip("0123456789"), cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ref = re.compile(rf"(?<![\w$.'])(?:(?:'[^']+'|[A-Za-z_][\w.]*)!)?\$?{column}\$?{row}(?!\d)",
                     re.IGNORECASE)
    return ref.sub(f"({number!r})", formula)


def _evaluate(engine, text: str, key) -> float | None:
    try:
        return engine.evaluate_text(text, key)[0]
    except Exception:  # noqa: BLE001 - a text the probe cannot evaluate proves nothing
        return None


def _float(v) -> float:
    return v if type(v) is float else np.nan
