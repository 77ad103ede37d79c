"""The shape of a formula met down a column (`filled.Filled`, a template per column and a
split at digits) is always the shape `shape_key` names: texts that differ only in digits
that look like rows, fixed rows written without `$`, percent signs, leading zeros, rows that
would render negative."""

from sheetgen.verify.formula import Compiler, shape_key

# (formula, row, column), met in this order, many in one column as a table fills down.
CELLS = [
    ("=F6-$B$3*Y6", 7, 6), ("=F7-$B$3*Y7", 8, 6), ("=F7-$B$3*Y8", 9, 6), ("=F9-$B$3*Y9", 10, 6),
    ("=A3*10%", 10, 1), ("=A4*10%", 11, 1), ("=A4*20%", 12, 1), ("=A1%", 2, 1), ("=A2%", 3, 1),
    ("=A3", 10, 2), ("=A-5", 2, 2), ("=A-6", 1, 2), ("=A4", 11, 2),
    ("=A07+1", 10, 3), ("=A08+1", 11, 3), ("=A8+1", 11, 3), ("=A9+1", 12, 3),
    ('="x1"&A1', 5, 4), ('="x2"&A2', 6, 4), ('="x1"&A2', 6, 4), ('="x1"&A3', 7, 4),
    ("=Sheet2!A1+B1", 3, 5), ("=Sheet2!A2+B2", 4, 5), ("=Sheet2!A1+B2", 4, 5),
    ("=A$1+B1", 1, 7), ("=A$1+B2", 2, 7), ("=A$2+B3", 3, 7), ("=A9", 10, 7), ("=A10", 11, 7),
    ("=A99", 100, 7), ("=A100", 101, 7), ("=A0", 1, 8), ("=A1", 2, 8), ("=A0", 2, 8),
    ("=R[0]C[-4]*2", 1, 9), ("=R[0]C[-4]*2", 2, 9), ("=A1*2", 1, 9), ("=A2*2", 2, 9),
    # A fixed row written without `$` (student22): a shape a row, met again further down.
    ("=D14*D9", 14, 11), ("=D15*D9", 15, 11), ("=D16*D9", 16, 11), ("=D19*D14", 19, 11),
    ("=D20*D14", 20, 11), ("=D21*D09", 21, 11), ("=D21*$D$9", 21, 11), ("=D22*$D$9", 22, 11),
    ("=D27*$D$14", 27, 11), ("=D26*D9", 14, 11), ("=D14*D9", 19, 11),
]


def test_filled_shapes_are_shape_keys():
    compiler = Compiler(["Sheet1", "Sheet2"], {})
    for formula, row, col in CELLS:
        shape = compiler.shape(formula, row, col)
        assert shape is compiler.shapes[shape_key(formula, row, col)], (formula, row, col)
    # The same texts in another order: a template met first in another row.
    compiler = Compiler(["Sheet1", "Sheet2"], {})
    for formula, row, col in reversed(CELLS):
        assert compiler.shape(formula, row, col) is compiler.shapes[shape_key(formula, row, col)]
