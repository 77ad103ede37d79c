"""The table of quantities generated from a network's description: one `Quantity` per column of
the iteration table, each with its formula template (see `templates`).

Column order (the classic 31 columns for the course's 2-2-2): per example the targets then the
inputs; then layer by layer its weights, its biases and, per example and unit, the net input
and the activation; per example the loss of each output; E_total; the weight gradients in
weight order; the bias gradients. The gradients are written out whole, chain rule expanded, as
students write them with no helper column: for an output unit δ = ∂E/∂a · ∂a/∂net, for a hidden
unit δ = (Σ δ_next·w) · ∂a/∂net, and ∂E/∂w = δ · (the source's output), summed over the
examples of a step (divided by their number with `mean`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .templates import TEMPLATE_REF, activate, error, error_slope, label_of, maths, slope


@dataclass(frozen=True)
class Quantity:
    """One named quantity of the network.

    name:    identifier used everywhere in code (`a_h1`, `dw1`)
    label:   how students write it in a header (`a_h1`, `∂E/∂w1`)
    block:   the chain-rule block (1-6) whose panel explains it; 0 for t, i, w and b
    formula: template for its value; for t, i, w and b only from the second row on
    start:   for t, i, w and b: the Backprop input cell (a defined name) that the first row reads
    """

    name: str
    label: str
    block: int
    formula: str
    start: str | None = None

    @property
    def is_input(self) -> bool:
        """True for a given value that every row repeats (t, i, and biases that are not
        trained): its template copies the row above."""
        return self.formula == f"{{{self.name}[-1]}}"

    @property
    def is_updated(self) -> bool:
        """True for a weight (or trained bias): its template descends by η times a gradient."""
        return "{eta}" in self.formula

    def refs(self) -> list[tuple[str, int]]:
        """The (name, row offset) pairs the formula reads, in order of first use."""
        return list(_refs(self.formula))

    def maths(self) -> str:
        """The formula as a student would write it: `w1·i1 + w2·i2`."""
        return maths(self.formula)


@lru_cache(maxsize=4096)
def _refs(formula: str) -> tuple[tuple[str, int], ...]:
    """`Quantity.refs`, parsed once per template (the verifier asks tens of thousands of times)."""
    return tuple(dict.fromkeys((n, int(o or 0)) for n, o in TEMPLATE_REF.findall(formula)))


def given(name: str, cell: str) -> Quantity:
    return Quantity(name, label_of(name), 0, f"{{{name}[-1]}}", start=cell)


def descends(name: str) -> Quantity:
    # Gradient descent: this row's value is the row above's minus η times its gradient.
    return Quantity(name, name, 0, f"{{{name}[-1]}}-{{eta}}*{{d{name}[-1]}}", start=f"init_{name}")


# --- the chain rule, one example at a time -----------------------------------------------------
def delta(net, unit: str, e: int = 1) -> str:
    """δ = ∂E/∂(net input of `unit`) for example `e`: a product, as a template."""
    a = net.example(net.output_of(unit), e)
    if net.layer_of(unit) == net.depth:
        t = net.example(f"t{unit[1:]}", e)
        return f"{error_slope(net.loss, t, a)}*{slope(net.activation, a)}"
    return f"({error_by(net, unit, e)})*{slope(net.activation, a)}"


def error_by(net, unit: str, e: int = 1) -> str:
    """∂E/∂a of hidden `unit` for example `e`: Σ over the units it feeds of δ · their weight."""
    layer = net.layer_of(unit)
    return "+".join(f"{delta(net, fed, e)}*{{{net.weight_into(fed, unit)}}}"
                    for fed in net.units(layer + 1))


def step_sum(net, term) -> str:
    """Σ over the step's examples of `term(e)`; the mean with `net.mean`."""
    if net.examples == 1:
        return term(1)
    total = "+".join(term(e) for e in range(1, net.examples + 1))
    return f"({total})/{net.examples}" if net.mean else total


def weight_gradient(net, source: str, unit: str) -> str:
    # ∂E/∂w = δ(unit) · ∂net/∂w, and ∂net/∂w is the output of the source the weight multiplies.
    return step_sum(net, lambda e: f"{delta(net, unit, e)}*{{{net.example(net.output_of(source), e)}}}")


def bias_gradient(net, bias: str) -> str:
    # A bias feeds its units with weight 1: its gradient is the sum of their δ.
    return step_sum(net, lambda e: "+".join(delta(net, u, e) for u in net.bias_units(bias)))


def gradient_block(net, unit: str) -> int:
    """3 for the gradients into the output layer, 6 for those into a hidden layer."""
    return 3 if net.layer_of(unit) == net.depth else 6


# --- the table ---------------------------------------------------------------------------------
def net_input(net, unit: str, e: int) -> Quantity:
    """w·x + w·x ... (+ the unit's bias)."""
    terms = [f"{{{w}}}*{{{net.example(net.output_of(s), e)}}}"
             for s, u, w in net.edges if u == unit]
    bias = net.bias_of(unit)
    name = net.example(unit, e)
    return Quantity(name, label_of(name), 1, "+".join(terms) + (f"+{{{bias}}}" if bias else ""))


def activation(net, unit: str, e: int) -> Quantity:
    name = net.example(net.output_of(unit), e)
    return Quantity(name, label_of(name), 1, activate(net.activation, net.example(unit, e)))


def givens(net) -> list[Quantity]:
    out = []
    for e in range(1, net.examples + 1):
        out += [given(net.example(t, e), f"target_{net.example(t, e)}")
                for t in (f"t{k}" for k in range(1, net.layers[-1] + 1))]
        out += [given(net.example(i, e), f"input_{net.example(i, e)}") for i in net.units(0)]
    return out


def layer_columns(net, layer: int) -> list[Quantity]:
    out = [descends(w) for w in net.layer_weights(layer)]
    out += [descends(b) if net.trained else given(b, f"bias_{b}") for b in net.layer_biases(layer)]
    for e in range(1, net.examples + 1):
        for unit in net.units(layer):
            out += [net_input(net, unit, e), activation(net, unit, e)]
    return out


def losses(net) -> list[Quantity]:
    out = []
    for e in range(1, net.examples + 1):
        for k, unit in enumerate(net.units(net.depth), start=1):
            name = net.example(f"E{k}", e)
            out.append(Quantity(name, label_of(name), 1, error(
                net.loss, net.example(f"t{k}", e), net.example(net.output_of(unit), e))))
    total = "+".join(f"{{{q.name}}}" for q in out)
    return out + [Quantity("E_total", "E_total", 1, total)]


def gradients(net) -> list[Quantity]:
    out = [Quantity(f"d{w}", label_of(f"d{w}"), gradient_block(net, unit),
                    weight_gradient(net, source, unit)) for source, unit, w in net.edges]
    if net.trained:
        out += [Quantity(f"d{b}", label_of(f"d{b}"), gradient_block(net, net.bias_units(b)[0]),
                         bias_gradient(net, b)) for b in net.bias_names]
    return out


def columns(net) -> tuple[Quantity, ...]:
    """Every column of `net`'s iteration table, in order."""
    out = givens(net)
    for layer in range(1, net.depth + 1):
        out += layer_columns(net, layer)
    return tuple(out + losses(net) + gradients(net))
