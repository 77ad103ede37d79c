"""Python source for a formula tree: the code generator behind the compiler.

Each node becomes an expression over `get(s, r, c)` (a cell), `num(...)` (a cell in arithmetic),
`rng(...)` (a block) and the worksheet functions of `functions`. References stay relative to the
formula's own cell (`r - 1`, `c + 19`), so one function serves every cell of the same shape.
"""

from __future__ import annotations

from . import functions as fx
from . import syntax
from .values import NUMBER, parse_number, short


class CompileError(ValueError):
    """The formula cannot be compiled; `code` is the Excel error it evaluates to."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


LITERAL_ERRORS = {
    "#REF!": "a reference to deleted cells",
    "#NAME?": "an unknown name",
    "#DIV/0!": "division by zero",
    "#N/A": "a value that is not available",
}
THREE_D = {"SUM", "AVERAGE", "COUNT", "COUNTA", "MAX", "MIN", "PRODUCT", "SUMSQ", "AND", "OR"}
LONG_CHAIN = 64  # a chain of more operators than this compiles to one call, not nested code


class Codegen:
    """Python source for a tree. Each method returns (code, is_number).

    Chains of + - * / are emitted flat (`a + b - c`), as Python and Excel associate them alike;
    a long chain becomes `_ltr(a, '+', b, ...)`, so Python's parser and compiler never nest
    deeper than the formula itself does."""

    def __init__(self, resolve, row: int, col: int):
        """`resolve(text, row, col)` turns a reference or name into a Ref (or a constant)."""
        self.resolve, self.row, self.col = resolve, row, col
        self.refs: list = []
        self.foreign: list[str] = []  # Google Sheets functions read as their Excel twins

    def code(self, node: syntax.Node) -> tuple[str, bool]:
        return getattr(self, f"_{node.kind}")(node)

    def _number(self, node):
        return _number(node.value), True

    def _text(self, node):
        return repr(node.value[1:-1].replace('""', '"')), False

    def _bool(self, node):
        return ("True" if node.value.upper() == "TRUE" else "False"), False

    def _error(self, node):
        code = node.value.upper()
        detail = LITERAL_ERRORS.get(code, "the formula holds " + code)
        return f"_fail({code!r}, {detail!r})", False

    def _omitted(self, node):
        return "None", False

    def _operand(self, node):
        target = self.resolve(node.value, self.row, self.col)
        if isinstance(target, tuple):  # a defined name holding a constant
            return repr(target[1]), isinstance(target[1], float)
        if isinstance(target, list):
            raise CompileError("#VALUE!", "a 3-D reference outside SUM, AVERAGE, COUNT, ...")
        return self._reference(target), False

    def _paren(self, node):
        code, is_number = self.code(node.args[0])
        return f"({code})", is_number

    def _neg(self, node):
        return f"(-{_as_number(self.code(node.args[0]))})", True

    def _pct(self, node):
        return f"({_as_number(self.code(node.args[0]))} / 100.0)", True

    def _chain(self, node):
        operands = [_as_number(self.code(a)) for a in node.args]
        if len(node.value) > LONG_CHAIN:
            items = [operands[0]]
            for op, x in zip(node.value, operands[1:]):
                items += [repr(op), x]
            return f"_ltr({', '.join(items)})", True
        items = [operands[0]]
        for op, x in zip(node.value, operands[1:]):
            items += [op, x]
        return f"({' '.join(items)})", True

    def _cat(self, node):
        return f"_cat({', '.join(self.code(a)[0] for a in node.args)})", False

    def _pow(self, node):
        a, b = (_as_number(self.code(x)) for x in node.args)
        return f"_pow({a}, {b})", True

    def _cmp(self, node):
        a, b = (self.code(x)[0] for x in node.args)
        return f"_cmp({node.value!r}, {a}, {b})", False

    def _call(self, node):
        name = node.value
        if name in ("ROW", "COLUMN", "ROWS", "COLUMNS"):
            return self._position(node)
        if name == "OFFSET":
            return self._offset(node)
        if name == "INDEX" and 2 <= len(node.args) <= 3 and node.args[0].kind == "operand" and \
                hasattr(self.resolve(node.args[0].value, self.row, self.col), "r1"):
            rest = [self.code(a)[0] for a in node.args[1:]]
            return f"_index(look, {self._block(node.args[0])}, {', '.join(rest)})", False
        codes = [c for a in node.args for c in self._argument(a, name)]
        if name == "INDIRECT":
            if not 1 <= len(codes) <= 2:
                raise CompileError("#VALUE!", "INDIRECT takes 1 or 2 arguments")
            return f"_indirect(look, s, {', '.join(codes)})", False
        if name == "IF":
            if not 2 <= len(codes) <= 3:
                raise CompileError("#VALUE!", "IF takes 2 or 3 arguments")
            other = codes[2] if len(codes) == 3 else "False"
            return f"({codes[1]} if _truth({codes[0]}) else {other})", False
        if name in ("IFERROR", "IFNA"):
            if len(codes) != 2:
                raise CompileError("#VALUE!", f"{name} takes 2 arguments")
            return f"_iferror(lambda: {codes[0]}, lambda: {codes[1]})", False
        if name in fx.GOOGLE_SHEETS:
            self.foreign.append(name)
            name = fx.GOOGLE_SHEETS[name]
        if name not in fx.FUNCTIONS:
            if fx.excel_knows(name):
                return f"_unsupported({name!r})", False
            raise CompileError("#NAME?", f"unknown function {name[:40]}")
        return f"{fx.FUNCTIONS[name].__name__}({', '.join(codes)})", name in fx.NUMERIC

    def _argument(self, node, name: str) -> list[str]:
        """The code of one argument; a 3-D reference (Sheet4:Sheet5!A1) is one block per sheet,
        which only the functions that add or count over blocks take."""
        if node.kind == "operand":
            target = self.resolve(node.value, self.row, self.col)
            if isinstance(target, list):
                if name not in THREE_D:
                    raise CompileError("#VALUE!", f"a 3-D reference in {name}")
                return [self._reference(ref) for ref in target]
        return [self.code(node)[0]]

    def _reference(self, t) -> str:
        """Code that reads the cell or block of a Ref (and records it as read)."""
        self.refs.append(t)
        sheet = "s" if t.sheet is None else str(t.sheet)
        r1, c1 = coord("r", t.r1, t.rabs1), coord("c", t.c1, t.cabs1)
        if t.is_cell:
            return f"get({sheet}, {r1}, {c1})"
        r2, c2 = coord("r", t.r2, t.rabs2), coord("c", t.c2, t.cabs2)
        return f"rng({sheet}, {r1}, {c1}, {r2}, {c2})"

    def _block(self, node) -> str:
        """Code for the block (sheet, r1, c1, r2, c2) a reference names, without reading it."""
        if node.kind == "operand":
            t = self.resolve(node.value, self.row, self.col)
            if not hasattr(t, "r1"):
                raise CompileError("#VALUE!", f"{short(node.value)} is not a reference")
            sheet = "s" if t.sheet is None else str(t.sheet)
            return (f"({sheet}, {coord('r', t.r1, t.rabs1)}, {coord('c', t.c1, t.cabs1)}, "
                    f"{coord('r', t.r2, t.rabs2)}, {coord('c', t.c2, t.cabs2)})")
        return f"_origin({self.code(node)[0]})"

    def _position(self, node):
        """ROW, COLUMN, ROWS, COLUMNS: where a reference is, not what it holds."""
        name, args = node.value, node.args
        if not args and name in ("ROW", "COLUMN"):
            return f"float({'r' if name == 'ROW' else 'c'})", True
        if len(args) != 1:
            raise CompileError("#VALUE!", f"{name} takes one reference")
        if args[0].kind != "operand":
            return f"_position({name!r}, {self.code(args[0])[0]})", True
        _, r1, c1, r2, c2 = self._block(args[0])[1:-1].split(", ")
        a, b = (r1, r2) if name.startswith("ROW") else (c1, c2)
        if name in ("ROW", "COLUMN"):
            return f"float(min({a}, {b}))", True
        return f"float(abs(({b}) - ({a})) + 1)", True

    def _offset(self, node):
        args = node.args
        if not 3 <= len(args) <= 5:
            raise CompileError("#VALUE!", "OFFSET takes 3 to 5 arguments")
        rest = [self.code(a)[0] for a in args[1:]]
        return f"_offset(look, {self._block(args[0])}, {', '.join(rest)})", False


def source(code: str) -> str:
    """The Python function of one formula shape, around the expression `code`."""
    return f"def _f(s, r, c, get, num, rng, look):\n    return {code}\n"


def _number(text: str) -> str:
    """A number literal as Python source; Excel refuses `1e1000`, and reads `inf`, `0.5_0` or
    Arabic-Indic digits (which Python's float() takes) as unknown names."""
    value = parse_number(text)
    if value is not None:
        return repr(value)
    if NUMBER.fullmatch(text.strip(" ")):
        raise CompileError("#NUM!", f"the number {short(text)} is too large for Excel")
    raise CompileError("#NAME?", f"unknown name {short(text)}")


def _as_number(value: tuple[str, bool]) -> str:
    code, is_number = value
    if is_number:
        return code
    if code.startswith("get("):  # a cell read in arithmetic: the numeric getter
        return "num(" + code[4:]
    return f"_num({code})"


def coord(var: str, value: int, absolute: bool) -> str:
    """Generated code for a row or column: a number, or an offset from the formula's own cell."""
    if absolute:
        return str(value)
    return var if value == 0 else f"{var} {'+' if value > 0 else '-'} {abs(value)}"


