"""Excel formulas to Python: the small compiler behind the in-process engine.

A formula is tokenised by openpyxl's tokenizer, parsed into a tree with Excel's operator
precedence, and turned into one Python function `f(s, r, c, get, num, rng)` of the cell it sits
in (sheet index `s`, row `r`, column `c`). References are kept *relative* to that cell, so the
formula `=F6-$B$3*Y6` in row 7 and `=F7-$B$3*Y7` in row 8 share one shape and one code object:
`shape_key` finds the shape with a regular expression, and only the first cell of each shape pays
for tokenising and compiling.

Excel errors are Python exceptions (`XLError`) while a formula runs and values once stored; a
cell that reads an error cell re-raises it, which is how #DIV/0! travels down a table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import column_index_from_string, get_column_letter

from . import functions as fx
from .functions import XLError

MAX_COLS, MAX_ROWS = 16384, 1048576

# An A1 reference outside strings and quoted sheet names, not part of a name or function.
_CELL = r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)"
_KEY = re.compile(r'("(?:[^"]|"")*")|(\'(?:[^\']|\'\')*\'!)|(?<![\w.$])' + _CELL + r"(?![\w(!])")
_REF = re.compile(rf"^{_CELL}$")


def shape_key(formula: str, row: int, col: int) -> str:
    """The formula with every A1 reference made relative to (row, col): one key per R1C1 shape.

    References become `\x00r,c\x00` markers, which no formula text can hold (XML forbids the
    character), so a cell that holds R1C1 text such as `=R[0]C[-4]` never shares a shape with
    an A1 formula."""

    def sub(m):
        quoted, sheet, cabs, letters, rabs, digits = m.groups()
        if quoted or sheet:
            return m.group(0)
        c = _column(letters)
        if not c:
            return m.group(0)
        r = f"${digits}" if rabs else str(int(digits) - row)
        return f"\x00{r},{f'${c}' if cabs else c - col}\x00"

    return _KEY.sub(sub, formula.replace("\x00", ""))


def translate(formula: str, rows: int, cols: int) -> str:
    """The formula copied `rows` down and `cols` right, as Excel fills a shared formula: relative
    references move, absolute ones stay, and one pushed off the grid becomes #REF!."""

    def sub(m):
        quoted, sheet, cabs, letters, rabs, digits = m.groups()
        if quoted or sheet or not (c := _column(letters)):
            return m.group(0)
        r = int(digits) + (0 if rabs else rows)
        c = c + (0 if cabs else cols)
        if not (1 <= r <= MAX_ROWS and 1 <= c <= MAX_COLS):
            return "#REF!"
        return f"{cabs}{get_column_letter(c)}{rabs}{r}"

    return _KEY.sub(sub, formula)


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    """Column number of `AB` (0 beyond XFD), cached: the same few letters recur in every row."""
    c = _COLUMNS.get(letters)
    if c is None:
        c = column_index_from_string(letters.upper())
        c = _COLUMNS[letters] = c if c <= MAX_COLS else 0
    return c


@dataclass(frozen=True)
class Ref:
    """A reference relative to the formula's cell: sheet None means the formula's own sheet."""

    sheet: int | None
    r1: int
    c1: int
    r2: int
    c2: int
    rabs1: bool = False
    cabs1: bool = False
    rabs2: bool = False
    cabs2: bool = False

    @property
    def is_cell(self) -> bool:
        return (self.r1, self.c1, self.rabs1, self.cabs1) == (
            self.r2,
            self.c2,
            self.rabs2,
            self.cabs2,
        )

    def at(self, s: int, r: int, c: int) -> tuple[int, int, int, int, int]:
        """(sheet, r1, c1, r2, c2) for the formula sitting at (s, r, c)."""
        return (
            s if self.sheet is None else self.sheet,
            self.r1 if self.rabs1 else r + self.r1,
            self.c1 if self.cabs1 else c + self.c1,
            self.r2 if self.rabs2 else r + self.r2,
            self.c2 if self.cabs2 else c + self.c2,
        )


@dataclass
class Shape:
    """One compiled formula shape: its function and the references it reads."""

    func: object
    refs: tuple[Ref, ...]
    source: str  # the generated Python, for debugging
    cells: object = None  # (s, r, c) -> the single cells it reads, when it reads no range


