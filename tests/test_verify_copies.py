"""A shared formula's copies (`copies.Copies`, a template per column offset) read as
`formula.translate` moves the master's text, reference by reference: rows and columns that move
or stay, percent signs, text and sheet names that hold cell-like words, and copies pushed off
the grid (#REF!)."""

import itertools

from sheetgen.verify.copies import Copies
from sheetgen.verify.formula import MAX_ROWS, translate

MASTERS = [
    "N10-$B$3*AC10", "A1*10%+B$2%", '"A1 "&A1&\'Sheet 2\'!B3', "SUM($A1:XFD1)", "A$1048576+B2",
    "XFD5-A5", "$A$1", "LOG10(A1)", "1+2",
]
MOVES = [0, 1, -1, 5, -9, 1000, MAX_ROWS - 2, -MAX_ROWS]


def test_copies_are_translated_masters():
    for master in MASTERS:
        copies = Copies(master)
        for rows, cols in itertools.product(MOVES, [0, 1, -1, 3, 16383]):
            assert copies.moved(rows, cols) == translate(master, rows, cols), (master, rows, cols)
