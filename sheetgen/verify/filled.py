"""The shape of a formula filled down a column, found without a regular expression per reference.

Two formulas of one column whose texts differ only in their digits have one shape when each row
number made relative moved by the rows between them and every other digit (numbers, absolute
rows) is the same: exactly `formula.shape_key`'s equality, at a `str.split`'s cost. So a text
without its digits keeps, for each such set of digits met (rows as offsets from the cell's own),
its shape: a column whose formulas all read one fixed row without `$` (`=D553*D505`, each row a
shape of its own) costs a split and a lookup a row too. The formula last met in a column is also
kept as a template (`=F%d-$B$3*Y%d` with its rows' offsets), so the next row of a table costs one
string formatting and one comparison.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


class Filled:
    """Shapes of formulas met, by column, text without digits and the digits made relative."""

    LIMIT = 4096  # shapes kept; forgotten all at once past it

    def __init__(self):
        self.seen: dict[tuple, tuple] = {}  # (column, *text) -> which digits move, {digits: ...}
        self.last: dict[int, tuple] = {}  # column -> template, offsets, lowest, shape
        self.kept = 0

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
        moves, shapes = seen
        template = shapes.get(_digits(parts, moves, row))
        if template is None:
            return None
        self.last[col] = template
        return template[3]

    def put(self, formula: str, row: int, col: int, moved: list[int], shape) -> None:
        """Remember `shape` for `formula` at (row, col); `moved`: where the rows that
        `shape_key` made relative start in the text."""
        if self.kept >= self.LIMIT:
            self.seen.clear()
            self.last.clear()
            self.kept = 0
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
        # One text without digits splits at the same places, so its references are the same.
        _, shapes = self.seen.setdefault((col, *parts[::2]), (moves, {}))
        shapes[_digits(parts, moves, row)] = template
        self.kept += 1
        self.last[col] = template


def _digits(parts: list[str], moves: list[bool], row: int) -> tuple:
    """The digits of a split formula, those that move as offsets from `row`, the others as
    written (`05` is not `5` there)."""
    return tuple(int(n) - row if move else n for n, move in zip(parts[1::2], moves))
