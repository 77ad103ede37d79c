"""The 2-2-2 sigmoid network: the one table of quantities the workbook, its blocks and the
verifier are made from.

    i1 ─w1,w3─▶ h1 → a_h1=σ(h1) ─w5,w7─▶ o1 → a_o1=σ(o1) → E1 = ½(t1−a_o1)²
    i2 ─w2,w4─▶ h2 → a_h2=σ(h2) ─w6,w8─▶ o2 → a_o2=σ(o2) → E2 = ½(t2−a_o2)²    E_total = E1+E2
    (with biases: + b1 in h1 and h2, + b2 in o1 and o2)

`COLUMNS` is the classic 31-column iteration table; `Network(biases=True, trained=...)` the same
with one constant bias per layer, as in the well-known worked example (b1 = 0.35, b2 = 0.6), and
with ∂E/∂b1, ∂E/∂b2 columns when the biases are trained too. Each quantity carries a formula
*template* over the names of other quantities: `{w1}` is this row's w1, `{w1[-1]}` the row above,
`{eta}` the learning rate. The workbook renders Excel formulas from the templates, the Backprop
sheet renders the chain-rule blocks from them, and the verifier uses them to find columns and to
explain a wrong cell.

The NumPy reference (`reference.py`, re-exported here) is written by hand from the maths and
never reads the templates, so checking a workbook against it proves something.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .reference import bias_gradients, forward, gradients, iterate, sigmoid  # noqa: F401

# --- defaults from the course material ---------------------------------------------------------
INPUTS = (0.05, 0.1)  # i1, i2
TARGETS = (0.5, 0.5)  # t1, t2
WEIGHTS = (0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55)  # w1..w8
LEARNING_RATES = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0)
ITERATIONS = 100


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
        return list(dict.fromkeys((n, int(o or 0)) for n, o in TEMPLATE_REF.findall(self.formula)))

    def maths(self) -> str:
        """The formula as a student would write it: `w1·i1 + w2·i2`."""
        return maths(self.formula)


# The connections, (from, to, weight): h1 = w1·i1 + w2·i2, h2 = w3·i1 + w4·i2, o1 = w5·a_h1 + ...
EDGES = (("i1", "h1", "w1"), ("i2", "h1", "w2"), ("i1", "h2", "w3"), ("i2", "h2", "w4"),
         ("h1", "o1", "w5"), ("h2", "o1", "w6"), ("h1", "o2", "w7"), ("h2", "o2", "w8"))

TEMPLATE_REF = re.compile(r"\{(\w+)(?:\[(-1)\])?\}")

# The chain-rule factors shared by several gradients (blocks 2 and 4). Gradients are built from
# them so each piece of the chain rule is written once.
DELTA_O1 = "({a_o1}-{t1})*{a_o1}*(1-{a_o1})"  # ∂E/∂o1 = ∂E1/∂a_o1 · ∂a_o1/∂o1
DELTA_O2 = "({a_o2}-{t2})*{a_o2}*(1-{a_o2})"  # ∂E/∂o2
DE_DAH1 = f"{DELTA_O1}*{{w5}}+{DELTA_O2}*{{w7}}"  # ∂E_total/∂a_h1 (block 4)
DE_DAH2 = f"{DELTA_O1}*{{w6}}+{DELTA_O2}*{{w8}}"  # ∂E_total/∂a_h2 (block 4)
DELTA_H1 = f"({DE_DAH1})*{{a_h1}}*(1-{{a_h1}})"  # ∂E/∂h1 = ∂E/∂a_h1 · ∂a_h1/∂h1 (block 5)
DELTA_H2 = f"({DE_DAH2})*{{a_h2}}*(1-{{a_h2}})"  # ∂E/∂h2


def _given(name: str, cell: str) -> Quantity:
    return Quantity(name, name, 0, f"{{{name}[-1]}}", start=cell)


def _descends(name: str, label: str) -> Quantity:
    # Gradient descent: this row's value is the row above's minus η times its gradient.
    return Quantity(name, label, 0, f"{{{name}[-1]}}-{{eta}}*{{d{name}[-1]}}", start=f"init_{name}")


def _grad_output(k: int, delta: str, a_h: str) -> Quantity:
    # Block 3: ∂E/∂w = ∂E/∂o · ∂o/∂w, and ∂o/∂w is the hidden activation the weight multiplies.
    return Quantity(f"dw{k}", f"∂E/∂w{k}", 3, f"{delta}*{{{a_h}}}")


def _grad_hidden(k: int, delta_h: str, i: str) -> Quantity:
    # Block 6: ∂E/∂w = ∂E/∂a_h · ∂a_h/∂h · ∂h/∂w, with ∂E/∂a_h expanded from block 4.
    return Quantity(f"dw{k}", f"∂E/∂w{k}", 6, f"{delta_h}*{{{i}}}")


def _net(name: str, a: tuple[str, str], b: tuple[str, str], bias: str | None) -> Quantity:
    """A net input, w·x + w·x (+ the layer's bias)."""
    text = f"{{{a[0]}}}*{{{a[1]}}}+{{{b[0]}}}*{{{b[1]}}}" + (f"+{{{bias}}}" if bias else "")
    return Quantity(name, name, 1, text)


def _sigma(name: str, net_input: str) -> Quantity:
    return Quantity(name, name, 1, f"1/(1+EXP(-{{{net_input}}}))")


@dataclass(frozen=True)
class Network:
    """Which quantities a table holds: the classic 31 columns; with `biases`, b1 (one bias shared
    by the hidden layer) and b2 (by the output layer); with `trained`, the biases descend by
    their own gradients ∂E/∂b1 = δh1 + δh2 and ∂E/∂b2 = δo1 + δo2 too."""

    biases: bool = False
    trained: bool = False

    @cached_property
    def columns(self) -> tuple[Quantity, ...]:
        b1, b2 = ("b1", "b2") if self.biases else (None, None)

        def bias(name: str) -> tuple[Quantity, ...]:
            if not self.biases:
                return ()
            return (_descends(name, name),) if self.trained else (_given(name, f"bias_{name}"),)

        grads = ()
        if self.biases and self.trained:
            grads = (Quantity("db1", "∂E/∂b1", 6, f"{DELTA_H1}+{DELTA_H2}"),
                     Quantity("db2", "∂E/∂b2", 3, f"{DELTA_O1}+{DELTA_O2}"))
        return (
            _given("t1", "target_t1"), _given("t2", "target_t2"),
            _given("i1", "input_i1"), _given("i2", "input_i2"),
            *(_descends(f"w{k}", f"w{k}") for k in range(1, 5)), *bias("b1"),
            _net("h1", ("w1", "i1"), ("w2", "i2"), b1), _sigma("a_h1", "h1"),
            _net("h2", ("w3", "i1"), ("w4", "i2"), b1), _sigma("a_h2", "h2"),
            *(_descends(f"w{k}", f"w{k}") for k in range(5, 9)), *bias("b2"),
            _net("o1", ("w5", "a_h1"), ("w6", "a_h2"), b2), _sigma("a_o1", "o1"),
            _net("o2", ("w7", "a_h1"), ("w8", "a_h2"), b2), _sigma("a_o2", "o2"),
            Quantity("E1", "E1", 1, "0.5*({t1}-{a_o1})*({t1}-{a_o1})"),
            Quantity("E2", "E2", 1, "0.5*({t2}-{a_o2})*({t2}-{a_o2})"),
            Quantity("E_total", "E_total", 1, "{E1}+{E2}"),
            _grad_hidden(1, DELTA_H1, "i1"), _grad_hidden(2, DELTA_H1, "i2"),
            _grad_hidden(3, DELTA_H2, "i1"), _grad_hidden(4, DELTA_H2, "i2"),
            _grad_output(5, DELTA_O1, "a_h1"), _grad_output(6, DELTA_O1, "a_h2"),
            _grad_output(7, DELTA_O2, "a_h1"), _grad_output(8, DELTA_O2, "a_h2"),
            *grads,
        )

    @cached_property
    def by_name(self) -> dict[str, Quantity]:
        return {q.name: q for q in self.columns}

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.columns)

    @cached_property
    def computed(self) -> tuple[Quantity, ...]:
        """The columns a student must get right: all but the given inputs."""
        return tuple(q for q in self.columns if not q.is_input)

    @cached_property
    def updated(self) -> tuple[str, ...]:
        """The quantities that descend by gradient: w1..w8, and b1, b2 when trained."""
        return tuple(q.name for q in self.columns if q.is_updated)

    @cached_property
    def blocks(self) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """The six blocks of the Backprop sheet: title, then (label, template) lines. Blocks 1,
        3 and 6 are table columns; 2, 4 and 5 the steps of the chain rule that lead to them."""
        lines = {b: tuple((q.label, q.formula) for q in self.columns if q.block == b)
                 for b in (1, 3, 6)}
        return (
            ("1. Forward pass: inputs to E_total", lines[1]),
            ("2. Chain rule for w5: ∂E_total/∂w5 = ∂E1/∂a_o1 · ∂a_o1/∂o1 · ∂o1/∂w5", (
                ("∂E1/∂a_o1", "{a_o1}-{t1}"),
                ("∂a_o1/∂o1", "{a_o1}*(1-{a_o1})"),
                ("∂o1/∂w5", "{a_h1}"),
                ("∂E_total/∂w5", self.by_name["dw5"].formula),
            )),
            ("3. Output-layer gradients ∂E_total/∂w5..w8", lines[3]),
            ("4. Hidden activations: ∂E_total/∂a_h1 and ∂E_total/∂a_h2", (
                ("∂E_total/∂a_h1", DE_DAH1),
                ("∂E_total/∂a_h2", DE_DAH2),
            )),
            ("5. Chain rule for w1..w4: ∂E_total/∂w = ∂E_total/∂a_h · ∂a_h/∂h · ∂h/∂w", (
                ("∂a_h1/∂h1", "{a_h1}*(1-{a_h1})"),
                ("∂a_h2/∂h2", "{a_h2}*(1-{a_h2})"),
                ("∂h1/∂w1 = ∂h2/∂w3", "{i1}"),
                ("∂h1/∂w2 = ∂h2/∂w4", "{i2}"),
            )),
            ("6. Hidden-layer gradients ∂E_total/∂w1..w4, block 5 expanded with block 4", lines[6]),
        )


