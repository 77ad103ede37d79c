"""The worksheet functions students use in backprop workbooks, with Excel's semantics.

Each takes values as `values` defines them (float, str, bool, None, Range) and returns a value
or raises an XLError. `SCOPE` is what compiled formulas see: these functions and the operators.
"""

from __future__ import annotations

import math
import re

from .references import (
    INDEX,
    MATCH,
    _index,
    _indirect,
    _offset,
    _origin,
    _position,
    _unsupported,
)
from .values import (
    CAUGHT,
    NUMBER,
    Range,
    XLError,
    _cat,
    _cmp,
    _fail,
    _iferror,
    _ltr,
    _num,
    _numbers,
    _pow,
    _single,
    _truth,
    as_error,
    parse_number,
)

__all__ = ["CAUGHT", "FUNCTIONS", "NUMBER", "NUMERIC", "SCOPE", "Range", "XLError", "as_error",
           "parse_number"]


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


def _blocks(args, name: str) -> list[Range]:
    """Arguments as ranges of one size (a value is a 1 × 1 range), or #VALUE!."""
    blocks = [a if type(a) is Range else Range([[a]]) for a in args]
    if len({(b.height, b.width) for b in blocks}) != 1:
        raise XLError("#VALUE!", f"{name} of ranges of different sizes")
    return blocks


def SUMPRODUCT(*args):
    """Σ of the products at each position; text, TRUE and empty cells count as 0."""
    blocks, common = _blocks(args, "SUMPRODUCT"), None
    for b in blocks:
        numbers = set()
        for k, v in b.items():
            if isinstance(v, XLError):
                raise v
            if type(v) is float:
                numbers.add(k)
        common = numbers if common is None else common & numbers
    return math.fsum(math.prod(b.at(*k) for b in blocks) for k in sorted(common))


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


def _ifs(values, pairs) -> list:
    """The cells of `values` (not empty) where every (range, criterion) pair matches."""
    values, *ranges = _blocks([values, *pairs[0::2]], "a criteria range")
    tests = [_matches(c) for c in pairs[1::2]]
    return [v for (i, j), v in values.items()
            if all(test(rng.at(i, j)) for rng, test in zip(ranges, tests))]


def MINIFS(values, *pairs):
    return min((v for v in _ifs(values, pairs) if type(v) is float), default=0.0)


def MAXIFS(values, *pairs):
    return max((v for v in _ifs(values, pairs) if type(v) is float), default=0.0)


def COUNTIFS(*pairs):
    return float(len(_ifs(pairs[0], pairs)))  # an empty cell matches no criterion here


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
# Functions Excel has that are not evaluated here: a cell using one is not judged (exit 2), where
# an unknown name (a typo) is #NAME?, as in Excel.
NEWER = {"XLOOKUP", "XMATCH", "FILTER", "SORT", "SORTBY", "UNIQUE", "SEQUENCE", "RANDARRAY",
         "LET", "LAMBDA", "MAP", "REDUCE", "SCAN", "MAKEARRAY", "BYROW", "BYCOL", "TEXTJOIN",
         "CONCAT", "IFS", "SWITCH", "SUMIFS", "AVERAGEIFS", "MINIFS", "MAXIFS", "COUNTIFS",
         "STDEV.S", "STDEV.P", "VAR.S", "VAR.P", "TAKE", "DROP", "VSTACK", "HSTACK", "CHOOSECOLS",
         "CHOOSEROWS", "TOCOL", "TOROW", "WRAPROWS", "WRAPCOLS", "EXPAND", "TEXTBEFORE",
         "TEXTAFTER", "TEXTSPLIT", "ISOMITTED", "ARRAYTOTEXT", "VALUETOTEXT", "IMAGE"}


def excel_knows(name: str) -> bool:
    from openpyxl.utils.formulas import FORMULAE

    return name in FORMULAE or name in NEWER


# Functions of Google Sheets that Excel and LibreOffice do not know (they show #NAME?), and the
# Excel function that computes the same: judged as that one, with a note saying so.
GOOGLE_SHEETS = {"POW": "POWER"}
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
    "_position": _position,
    "_origin": _origin,
    "_offset": _offset,
    "_indirect": _indirect,
    "_index": _index,
    "_unsupported": _unsupported,
    "float": float,
    "min": min,
    "abs": abs,
    "__builtins__": {},
    **FUNCTIONS,
}
