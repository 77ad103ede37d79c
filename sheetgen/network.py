"""The 2-2-2 sigmoid network: the one table of quantities, and an independent NumPy reference.

    i1 ─w1,w3─▶ h1 → a_h1=σ(h1) ─w5,w7─▶ o1 → a_o1=σ(o1) → E1 = ½(t1−a_o1)²
    i2 ─w2,w4─▶ h2 → a_h2=σ(h2) ─w6,w8─▶ o2 → a_o2=σ(o2) → E2 = ½(t2−a_o2)²    E_total = E1+E2

`COLUMNS` is the classic 31-column iteration table. Each quantity carries a formula *template*
over the names of other quantities: `{w1}` is this row's w1, `{w1[-1]}` the row above, `{eta}`
the learning rate. The workbook renders Excel formulas from the templates, the Backprop sheet
renders the chain-rule blocks from them, and the verifier uses them to explain a wrong cell.
Templates are also valid Python over floats (with `EXP`), which is how the verifier recomputes
one cell from its sheet's own upstream values.

The reference below (`forward`, `gradients`, `iterate`) is written by hand from the maths and
never reads the templates, so checking the workbook against it proves something.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

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
    block:   the chain-rule block (1-6) whose panel explains it; 0 for t, i and w
    formula: template for its value; for t, i and w only from the second row on
    start:   for t, i and w: the Backprop input cell (a defined name) that the first row reads
    """

    name: str
    label: str
    block: int
    formula: str
    start: str | None = None

    @property
    def is_input(self) -> bool:
        """True for t1, t2, i1, i2: given values that every row repeats."""
        return self.name[0] in "ti"

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


def _given(name: str, cell: str) -> Quantity:
    return Quantity(name, name, 0, f"{{{name}[-1]}}", start=cell)


def _weight(k: int) -> Quantity:
    # Gradient descent: this row's weight is the row above's minus η times its gradient.
    return Quantity(f"w{k}", f"w{k}", 0, f"{{w{k}[-1]}}-{{eta}}*{{dw{k}[-1]}}", start=f"init_w{k}")


def _grad_output(k: int, delta: str, a_h: str) -> Quantity:
    # Block 3: ∂E/∂w = ∂E/∂o · ∂o/∂w, and ∂o/∂w is the hidden activation the weight multiplies.
    return Quantity(f"dw{k}", f"∂E/∂w{k}", 3, f"{delta}*{{{a_h}}}")


def _grad_hidden(k: int, de_dah: str, a_h: str, i: str) -> Quantity:
    # Block 6: ∂E/∂w = ∂E/∂a_h · ∂a_h/∂h · ∂h/∂w, with ∂E/∂a_h expanded from block 4.
    return Quantity(f"dw{k}", f"∂E/∂w{k}", 6, f"({de_dah})*{{{a_h}}}*(1-{{{a_h}}})*{{{i}}}")


COLUMNS: tuple[Quantity, ...] = (
    _given("t1", "target_t1"),
    _given("t2", "target_t2"),
    _given("i1", "input_i1"),
    _given("i2", "input_i2"),
    _weight(1), _weight(2), _weight(3), _weight(4),
    Quantity("h1", "h1", 1, "{w1}*{i1}+{w2}*{i2}"),
    Quantity("a_h1", "a_h1", 1, "1/(1+EXP(-{h1}))"),
    Quantity("h2", "h2", 1, "{w3}*{i1}+{w4}*{i2}"),
    Quantity("a_h2", "a_h2", 1, "1/(1+EXP(-{h2}))"),
    _weight(5), _weight(6), _weight(7), _weight(8),
    Quantity("o1", "o1", 1, "{w5}*{a_h1}+{w6}*{a_h2}"),
    Quantity("a_o1", "a_o1", 1, "1/(1+EXP(-{o1}))"),
    Quantity("o2", "o2", 1, "{w7}*{a_h1}+{w8}*{a_h2}"),
    Quantity("a_o2", "a_o2", 1, "1/(1+EXP(-{o2}))"),
    Quantity("E1", "E1", 1, "0.5*({t1}-{a_o1})*({t1}-{a_o1})"),
    Quantity("E2", "E2", 1, "0.5*({t2}-{a_o2})*({t2}-{a_o2})"),
    Quantity("E_total", "E_total", 1, "{E1}+{E2}"),
    _grad_hidden(1, DE_DAH1, "a_h1", "i1"),
    _grad_hidden(2, DE_DAH1, "a_h1", "i2"),
    _grad_hidden(3, DE_DAH2, "a_h2", "i1"),
    _grad_hidden(4, DE_DAH2, "a_h2", "i2"),
    _grad_output(5, DELTA_O1, "a_h1"),
    _grad_output(6, DELTA_O1, "a_h2"),
    _grad_output(7, DELTA_O2, "a_h1"),
    _grad_output(8, DELTA_O2, "a_h2"),
)
BY_NAME = {q.name: q for q in COLUMNS}
NAMES = tuple(q.name for q in COLUMNS)
WEIGHT_NAMES = tuple(f"w{k}" for k in range(1, 9))
GRADIENT_NAMES = tuple(f"dw{k}" for k in range(1, 9))
COMPUTED = tuple(q for q in COLUMNS if not q.is_input)  # the 27 columns a student must get right

