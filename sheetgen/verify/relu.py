"""What a ReLU table's values cannot show: an activation that is not ReLU below zero.

ReLU is max(0, x): wherever a net input stays positive its activation equals it, so a column
`=J6` (no activation at all, a linear unit) or `=ABS(J6)` holds the values of `=MAX(0,J6)`, and
the comparison with the reference cannot tell them apart. The formula can: each activation cell
that reads its net input's cell alone is evaluated once more with −1 in place of that cell, and
one that does not give 0 there is a mistake, named at its cells, though every value agrees.
"""

from __future__ import annotations

import re

from .findings import Cause
from .tables import Table


def bare_activations(engine, table: Table) -> list[Cause]:
    """The activation cells of a ReLU table whose formula is the net input's cell alone."""
    network = table.network
    if network.activation != "relu" or table.partial:
        return []
    out = []
    for layer in range(1, network.depth + 1):
        for unit in network.units(layer):
            for e in range(1, network.examples + 1):
                a, x = network.example(network.output_of(unit), e), network.example(unit, e)
                if a in table.columns and x in table.columns:
                    out += _bare(engine, table, a, x)
    return out


PROBE = -1.0  # a net input where ReLU gives 0


def _bare(engine, table: Table, a: str, x: str) -> list[Cause]:
    book, out, tried = engine.book, [], {}
    for r in table.rows:
        key, net_key = table.key(a, r), table.key(x, r)
        text = book.formulas.get(key)
        if text is None or engine.refs(key) != [net_key]:
            continue  # reads its net input through another cell, or reads more: values judge it
        probe = _with_number(text, book.address(net_key, sheet=False), PROBE)
        if probe not in tried:  # one text for a whole column filled down
            tried[probe] = _evaluate(engine, probe, key)
        got = tried[probe]
        if got is not None and got != 0:
            out.append(Cause("structure", key, a, text=(
                f"is not ReLU below zero: it gives {got:g} where {x} = {PROBE:g} (ReLU, "
                f"MAX(0,{x}), gives 0); it agrees with ReLU only because {x} stays positive")))
    return out


def _with_number(formula: str, cell: str, number: float) -> str:
    """The formula with `number` in place of each reference to `cell` (J6, $J$6, Sheet!J6)."""
    column, row = cell.rstrip("0123456789"), cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ref = re.compile(rf"(?<![\w$.'])(?:(?:'[^']+'|[A-Za-z_][\w.]*)!)?\$?{column}\$?{row}(?!\d)",
                     re.IGNORECASE)
    return ref.sub(f"({number!r})", formula)


def _evaluate(engine, text: str, key) -> float | None:
    try:
        return engine.evaluate_text(text, key)[0]
    except Exception:  # noqa: BLE001 - a text the probe cannot evaluate proves nothing
        return None
