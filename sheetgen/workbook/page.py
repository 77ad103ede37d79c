"""How each sheet prints: landscape handouts that a student can read on paper.

A learning-rate table is 32 columns wide. Squeezed onto one page width its text is about 3 pt,
so it prints at a fixed scale instead, split into three pages across at the block boundaries
(t, i, w1-w4 and the hidden layer; w5-w8, the output layer and the loss; the gradients), with the
iteration column and the header row repeated on every page. The Backprop and Loss curves sheets
each fit on one page.
"""
from __future__ import annotations

from openpyxl.utils import column_index_from_string

from . import layout as L

TABLE_SCALE = 73  # per cent: the widest third of the table fits a Letter or A4 page across
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


def learning_rate(ws) -> None:
    """Three pages across per block of rows, header row and iteration column on each."""
    _common(ws)
    ws.set_print_scale(TABLE_SCALE)
    ws.repeat_rows(L.HEADER_ROW - 1)  # XlsxWriter counts rows and columns from 0
    ws.repeat_columns(0)
    # A break's number is the 0-based index of the first column of the new page.
    ws.set_v_pagebreaks([column_index_from_string(c) - 1
                         for c in (L.COLUMN_OF["w5"], L.COLUMN_OF["dw1"], L.CHART_COLUMN)])
