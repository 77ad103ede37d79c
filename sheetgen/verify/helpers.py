"""A mistake made in a student's helper column is named there, not at the cells that read it.

Students often compute a piece of the chain rule once, in a column of their own (`∂E/∂h2`,
`delta_o1`), and let the gradients read it. When that piece is wrong, every gradient reading
it is wrong too, yet none of their formulas is. A gradient's formula is linear in the helper it
reads, so the value the helper should hold for the gradient to come out right can be solved
for; when two or more cells read the helper, all of them are wrong, and all ask for the same
value, the helper is the root cause: it is reported at its own cells, with the piece of the chain rule it should compute
when one of them gives that value.
"""

from __future__ import annotations

import math

import numpy as np

from .. import network as net
from .findings import Cause
from .formula import shape_key
from .words import _A1, number, token_cell

PIECES = {  # pieces of the chain rule a helper column may hold
    "δo1 = ∂E/∂o1": net.DELTA_O1, "δo2 = ∂E/∂o2": net.DELTA_O2,
    "∂E/∂a_h1": net.DE_DAH1, "∂E/∂a_h2": net.DE_DAH2,
    "δh1 = ∂E/∂h1": net.DELTA_H1, "δh2 = ∂E/∂h2": net.DELTA_H2,
}


def blame_helpers(engine, table, values: dict, causes: dict) -> None:
    """Move the root causes of gradients that are wrong only through a helper cell they read
    onto that helper's cells (in `causes`, in place)."""
    book = engine.book
    by_helper: dict[int, list] = {}
    for cause in causes.values():
        if cause.kind != "formula" or not math.isfinite(cause.want):
            continue
        for ref in dict.fromkeys(engine.refs(cause.key)):
            if _is_helper(table, ref, cause.key, book):
                by_helper.setdefault(ref[2], []).append((cause, ref))
    for reading in by_helper.values():
        row = min(cause.key[1] for cause, _ in reading)
        first = [(c, ref) for c, ref in reading if c.key[1] == row]
        readers = [k for k in (table.key(n, row) for n in table.present) if first[0][1] in
                   engine.refs(k)]
        if len(readers) < 2 or any(k not in causes for k in readers):
            continue  # a reader it serves well, or only one: the reader's own mistake
        wanted = [_wanted(engine, c, ref) for c, ref in first]
        if None in wanted or not np.allclose(wanted, wanted[0], rtol=1e-9, atol=1e-12):
            continue  # not one value that would set them all right: their own mistakes
        helper = first[0][1]
        got = engine.value(helper)
        if not isinstance(got, float) or np.isclose(got, wanted[0], rtol=1e-9, atol=1e-12):
            continue
        shapes = {(c.key[2], shape_key(book.formulas[c.key], c.key[1], c.key[2]))
                  for c, _ in first}
        text = _words(table, values, row, got, wanted[0], sorted({c.name for c, _ in first}))
        for cause, ref in reading:
            k = cause.key
            if (k[2], shape_key(book.formulas[k], k[1], k[2])) in shapes and (
                    ref[1] - k[1] == helper[1] - first[0][0].key[1]):
                del causes[k]
                causes.setdefault(ref, Cause("helper", ref, None, text=text))


def _is_helper(table, ref, key, book) -> bool:
    return (ref[0] == table.sheet and ref[2] in table.helpers and ref in book.formulas
            and table.name_at(ref) is None and ref != table.eta_key and ref != key)


def _wanted(engine, cause, helper) -> float | None:
    """The value of `helper` that makes the formula of `cause` give its right value."""
    formula = engine.book.formulas[cause.key]

    def at(x: float) -> float | None:
        text = _A1.sub(lambda m: f"({x!r})" if token_cell(engine, cause.key, m.group(0)) == helper
                       else m.group(0), formula)
        return engine.evaluate_text(text, cause.key)[0]

    h = engine.value(helper)
    v0, v1 = at(h), at(h + 1.0)
    if v0 is None or v1 is None or v1 == v0:
        return None
    x = h + (cause.want - v0) / (v1 - v0)
    v = at(x)
    return x if v is not None and abs(v - cause.want) <= 1e-12 + 1e-9 * abs(cause.want) else None


def _words(table, values: dict, row: int, got: float, want: float, names: list[str]) -> str:
    k = table.rows.index(row)
    readers = ", ".join(net.label_of(table.shown.get(n, n)) for n in names)
    classic = table.network.layers == (2, 2, 2) and table.network.loss == "half_sse"
    piece = next((label for label, template in PIECES.items() if classic
                  and _close(net.evaluate(template, lambda n, off: values[n][k]), want)), None)
    should = f"; it should be {piece}" if piece else ""
    return (f"is {number(got, want)} in row {row} where {readers}, which read it, need "
            f"{number(want, got)}{should}")


def _close(a, b) -> bool:
    return isinstance(a, float) and abs(a - b) <= 1e-12 + 1e-9 * abs(b)
