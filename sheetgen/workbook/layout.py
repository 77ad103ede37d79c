"""Where everything sits in the workbook, and the formulas rendered from the table of quantities.

The one place that says where things are: sheet names, rows, columns, and every formula the
builder writes (`Layout.row_formula` renders a column's formula from its template in
`sheetgen.network`). What is fixed (rows, the η cell, sheet names) is a module constant; what
depends on the network's columns (31 for the classic 2-2-2, 33 with biases, 35 with trained
biases, and as many as any other network's table has) is a `Layout`.
The module-level `COLUMN_OF`, `BELOW_COLUMN`, `row_formula`, ... are the classic network's.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from openpyxl.utils import get_column_letter, quote_sheetname

from .. import network as net

BACKPROP = "Backprop"
LOSS_SHEET = "Loss curves"

# --- Backprop sheet -----------------------------------------------------------------------------
INPUT_TOP = 5  # first input row; the values sit in column C

# --- learning-rate sheets -----------------------------------------------------------------------
ETA_CELL = "$B$3"
TITLE_COLUMN = "B"  # not A: column A repeats on every printed page, where a title would be cut
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
BELOW_LABEL = "below threshold"

# --- Loss curves sheet --------------------------------------------------------------------------
THRESHOLD_CELL = "$B$3"
SUMMARY_HEADER_ROW = 5

LAYER_NAMES = {1: ("output",), 2: ("hidden", "output"),
               3: ("first hidden", "second hidden", "output")}


def meaning(network: net.Network, name: str) -> str:
    """What a Backprop input cell holds, in words: "input to the network", "target for output
    a_o1", "bias of the hidden layer, added to h1 and h2", ..."""
    base, example = name, ""
    if network.examples > 1 and name[0] in "it":
        base, _, e = name.rpartition("_")
        example = f" of example {e}"
    if base[0] == "i":
        return "input to the network" + example
    if base[0] == "t":
        return ("target for output a_o1" if base == "t1" else f"target for a_o{base[1:]}") + example
    units = network.bias_units(name)
    if network.biases == "unit":
        return f"bias of {units[0]}"
    layer = LAYER_NAMES[network.depth][network.layer_of(units[0]) - 1]
    added = " and ".join(units) if len(units) < 3 else ", ".join(units[:-1]) + " and " + units[-1]
    return f"bias of the {layer} layer, added to {added}"


def sheet_name(eta: float) -> str:
    return f"η={eta:g}"


def ref(sheet: str, cell: str) -> str:
    return f"{quote_sheetname(sheet)}!{cell}"


def last_row(iterations: int) -> int:
    return FIRST_ROW + iterations - 1


def title_formula() -> str:
    return f'="Gradient descent with η = "&{ETA_CELL.replace("$", "")}'


@dataclass(frozen=True)
class Layout:
    """Where the table of `network` sits: column A the iteration, then one column per quantity in
    `network.columns` order, then the helper column, an empty column and the chart."""

    network: net.Network

    @cached_property
    def column_of(self) -> dict[str, str]:
        return {q.name: get_column_letter(2 + k) for k, q in enumerate(self.network.columns)}

    @cached_property
    def below_column(self) -> str:
        """A helper column right of the table: TRUE where E_total is below the Loss curves
        threshold. MATCH(TRUE, ...) over it is the first such iteration, with no function newer
        than Excel 2010 (MINIFS is Excel 2019)."""
        return get_column_letter(2 + len(self.network.columns))

    @cached_property
    def chart_column(self) -> str:
        return get_column_letter(2 + len(self.network.columns) + 2)  # one empty column between

    @cached_property
    def input_rows(self) -> tuple[tuple[str, str, str], ...]:
        """The Backprop sheet's input cells, (name, defined name, meaning): i, t (of each
        example), the weights in weight order, then the biases; the defined name is what a
        table's first row reads."""
        network, by_name, rows = self.network, self.network.by_name, []
        for e in range(1, network.examples + 1):
            names = [network.example(i, e) for i in network.units(0)]
            names += [network.example(f"t{k}", e) for k in range(1, network.layers[-1] + 1)]
            rows += [(n, by_name[n].start, meaning(network, n)) for n in names]
        rows += [(w, f"init_{w}", f"initial weight {a}→{b}") for a, b, w in network.edges]
        for b in network.bias_names:
            q = by_name[b]
            rows.append((b, q.start, ("initial " if q.is_updated else "") + meaning(network, b)
                         + (", trained" if q.is_updated else "")))
        return tuple(rows)

    @property
    def blocks_top(self) -> int:
        """The row of the heading above the chain-rule blocks."""
        return INPUT_TOP + len(self.input_rows) + 2

    def row_formula(self, q: net.Quantity) -> str:
        """`q`'s formula for any row after the first, with `{r}` for that row and `{p}` the one
        above."""
        return "=" + net.render(q.formula, lambda name, off: ETA_CELL if name == "eta"
                                else f"{self.column_of[name]}{{{'p' if off else 'r'}}}")

    def table_formula(self, q: net.Quantity, row: int) -> str:
        """The formula of quantity `q` in worksheet row `row` of a learning-rate sheet."""
        if row == FIRST_ROW and q.start:
            return f"={q.start}"
        return self.row_formula(q).format(r=row, p=row - 1)

    def below_formula(self) -> str:
        """The helper column's formula, with `{r}` for its row."""
        return f'={self.column_of["E_total"]}{{r}}<{ref(LOSS_SHEET, THRESHOLD_CELL)}'

    def block_formula(self, template: str, first_sheet: str) -> str:
        """A chain-rule line of the Backprop sheet, read from the first row of `first_sheet`."""
        return "=" + net.render(template, lambda name, off: ref(
            first_sheet, f"{self.column_of[name]}{FIRST_ROW}"))

    def summary_formulas(self, eta: float, iterations: int) -> dict[str, str]:
        """The Loss curves row of learning rate `eta`: label, η, final E_total, first iteration
        below the threshold (or "not reached")."""
        sheet, last = sheet_name(eta), last_row(iterations)
        below = ref(sheet, f"${self.below_column}${FIRST_ROW}:${self.below_column}${last}")
        return {
            "label": f'="η = "&{ref(sheet, ETA_CELL)}',
            "eta": f"={ref(sheet, ETA_CELL)}",
            "final": f"={ref(sheet, self.column_of['E_total'] + str(last))}",
            "first_below": f'=IFERROR(MATCH(TRUE,{below},0),"not reached")',
        }


@cache
def layout_of(network: net.Network) -> Layout:
    return Layout(network)


# The classic network's layout, by the names the tests and the verifier's tests import.
CLASSIC = layout_of(net.CLASSIC)
COLUMN_OF = CLASSIC.column_of
BELOW_COLUMN = CLASSIC.below_column
CHART_COLUMN = CLASSIC.chart_column
INPUT_ROWS = list(CLASSIC.input_rows)
BLOCKS_TOP = CLASSIC.blocks_top
row_formula = CLASSIC.row_formula
table_formula = CLASSIC.table_formula
below_formula = CLASSIC.below_formula
block_formula = CLASSIC.block_formula
summary_formulas = CLASSIC.summary_formulas
