"""Excel values, errors and the worksheet functions students use, with Excel's semantics.

Values are float, str, bool or None (an empty cell); a `Range` is a block of them. An Excel error
is an `XLError`: raised while a formula runs, stored as the cell's value afterwards.
"""

from __future__ import annotations

import math
import re


class XLError(Exception):
    """An Excel error value (#DIV/0!, #REF!, ...) with the reason in words and where it began."""

    def __init__(self, code: str, detail: str = "", origin: tuple | None = None):
        super().__init__(code)
        self.code, self.detail, self.origin = code, detail or code, origin

    def __repr__(self) -> str:
        return f"XLError({self.code!r}, {self.detail!r})"


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
    """A rectangular block of cell values, row by row."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[list]):
        self.rows = rows

    def values(self):
        for row in self.rows:
            yield from row


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
            raise XLError("#VALUE!", f"the text {_short(v)} where a number belongs")
        return number
    if t is Range:
        cells = list(v.values())
        if len(cells) == 1:
            return _num(cells[0])
        raise XLError("#VALUE!", "a range where a single number belongs")
    if isinstance(v, XLError):
        raise v
    raise XLError("#VALUE!", f"{v!r} where a number belongs")


def _short(text: str, limit: int = 40) -> str:
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
        cells = list(v.values())
        if len(cells) != 1:
            raise XLError("#VALUE!", "a range where a single value belongs")
        v = cells[0]
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


def SUM(*args):
    return math.fsum(_numbers(args))


def PRODUCT(*args):
    return math.prod(_numbers(args))


def AVERAGE(*args):
    xs = list(_numbers(args))
    if not xs:
        raise XLError("#DIV/0!", "AVERAGE of no numbers")
    return math.fsum(xs) / len(xs)


def MIN(*args):
    return min(_numbers(args), default=0.0)


def MAX(*args):
    return max(_numbers(args), default=0.0)


def COUNT(*args):
    return float(sum(1 for _ in _numbers(args, text_ok=True)))


def COUNTA(*args):
    n = 0
    for a in args:
        n += sum(v is not None for v in a.values()) if type(a) is Range else a is not None
    return float(n)


def SUMSQ(*args):
    return math.fsum(x * x for x in _numbers(args))


def SUMPRODUCT(*args):
    blocks = [list(a.values()) if type(a) is Range else [a] for a in args]
    if len({len(b) for b in blocks}) != 1:
        raise XLError("#VALUE!", "SUMPRODUCT of ranges of different sizes")
    total = []
    for cells in zip(*blocks):
        p = 1.0
        for v in cells:
            if isinstance(v, XLError):
                raise v
            p *= v if type(v) is float else 0.0
        total.append(p)
    return math.fsum(total)


def EXP(x):
    return math.exp(_num(x))


def LN(x):
    return math.log(_num(x))


def LOG(x, base=10.0):
    return math.log(_num(x), _num(base))


def LOG10(x):
    return math.log10(_num(x))


def SQRT(x):
    return math.sqrt(_num(x))


def POWER(a, b):
    return _pow(_num(a), _num(b))


def ABS(x):
    return abs(_num(x))


def SIGN(x):
    x = _num(x)
    return float((x > 0) - (x < 0))


def TANH(x):
    return math.tanh(_num(x))


def INT(x):
    return float(math.floor(_num(x)))


def MOD(a, b):
    a, b = _num(a), _num(b)
    return a - b * math.floor(a / b)


def PI():
    return math.pi


def ROUND(x, digits=0.0):
    x, n = _num(x), int(_num(digits))
    scale = 10.0**n
    return math.copysign(math.floor(abs(x) * scale + 0.5) / scale, x)  # halves away from zero


def AND(*args):
    return all(
        _truth(v) for a in args for v in (a.values() if type(a) is Range else [a]) if v is not None
    )


def OR(*args):
    return any(
        _truth(v) for a in args for v in (a.values() if type(a) is Range else [a]) if v is not None
    )


def NOT(x):
    return not _truth(x)


_CRITERION = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.DOTALL)


def _matches(criterion):
    """A MINIFS/COUNTIFS criterion (`"<0.01"`, 3, `"abc"`) as a predicate on a cell value."""
    criterion = _single(criterion)
    if type(criterion) is str:
        op, text = _CRITERION.match(criterion).groups()
        op = op or "="
        number = parse_number(text)
        target = text if number is None else number
    else:
        op, target = "=", criterion

    def test(v):
        if v is None or isinstance(v, XLError):
            return False
        if type(target) is float and type(v) is not float:
            return op == "<>"
        if type(target) is str and type(v) is not str:
            return op == "<>"
        return _cmp(op, v, target)

    return test


def _ifs(values: Range, pairs) -> list[float]:
    cells = list(values.values())
    keep = [True] * len(cells)
    for k in range(0, len(pairs), 2):
        rng, test = pairs[k], _matches(pairs[k + 1])
        crit = list(rng.values()) if type(rng) is Range else [rng]
        if len(crit) != len(cells):
            raise XLError("#VALUE!", "criteria range of another size")
        keep = [k_ and test(v) for k_, v in zip(keep, crit)]
    return [v for v, k_ in zip(cells, keep) if k_ and type(v) is float]


def MINIFS(values, *pairs):
    return min(_ifs(values, pairs), default=0.0)


def MAXIFS(values, *pairs):
    return max(_ifs(values, pairs), default=0.0)


def COUNTIFS(*pairs):
    first = pairs[0]
    n = len(list(first.values())) if type(first) is Range else 1
    return float(len(_ifs(Range([[0.0] * n]), pairs)))


def INDEX(rng, row=None, col=None):
    if type(rng) is not Range:
        return rng
    rows = rng.rows
    r = int(_num(row)) if row is not None else 0
    c = int(_num(col)) if col is not None else 0
    if len(rows) == 1 and col is None:  # INDEX(A1:E1, 3) counts along the row
        r, c = 1, r
    if not (0 < r <= len(rows) and 0 < c <= len(rows[0])) and not (c == 0 and len(rows[0]) == 1):
        raise XLError("#REF!", "INDEX outside its range")
    v = rows[r - 1][(c or 1) - 1]
    if isinstance(v, XLError):
        raise v
    return v


def MATCH(value, rng, kind=1.0):
    cells = list(rng.values()) if type(rng) is Range else [rng]
    value, kind = _single(value), _num(kind)
    if kind == 0:
        for k, v in enumerate(cells):
            if v is not None and not isinstance(v, XLError) and _cmp("=", v, value):
                return float(k + 1)
        raise XLError("#N/A", f"MATCH found no {value!r}")
    best = None
    for k, v in enumerate(cells):
        if v is None or isinstance(v, XLError):
            continue
        if _cmp("<=", v, value) if kind > 0 else _cmp(">=", v, value):
            best = k + 1
    if best is None:
        raise XLError("#N/A", f"MATCH found no {value!r}")
    return float(best)


FUNCTIONS = {
    f.__name__: f
    for f in (
        SUM,
        PRODUCT,
        AVERAGE,
        MIN,
        MAX,
        COUNT,
        COUNTA,
        SUMSQ,
        SUMPRODUCT,
        EXP,
        LN,
        LOG,
        LOG10,
        SQRT,
        POWER,
        ABS,
        SIGN,
        TANH,
        INT,
        MOD,
        PI,
        ROUND,
        AND,
        OR,
        NOT,
        MINIFS,
        MAXIFS,
        COUNTIFS,
        INDEX,
        MATCH,
    )
}
NUMERIC = {
    "SUM",
    "PRODUCT",
    "AVERAGE",
    "MIN",
    "MAX",
    "COUNT",
    "COUNTA",
    "SUMSQ",
    "SUMPRODUCT",
    "EXP",
    "LN",
    "LOG",
    "LOG10",
    "SQRT",
    "POWER",
    "ABS",
    "SIGN",
    "TANH",
    "INT",
    "MOD",
    "PI",
    "ROUND",
    "MINIFS",
    "MAXIFS",
    "COUNTIFS",
    "MATCH",
}
SCOPE = {
    "_fail": _fail,
    "_num": _num,
    "_pow": _pow,
    "_cat": _cat,
    "_ltr": _ltr,
    "_cmp": _cmp,
    "_truth": _truth,
    "_iferror": _iferror,
    "__builtins__": {},
    **FUNCTIONS,
}
