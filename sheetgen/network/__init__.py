"""The network: one description (`Network`, in `description.py`) from which the table of
quantities (`quantities.py`), the formula templates (`templates.py`) and the chain-rule blocks
(`blocks.py`) are generated. The course's 2-2-2 sigmoid network is `CLASSIC = Network()`:

    i1 ─w1,w3─▶ h1 → a_h1=σ(h1) ─w5,w7─▶ o1 → a_o1=σ(o1) → E1 = ½(t1−a_o1)²
    i2 ─w2,w4─▶ h2 → a_h2=σ(h2) ─w6,w8─▶ o2 → a_o2=σ(o2) → E2 = ½(t2−a_o2)²    E_total = E1+E2
    (with biases: + b1 in h1 and h2, + b2 in o1 and o2)

`COLUMNS` is its classic 31-column iteration table; `Network(biases=True, trained=...)` the same
with one constant bias per layer, as in the well-known worked example (b1 = 0.35, b2 = 0.6), and
with ∂E/∂b1, ∂E/∂b2 columns when the biases are trained too. Any other small network is
`Network(layers=(2, 3, 2), activation="tanh", loss="sse", biases="unit", trained=True,
examples=4, mean=True)` and the like.

The NumPy reference (`sheetgen/reference.py`, re-exported here) is written by hand from the
maths in matrix form and never reads the templates, so checking a workbook against it proves
something.
"""
from __future__ import annotations

from ..reference import (  # noqa: F401
    bias_gradients,
    forward,
    gradients,
    iterate,
    run,
    sigmoid,
)
from .description import (  # noqa: F401
    ACTIVATIONS,
    BIAS_MODES,
    LOSSES,
    MAX_EXAMPLES,
    Network,
    NetworkError,
    default_inputs,
    default_targets,
    default_weights,
)
from .quantities import Quantity, delta, error_by  # noqa: F401
from .templates import TEMPLATE_REF, evaluate, label_of, maths, render  # noqa: F401

# --- defaults from the course material ---------------------------------------------------------
INPUTS = (0.05, 0.1)  # i1, i2
TARGETS = (0.5, 0.5)  # t1, t2
WEIGHTS = (0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55)  # w1..w8
LEARNING_RATES = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0)
ITERATIONS = 100

CLASSIC = Network()
COLUMNS = CLASSIC.columns
BY_NAME = CLASSIC.by_name
NAMES = CLASSIC.names
COMPUTED = CLASSIC.computed  # the 27 columns a student must get right
BLOCKS = CLASSIC.blocks
EDGES = CLASSIC.edges  # (source, unit fed, weight): ("i1", "h1", "w1"), ...
WEIGHT_NAMES = CLASSIC.weight_names
GRADIENT_NAMES = tuple(f"d{w}" for w in WEIGHT_NAMES)
LABELS = {q.name: q.label for q in Network(biases=True, trained=True).columns}

# The classic chain-rule factors shared by several gradients (blocks 2 and 4).
DELTA_O1 = delta(CLASSIC, "o1")  # ∂E/∂o1 = ∂E1/∂a_o1 · ∂a_o1/∂o1
DELTA_O2 = delta(CLASSIC, "o2")  # ∂E/∂o2
DE_DAH1 = error_by(CLASSIC, "h1")  # ∂E_total/∂a_h1 (block 4)
DE_DAH2 = error_by(CLASSIC, "h2")  # ∂E_total/∂a_h2
DELTA_H1 = delta(CLASSIC, "h1")  # ∂E/∂h1 = ∂E/∂a_h1 · ∂a_h1/∂h1 (block 5)
DELTA_H2 = delta(CLASSIC, "h2")  # ∂E/∂h2
