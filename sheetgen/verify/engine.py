"""Evaluate a workbook's formulas: our compiler in process, or LibreOffice headless.

`Engine.value(key)` returns a cell's value, evaluating what it needs first in dependency order
with an explicit stack (a 10,000-row chain of weight updates needs no recursion). Only the cells
the tables read are evaluated, so an odd formula elsewhere in the workbook costs nothing.
A block larger than DENSE cells is read from an index of the cells that exist (so `A:XFD` costs
what the sheet holds), and at most MAX_SHAPES distinct formula shapes are compiled.
`LibreOfficeEngine` reads the values LibreOffice computed instead, but answers `refs` the same way:
diagnosis always works on the formulas' text.
"""

from __future__ import annotations

import re
import tempfile
from bisect import bisect_left, bisect_right
from pathlib import Path

from .book import Book, quote_sheet
from .codegen import CompileError
from .formula import MAX_COLS, MAX_ROWS, Compiler, Ref, Shape, finite
from .functions import GOOGLE_SHEETS
from .references import intersect
from .values import CAUGHT, NotEvaluated, Range, XLError, _num, _single, as_error, short

CIRCULAR = "#CIRC!"
DENSE = 4096  # a block of more cells is read through an index of the cells that exist
# Distinct formula shapes compiled for the workbook's own cells. A table filled down needs a
# few dozen (the 28 real workbooks: 16 to 459); a hand-typed 150-row table with absolute
# references about 4,600. Each costs 0.2-0.4 ms and 3 KB to compile: about 2 s and 20 MB here.
MAX_SHAPES = 5_000


class TooManyShapes(NotEvaluated):
    """The workbook needs more compiled formula shapes than MAX_SHAPES: refused, in one line."""


