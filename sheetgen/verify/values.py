"""Excel's values and operators, with Excel's semantics: what compiled formulas compute with.

Values are float, str, bool or None (an empty cell); a `Range` is a block of them. An Excel error
is an `XLError`: raised while a formula runs, stored as the cell's value afterwards. Numbers are
read with Excel's syntax (`parse_number`), text is coerced in arithmetic as Excel does (`_num`),
comparisons order numbers before text before booleans (`_cmp`).
"""

from __future__ import annotations

import datetime
import math
import re


class XLError(Exception):
    """An Excel error value (#DIV/0!, #REF!, ...) with the reason in words and where it began."""

    def __init__(self, code: str, detail: str = "", origin: tuple | None = None):
        super().__init__(code)
        self.code, self.detail, self.origin = code, detail or code, origin

    def __repr__(self) -> str:
        return f"XLError({self.code!r}, {self.detail!r})"


class NotEvaluated(Exception):
    """The workbook needs what the verifier does not evaluate (a function, or more than a
    budget allows): the message says what, in one line, and the file is not judged."""


# How Python's own exceptions read as Excel errors inside a formula.
PYTHON_ERRORS = {
    ZeroDivisionError: ("#DIV/0!", "division by zero"),
    OverflowError: ("#NUM!", "a result too large for a number"),
    ValueError: ("#NUM!", "a number outside the function's domain"),
    TypeError: ("#VALUE!", "a range where a single value belongs"),
    RecursionError: ("#VALUE!", "a formula nested too deeply"),
}
CAUGHT = (XLError, *PYTHON_ERRORS)


def as_error(exc: BaseException) -> XLError:
    if isinstance(exc, XLError):
        return exc
    code, detail = PYTHON_ERRORS.get(type(exc), ("#VALUE!", str(exc)))
    return XLError(code, detail)


class Range:
    """A rectangular block of cell values, `height` × `width`: dense (`rows`, row by row, empty
    cells None) or sparse (`cells`, {(i, j): value} of the cells that exist, in row order), so
    `A:XFD` over a sheet with one stray cell far away holds what exists, not 17 billion Nones."""

    __slots__ = ("cells", "height", "origin", "rows", "width")

    def __init__(self, rows: list[list] | None, height: int = 0, width: int = 0,
                 cells: dict | None = None, origin: tuple | None = None):
        self.rows, self.cells = rows, cells
        self.origin = origin  # (sheet, row, column) of its first cell, when a function made it
        if rows is not None:
            height, width = len(rows), len(rows[0]) if rows else 0
        self.height, self.width = height, width

    @property
    def size(self) -> int:
        return self.height * self.width

    def values(self):
        """Every cell row by row; a sparse block gives only the cells that exist."""
        if self.rows is None:
            yield from self.cells.values()
            return
        for row in self.rows:
            yield from row

    def items(self):
        """((i, j), value) of the cells that are not empty, row by row."""
        if self.rows is None:
            yield from ((k, v) for k, v in self.cells.items() if v is not None)
            return
        for i, row in enumerate(self.rows):
            yield from (((i, j), v) for j, v in enumerate(row) if v is not None)

    def at(self, i: int, j: int):
        if self.rows is None:
            return self.cells.get((i, j))
        return self.rows[i][j]


