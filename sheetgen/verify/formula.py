"""Excel formulas to Python: the small compiler behind the in-process engine.

A formula is tokenised by openpyxl's tokenizer, parsed into a tree with Excel's operator
precedence, and turned into one Python function `f(s, r, c, get, num, rng, look)` of the cell
it sits in (sheet index `s`, row `r`, column `c`; `look` serves INDIRECT and OFFSET).
References are kept *relative* to that cell, so the formula `=F6-$B$3*Y6` in row 7 and
`=F7-$B$3*Y7` in row 8 share one shape and one code object: `shape_key` finds the shape with a
regular expression, and only the first cell of each shape pays for tokenising and compiling.

Excel errors are Python exceptions (`XLError`) while a formula runs and values once stored; a
cell that reads an error cell re-raises it, which is how #DIV/0! travels down a table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from openpyxl.utils.cell import column_index_from_string, get_column_letter

from . import functions as fx
from . import syntax
from .codegen import Codegen, CompileError, coord, source
from .filled import Filled
from .values import XLError, short

MAX_COLS, MAX_ROWS = 16384, 1048576

# An A1 reference outside strings and quoted sheet names, not part of a name or function.
_CELL = r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)"
_KEY = re.compile(r'("(?:[^"]|"")*")|(\'(?:[^\']|\'\')*\'!)|(?<![\w.$])' + _CELL + r"(?![\w(!])")
_REF = re.compile(rf"^{_CELL}$")
_STRUCTURED = re.compile(r"^[A-Za-z_\\][\w.]*\[")  # Table1[Column]
_R1C1 = re.compile(r"^R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?$", re.IGNORECASE)  # #NAME? in A1 mode


def shape_key(formula: str, row: int, col: int, moved: list | None = None) -> str:
    """The formula with every A1 reference made relative to (row, col): one key per R1C1 shape.

    References become `\x00r,c\x00` markers, which no formula text can hold (XML forbids the
    character), so a cell that holds R1C1 text such as `=R[0]C[-4]` never shares a shape with
    an A1 formula. `moved` collects where the rows made relative start (`Filled`)."""

    def sub(m):
        quoted, sheet, cabs, letters, rabs, digits = m.groups()
        if quoted or sheet:
            return m.group(0)
        c = _column(letters)
        if not c:
            return m.group(0)
        if moved is not None and not rabs:
            moved.append(m.start(6))
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
    foreign: tuple[str, ...] = ()  # Google Sheets functions it uses (functions.GOOGLE_SHEETS)


class Compiler:
    """Compiles formulas of one workbook. `sheets`: names in order; `names`: defined names,
    lower-cased name -> (sheet index or None, range text) or ('const', value)."""

    def __init__(self, sheets: list[str], names: dict[str, tuple]):
        self.sheets = {s.lower(): k for k, s in enumerate(sheets)}
        self.names = names
        self.shapes: dict[str, Shape] = {}
        self.filled = Filled()  # the shape of a formula like one above it, found cheaply

    def shape(self, formula: str, row: int, col: int) -> Shape:
        shape = self.filled.get(formula, row, col)
        if shape is not None:
            return shape
        moved: list[int] = []
        key = shape_key(formula, row, col, moved)
        shape = self.shapes.get(key)
        if shape is None:
            shape = self.shapes[key] = self._compile(formula, row, col)
        if "\x00" not in formula:
            self.filled.put(formula, row, col, moved, shape)
        return shape

    def _compile(self, formula: str, row: int, col: int) -> Shape:
        try:
            return self.node(syntax.parse(formula).root, row, col)
        except syntax.SyntaxProblem as e:
            return self.failing(e.code, e.detail)

    @staticmethod
    def unsupported(feature: str) -> Shape:
        """The shape of a formula using valid Excel the engine does not evaluate: running it
        stops the check (values.NotEvaluated), naming `feature`."""
        text = source(f"_unsupported({feature!r})")
        scope = dict(fx.SCOPE)
        exec(compile(text, "<formula>", "exec"), scope)  # noqa: S102 - our own code
        return Shape(scope["_f"], (), text, lambda s, r, c: ())

    def node(self, node: syntax.Node, row: int, col: int) -> Shape:
        """A compiled function for one tree (a whole formula, or a part of one) at (row, col)."""
        gen = Codegen(self.resolve, row, col)
        try:
            code = gen.code(node)[0]
        except CompileError as e:
            return self.failing(e.code, e.detail)
        scope = dict(fx.SCOPE)
        try:
            exec(compile(text := source(code), "<formula>", "exec"), scope)  # noqa: S102
        except (SyntaxError, RecursionError, MemoryError):  # beyond what Python compiles
            return self.failing("#VALUE!", "a formula too deeply nested to evaluate")
        refs = tuple(gen.refs)
        cells = None
        if all(ref.is_cell for ref in refs):  # the common case: a tuple built by compiled code
            items = ", ".join(
                f"({'s' if x.sheet is None else x.sheet}, {coord('r', x.r1, x.rabs1)}, "
                f"{coord('c', x.c1, x.cabs1)})"
                for x in refs
            )
            cells = eval(f"lambda s, r, c: ({items}{',' if refs else ''})")
        return Shape(scope["_f"], refs, text, cells, tuple(dict.fromkeys(gen.foreign)))

    @staticmethod
    def failing(code: str, detail: str) -> Shape:
        """The shape of a formula that evaluates to the error `code`, reading nothing."""
        if code == syntax.UNSUPPORTED:
            return Compiler.unsupported(detail)
        text = source(f"_fail({code!r}, {detail!r})")
        scope = dict(fx.SCOPE)
        exec(compile(text, "<formula>", "exec"), scope)  # noqa: S102 - our own code
        return Shape(scope["_f"], (), text, lambda s, r, c: ())

    def resolve(self, text: str, row: int, col: int, depth: int = 0) -> Ref | tuple | list:
        """A RANGE token: a Ref, ('const', value) for a defined name holding a constant, or a
        list of Refs, one per sheet, for a 3-D reference (Sheet4:Sheet5!A1)."""
        sheet, _, addr = text.rpartition("!")
        if sheet.lstrip("'").startswith("["):
            raise CompileError(syntax.UNSUPPORTED, f"a link to another workbook ({short(text)})")
        if not sheet and _STRUCTURED.match(text) and not _R1C1.match(text):
            raise CompileError(syntax.UNSUPPORTED, f"a structured reference ({short(text)})")
        if sheet:
            name = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
            if name.lower() not in self.sheets and ":" in name:
                first, last = (self.sheets.get(x.lower()) for x in name.split(":", 1))
                if first is not None and last is not None:
                    ref = self.resolve(addr, row, col, depth)
                    if not isinstance(ref, Ref):
                        raise CompileError("#REF!", f"{short(text)} is not a reference")
                    return [replace(ref, sheet=k) for k in range(min(first, last),
                                                                 max(first, last) + 1)]
            if name.lower() not in self.sheets:
                raise CompileError("#REF!", f"no sheet named {short(name)}")
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
            if depth >= 8:  # a name defined by a name, by a name...: Excel gives up too
                raise CompileError("#NAME?", f"the name {short(addr)} refers to itself")
            return self.resolve(target[1], 0, 0, depth + 1)
        if len(parts) == 2 and all(re.fullmatch(r"\$?[A-Za-z]{1,3}", p) for p in parts):
            c1, c2 = (column_index_from_string(p.strip("$").upper()) for p in parts)
            if max(c1, c2) <= MAX_COLS:  # whole columns (A:A): the text moves, not the Ref
                return Ref(s, 1, c1, MAX_ROWS, c2, True, True, True, True)
        if len(parts) == 2 and all(re.fullmatch(r"\$?\d{1,7}", p) for p in parts):
            r1, r2 = (int(p.strip("$")) for p in parts)
            if 1 <= min(r1, r2) and max(r1, r2) <= MAX_ROWS:  # whole rows (1:1048576)
                return Ref(s, r1, 1, r2, MAX_COLS, True, True, True, True)
        if addr.upper() == "#REF!" or addr.upper().endswith("#REF!"):
            raise CompileError("#REF!", "a reference to deleted cells (#REF!)")
        raise CompileError("#NAME?", f"unknown name {short(addr)}")


def finite(value):
    """Excel has no inf or nan: such a result is #NUM!."""
    if type(value) is float and not math.isfinite(value):
        raise XLError("#NUM!", "a result too large for a number")
    return value