CLASSIC = Network()
COLUMNS = CLASSIC.columns
BY_NAME = CLASSIC.by_name
NAMES = CLASSIC.names
COMPUTED = CLASSIC.computed  # the 27 columns a student must get right
BLOCKS = CLASSIC.blocks
WEIGHT_NAMES = tuple(f"w{k}" for k in range(1, 9))
GRADIENT_NAMES = tuple(f"dw{k}" for k in range(1, 9))
LABELS = {q.name: q.label for q in Network(biases=True, trained=True).columns}


def render(template: str, ref) -> str:
    """Replace every `{name}` / `{name[-1]}` of `template` by `ref(name, offset)`."""
    return TEMPLATE_REF.sub(lambda m: ref(m.group(1), int(m.group(2) or 0)), template)


def maths(template: str) -> str:
    """A template as students write it: labels for placeholders (`∂E/∂w1`), `·` for products,
    σ for 1/(1+e⁻ˣ)."""
    labels = LABELS
    text = re.sub(r"1/\(1\+EXP\(-\{(\w+)\}\)\)", r"σ(\1)", template)
    text = render(text, lambda name, offset: "η" if name == "eta" else labels.get(name, name))
    text = text.replace("*", "·").replace("+", " + ").replace("-", "−")
    text = re.sub(r"(\([^()]*\))·\1", r"\1²", text)  # (x)·(x) -> (x)²
    return text.replace("0.5·", "½·")


def evaluate(template: str, value) -> float | np.ndarray:
    """Evaluate a template on numbers or on whole NumPy columns at once.

    `value(name, offset)` (or a dict keyed by `(name, offset)`) gives a float or an array for
    each reference; the result has their shape. Errors of arithmetic give nan, not exceptions."""
    lookup = value.__getitem__ if isinstance(value, dict) else None
    env: dict[str, object] = {}

    def ref(name: str, offset: int) -> str:
        env[f"_{len(env)}"] = lookup((name, offset)) if lookup else value(name, offset)
        return f"_{len(env) - 1}"

    expr = render(template, ref)
    with np.errstate(all="ignore"):
        out = eval(expr, {"__builtins__": {}, "EXP": np.exp}, env)  # our own templates only
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)
