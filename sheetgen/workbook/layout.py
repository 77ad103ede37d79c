"""Where everything sits in the workbook, and the formulas rendered from the table of quantities.

The one place that says where things are: sheet names, rows, columns, and every formula the
builder writes (`row_formula` renders a column's formula from its template in `network.py`).
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter, quote_sheetname

from .. import network as net

BACKPROP = "Backprop"
LOSS_SHEET = "Loss curves"

# --- Backprop sheet -----------------------------------------------------------------------------
INPUT_ROWS = [("i1", "input_i1", "input to the network"), ("i2", "input_i2", "input to the network"),
              ("t1", "target_t1", "target for output a_o1"), ("t2", "target_t2", "target for a_o2")]
INPUT_ROWS += [(w, f"init_{w}", f"initial weight {a}→{b}") for a, b, w in net.EDGES]
INPUT_TOP = 5  # first input row; the values sit in column C
BLOCKS_TOP = INPUT_TOP + len(INPUT_ROWS) + 2  # the heading above the six chain-rule blocks

# --- learning-rate sheets -----------------------------------------------------------------------
ETA_CELL = "$B$3"
TITLE_COLUMN = "B"  # not A: column A repeats on every printed page, where a title would be cut
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
COLUMN_OF = {q.name: get_column_letter(2 + k) for k, q in enumerate(net.COLUMNS)}  # A: iteration
# A helper column right of the table: TRUE where E_total is below the Loss curves threshold.
# MATCH(TRUE, ...) over it is the first such iteration, with no function newer than Excel 2010
# (MINIFS is Excel 2019).
BELOW_COLUMN = get_column_letter(2 + len(net.COLUMNS))
BELOW_LABEL = "below threshold"
CHART_COLUMN = get_column_letter(2 + len(net.COLUMNS) + 2)  # one empty column after the helper

# --- Loss curves sheet --------------------------------------------------------------------------
THRESHOLD_CELL = "$B$3"
SUMMARY_HEADER_ROW = 5


def sheet_name(eta: float) -> str:
    return f"η={eta:g}"


def ref(sheet: str, cell: str) -> str:
    return f"{quote_sheetname(sheet)}!{cell}"


def last_row(iterations: int) -> int:
    return FIRST_ROW + iterations - 1


def row_formula(q: net.Quantity) -> str:
    """`q`'s formula for any row after the first, with `{r}` for that row and `{p}` the one above."""
    return "=" + net.render(q.formula, lambda name, off: ETA_CELL if name == "eta"
                            else f"{COLUMN_OF[name]}{{{'p' if off else 'r'}}}")


def table_formula(q: net.Quantity, row: int) -> str:
    """The formula of quantity `q` in worksheet row `row` of a learning-rate sheet."""
    if row == FIRST_ROW and q.start:
        return f"={q.start}"
    return row_formula(q).format(r=row, p=row - 1)


def below_formula() -> str:
    """The helper column's formula, with `{r}` for its row."""
    return f'={COLUMN_OF["E_total"]}{{r}}<{ref(LOSS_SHEET, THRESHOLD_CELL)}'


def block_formula(template: str, first_sheet: str) -> str:
    """A chain-rule line of the Backprop sheet, read from the first row of `first_sheet`."""
    return "=" + net.render(template, lambda name, off: ref(first_sheet,
                                                            f"{COLUMN_OF[name]}{FIRST_ROW}"))


def title_formula() -> str:
    return f'="Gradient descent with η = "&{ETA_CELL.replace("$", "")}'


def summary_formulas(eta: float, iterations: int) -> dict[str, str]:
    """The Loss curves row of learning rate `eta`: label, η, final E_total, first iteration
    below the threshold (or "not reached")."""
    sheet, last = sheet_name(eta), last_row(iterations)
    below = ref(sheet, f"${BELOW_COLUMN}${FIRST_ROW}:${BELOW_COLUMN}${last}")
    return {
        "label": f'="η = "&{ref(sheet, ETA_CELL)}',
        "eta": f"={ref(sheet, ETA_CELL)}",
        "final": f"={ref(sheet, COLUMN_OF['E_total'] + str(last))}",
        "first_below": f'=IFERROR(MATCH(TRUE,{below},0),"not reached")',
    }