# Excel's number syntax: ASCII digits, one optional point, an optional exponent. Python's float()
# also takes "inf", "nan", "1_000" and Arabic-Indic digits, which Excel reads as names or text.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str) -> float | None:
    """`text` as Excel reads a number (spaces around allowed), or None: not a number, or one too
    large for a double (Excel refuses 1e1000)."""
    text = text.strip(" ")
    if not NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def date_serial(text: str) -> float | None:
    """An ISO 8601 date, date-time or time (a `t="d"` cell) as a serial number: days since
    1899-12-30 plus the fraction of the day, as LibreOffice reads it (and Excel from 1900-03-01
    on; Excel counts a phantom 1900-02-29, so its January and February 1900 are one less);
    None when the text is not such a date."""
    text = text.strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        try:
            t = datetime.time.fromisoformat(text)
        except ValueError:
            return None
        return (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400
    delta = moment.replace(tzinfo=None) - datetime.datetime(1899, 12, 30)
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _fail(code: str, detail: str):
    raise XLError(code, detail)


def _num(v) -> float:
    """A value in arithmetic: numbers, TRUE=1, empty=0, numeric text; other text is #VALUE!."""
    t = type(v)
    if t is float:
        return v
    if t is bool or t is int:
        return float(v)
    if v is None:
        return 0.0
    if t is str:
        number = parse_number(v)
        if number is None:
            raise XLError("#VALUE!", f"the text {short(v)} where a number belongs")
        return number
    if t is Range:
        if v.size == 1:
            return _num(v.at(0, 0))
        raise XLError("#VALUE!", "a range where a single number belongs")
    if isinstance(v, XLError):
        raise v
    raise XLError("#VALUE!", f"{v!r} where a number belongs")


def short(text: str, limit: int = 40) -> str:
    """Text quoted for a message, cut to `limit` characters."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _pow(a: float, b: float) -> float:
    if a == 0 and b <= 0:
        raise XLError("#DIV/0!" if b < 0 else "#NUM!", "0 raised to a power ≤ 0")
    if a < 0 and b != int(b):
        raise XLError("#NUM!", "a negative number raised to a fractional power")
    return float(a**b)


def _text(v) -> str:
    if v is None:
        return ""
    if type(v) is bool:
        return "TRUE" if v else "FALSE"
    if type(v) is float:
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.15g}"
    if type(v) is Range:
        return _text(_single(v))
    return str(v)


def _single(v):
    """A scalar from a value or a one-cell range; an error value is raised, as Excel propagates it."""
    if type(v) is Range:
        if v.size != 1:
            raise XLError("#VALUE!", "a range where a single value belongs")
        v = v.at(0, 0)
    if isinstance(v, XLError):
        raise v
    return v


def _cat(*parts) -> str:
    """a & b & c: every part as text, joined."""
    return "".join(_text(_single(p)) for p in parts)


_OPS = {"+": float.__add__, "-": float.__sub__, "*": float.__mul__, "/": float.__truediv__}


def _ltr(first: float, *rest) -> float:
    """A long chain `a + b - c ...` (items: operand, operator, operand, ...) left to right."""
    value = first
    for k in range(0, len(rest), 2):
        op, x = rest[k], rest[k + 1]
        if op == "/" and x == 0:
            raise XLError("#DIV/0!", "division by zero")
        value = _OPS[op](value, x)
    return value


_ORDER = {float: 0, str: 1, bool: 2}


def _cmp(op: str, a, b) -> bool:
    a, b = _single(a), _single(b)
    if a is None:
        a = "" if type(b) is str else (False if type(b) is bool else 0.0)
    if b is None:
        b = "" if type(a) is str else (False if type(a) is bool else 0.0)
    a = float(a) if type(a) is int else a
    b = float(b) if type(b) is int else b
    if type(a) is str and type(b) is str:
        a, b = a.lower(), b.lower()
    elif type(a) is not type(b):
        a, b = _ORDER[type(a)], _ORDER[type(b)]
    return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _truth(v) -> bool:
    v = _single(v)
    if type(v) is bool:
        return v
    if v is None:
        return False
    if type(v) is str:
        if v.upper() in ("TRUE", "FALSE"):
            return v.upper() == "TRUE"
        raise XLError("#VALUE!", f"the text {v!r} where TRUE or FALSE belongs")
    return _num(v) != 0


def _iferror(value, fallback):
    try:
        v = value()
        if type(v) is float and not math.isfinite(v):
            return fallback()
        return v
    except CAUGHT:
        return fallback()


def _numbers(args, *, text_ok: bool = False):
    """The numbers of aggregate arguments: ranges give their numbers only, scalars are converted."""
    for a in args:
        if type(a) is Range:
            for v in a.values():
                if type(v) is float:
                    yield v
                elif isinstance(v, XLError):
                    raise v
        elif a is not None:
            if text_ok and type(a) is str:
                if (number := parse_number(a)) is not None:
                    yield number
            else:
                yield _num(a)
