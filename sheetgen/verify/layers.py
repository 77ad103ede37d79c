"""Name a table's weights, inputs and net inputs from the shape of the network alone.

When a header names too little (labels in another language, or none), `identify` has no column
to start from. The network itself gives one: the eight weight columns are those whose formulas
update themselves from the row above (`w − η·g`), the inputs are the columns that hold the same
number in every row (or cells outside the table that the formulas read), a hidden net input is
a column equal to `wa·ia + wb·ib` for two weights and the two inputs, and an output net input
one equal to `wa·a_h1 + wb·a_h2`. Which net is h1 and which input i1 is a naming convention the
values cannot tell: the leftmost column takes the first name.
"""

from __future__ import annotations

import itertools

import numpy as np

from .updates import is_update

MAX_TRIALS = 20_000  # (source pair, weight pair) choices tried for one layer: a few thousand
MAX_SOURCES = 16  # candidates for the sources or weights of a layer: pairs × pairs × columns tried

LAYERS = (  # nets, their weights (paired with the first and second source), the sources
    (("h1", "h2"), (("w1", "w2"), ("w3", "w4")), ("i1", "i2")),
    (("o1", "o2"), (("w5", "w6"), ("w7", "w8")), ("a_h1", "a_h2")),
)


def settle(ev) -> bool:
    """Settle the first layer that can be settled from structure; whether one was. (Only for
    the course's network without biases: with them a net input is w·x + w·x + b.)"""
    classic = ev.network.layers == (2, 2, 2) and ev.network.loss == "half_sse"
    return classic and not ev.network.biases and any(_layer(ev, *layer) for layer in LAYERS)


def _layer(ev, nets, weights, sources) -> bool:
    if any(n in ev.where for n in nets) or len(ev.rows) < 2:
        return False
    known = all(s in ev.where for s in sources)
    pool_w = [c for c in ev.free_columns() if is_update(ev.engine, ev.key(ev.rows[1], c))]
    if known:
        return _settle(ev, nets, weights, sources, pool_w, [ev.where[s] for s in sources], True)
    # Inputs in columns first; cells outside the table only if no column holds them (a first
    # row that reads input cells above the table makes both look the same).
    columns = _givens(ev, pool_w, cells=False)
    return (_settle(ev, nets, weights, sources, pool_w, columns, False)
            or _settle(ev, nets, weights, sources, pool_w, columns + ev.outside_cells(), False))


def _settle(ev, nets, weights, sources, pool_w, pool_s, known: bool) -> bool:
    """Name one layer from the weight columns `pool_w` and the candidate sources `pool_s`."""
    from .evidence import matches

    if len(pool_s) > MAX_SOURCES or len(pool_w) > MAX_SOURCES:
        return False  # too many candidates to try every pair: leave it to labels
    values = {w: ev.at(w) for w in pool_w + pool_s}
    pairs = [tuple(pool_s)] if known else sorted(itertools.combinations(pool_s, 2), key=_order)
    xs = [x for x in ev.free_columns()
          if x not in values and ev.key(ev.rows[0], x) in ev.book.formulas]
    if not xs or not 0 < len(pairs) * len(pool_w) ** 2 <= MAX_TRIALS:
        return False  # nothing to name, or so many cells to choose from that none would be sure
    trials = [(src, w) for src in pairs for w in itertools.permutations(pool_w, 2)]
    if not trials:
        return False  # fewer than two weight columns
    # Every trial w·x + w·x against every candidate column at once: one array, not a loop.
    predicted = np.array([values[wa] * values[sa] + values[wb] * values[sb]
                          for (sa, sb), (wa, wb) in trials])
    actual = np.array([ev.column(x) for x in xs])
    hit = matches(predicted[:, None, :], actual[None, :, :], len(ev.rows))
    found = [(xs[j], *trials[i]) for i, j in zip(*np.nonzero(hit))]
    by_sources: dict[tuple, list] = {}
    for x, src, w in found:
        by_sources.setdefault(src, []).append((x, w))
    layer = [(src, hits) for src, hits in by_sources.items() if len({x for x, _ in hits}) == 2]
    if len(layer) != 1:
        return False  # none, or ambiguous: leave it to labels
    (src, hits), = layer
    first, second = sorted({x for x, _ in hits})
    for net, x, names in ((nets[0], first, weights[0]), (nets[1], second, weights[1])):
        (pair,) = {w for y, w in hits if y == x} or {None}
        if pair is None:
            return False
        ev.where[net] = x
        ev.where.update(zip(names, pair))
    if not known:
        ev.where.update(zip(sources, src))
    return True


def _givens(ev, weights: list[int], cells: bool = True) -> list:
    """Columns holding the same number in every probe row (and, with `cells`, cells outside
    the table the formulas read): where the inputs and targets can be."""
    out: list = []
    for c in ev.free_columns():
        v = ev.column(c)
        if c not in weights and np.isfinite(v).all() and np.all(v == v[0]):
            out.append(c)
    return out + (ev.outside_cells() if cells else [])


def _order(pair: tuple) -> tuple:
    return tuple((1, *w) if isinstance(w, tuple) else (0, w) for w in pair)
