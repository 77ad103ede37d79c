"""Choosing among candidates that hold the same values, by what the formulas read.

`originals`: of several columns holding a quantity's values, a column whose formula copies
another of them (`=N14`, a student's ∂z/∂w = a_h1 column) is not the quantity. `given_cells`:
a target (or input) typed once outside the table is named by the column whose template it
completes, and where several such cells hold the same number (XOR's targets 0, 1, 1, 0), by the
cell that column's formula reads.
"""

from __future__ import annotations


def given_cells(ev) -> bool:
    """A column equal to a quantity's template when its one unsettled given (a target typed
    once above the table) is a cell the table's first row reads: names both."""
    changed = False
    for q in ev.network.computed:
        unknown = [n for n, _ in q.refs() if n not in ev.where and n != "eta"]
        if q.name in ev.where or q.is_updated or len(unknown) != 1 \
                or not ev.network.by_name[unknown[0]].is_input:
            continue
        hits = [(cell, c) for cell in ev.outside_cells()
                if cell not in ev.where.values()
                and (p := ev.predict(q.name, {unknown[0]: cell})) is not None
                for c in ev.free_columns() if ev.matches(p, ev.column(c))]
        if len(hits) > 1:  # equal targets: the cell the column reads; a copy: the original
            hits = [(cell, c) for cell, c in hits if cell in ev.engine.refs(ev.key(ev.rows[0], c))]
            hits = [(cell, c) for cell, c in hits if c in originals(ev, [c for _, c in hits])]
        if len(hits) == 1:
            ev.where[unknown[0]], ev.where[q.name] = hits[0]
            changed = True
    return changed


def originals(ev, found: list[int]) -> list[int]:
    """The columns among `found` (all holding the same values) whose first cell does not read
    the first cell of another of them."""
    cells = {ev.key(ev.rows[0], c): c for c in found}
    return [c for key, c in cells.items()
            if not any(ref in cells and ref != key for ref in ev.engine.refs(key))]