class _Look:
    """What INDIRECT and OFFSET need at run time: the block a text names, and a block's values
    with the formulas in it computed first (which cells they read is known only then)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def named(self, text: str, s: int) -> tuple[int, int, int, int, int]:
        try:
            ref = self.engine.compiler.resolve(text, 0, 0)
        except CompileError:
            ref = None
        if not isinstance(ref, Ref):
            raise XLError("#REF!", f"INDIRECT of {short(text)}, which names no cells")
        self.engine.present(ref.sheet, (s, 0, 0))
        return ref.at(s, 0, 0)

    def block(self, s: int, r1: int, c1: int, r2: int, c2: int) -> Range:
        e = self.engine
        if not (1 <= min(r1, r2) and max(r1, r2) <= MAX_ROWS and 1 <= min(c1, c2)
                and max(c1, c2) <= MAX_COLS):
            raise XLError("#REF!", "a reference off the sheet")
        for r, c in e.existing(s, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)):
            if (key := (s, r, c)) in e.book.formulas and key not in e.vals:
                if key in e._entered:  # being computed: the formulas form a cycle
                    raise XLError(CIRCULAR, "a circular reference through INDIRECT or OFFSET")
                e.value(key)
        block = e._getters[2](s, r1, c1, r2, c2)
        block.origin = (s, min(r1, r2), min(c1, c2))
        return block


class Engine:
    """The in-process engine over a Book."""

    name = "builtin"
    judged = "judged here"  # how a Google Sheets function is judged (see notes)

    def __init__(self, book: Book):
        self.book = book
        self.compiler = Compiler(book.sheets, book.names)
        self.vals: dict[tuple[int, int, int], object] = dict(book.constants)
        self._entered: set = set()
        self._circular: dict[tuple, XLError] = {}  # a cell in a cycle -> the error naming the cycle
        self._shapes: dict[tuple[int, int, int], Shape] = {}
        self._compiled = 0  # shapes compiled for the workbook's own cells (see MAX_SHAPES)
        self._blocks: dict[tuple, list] = {}  # large blocks -> the cells in them (existing)
        self._indexes: dict[int, tuple] = {}  # sheet -> its cells sorted (existing)
        self._getters = self._make_getters()
        self._look = _Look(self)

    # --- reading cells -----------------------------------------------------------------------
    def _make_getters(self):
        vals, formulas, circular = self.vals, self.book.formulas, self._circular

        def get(s, r, c):
            v = vals.get((s, r, c))
            if v is None:
                if (s, r, c) in formulas:  # read before it could be computed: a cycle
                    raise circular.get((s, r, c)) or XLError(CIRCULAR, "a circular reference")
                return None
            if type(v) is XLError:
                raise v.with_traceback(None)  # re-raised down a whole table: keep no frames
            return v

        def num(s, r, c):
            v = vals.get((s, r, c))
            if type(v) is float:
                return v
            return _num(get(s, r, c))

        def rng(s, r1, c1, r2, c2):
            r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
            height, width = r2 - r1 + 1, c2 - c1 + 1
            if height * width <= DENSE:
                return Range([[vals.get((s, r, c)) for c in range(c1, c2 + 1)]
                              for r in range(r1, r2 + 1)], origin=(s, r1, c1))
            cells = {(r - r1, c - c1): vals.get((s, r, c))
                     for r, c in self.existing(s, r1, c1, r2, c2)}
            return Range(None, height, width, cells, (s, r1, c1))

        return get, num, rng

    def shape(self, key) -> Shape:
        shape = self._shapes.get(key)
        if shape is None:
            _, r, c = key
            before = len(self.compiler.shapes)
            shape = self._shapes[key] = self.compiler.shape(self.book.formulas[key], r, c)
            self._compiled += len(self.compiler.shapes) - before
            if self._compiled > MAX_SHAPES:
                raise TooManyShapes(
                    f"over {MAX_SHAPES:,} distinct formula shapes to evaluate (the verifier's "
                    "budget; a table filled down needs a few dozen)")
        return shape

    def notes(self) -> list[str]:
        """Remarks that fail nothing: cells evaluated with a Google Sheets function that Excel
        and LibreOffice do not know (`functions.GOOGLE_SHEETS`), one line per function."""
        used: dict[str, list] = {}
        for key, shape in self._shapes.items():
            for name in shape.foreign:
                used.setdefault(name, []).append(key)
        lines = []
        for name, keys in sorted(used.items()):
            first, more = min(keys), len(keys) - 1
            where = self.book.address(first) + (f" and {more:,} more cells use" if more
                                                else " uses")
            lines.append(f"{where} {name}, a Google Sheets function: Excel and LibreOffice "
                         f"show #NAME? there; {self.judged} as {GOOGLE_SHEETS[name]}")
        return lines

    def refs(self, key) -> list[tuple[int, int, int]]:
        """The cells the formula at `key` reads, ranges expanded, in order of appearance."""
        return list(dict.fromkeys(self._reads(key))) if key in self.book.formulas else []

    def _reads(self, key, shape: Shape | None = None):
        s, r, c = key
        shape = shape or self.shape(key)
        if shape.cells is not None:
            return shape.cells(s, r, c)
        out = []
        for ref in shape.refs:
            s2, r1, c1, r2, c2 = ref.at(s, r, c)
            r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
            out.extend((s2, rr, cc) for rr, cc in self.existing(s2, r1, c1, r2, c2))
        return out

    def existing(self, s, r1, c1, r2, c2) -> list[tuple[int, int]]:
        """(row, column) of the cells inside a block of sheet `s` that hold something, row by
        row (a small block: all its cells within the sheet's extent). A large block is read
        from an index of the sheet's cells, so `A:XFD` costs what the sheet holds; the answer
        for a large block is kept, as `$A:$A` is read by every row of a table."""
        if s >= len(self.book.extent):
            return []
        r2, c2 = min(r2, self.book.extent[s][0]), min(c2, self.book.extent[s][1])
        if r2 < r1 or c2 < c1:
            return []
        if (r2 - r1 + 1) * (c2 - c1 + 1) <= DENSE:
            return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
        block = (s, r1, c1, r2, c2)
        if (cells := self._blocks.get(block)) is None:
            if len(self._blocks) >= 256:  # large blocks that move with the row: keep a few
                self._blocks.clear()
            rows, keys = self._index(s)
            cells = self._blocks[block] = [
                (r, c) for r, c in keys[bisect_left(rows, r1):bisect_right(rows, r2)]
                if c1 <= c <= c2]
        return cells

    def _index(self, s: int) -> tuple[list[int], list[tuple[int, int]]]:
        """The cells of sheet `s` that hold something, sorted by row then column, and their
        rows (for bisecting)."""
        if not self._indexes:
            by_sheet: dict[int, set] = {}
            for s2, r, c in (*self.book.constants, *self.book.formulas):
                by_sheet.setdefault(s2, set()).add((r, c))
            for s2, cells in by_sheet.items():
                keys = sorted(cells)
                self._indexes[s2] = ([r for r, _ in keys], keys)
        return self._indexes.get(s, ([], []))

    # --- evaluation --------------------------------------------------------------------------
    def value(self, key):
        """The value of one cell (float, str, bool, None or an XLError)."""
        vals = self.vals
        if key in vals:
            return vals[key]
        formulas = self.book.formulas
        if key not in formulas:
            return None
        stack, entered, parent, shapes = [key], self._entered, {}, self._shapes
        while stack:
            k = stack[-1]
            if k in vals:
                stack.pop()
                continue
            shape = shapes.get(k) or self.shape(k)
            if k not in entered:
                entered.add(k)
                waits = False  # for a cell it reads: then it runs when that one is done
                for d in self._reads(k, shape) if shape.cells is None else shape.cells(*k):
                    if d in formulas and d not in vals:
                        if d not in entered:
                            parent[d] = k
                            stack.append(d)
                            waits = True
                        elif d not in self._circular:
                            # Entered but not done: an ancestor, so the formulas form a cycle.
                            self._circular[d] = self._cycle(d, k, parent)
                if waits:
                    continue
            stack.pop()
            vals[k] = self._run(k, shape)
        return vals[key]

    def _cycle(self, d, k, parent) -> XLError:
        path = [k]
        while path[-1] != d and path[-1] in parent and len(path) < 50:
            path.append(parent[path[-1]])
        path.reverse()  # d reads ... reads k, which reads d
        text = " → ".join(self.book.address(x, sheet=x[0] != d[0]) for x in path + [d])
        return XLError(CIRCULAR, f"a circular reference: {text}", origin=d)

    def evaluate_text(self, text: str, key) -> tuple[float | None, list]:
        """What the formula `text` would give in the cell `key` (None for anything but a
        number), and the cells it reads: how the diagnosis tries an edit of a student's formula."""
        shape = self.compiler.shape(text, key[1], key[2])
        return self._try(shape, key), list(dict.fromkeys(self._reads(key, shape)))

    def evaluate_node(self, formula, node, key) -> float | None:
        """What a part of a formula (a node of its syntax tree) gives in the cell `key`, or
        None; parts of the same shape in other rows and sheets share one compiled function."""
        return self._try(self.compiler.shape("=" + formula.source(node), key[1], key[2]), key)

    def _try(self, shape: Shape, key) -> float | None:
        for ref in self._reads(key, shape):
            self.value(ref)  # what it reads is computed first
        try:
            v = self._run(key, shape)
        except NotEvaluated:  # an edit the diagnosis tries is never a reason to stop
            return None
        return v if type(v) is float else None

    def present(self, sheet: int | None, key) -> None:
        """Refuse, in one line, a formula at `key` that reads a sheet not read with its own
        (a workbook read a few sheets at a time, `groups`): its value cannot be known here."""
        if sheet is not None and sheet in self.book.absent:
            raise NotEvaluated(
                f"{self.book.address(key)} reads the sheet {quote_sheet(self.book.sheets[sheet])}"
                "; a workbook this large is read a few sheets at a time, and these two apart")

    def _run(self, key, shape: Shape | None = None):
        s, r, c = key
        get, num, rng = self._getters
        try:
            shape = shape or self.shape(key)
            if self.book.absent:
                for ref in shape.refs:
                    self.present(ref.sheet, key)
            v = shape.func(s, r, c, get, num, rng, self._look)
            if type(v) is float and v - v == 0.0:  # a finite number: the usual result
                return v
            v = finite(v)
            if type(v) is Range:
                v = _single(intersect(v, r, c))
                if type(v) is XLError:
                    raise v
            if v is None:
                return 0.0  # `=A1` of an empty cell is 0
            return float(v) if type(v) is int else v
        except NotEvaluated as e:
            if str(e).startswith("uses "):
                raise NotEvaluated(f"{self.book.address(key)} {e}") from None
            raise
        except CAUGHT as e:
            err = as_error(e)
            if err.origin is None:
                err.origin = key
            return err


class LibreOfficeEngine(Engine):
    """Values as LibreOffice computes them after a full recalculation of a copy of the file."""

    name = "libreoffice"
    judged = "the builtin engine judges it"

    def __init__(self, book: Book):
        super().__init__(book)
        from ..libreoffice import recalculate
        from .book import open_book

        with tempfile.TemporaryDirectory(prefix="sheetgen-verify-") as tmp:
            copy = open_book(recalculate(book.path, Path(tmp)), max_rows=1 << 20)
        index = {name: k for k, name in enumerate(book.sheets)}
        for (s2, r, c), v in copy.cached.items():
            s = index.get(copy.sheets[s2])
            if s is not None and (s, r, c) in book.formulas:
                self.vals[(s, r, c)] = _libreoffice_value(v, (s, r, c))

    def value(self, key):
        v = self.vals.get(key)
        if v is None and key in self.book.formulas:
            return XLError("#VALUE!", "LibreOffice computed no value", origin=key)
        return v


def _libreoffice_value(v, key):
    """A value LibreOffice saved, with its own `Err:502`-style codes read as Excel errors."""
    if isinstance(v, str) and re.fullmatch(r"Err:\d{3}", v):
        circular = v in ("Err:522", "Err:523")
        v = XLError(
            CIRCULAR if circular else "#VALUE!",
            "a circular reference" if circular else f"LibreOffice error {v}",
        )
    if isinstance(v, XLError):
        v.origin = key
    return v


ENGINES = {"builtin": Engine, "libreoffice": LibreOfficeEngine}
