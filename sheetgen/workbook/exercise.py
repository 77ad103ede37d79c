"""The exercise: the workbook with the cells a student writes left empty, and its answer key.

The exercise has exactly the key's layout, inputs, η, headers and sheets. On each η sheet every
computed cell of the table is empty (no formula, no value) and styled "fill in", except the first
row's weights (and trained biases), which read their initial values (`=init_w1`). What the
verifier recognises a table by stays filled in every row: the iteration column A, the given
columns (t1, t2, i1, i2, and b1, b2 when fixed), η in B3 with its label in A3, the header row.
The helper column and the Loss curves sheet keep their formulas, stored with what a spreadsheet
computes from the blank table (an empty E_total reads as 0). On the Backprop sheet the inputs and
the diagram stay; the block panels keep their titles and labels, their maths and values are left
to fill in. The key is the full workbook for the same settings, byte for byte a plain build.
"""
from __future__ import annotations

from pathlib import Path

from .. import network as net
from .layout import FIRST_ROW, last_row

LEGEND = "fill in"  # a cell in the fill-in style, in row 3, and what it means beside it
LEGEND_NOTE = ("= yours to write. Check your workbook with: sheetgen verify --hints why FILE "
               "(where and why, not the answer)")


def is_blank(q: net.Quantity, row: int) -> bool:
    """Whether the exercise leaves quantity `q`'s cell in worksheet row `row` empty."""
    return not q.is_input and not (row == FIRST_ROW and q.start)


def key_path(path: str | Path) -> Path:
    """Where the answer key of the exercise at `path` goes: `class.xlsx` -> `class-key.xlsx`."""
    path = Path(path)
    return path.with_name(f"{path.stem}-key{path.suffix or '.xlsx'}")


def table_instruction(iterations: int, trained: bool = False) -> str:
    """The instruction on each η sheet, in row 2 (short enough to print on the first page). Row
    6 holds the first row's formulas, row 7 the first updates; together they fill down."""
    first, second = FIRST_ROW, FIRST_ROW + 1
    text = (f"Exercise: write row {first}'s formulas in the empty cells (the blocks of the "
            "Backprop sheet)")
    if iterations == 1:
        return text + "."
    update = (f"w and b (w − η·∂E/∂w, b − η·∂E/∂b of row {first})" if trained
              else f"weights (w − η·∂E/∂w of row {first})")
    down = (f"fill row {first} down to row {second}" if iterations == 2
            else f"fill rows {first} and {second} down to row {last_row(iterations)}")
    return f"{text} and row {second}'s {update}, then {down}."


# Row 2 of the exercise's Loss curves sheet: what it shows until the tables are written.
LOSS_INSTRUCTION = ("Exercise: nothing to write here. This sheet reads the η= tables: while a "
                    "table is empty its row says 'table empty' and the chart has no curve. Fill "
                    "in the tables, then compare the learning rates here.")


def backprop_instruction(first_sheet: str) -> str:
    """The instruction on the Backprop sheet, in row 2."""
    return ("Exercise: in each block below write the maths (column B) and a formula for its "
            f"first-iteration value (column C, reading row {FIRST_ROW} of the {first_sheet} "
            "sheet); then fill in the η= sheets.")

