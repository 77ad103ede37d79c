"""How each sheet prints: landscape handouts that a student can read on paper.

A learning-rate table is 33 to 37 columns wide. Squeezed onto one page width its text is about
3 pt, so it prints at a fixed scale instead, split into three pages across at the block
boundaries (t, i, w1-w4, b1 and the hidden layer; w5-w8, b2, the output layer and the loss; the
gradients), with the iteration column and the header row repeated on every page: 73 % for the
classic table, whose widest page has 12 columns, a little less where biases make it 13. The
Backprop and Loss curves sheets each fit on one page.
"""
from __future__ import annotations

from itertools import pairwise

from openpyxl.utils import column_index_from_string

from . import layout as L

TABLE_SCALE = 73  # per cent: a third of the classic table, 12 columns, fits a Letter or A4 page
CLASSIC_WIDEST = 12  # columns on the classic table's widest page (t1 .. a_h2)
ITERATION_WIDTH, COLUMN_WIDTH = 10, 10.5  # characters: column A, and each column of the table
MARGINS = {"left": 0.3, "right": 0.3, "top": 0.6, "bottom": 0.6}  # inches
FOOTER = "&L&A&Rpage &P of &N"  # sheet name, page number


def _common(ws) -> None:
    ws.set_landscape()
    ws.set_margins(**MARGINS)
    ws.set_footer(FOOTER)


def one_page(ws) -> None:
    """The Backprop sheet (inputs, diagram, the six blocks) or the Loss curves sheet (summary and
    chart) on one page."""
    _common(ws)
    ws.fit_to_pages(1, 1)


def breaks(layout: L.Layout) -> list[int]:
    """The first column of each page after the first (1-based): the first weight into the output
    layer (w5 for the 2-2-2), ∂E/∂w1, the chart."""
    network = layout.network
    first = network.layer_weights(network.depth)[0]
    return [column_index_from_string(c) for c in (layout.column_of[first],
                                                   layout.column_of["dw1"], layout.chart_column)]


def table_scale(layout: L.Layout) -> int:
    """The print scale at which the widest page of `layout`'s table fits across, as wide as the
    classic table's widest page prints at `TABLE_SCALE`."""
    starts = [2, *breaks(layout)]  # column B, then each break
    widest = max(b - a for a, b in pairwise(starts))

    def width(columns: int) -> float:
        return ITERATION_WIDTH + COLUMN_WIDTH * columns

    return min(TABLE_SCALE, int(TABLE_SCALE * width(CLASSIC_WIDEST) / width(widest)))


def learning_rate(ws, layout: L.Layout) -> None:
    """Three pages across per block of rows, header row and iteration column on each."""
    _common(ws)
    ws.set_print_scale(table_scale(layout))
    ws.repeat_rows(L.HEADER_ROW - 1)  # XlsxWriter counts rows and columns from 0
    ws.repeat_columns(0)
    # A break's number is the 0-based index of the first column of the new page.
    ws.set_v_pagebreaks([c - 1 for c in breaks(layout)])
