"""A shared formula copied to its cells: Excel stores `=F6-$B$3*Y6` once, for `N7:N106`, and the
reader writes each copy's text as Excel shows it (`formula.translate`, without a regular
expression per copy). Each column offset gets a template (`F%d-$B$3*Y%d`), so a copy costs one
string formatting."""

from __future__ import annotations

from openpyxl.utils.cell import get_column_letter

from .formula import _KEY, MAX_COLS, MAX_ROWS, _column


class Copies:
    """A formula split once at its references, to be copied to many cells (the copies of a
    shared formula, a whole column of them): `translate` at the cost of one formatting a copy."""

    TEMPLATES = 64  # column offsets kept a template (a shared formula spans a few columns)

    def __init__(self, formula: str):
        self.parts: list = []  # text, then (cabs, column, rabs, row) of a reference, alternating
        self.templates: dict[int, tuple] = {}  # column offset -> _template, () once met
        start = 0
        for m in _KEY.finditer(formula):
            quoted, sheet, cabs, letters, rabs, digits = m.groups()
            if quoted or sheet or not (c := _column(letters)):
                continue
            self.parts += [formula[start:m.start()], (cabs, c, rabs, int(digits))]
            start = m.end()
        self.parts.append(formula[start:])

    def moved(self, rows: int, cols: int) -> str:
        """`translate(formula, rows, cols)`."""
        template = self.templates.get(cols)
        if not template:  # a template pays from a column offset's second copy on
            if template is None:
                if len(self.templates) < self.TEMPLATES:
                    self.templates[cols] = ()
                return self._moved(rows, cols)
            template = self.templates[cols] = self._template(cols)
        fmt, starts, low, high = template
        # Every row that moves stays on the grid: the template's text; else reference by reference.
        if not starts or 1 <= low + rows and high + rows <= MAX_ROWS:
            return fmt % tuple(map(rows.__add__, starts))
        return self._moved(rows, cols)

    def _template(self, cols: int) -> tuple[str, tuple[int, ...], int, int]:
        """The copies `cols` columns across as a %-format over the rows that move, those rows
        in the master, and the lowest and highest of them."""
        out, starts = [], []
        for k, part in enumerate(self.parts):
            if k % 2 == 0:
                out.append(part.replace("%", "%%"))
                continue
            cabs, c, rabs, r = part
            c = c + (0 if cabs else cols)
            if not 1 <= c <= MAX_COLS or rabs and not 1 <= r <= MAX_ROWS:
                out.append("#REF!")
            elif rabs:
                out.append(f"{cabs}{get_column_letter(c)}{rabs}{r}")
            else:
                out.append(f"{cabs}{get_column_letter(c)}%d")
                starts.append(r)
        low, high = (min(starts), max(starts)) if starts else (0, 0)
        return "".join(out), tuple(starts), low, high

    def _moved(self, rows: int, cols: int) -> str:
        out = []
        for k, part in enumerate(self.parts):
            if k % 2 == 0:
                out.append(part)
                continue
            cabs, c, rabs, r = part
            r, c = r + (0 if rabs else rows), c + (0 if cabs else cols)
            out.append(f"{cabs}{get_column_letter(c)}{rabs}{r}" if 1 <= r <= MAX_ROWS
                       and 1 <= c <= MAX_COLS else "#REF!")
        return "".join(out)