# The six blocks of the Backprop sheet: title, then (label, template) lines. Blocks 1, 3 and 6 are
# table columns; 2, 4 and 5 are the intermediate steps of the chain rule that lead to them.
BLOCKS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("1. Forward pass: inputs to E_total",
     tuple((q.label, q.formula) for q in COLUMNS if q.block == 1)),
    ("2. Chain rule for w5: ∂E_total/∂w5 = ∂E1/∂a_o1 · ∂a_o1/∂o1 · ∂o1/∂w5", (
        ("∂E1/∂a_o1", "{a_o1}-{t1}"),
        ("∂a_o1/∂o1", "{a_o1}*(1-{a_o1})"),
        ("∂o1/∂w5", "{a_h1}"),
        ("∂E_total/∂w5", BY_NAME["dw5"].formula),
    )),
    ("3. Output-layer gradients ∂E_total/∂w5..w8",
     tuple((q.label, q.formula) for q in COLUMNS if q.block == 3)),
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
    ("6. Hidden-layer gradients ∂E_total/∂w1..w4, block 5 expanded with block 4",
     tuple((q.label, q.formula) for q in COLUMNS if q.block == 6)),
)


def render(template: str, ref) -> str:
    """Replace every `{name}` / `{name[-1]}` of `template` by `ref(name, offset)`."""
    return TEMPLATE_REF.sub(lambda m: ref(m.group(1), int(m.group(2) or 0)), template)


def maths(template: str) -> str:
    """A template as students write it: names for placeholders, `·` for products, σ for 1/(1+e⁻ˣ)."""
    text = re.sub(r"1/\(1\+EXP\(-\{(\w+)\}\)\)", r"σ(\1)", template)
    text = render(text, lambda name, offset: "η" if name == "eta" else BY_NAME[name].label)
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


# --- the independent NumPy reference -----------------------------------------------------------
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def forward(i, t, w) -> dict[str, np.ndarray]:
    """Forward pass. i, t: (..., 2); w: (..., 8). Returns each forward quantity with shape (...)."""
    i, t, w = (np.asarray(x, dtype=float) for x in (i, t, w))
    h1 = w[..., 0] * i[..., 0] + w[..., 1] * i[..., 1]
    h2 = w[..., 2] * i[..., 0] + w[..., 3] * i[..., 1]
    a_h1, a_h2 = sigmoid(h1), sigmoid(h2)
    o1 = w[..., 4] * a_h1 + w[..., 5] * a_h2
    o2 = w[..., 6] * a_h1 + w[..., 7] * a_h2
    a_o1, a_o2 = sigmoid(o1), sigmoid(o2)
    E1 = 0.5 * (t[..., 0] - a_o1) ** 2
    E2 = 0.5 * (t[..., 1] - a_o2) ** 2
    return dict(h1=h1, a_h1=a_h1, h2=h2, a_h2=a_h2, o1=o1, a_o1=a_o1, o2=o2, a_o2=a_o2,
                E1=E1, E2=E2, E_total=E1 + E2)


def gradients(i, t, w) -> np.ndarray:
    """∂E_total/∂w1..w8 in closed form. i, t: (..., 2); w: (..., 8). Returns (..., 8)."""
    i, t, w = (np.asarray(x, dtype=float) for x in (i, t, w))
    f = forward(i, t, w)
    # Output error signals δo = ∂E/∂o (blocks 2-3).
    d_o1 = (f["a_o1"] - t[..., 0]) * f["a_o1"] * (1 - f["a_o1"])
    d_o2 = (f["a_o2"] - t[..., 1]) * f["a_o2"] * (1 - f["a_o2"])
    # Back through w5..w8 to the hidden activations (block 4), then through σ (block 5).
    d_h1 = (d_o1 * w[..., 4] + d_o2 * w[..., 6]) * f["a_h1"] * (1 - f["a_h1"])
    d_h2 = (d_o1 * w[..., 5] + d_o2 * w[..., 7]) * f["a_h2"] * (1 - f["a_h2"])
    return np.stack([
        d_h1 * i[..., 0], d_h1 * i[..., 1], d_h2 * i[..., 0], d_h2 * i[..., 1],
        d_o1 * f["a_h1"], d_o1 * f["a_h2"], d_o2 * f["a_h1"], d_o2 * f["a_h2"],
    ], axis=-1)


def iterate(i, t, w, etas, steps: int) -> dict[str, np.ndarray]:
    """Gradient descent for several learning rates at once.

    i, t: (2,); w: (8,) the first row's weights; etas: (k,). Returns every column of the
    iteration table by name, each of shape (k, steps): row n is iteration n+1.
    """
    etas = np.atleast_1d(np.asarray(etas, dtype=float))
    i, t = np.asarray(i, dtype=float), np.asarray(t, dtype=float)
    weights = np.empty((len(etas), steps, 8))
    weights[:, 0] = np.asarray(w, dtype=float)
    for n in range(1, steps):
        weights[:, n] = weights[:, n - 1] - etas[:, None] * gradients(i, t, weights[:, n - 1])
    table = {"t1": t[0], "t2": t[1], "i1": i[0], "i2": i[1]}
    table.update({f"w{k + 1}": weights[..., k] for k in range(8)})
    table.update(forward(i, t, weights))
    grads = gradients(i, t, weights)
    table.update({f"dw{k + 1}": grads[..., k] for k in range(8)})
    shape = (len(etas), steps)
    return {name: np.broadcast_to(table[name], shape) for name in NAMES}