class CompileError(ValueError):
    """The formula cannot be compiled; `code` is the Excel error it evaluates to."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


class Compiler:
    """Compiles formulas of one workbook. `sheets`: names in order; `names`: defined names,
    lower-cased name -> (sheet index or None, range text) or ('const', value)."""

    def __init__(self, sheets: list[str], names: dict[str, tuple]):
        self.sheets = {s.lower(): k for k, s in enumerate(sheets)}
        self.names = names
        self.shapes: dict[str, Shape] = {}

    def shape(self, formula: str, row: int, col: int) -> Shape:
        key = shape_key(formula, row, col)
        shape = self.shapes.get(key)
        if shape is None:
            shape = self.shapes[key] = self._compile(formula, row, col)
        return shape

    def _compile(self, formula: str, row: int, col: int) -> Shape:
        parser = None
        try:
            if len(formula) > MAX_LENGTH:
                raise CompileError("#VALUE!", f"longer than Excel's {MAX_LENGTH:,} characters")
            tokens = [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
            parser = _Parser(self, tokens, row, col)
            code = parser.expr(0)
            if parser.pos != len(tokens):
                raise CompileError("#VALUE!", f"cannot parse {fx._short(formula)}")
        except CompileError as e:
            code, parser = f"_fail({e.code!r}, {e.detail!r})", None
        except Exception as e:  # noqa: BLE001 - the tokenizer's complaints about malformed text
            detail = f"cannot parse {fx._short(formula)}: {fx._short(str(e))}"
            code, parser = f"_fail('#VALUE!', {detail!r})", None
        scope = dict(fx.SCOPE)
        try:
            exec(compile(source := _source(code), "<formula>", "exec"), scope)  # noqa: S102
        except (SyntaxError, RecursionError, MemoryError):  # beyond what Python compiles
            code, parser = "_fail('#VALUE!', 'a formula too deeply nested to evaluate')", None
            exec(compile(source := _source(code), "<formula>", "exec"), scope)  # noqa: S102
        refs = tuple(parser.refs) if parser else ()
        cells = None
        if all(ref.is_cell for ref in refs):  # the common case: a tuple built by compiled code
            items = ", ".join(
                f"({'s' if x.sheet is None else x.sheet}, {_coord('r', x.r1, x.rabs1)}, "
                f"{_coord('c', x.c1, x.cabs1)})"
                for x in refs
            )
            cells = eval(f"lambda s, r, c: ({items}{',' if refs else ''})")
        return Shape(scope["_f"], refs, source, cells)

    def resolve(self, text: str, row: int, col: int) -> Ref | tuple:
        """A RANGE token: a Ref, or ('const', value) for a defined name holding a constant."""
        sheet, _, addr = text.rpartition("!")
        if sheet:
            name = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
            if name.lower() not in self.sheets:
                raise CompileError("#REF!", f"no sheet named {fx._short(name)}")
            s = self.sheets[name.lower()]
        else:
            s = None
        parts = addr.split(":")
        if len(parts) <= 2 and all(_REF.match(p) for p in parts):
            (ca1, l1, ra1, d1), (ca2, l2, ra2, d2) = (
                _REF.match(p).groups() for p in (parts[0], parts[-1])
            )
            r1, c1, r2, c2 = (
                int(d1),
                column_index_from_string(l1.upper()),
                int(d2),
                column_index_from_string(l2.upper()),
            )
            if max(c1, c2) <= MAX_COLS and max(r1, r2) <= MAX_ROWS:
                return Ref(
                    s,
                    r1 if ra1 else r1 - row,
                    c1 if ca1 else c1 - col,
                    r2 if ra2 else r2 - row,
                    c2 if ca2 else c2 - col,
                    bool(ra1),
                    bool(ca1),
                    bool(ra2),
                    bool(ca2),
                )
        if not sheet and addr.lower() in self.names:
            target = self.names[addr.lower()]
            if target[0] == "const":
                return target
            return self.resolve(target[1], 0, 0)
        if len(parts) == 2 and all(re.fullmatch(r"\$?[A-Za-z]{1,3}", p) for p in parts):
            c1, c2 = (column_index_from_string(p.strip("$").upper()) for p in parts)
            return Ref(s, 1, c1, MAX_ROWS, c2, True, True, True, True)  # a whole-column range
        if addr.upper() == "#REF!" or addr.upper().endswith("#REF!"):
            raise CompileError("#REF!", "a reference to deleted cells (#REF!)")
        raise CompileError("#NAME?", f"unknown name {fx._short(addr)}")


LITERAL_ERRORS = {
    "#REF!": "a reference to deleted cells",
    "#NAME?": "an unknown name",
    "#DIV/0!": "division by zero",
    "#N/A": "a value that is not available",
}

# Excel's binary operators, loosest first; `^` binds tighter than `*`, unary minus tighter still.
_PREC = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2,
         "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}
_ARITH = {"+", "-", "*", "/"}  # left-associative in Excel and in Python alike
MAX_DEPTH = 100  # Excel allows 64 nested functions; LibreOffice fails at 250 parentheses
MAX_LENGTH = 8192  # Excel's limit on the characters of a formula
LONG_CHAIN = 64  # a chain of more operators than this compiles to one call, not nested code


class _Parser:
    """Precedence-climbing parser emitting Python source. Each method returns (code, is_number).

    Chains of + - * / are emitted flat (`a + b - c`), as Python and Excel associate them alike;
    a long chain becomes `_ltr(a, '+', b, ...)`, so no formula nests Python's own parser or
    compiler deeper than MAX_DEPTH levels of the formula itself."""

    def __init__(self, compiler: Compiler, tokens: list[Token], row: int, col: int):
        self.c, self.tokens, self.row, self.col = compiler, tokens, row, col
        self.pos = 0
        self.depth = 0
        self.refs: list[Ref] = []

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise CompileError("#VALUE!", "formula ends too early")
        self.pos += 1
        return tok

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CompileError("#VALUE!", f"nested more than {MAX_DEPTH} levels deep")

    def expr(self, min_prec: int) -> str:
        return self._expr(min_prec)[0]

    def _expr(self, min_prec: int) -> tuple[str, bool]:
        left = self._unary()
        chain: list[str] = []  # [operand, op, operand, ...] of one + - or * / chain
        cat: list[str] = []  # operands of a & chain
        nested = 0  # calls this chain nests (powers, comparisons), each a level of depth
        while (
            (tok := self.peek()) is not None
            and tok.type == Token.OP_IN
            and _PREC.get(tok.value, 0) >= min_prec
        ):
            self.pos += 1
            op, prec = tok.value, _PREC[tok.value]
            right = self._expr(prec + 1)
            if op in _ARITH and chain and _PREC[chain[1]] == prec:
                chain += [op, _as_number(right)]
                continue
            left, chain, cat = self._close(left, chain, cat)
            if op in _ARITH:
                chain = [_as_number(left), op, _as_number(right)]
            elif op == "&":
                cat = (cat or [left[0]]) + [right[0]]
            elif op == "^":
                self.enter()
                nested += 1
                left = (f"_pow({_as_number(left)}, {_as_number(right)})", True)
            else:
                self.enter()
                nested += 1
                left = (f"_cmp({op!r}, {left[0]}, {right[0]})", False)
        left, _, _ = self._close(left, chain, cat)
        self.depth -= nested
        if (tok := self.peek()) is not None and tok.type == Token.OP_IN and tok.value not in _PREC:
            raise CompileError("#VALUE!", f"operator {fx._short(tok.value)} is not supported")
        return left

    @staticmethod
    def _close(left, chain: list[str], cat: list[str]):
        """Emit a pending chain as one expression; return (expression, [], [])."""
        if chain:
            if len(chain) > 2 * LONG_CHAIN:
                args = ", ".join(x if k % 2 == 0 else repr(x) for k, x in enumerate(chain))
                left = (f"_ltr({args})", True)
            else:
                left = (f"({' '.join(chain)})", True)
        elif cat:
            left = (f"_cat({', '.join(cat)})", False)
        return left, [], []

    def _unary(self) -> tuple[str, bool]:
        tok = self.peek()
        if tok is not None and tok.type == Token.OP_PRE:
            self.pos += 1
            self.enter()
            operand = _as_number(self._unary())
            self.depth -= 1
            return (f"(-{operand})" if tok.value == "-" else operand), True
        value = self._primary()
        while (tok := self.peek()) is not None and tok.type == Token.OP_POST:  # x% is x/100
            self.pos += 1
            value = (f"({_as_number(value)} / 100.0)", True)
        return value

    def _primary(self) -> tuple[str, bool]:
        tok = self.next()
        if tok.type == Token.OPERAND:
            return self._operand(tok)
        if tok.type == Token.PAREN and tok.subtype == Token.OPEN:
            self.enter()
            inner = self._expr(0)
            self._expect(Token.PAREN)
            self.depth -= 1
            return (f"({inner[0]})", inner[1])
        if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
            self.enter()
            value = self._call(tok.value[:-1])
            self.depth -= 1
            return value
        raise CompileError("#VALUE!", f"unexpected {fx._short(tok.value)}")

    def _expect(self, kind: str) -> None:
        tok = self.next()
        if tok.type != kind or tok.subtype != Token.CLOSE:
            raise CompileError("#VALUE!", f"expected ')' but found {fx._short(tok.value)}")

    def _operand(self, tok: Token) -> tuple[str, bool]:
        v = tok.value
        if tok.subtype == Token.NUMBER:
            return _number(v), True
        if tok.subtype == Token.TEXT:
            return repr(v[1:-1].replace('""', '"')), False
        if tok.subtype == Token.LOGICAL:
            return ("True" if v.upper() == "TRUE" else "False"), False
        if tok.subtype == Token.ERROR:
            detail = LITERAL_ERRORS.get(v.upper(), "the formula holds " + v.upper())
            return f"_fail({v.upper()!r}, {detail!r})", False
        target = self.c.resolve(v, self.row, self.col)
        if isinstance(target, tuple):  # a defined name holding a constant
            value = target[1]
            return repr(value), isinstance(value, float)
        self.refs.append(target)
        t = target
        sheet = "s" if t.sheet is None else str(t.sheet)
        r1, c1 = _coord("r", t.r1, t.rabs1), _coord("c", t.c1, t.cabs1)
        if t.is_cell:
            return f"get({sheet}, {r1}, {c1})", False
        r2, c2 = _coord("r", t.r2, t.rabs2), _coord("c", t.c2, t.cabs2)
        return f"rng({sheet}, {r1}, {c1}, {r2}, {c2})", False

    def _call(self, name: str) -> tuple[str, bool]:
        upper = name.upper()
        for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
            upper = upper.removeprefix(prefix)
        args = []
        if (
            (tok := self.peek()) is not None
            and tok.type == Token.FUNC
            and tok.subtype == Token.CLOSE
        ):
            self.pos += 1
        else:
            while True:
                tok = self.peek()
                if tok is not None and tok.type == Token.SEP and tok.subtype == Token.ARG:
                    args.append(("None", False))  # an omitted argument: IF(x,,1)
                else:
                    args.append(self._expr(0))
                tok = self.next()
                if tok.type == Token.SEP and tok.subtype == Token.ARG:
                    continue
                if tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                    break
                raise CompileError(
                    "#VALUE!", f"unexpected {fx._short(tok.value)} in {fx._short(name)}(...)"
                )
        codes = [a[0] for a in args]
        if upper == "IF":
            if not 2 <= len(codes) <= 3:
                raise CompileError("#VALUE!", "IF takes 2 or 3 arguments")
            other = codes[2] if len(codes) == 3 else "False"
            return f"({codes[1]} if _truth({codes[0]}) else {other})", False
        if upper in ("IFERROR", "IFNA"):
            if len(codes) != 2:
                raise CompileError("#VALUE!", f"{upper} takes 2 arguments")
            return f"_iferror(lambda: {codes[0]}, lambda: {codes[1]})", False
        if upper not in fx.FUNCTIONS:
            raise CompileError("#NAME?", f"unknown function {name.upper()[:40]}")
        numeric = upper in fx.NUMERIC
        return f"{fx.FUNCTIONS[upper].__name__}({', '.join(codes)})", numeric


def _source(code: str) -> str:
    """The Python function of one formula shape, around the expression `code`."""
    return f"def _f(s, r, c, get, num, rng):\n    return {code}\n"


def _number(text: str) -> str:
    """A number literal as Python source; Excel refuses `1e1000`, and reads `inf`, `0.5_0` or
    Arabic-Indic digits (which Python's float() takes) as unknown names."""
    value = fx.parse_number(text)
    if value is not None:
        return repr(value)
    if fx.NUMBER.fullmatch(text.strip(" ")):
        raise CompileError("#NUM!", f"the number {fx._short(text)} is too large for Excel")
    raise CompileError("#NAME?", f"unknown name {fx._short(text)}")


def _as_number(value: tuple[str, bool]) -> str:
    code, is_number = value
    if is_number:
        return code
    if code.startswith("get("):  # a cell read in arithmetic: the numeric getter
        return "num(" + code[4:]
    return f"_num({code})"


def _coord(var: str, value: int, absolute: bool) -> str:
    """Generated code for a row or column: a number, or an offset from the formula's own cell."""
    if absolute:
        return str(value)
    return var if value == 0 else f"{var} {'+' if value > 0 else '-'} {abs(value)}"


def finite(value):
    """Excel has no inf or nan: such a result is #NUM!."""
    if type(value) is float and not math.isfinite(value):
        raise XLError("#NUM!", "a result too large for a number")
    return value
