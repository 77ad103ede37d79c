"""The shape of a formula filled down a column, found without a regular expression per reference.

Two formulas of one column whose texts differ only in their digits have one shape when each row
number made relative moved by the rows between them and every other digit (numbers, absolute
rows) is the same: exactly `formula.shape_key`'s equality, at a `str.split`'s cost. The formula
last met in a column is also kept as a template (`=F%d-$B$3*Y%d` with its rows' offsets), so the
next row of a table costs one string formatting and one comparison.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


class Filled:
    """Shapes of formulas met, by column and text without digits."""

    LIMIT = 4096  # (column, text without digits) kept; forgotten all at once past it

    def __init__(self):
        self.seen: dict[tuple, tuple] = {}
        self.last: dict[int, tuple] = {}  # column -> template, offsets, lowest, shape

    def get(self, formula: str, row: int, col: int):
        """The shape remembered for a formula like this one in this column, or None."""
        last = self.last.get(col)
        if last is not None:
            fmt, offsets, lowest, shape = last
            # Rows rendered as digits alone (never "-3"): the text splits as the template's did.
            if row + lowest >= 0 and formula == fmt % tuple(map(row.__add__, offsets)):
                return shape
        parts = _DIGITS.split(formula)
        seen = self.seen.get((col, *parts[::2]))
        if seen is None:
            return None
        r0, digits, moves, shape, template = seen
        for n, n0, move in zip(parts[1::2], digits, moves):
            if (int(n) - row != int(n0) - r0) if move else n != n0:
                return None
        self.last[col] = template
        return shape

    def put(self, formula: str, row: int, col: int, moved: list[int], shape) -> None:
        """Remember `shape` for `formula` at (row, col); `moved`: where the rows that
        `shape_key` made relative start in the text."""
        if len(self.seen) >= self.LIMIT:
            self.seen.clear()
            self.last.clear()
        parts = _DIGITS.split(formula)
        starts, at, moves, fmt, offsets = set(moved), 0, [], [], []
        for k, part in enumerate(parts):
            if k % 2 and at in starts:
                fmt.append("%d")
                offsets.append(int(part) - row)
            else:
                fmt.append(part.replace("%", "%%"))
            if k % 2:
                moves.append(at in starts)
            at += len(part)
        template = ("".join(fmt), tuple(offsets), min(offsets, default=0), shape)
        self.seen[(col, *parts[::2])] = (row, parts[1::2], moves, shape, template)
        self.last[col] = template
