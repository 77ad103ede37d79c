"""Hand-made tables of a batch laid out down the sheet, one block of rows per step, for tests.

    header row          b1  w1  w2 ...  t1  i1  i2  h1  a_h1 ...  E1  ∂E/∂w1 ...
    example 1           (the step's weights)  (example 1's quantities; or the weights
                                                                   in a row of their own above)
    example 2 .. E                            (example e's quantities)
    the step's row                                        E_total  ∂E/∂w1 (the step's)
    (gap rows)

The header is repeated over every block. Every formula is the network's template rendered in
the block's cells (`stacked.py` reads such tables); with `helpers`, each example row holds its
own gradient under the gradient's label and the step's row their SUM (or AVERAGE with a mean),
as students often write it.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from .. import network as net
from ..network.quantities import delta


def places(network: net.Network, weights_row: bool = False
           ) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """The column labels, and each quantity's (row in the block, column), for a network of
    several examples; with `weights_row` the step's weights have a row of their own."""
    step = [q.name for q in network.columns if q.is_updated or q.block == 0 and q.name[0] == "b"]
    one = [q.name for q in network.columns if q.name.endswith("_1")]  # example 1's
    tail = ["E_total", *(q.name for q in network.columns if q.name[0] == "d")]
    labels, where = [], {}
    for c, name in enumerate(step + one + tail, start=2):
        base = name[:-2] if name in one else name
        labels.append(net.label_of(base))
        if name in one:
            for e in range(1, network.examples + 1):
                where[network.example(base, e)] = (e - 1 + weights_row, c)
        else:
            where[name] = (0 if name in step else network.examples + weights_row, c)
    return labels, where


def write_blocks(ws, network: net.Network, inputs, targets, weights, biases=(), eta=0.5,
                 steps=8, helpers=False, gap=2, top=4, repeat_header=True,
                 weights_row=False) -> dict:
    """Write `steps` blocks (the header over each, or once with `repeat_header` False); return
    where each quantity is (`rows`: each block's first row, `where`: name -> (row in the block,
    column), `period`)."""
    labels, where = places(network, weights_row)
    period = network.examples + 1 + weights_row + repeat_header + gap
    ws.cell(2, 1, "η")
    ws.cell(2, 2, eta)
    given = {**_given(network, "i", inputs), **_given(network, "t", targets),
             **dict(zip(network.weight_names, weights)), **dict(zip(network.bias_names, biases))}
    rows = []
    for n in range(steps):
        header = top + n * period if repeat_header else top
        for c, text in enumerate(labels, start=2):
            ws.cell(header, c, text)
        rows.append(r := header + 1 + (0 if repeat_header else n * period))
        for q in network.columns:
            k, c = where[q.name]
            if q.block == 0 and (n == 0 or q.is_input):
                ws.cell(r + k, c, given[q.name])
            else:
                ws.cell(r + k, c, _formula(network, q, where, r, period, helpers))
        if helpers:
            _helpers(ws, network, where, r, period, weights_row)
    return {"rows": rows, "where": where, "period": period}


def _given(network: net.Network, letter: str, values) -> dict[str, float]:
    count = network.layers[0 if letter == "i" else -1]
    flat = [v for example in values for v in example]
    return {network.example(f"{letter}{j}", e): flat[(e - 1) * count + j - 1]
            for e in range(1, network.examples + 1) for j in range(1, count + 1)}


def _cell(where, r: int, period: int):
    def ref(name: str, offset: int) -> str:
        if name == "eta":
            return "$B$2"
        k, c = where[name]
        return f"{get_column_letter(c)}{r + offset * period + k}"
    return ref


def _formula(network, q, where, r: int, period: int, helpers: bool) -> str:
    k, c = where[q.name]
    if helpers and q.name[0] == "d":  # the step's gradient: the examples' own, summed
        top = get_column_letter(c) + str(r + k - network.examples)
        cells = f"{top}:{get_column_letter(c)}{r + k - 1}"
        return f"={'AVERAGE' if network.mean else 'SUM'}({cells})"
    return "=" + net.render(q.formula, _cell(where, r, period))


def _helpers(ws, network, where, r: int, period: int, weights_row: bool) -> None:
    """Each example's own gradient, in the example rows of the gradient's column."""
    ref, first = _cell(where, r, period), r + weights_row
    for source, unit, w in network.edges:
        for e in range(1, network.examples + 1):
            text = f"{delta(network, unit, e)}*{{{network.example(network.output_of(source), e)}}}"
            ws.cell(first + e - 1, where["d" + w][1], "=" + net.render(text, ref))
    for b in network.bias_names if network.trained else ():
        for e in range(1, network.examples + 1):
            text = "+".join(delta(network, u, e) for u in network.bias_units(b))
            ws.cell(first + e - 1, where["d" + b][1], "=" + net.render(text, ref))
