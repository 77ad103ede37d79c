"""Rows of formulas with the shape of the update rule, `w − η·∂E/∂w` copied down a column: a
cell that reads its own column one row up and another cell of that row. `tables.find_regions`
finds a table under any header by them; `identify` tells the weight columns by them."""

from __future__ import annotations

from collections import Counter

from .book import Book

MIN_UPDATES = 4  # a row with this many update-shaped formulas starts a table, under any header


def update_rows(book: Book, engine) -> list[tuple[int, int]]:
    """The first row of every block of rows holding MIN_UPDATES or more update-shaped formulas."""
    count: Counter = Counter()
    by_shape: dict[int, object] = {}  # id of a shape (all kept by the engine) -> _shape_is_update
    for key in book.formulas:
        shape = engine.shape(key)
        if (known := by_shape.get(id(shape), by_shape)) is by_shape:
            known = by_shape[id(shape)] = _shape_is_update(shape)
        if known is True or (known is None or key[1] in known) and is_update(engine, key):
            count[key[:2]] += 1
    rows = sorted(k for k, n in count.items() if n >= MIN_UPDATES)
    return [(s, r) for s, r in rows if (s, r - 1) not in count or count[(s, r - 1)] < MIN_UPDATES]


def is_update(engine, key) -> bool:
    """Whether the formula at `key` reads its own column one row up and another cell of that
    row: the shape of `w − η·∂E/∂w` copied down a column."""
    s, r, c = key
    refs = engine.refs(key)
    return (s, r - 1, c) in refs and any(x[0] == s and x[1] == r - 1 and x[2] != c for x in refs)


def _shape_is_update(shape) -> bool | frozenset[int] | None:
    """`is_update` for every cell of one shape, as far as its references alone decide it:
    True when it reads only single cells, and those relative to the cell on its own sheet
    already hold its column and another one row up; else the rows where a cell of this shape
    may read a cell one row up, to be checked cell by cell (a frozenset, empty when none may);
    None when cells of every row must be (a range, read as far as the sheet's extent)."""
    if shape.cells is None:  # a range: the cells read depend on the sheet's extent
        return None
    near = [(x.r1, x.c1) for x in shape.refs if x.sheet is None and not x.rabs1 and not x.cabs1]
    if (-1, 0) in near and any(r == -1 and c != 0 for r, c in near):
        return True
    if len(near) == len(shape.refs):
        return frozenset()
    if any(not x.rabs1 and x.r1 == -1 for x in shape.refs):
        return None
    # Every other reference reads a fixed row (`$D$3`): one row up only from the row below it.
    return frozenset(x.r1 + 1 for x in shape.refs if x.rabs1)
