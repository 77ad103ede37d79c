"""A batch laid out down the sheet: one block of rows per step.

Some students write a step as a block of rows: one row per example (its inputs, net inputs,
activations and loss), the step's weights in the block's first row, the step's loss and
gradients (the sum or the mean of the examples') in a row under the examples, and the header
row repeated over every block. Such a table is read as one row per step whose columns are
*places*: (row in the block, column), numbered `k * STRIDE + c`. A table of one row per step is
the case `period == 1`, where a place is its column. Every module reads a table's cells through
`cell` (or `Table.key`), which turns a place back into a cell.

`merge` finds the blocks among the regions `tables` found: a header row repeated at a constant
period over at least MIN_BLOCKS blocks. Each place takes its column's label as a hint, with the
example's number in the block's example rows (`x_1` → `i1_3` in the third one), a step's
quantity at its first row in the block (a weight) or its last (a gradient, the step's loss).
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
    """The regions, those under header rows repeated at a constant period replaced by one
    table of blocks each."""
    from .tables import _labels

    heads = sorted({(r.sheet, r.header_row) for r in regions})
    texts = {h: _labels(book, *h) for h in heads}
    taken: set = set()
    out = []
    for h in heads:
        if h in taken:
            continue
        series = _series(h, heads, texts)
        region = _blocks(book, h[0], series) if len(series) >= MIN_BLOCKS else None
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


def _blocks(book, s: int, headers: list[int]):
    """A region of one block per step under the header rows `headers`, or None."""
    from .tables import Region, _first_data_row, _has, _labels

    period = headers[1] - headers[0]
    first = _first_data_row(book, s, headers[0])
    if first is None:
        return None
    starts = [h + first - headers[0] for h in headers]
    length = min(_length(book, s, r, headers[0] + period - first) for r in starts[:PROBE])
    width = book.extent[s][1]
    probe = starts[:PROBE]
    places = [(k, c) for k in range(length) for c in range(1, width + 1)
              if sum(_has(book, (s, r + k, c)) for r in probe) >= FILLED * len(probe)]
    row = [{c for j, c in places if j == k} for k in range(length)]
    # The example rows: the first, then those holding the columns the second holds.
    examples = next((k for k in range(1, length) if row[k] != row[1]), length)
    if not 2 <= examples <= MAX_EXAMPLES or length > MAX_EXAMPLES + 4 or not row[1] < row[0]:
        return None  # not a batch, or every row holds the step's weights: tables one under another
    text = _labels(book, s, headers[0])
    hints, labels = _hints(places, text, examples)
    columns = sorted(k * STRIDE + c for k, c in places)
    return Region(s, headers[0], starts, columns, hints, labels, period=period, examples=examples)


def _length(book, s: int, start: int, most: int) -> int:
    from .tables import _has

    width, k = book.extent[s][1], 0
    while k < most and any(_has(book, (s, start + k, c)) for c in range(1, width + 1)):
        k += 1
    return k


def _hints(places, text: dict[int, str], examples: int) -> tuple[dict, dict]:
    """Each place's hint (its column's label; a quantity of one example numbered by its row in
    the block) and label."""
    from .labels import PER_EXAMPLE, quantity

    rows: dict[int, list[int]] = {}
    for k, c in places:
        rows.setdefault(c, []).append(k)
    hints, labels = {}, {}
    for k, c in places:
        if c not in text:
            continue
        place = k * STRIDE + c
        labels[place] = text[c] + (f" [{k + 1}]" if examples > 1 and k < examples else "")
        name = quantity(text[c])
        if name is None:
            continue
        if PER_EXAMPLE.match(name):
            if k < examples:
                hints[place] = f"{name}_{k + 1}" if examples > 1 else name
        elif k == (max if name[0] == "d" or name == "E_total" else min)(rows[c]):
            hints[place] = name
    return hints, labels
