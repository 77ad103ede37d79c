"""Rows of update-shaped formulas (`updates.update_rows`): the answer decided once per formula
shape is the answer of `is_update`, the rule's definition, asked cell by cell."""

from __future__ import annotations

from collections import Counter

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from sheetgen.verify.book import open_book
from sheetgen.verify.engine import Engine
from sheetgen.verify.updates import MIN_UPDATES, is_update, update_rows

# Formulas filled over rows 3-14 of columns B-M, {r} the cell's own row, {u} the one above, {x}
# the cell's own column, {y} the next: updates written with relative, absolute and mixed
# references, ranges, the own sheet named, and fixed rows written without `$` (a perceptron's
# sheet, student22), which update one row up from a single row only.
TEMPLATES = [
    "={x}{u}-$A$1*{y}{u}",      # the rule: own column and another, one row up
    "=$C$6-$A$1*$D$6",          # all absolute: an update in row 7 alone (columns C and D)
    "=D$9-$A$1*{y}{u}",         # a mixed row: column D's own cell one row up in row 10 only
    "=SUM(E{u}:F{u})",          # a range one row up: an update in column E or F
    "=Sheet!{x}{u}+{y}{u}",     # the own sheet, named
    "=IF(K{r}>=0,$D$3,$D$4)",   # reads its own row and fixed cells
    "=H{r}*$A$2*I{r}",
    "=((D{r}*D5)+(E{r}*E5))+$L$9",
    "=$J$11-J10+K10",           # relative one row up
    "=A{r}",
]


def _fill(template: str, r: int, c: int) -> str:
    return template.format(r=r, u=r - 1, x=get_column_letter(c), y=get_column_letter(c + 1))


def _book(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet"
    ws["A1"], ws["A2"] = 0.5, 2
    for r in range(3, 15):
        for c in range(2, 14):
            template = TEMPLATES[(r * 7 + c * 3) % len(TEMPLATES)]
            ws.cell(r, c, _fill(template, r, c))
        for c in range(14, 18):  # four more columns of updates every third row
            ws.cell(r, c, _fill(TEMPLATES[1 if r % 3 else 0], r, c))
    wb.save(tmp_path / "u.xlsx")
    return open_book(tmp_path / "u.xlsx")


def test_update_rows_are_those_cell_by_cell(tmp_path):
    book = _book(tmp_path)
    engine = Engine(book)
    count = Counter(key[:2] for key in book.formulas if is_update(engine, key))
    rows = sorted(k for k, n in count.items() if n >= MIN_UPDATES)
    expected = [(s, r) for s, r in rows if count[(s, r - 1)] < MIN_UPDATES]
    assert expected  # the sheet holds update rows for the shortcut to find
    assert update_rows(book, Engine(book)) == expected


def test_fixed_rows_update_from_the_row_below_only(tmp_path):
    # `=$C$10-$A$1*$D$10` filled over C4:F12 (row 10 aside) reads column C or D one row up, and
    # another cell of that row, in row 11 alone: one shape, an update in two of its cells.
    wb = Workbook()
    for r in (*range(4, 10), 11, 12):
        for c in "CDEF":
            wb.active[f"{c}{r}"] = "=$C$10-$A$1*$D$10" if c in "CD" else "=$E$10-$A$1*$F$10"
    wb.save(tmp_path / "f.xlsx")
    book = open_book(tmp_path / "f.xlsx")
    engine = Engine(book)
    assert [key for key in book.formulas if is_update(engine, key)] == [
        (0, 11, c) for c in (3, 4, 5, 6)]
    assert update_rows(book, engine) == [(0, 11)]
