"""Functions about where cells are, not only what they hold: INDEX and MATCH, ROW, COLUMN,
ROWS and COLUMNS of a block a function returned, OFFSET and INDIRECT.

OFFSET and INDIRECT name their cells only at run time: they get them through `look` (the
engine's `Look`), which resolves an A1 text and computes the formulas in a block before
handing its values over. A block knows its `origin`, so ROW(OFFSET(A1,2,0)) is 3.
"""

from __future__ import annotations

from .values import NotEvaluated, Range, XLError, _cmp, _num, _single, _text, _truth


def INDEX(rng, row=None, col=None):
    if type(rng) is not Range:
        return rng
    r = int(_num(row)) if row is not None else 0
    c = int(_num(col)) if col is not None else 0
    if rng.height == 1 and col is None:  # INDEX(A1:E1, 3) counts along the row
        r, c = 1, r
    if not 0 < r <= rng.height or not (0 < c <= rng.width or (c == 0 and rng.width == 1)):
        raise XLError("#REF!", "INDEX outside its range")
    v = rng.at(r - 1, (c or 1) - 1)
    if isinstance(v, XLError):
        raise v
    return v


def _index(look, base, row=None, col=None):
    """INDEX(reference, row, [col]) of a reference: the one cell it picks, read (and computed)
    only then, so INDEX(H:H, ...) in a column that H depends on is no circular reference, as in
    LibreOffice and Google Sheets."""
    s, r1, c1, r2, c2 = base
    r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
    height, width = r2 - r1 + 1, c2 - c1 + 1
    r = int(_num(row)) if row is not None else 0
    c = int(_num(col)) if col is not None else 0
    if height == 1 and col is None:  # INDEX(A1:E1, 3) counts along the row
        r, c = 1, r
    if not 0 < r <= height or not (0 < c <= width or (c == 0 and width == 1)):
        raise XLError("#REF!", "INDEX outside its range")
    return look.block(s, r1 + r - 1, c1 + (c or 1) - 1, r1 + r - 1, c1 + (c or 1) - 1)


def MATCH(value, rng, kind=1.0):
    rng = rng if type(rng) is Range else Range([[rng]])
    if rng.height > 1 and rng.width > 1:
        raise XLError("#N/A", "MATCH in a block of several rows and columns")
    cells = [(i * rng.width + j, v) for (i, j), v in rng.items() if not isinstance(v, XLError)]
    value, kind = _single(value), _num(kind)
    if kind == 0:
        for k, v in cells:
            if _cmp("=", v, value):
                return float(k + 1)
        raise XLError("#N/A", f"MATCH found no {value!r}")
    best = None
    for k, v in cells:
        if _cmp("<=", v, value) if kind > 0 else _cmp(">=", v, value):
            best = k + 1
    if best is None:
        raise XLError("#N/A", f"MATCH found no {value!r}")
    return float(best)


def _position(name: str, v) -> float:
    """ROW, COLUMN, ROWS or COLUMNS of a block a function returned (INDIRECT, OFFSET)."""
    if type(v) is not Range or (v.origin is None and name in ("ROW", "COLUMN")):
        raise XLError("#VALUE!", f"{name} of something that is not a reference")
    if name == "ROWS":
        return float(v.height)
    if name == "COLUMNS":
        return float(v.width)
    return float(v.origin[1] if name == "ROW" else v.origin[2])


def _origin(v) -> tuple:
    """The block (sheet, r1, c1, r2, c2) of a reference a function returned, for OFFSET."""
    if type(v) is not Range or v.origin is None:
        raise XLError("#VALUE!", "OFFSET of something that is not a reference")
    s, r, c = v.origin
    return s, r, c, r + v.height - 1, c + v.width - 1


def _offset(look, base, rows, cols, height=None, width=None):
    """OFFSET(reference, rows, cols, [height], [width]): the block moved and resized."""
    s, r1, c1, r2, c2 = base
    r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
    h = r2 - r1 + 1 if height is None else int(_num(height))
    w = c2 - c1 + 1 if width is None else int(_num(width))
    top, left = r1 + int(_num(rows)), c1 + int(_num(cols))
    if h < 1 or w < 1:
        raise XLError("#REF!", "OFFSET to a block of no cells")
    return look.block(s, top, left, top + h - 1, left + w - 1)


def _unsupported(name: str):
    raise NotEvaluated(f"uses {name}, which the verifier does not evaluate")


def _indirect(look, s, text, a1=True):
    """INDIRECT(text): the cell or block the text names (A1 style), on this or another sheet."""
    if a1 is not None and not _truth(a1):
        _unsupported("INDIRECT of R1C1 text")
    return look.block(*look.named(_text(_single(text)), s))


def intersect(block: Range, r: int, c: int):
    """A block as a whole cell's value: Excel's implicit intersection, the one cell of a column
    in the formula's row (of a row, in its column); a block it cannot intersect stays whole."""
    if block.origin is None or block.size == 1:
        return block
    _, r1, c1 = block.origin
    if block.width == 1 and r1 <= r < r1 + block.height:
        return block.at(r - r1, 0)
    if block.height == 1 and c1 <= c < c1 + block.width:
        return block.at(0, c - c1)
    return block
