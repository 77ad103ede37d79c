"""A batch laid out down the sheet: one block of rows per step.

Some students write a step as a block of rows: one row per example (its inputs, net inputs,
activations and loss), the step's weights in the block's first row, the step's loss and
gradients (the sum or the mean of the examples') in a row under the examples, and the header
row repeated over every block. Such a table is read as one row per step whose columns are
*places*: (row in the block, column), numbered `k * STRIDE + c`. A table of one row per step is
the case `period == 1`, where a place is its column. Every module reads a table's cells through
`cell` (or `Table.key`), which turns a place back into a cell.

`merge` finds the blocks among the regions `tables` found: a header row repeated at a constant
period over at least MIN_BLOCKS blocks, or one header over rows whose first row's columns recur
at a constant period. The example rows are two or more rows of a block holding the same columns
(the step's weights in the first of them, or in a row of their own above); some row of the block
must hold columns the example rows lack (the weights, the step's gradients), so tables one under
another stay tables. Each place takes its column's label as a hint, with the example's number
in the example rows (`x_1` → `i1_3` in the third one), a step's quantity at its first row in
the block (a weight) or its last (a gradient, the step's loss).
"""

from __future__ import annotations

from bisect import bisect_right

from ..network import MAX_EXAMPLES

STRIDE = 1 << 14  # more columns than a sheet has
MIN_BLOCKS = 3  # a header repeated this many times at one period is a table of blocks
PROBE = 5  # blocks read to tell which places hold something
FILLED = 0.5  # a place holds something in this share of the blocks


def cell(s: int, row: int, place: int, offset: int = 0, period: int = 1) -> tuple[int, int, int]:
    """The cell of `place` in the step whose first row is `row` (`offset` steps later)."""
    k, c = divmod(place, STRIDE)
    return (s, row + offset * period + k, c)


def place_of(rows: list[int], period: int, r: int, c: int) -> int | None:
    """The place of the cell in row `r`, column `c` of a table whose steps start at `rows`."""
    if period == 1:
        return c
    i = bisect_right(rows, r) - 1
    return (r - rows[i]) * STRIDE + c if i >= 0 and r - rows[i] < period else None


def letter(place: int) -> str:
    """A place in words: `J`, or `J (row 2 of each block)`."""
    from openpyxl.utils import get_column_letter

    k, c = divmod(place, STRIDE)
    return get_column_letter(c) + (f" (row {k + 1} of each block)" if k else "")


def merge(book, regions: list) -> list:
    """The regions, those whose rows are blocks (under a header repeated at their period, or
    under one header) replaced by one table of blocks each."""
    from .tables import _labels

    heads = sorted({(r.sheet, r.header_row) for r in regions})
    texts = {h: _labels(book, *h) for h in heads}
    short = {(r.sheet, r.header_row) for r in regions if len(r.rows) <= MAX_EXAMPLES + 4}
    taken: set = set()
    out = []
    for h in heads:
        if h in taken:
            continue
        series = _series(h, heads, texts)
        if len(series) >= MIN_BLOCKS:
            region = _repeated(book, h[0], series)
        else:
            region = _under_one(book, *h) if h in short else None
        if region is not None:
            taken.update((h[0], r) for r in series)
            out.append(region)
    return sorted([r for r in regions if (r.sheet, r.header_row) not in taken] + out,
                  key=lambda r: (r.sheet, r.header_row, min(r.columns, default=0)))


def _series(head, heads, texts) -> list[int]:
    """The header rows from `head` on that repeat its labels at one period."""
    s, h = head
    later = [r for t, r in heads if t == s and r > h and texts[(t, r)] == texts[head]]
    if not later or later[0] - h < 3:
        return [h]
    period, series = later[0] - h, [h]
    while series[-1] + period in later:
        series.append(series[-1] + period)
    return series


