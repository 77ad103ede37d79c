"""The chain-rule blocks of the Backprop sheet, generated from a network's description.

    1. the forward pass, inputs to E_total (the table's forward columns)
    2. the chain rule for the first output-layer weight, factor by factor
    3. the output-layer gradients (table columns)
    4. ∂E_total/∂a of each hidden unit, back-propagated through the weights
    5. the factors of the hidden-layer gradients: ∂a/∂net per hidden unit, ∂net/∂w per source
    6. the hidden-layer gradients (table columns): block 5 expanded with block 4

Each block is (title, lines), a line (label, template). With several examples a step, the
factor lines (blocks 1, 2, 4, 5) show example 1; the gradient columns sum every example. A
network without hidden layer has blocks 1-3 only.
"""
from __future__ import annotations

from .quantities import delta, error_by
from .templates import error_slope, slope_cell

Block = tuple[str, tuple[tuple[str, str], ...]]


def _span(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _columns(net, block: int) -> tuple[tuple[str, str], ...]:
    """The table columns of `block`; of the forward pass, example 1's and E_total."""
    def shown(name: str) -> bool:
        return net.examples == 1 or block != 1 or name == "E_total" or name.endswith("_1")

    return tuple((q.label, q.formula) for q in net.columns if q.block == block and shown(q.name))


def chain_rule_output(net) -> Block:
    """Block 2: ∂E_total/∂w for the first weight into the output layer, factor by factor."""
    source, unit, w = next(edge for edge in net.edges if net.layer_of(edge[1]) == net.depth)
    k, a = unit[1:], net.example(net.output_of(unit), 1)
    t, x = net.example(f"t{k}", 1), net.example(net.output_of(source), 1)
    e, a_label = f"E{k}", f"a_{unit}"
    title = (f"2. Chain rule for {w}: ∂E_total/∂{w} = ∂{e}/∂{a_label} · ∂{a_label}/∂{unit} · "
             f"∂{unit}/∂{w}")
    return (title, (
                (f"∂{e}/∂{a_label}", error_slope(net.loss, t, a, factor=False)),
                (f"∂{a_label}/∂{unit}", slope_cell(net.activation, a)),
                (f"∂{unit}/∂{w}", f"{{{x}}}"),
                (f"∂E_total/∂{w}", net.by_name[f"d{w}"].formula),
            ))


def hidden_blocks(net) -> list[Block]:
    """Blocks 4-6: back through the hidden layers."""
    hidden = [u for layer in range(net.depth - 1, 0, -1) for u in net.units(layer)]
    weights = tuple(w for layer in range(1, net.depth) for w in net.layer_weights(layer))
    one = net.depth == 2  # the course's letters: a_h, h
    act, unit = ("a_h", "h") if one else ("a", "net")
    four = tuple((f"∂E_total/∂{net.output_of(u)}", error_by(net, u)) for u in hidden)
    factors = [(f"∂a_{u}/∂{u}", slope_cell(net.activation, net.example(f"a_{u}", 1)))
               for u in sorted(hidden, key=lambda u: (net.layer_of(u), u))]
    for layer in range(1, net.depth):
        for source in net.units(layer - 1):
            label = " = ".join(f"∂{u}/∂{net.weight_into(u, source)}" for u in net.units(layer))
            factors.append((label, f"{{{net.example(net.output_of(source), 1)}}}"))
    return [
        (f"4. Hidden activations: {_and([label for label, _ in four])}", four),
        ((f"5. Chain rule for {_span(weights)}: ∂E_total/∂w = ∂E_total/∂{act} · ∂{act}/∂{unit} · "
          f"∂{unit}/∂w"), tuple(factors)),
        (f"6. Hidden-layer gradients ∂E_total/∂{_span(weights)}, block 5 expanded with block 4",
         _columns(net, 6)),
    ]


def blocks(net) -> tuple[Block, ...]:
    """The Backprop sheet's blocks for `net` (see the module's docstring)."""
    outputs = net.layer_weights(net.depth)
    out = [
        ("1. Forward pass: inputs to E_total" + (" (example 1 of each step)"
                                                 if net.examples > 1 else ""), _columns(net, 1)),
        chain_rule_output(net),
        (f"3. Output-layer gradients ∂E_total/∂{_span(outputs)}", _columns(net, 3)),
    ]
    if net.depth > 1:
        out += hidden_blocks(net)
    return tuple(out)


__all__ = ["blocks", "delta"]
