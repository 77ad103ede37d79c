"""The three kinds of sheet, written with XlsxWriter: every formula with its stored value.

  Backprop      inputs (yellow, with defined names), the network diagram, the chain-rule blocks
  η=0.1, ...    η, the header and first row of the iteration table, its loss chart (the other
                rows are streamed in by `writer.py`)
  Loss curves   every E_total curve in one chart, and per η the final loss and when it fell below
                a threshold

In the exercise (`Book.exercise`) the cells a student writes are left empty and styled "fill
in" (`exercise.py` says which). Rows and columns are 1-based here as in the layout
(`cell(5, "B")` is B5); XlsxWriter takes the A1 text.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from types import SimpleNamespace

from .. import network as net
from . import charts, page
from . import exercise as X
from . import layout as L
from .settings import Settings
from .styles import column_format
from .values import Values, number_text


@dataclass(frozen=True)
class Book:
    """What the sheets of one workbook are made from: the XlsxWriter workbook and its formats,
    the settings, their stored values, and whether this is the exercise."""

    wb: object
    f: SimpleNamespace
    settings: Settings
    values: Values
    exercise: bool = False

    @property
    def layout(self) -> L.Layout:
        return L.layout_of(self.settings.network)

    @property
    def pattern_row(self) -> int:
        """The last table row XlsxWriter writes; `writer.py` streams the rows after it with its
        cell styles. The exercise writes two, as its second row's weights are empty and its
        first row's are not."""
        return L.FIRST_ROW + (1 if self.exercise and self.settings.iterations > 1 else 0)


def cell(row: int, column: str) -> str:
    return f"{column}{row}"


def _title(ws, f, title: str, note: str, value: str | None = None, column: str = "A") -> None:
    if value is None:
        ws.write_string(cell(1, column), title, f.title)
    else:
        ws.write_formula(cell(1, column), title, f.title, value)
    ws.write_string(cell(2, column), note, f.note)


def backprop_sheet(b: Book) -> None:
    """Inputs with defined names, the network diagram and the chain-rule blocks."""
    from ..plots import network_diagram

    wb, f, settings, layout = b.wb, b.f, b.settings, b.layout
    first = L.sheet_name(settings.learning_rates[0])
    ws = wb.add_worksheet(L.BACKPROP)
    _title(ws, f, f"Backpropagation by hand: {network_words(settings.network)}",
           X.backprop_instruction(first) if b.exercise else
           "How to use: change a yellow input below (or η on an η= sheet); every table and chart "
           "recalculates. Each η= sheet holds one row per gradient-descent step: "
           "w(next row) = w − η·∂E/∂w.")
    if b.exercise:
        _legend(ws, f, "A", "B")
    ws.set_column("A:A", 17)
    ws.set_column("B:B", 76)
    ws.set_column("D:D", 2)
    ws.set_column("C:C", 14)
    ws.write_row("A4", ["Input", "Meaning", "Value"], f.bold)
    given = given_values(settings)
    for r, (name, defined, meaning) in enumerate(layout.input_rows, start=L.INPUT_TOP):
        ws.write_string(cell(r, "A"), name, f.bold)
        ws.write_string(cell(r, "B"), f"{meaning}   (defined name {defined})")
        ws.write_number(cell(r, "C"), given[name], f.input)
        wb.define_name(defined, "=" + L.ref(L.BACKPROP, f"$C${r}"))
    diagram = network_diagram(settings.network)
    ws.insert_image("E4", "network.png", {"image_data": io.BytesIO(diagram),
                                          "x_scale": 0.8, "y_scale": 0.8})
    _blocks(b, ws, first)
    ws.freeze_panes(3, 0)
    page.one_page(ws)


def network_words(network) -> str:
    """"a 2-2-2 sigmoid network", with its loss, biases and batch where they are not the
    course's."""
    words = [f"a {network.shape} {network.activation} network"]
    if network.loss == "sse":
        words.append("loss Σ(t−a)²")
    if network.biases:
        words.append(f"one bias per {network.biases}" + (", trained" if network.trained else ""))
    if network.examples > 1:
        words.append(f"{network.examples} examples a step, "
                     f"{'mean' if network.mean else 'sum'} of their gradients")
    return ", ".join(words)


def given_values(settings: Settings) -> dict[str, float]:
    """The value of each Backprop input cell by name: inputs and targets of each example, the
    initial weights, the biases."""
    network, given = settings.network, {}
    for e, (inputs, targets) in enumerate(settings.examples, start=1):
        given |= {network.example(f"i{j}", e): x for j, x in enumerate(inputs, start=1)}
        given |= {network.example(f"t{k}", e): t for k, t in enumerate(targets, start=1)}
    given |= dict(zip(network.weight_names, settings.weights))
    return given | dict(zip(network.bias_names, settings.biases or ()))


COUNTS = {3: "three", 6: "six"}