def _repeated(book, s: int, headers: list[int]):
    """The blocks under header rows repeated at one period."""
    from .tables import _first_data_row

    first = _first_data_row(book, s, headers[0])
    if first is None:
        return None
    period = headers[1] - headers[0]
    return _blocks(book, s, headers[0], [h + first - headers[0] for h in headers], period,
                   period - (first - headers[0]))


def _under_one(book, s: int, header: int):
    """The blocks under one header: the columns of the first data row recur at one period,
    and the rows between hold others."""
    from .tables import _first_data_row

    first = _first_data_row(book, s, header)
    if first is None:
        return None
    filled = _filled(book, s, first)
    for period in range(3, MAX_EXAMPLES + 8):
        starts = [first]
        while _filled(book, s, starts[-1] + period) == filled:
            starts.append(starts[-1] + period)
        if len(starts) >= MIN_BLOCKS:
            return _blocks(book, s, header, starts, period, period)
    return None


def _filled(book, s: int, r: int) -> frozenset:
    from .tables import _has

    return frozenset(c for c in range(1, book.extent[s][1] + 1) if _has(book, (s, r, c)))


def _blocks(book, s: int, header: int, starts: list[int], period: int, most: int):
    """A region of one block per step, the blocks starting at `starts` (each `most` rows at
    most), or None when the blocks hold no batch (tables one under another)."""
    from .tables import Region, _has, _labels

    length = min(_length(book, s, r, most) for r in starts[:PROBE])
    width, probe = book.extent[s][1], starts[:PROBE]
    places = [(k, c) for k in range(length) for c in range(1, width + 1)
              if sum(_has(book, (s, r + k, c)) for r in probe) >= FILLED * len(probe)]
    examples = _examples([{c for j, c in places if j == k} for k in range(length)])
    if examples is None or length > MAX_EXAMPLES + 4:
        return None
    hints, labels = _hints(places, _labels(book, s, header), examples)
    columns = sorted(k * STRIDE + c for k, c in places)
    return Region(s, header, starts, columns, hints, labels, period=period,
                  examples=examples[1])


def _examples(rows: list[set]) -> tuple[int, int] | None:
    """(first row, count) of a block's example rows: two or more rows holding the same
    columns (with the row above when it holds those and the step's weights too), or None when
    no row of the block holds a column that the example rows lack."""
    k0 = next((k for k in range(len(rows) - 1) if rows[k] and rows[k] == rows[k + 1]), None)
    if k0 is None:
        return None
    end = k0
    while end + 1 < len(rows) and rows[end + 1] == rows[k0]:
        end += 1
    if k0 > 0 and rows[k0 - 1] > rows[k0]:
        k0 -= 1  # the first example's row holds the step's weights too
    others = set().union(*rows[:k0], *rows[end + 1:], rows[k0]) - rows[k0 + 1]
    count = end - k0 + 1
    return (k0, count) if others and 2 <= count <= MAX_EXAMPLES else None


def _length(book, s: int, start: int, most: int) -> int:
    from .tables import _has

    width, k = book.extent[s][1], 0
    while k < most and any(_has(book, (s, start + k, c)) for c in range(1, width + 1)):
        k += 1
    return k


def _hints(places, text: dict[int, str], examples: tuple[int, int]) -> tuple[dict, dict]:
    """Each place's hint (its column's label; a quantity of one example numbered by its row
    among the example rows) and label."""
    from .labels import PER_EXAMPLE, quantity

    first, count = examples
    rows: dict[int, list[int]] = {}
    for k, c in places:
        rows.setdefault(c, []).append(k)
    hints, labels = {}, {}
    for k, c in places:
        if c not in text:
            continue
        place, e = k * STRIDE + c, k - first + 1
        labels[place] = text[c] + (f" [{e}]" if 1 <= e <= count else "")
        name = quantity(text[c])
        if name is None:
            continue
        if PER_EXAMPLE.match(name):
            if 1 <= e <= count:
                hints[place] = f"{name}_{e}"
        elif k == (max if name[0] == "d" or name == "E_total" else min)(rows[c]):
            hints[place] = name
    return hints, labels