def _blocks(b: Book, ws, first: str) -> None:
    """The chain-rule blocks: maths from the templates, values live from the first η sheet's
    first row (in the exercise, both left to fill in)."""
    f, row, blocks = b.f, b.layout.blocks_top, b.settings.network.blocks
    ws.write_string(cell(row, "A"), f"The {COUNTS[len(blocks)]} chain-rule blocks (values: first "
                    f"iteration, η = {b.settings.learning_rates[0]:g} sheet)", f.block_title)
    for block, (title, lines) in enumerate(blocks, start=1):
        row += 1
        ws.write_string(cell(row, "A"), title, f.block_bold[block])
        ws.write_blank(cell(row, "B"), None, f.block[block])
        ws.write_blank(cell(row, "C"), None, f.block[block])
        for label, template in lines:
            row += 1
            ws.write_string(cell(row, "A"), label, f.block[block])
            if b.exercise:
                ws.write_blank(cell(row, "B"), None, f.fill_text)
                ws.write_blank(cell(row, "C"), None, f.fill_block_value)
                continue
            ws.write_string(cell(row, "B"), f"{label} = {net.maths(template)}", f.block[block])
            ws.write_formula(cell(row, "C"), b.layout.block_formula(template, first),
                             f.block_value[block], b.values.block_line(template))
        row += 1


def _legend(ws, f, sample: str, note: str) -> None:
    """Row 3 of an exercise sheet: a cell in the fill-in style, and what it means."""
    ws.write_string(cell(3, sample), X.LEGEND, f.fill)
    ws.write_string(cell(3, note), X.LEGEND_NOTE, f.note)


def learning_rate_sheet(b: Book, k: int):
    """η, the table's header and first row (two in the exercise), and the loss chart, for
    learning rate number `k`. Returns the worksheet; `writer.py` adds the table's other rows."""
    f, settings, layout = b.f, b.settings, b.layout
    eta = settings.learning_rates[k]
    ws = b.wb.add_worksheet(L.sheet_name(eta))
    note = (X.table_instruction(settings.iterations, settings.train_biases) if b.exercise else
            "Change η (yellow) or the inputs on the Backprop sheet. "
            "Row n+1 applies w − η·∂E/∂w to row n.")
    _title(ws, f, L.title_formula(), note, value=f"Gradient descent with η = {number_text(eta)}",
           column=L.TITLE_COLUMN)
    ws.write_string("A3", "η", f.bold)
    ws.write_number("B3", eta, f.input)
    if b.exercise:
        _legend(ws, f, "D", "E")
    else:
        ws.write_string("D3", "Colours match the Backprop sheet's blocks. The last column says "
                        "whether E_total is below the threshold on the Loss curves sheet.", f.note)
    ws.set_column("A:A", page.ITERATION_WIDTH)
    ws.set_column(f"B:{layout.below_column}", page.COLUMN_WIDTH)
    ws.set_row(L.HEADER_ROW - 1, 30)
    ws.write_string(cell(L.HEADER_ROW, "A"), "iteration", f.header[0])
    for q in settings.network.columns:
        ws.write_string(cell(L.HEADER_ROW, layout.column_of[q.name]), q.label, f.header[q.block])
    ws.write_string(cell(L.HEADER_ROW, layout.below_column), L.BELOW_LABEL, f.header[0])
    for row in range(L.FIRST_ROW, b.pattern_row + 1):
        _table_row(b, ws, k, row)
    ws.freeze_panes(L.FIRST_ROW - 1, 1)
    charts.loss_chart(b.wb, ws, layout, k, eta, b.values.curve(k))
    page.learning_rate(ws, layout)
    return ws


def _table_row(b: Book, ws, k: int, row: int) -> None:
    """One row of table `k`, formulas with their stored values (the exercise's blanks empty)."""
    f, layout, n = b.f, b.layout, row - L.FIRST_ROW
    ws.write_number(cell(row, "A"), n + 1, f.cell)
    for q in b.settings.network.columns:
        where = cell(row, layout.column_of[q.name])
        if b.exercise and X.is_blank(q, row):
            ws.write_blank(where, None, column_format(f, q.name, blank=True))
        else:
            ws.write_formula(where, layout.table_formula(q, row), column_format(f, q.name),
                             float(b.values.table[q.name][k, n]))
    ws.write_formula(cell(row, layout.below_column), layout.below_formula().format(r=row),
                     f.centre, b.values.below(k)[n])


def loss_sheet(b: Book) -> None:
    """All E_total curves in one chart, with a live summary per learning rate."""
    f, settings, values = b.f, b.settings, b.values
    ws = b.wb.add_worksheet(L.LOSS_SHEET)
    _title(ws, f, "Loss curves: E_total per iteration for each learning rate",
           "Everything here reads the η= sheets. Change the threshold (yellow) to see when each "
           "run gets there.")
    ws.write_string("A3", "E_total threshold", f.bold)
    ws.write_number(L.THRESHOLD_CELL.replace("$", ""), settings.threshold, f.threshold)
    ws.write_row(cell(L.SUMMARY_HEADER_ROW, "A"), ["learning rate", "η", "final E_total",
                                                   "first iteration below threshold"], f.header[1])
    ws.set_row(L.SUMMARY_HEADER_ROW - 1, 30)
    for column, width in zip("ABCD", (17, 8, 12, 15)):
        ws.set_column(f"{column}:{column}", width)
    for k, eta in enumerate(settings.learning_rates):
        row = L.SUMMARY_HEADER_ROW + 1 + k
        formulas = b.layout.summary_formulas(eta, settings.iterations)
        ws.write_formula(cell(row, "A"), formulas["label"], f.cell, f"η = {number_text(eta)}")
        ws.write_formula(cell(row, "B"), formulas["eta"], f.cell, eta)
        ws.write_formula(cell(row, "C"), formulas["final"], f.small, values.final(k))
        ws.write_formula(cell(row, "D"), formulas["first_below"], f.right, values.first_below(k))
    charts.overlay_chart(b.wb, ws, b.layout, settings, values)
    page.one_page(ws)
