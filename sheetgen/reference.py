"""The hand-written NumPy reference: forward pass, gradients and gradient descent, from the maths.

    h = W₁·i + b1    a_h = σ(h)    o = W₂·a_h + b2    a_o = σ(o)    E_total = ½ Σ (t − a_o)²

It never reads the formula templates of `network`, so checking a workbook against it proves
something; it is itself checked against torch autograd (tests/test_network.py). Arrays may carry
any leading batch shape: i, t (..., 2); w (..., 8) as w1..w8; b (..., 2) as b1 (one bias shared by
the hidden layer) and b2 (shared by the output layer). b = 0 is the classic network.
"""

from __future__ import annotations

import numpy as np

NO_BIAS = (0.0, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def forward(i, t, w, b=NO_BIAS) -> dict[str, np.ndarray]:
    """The forward pass. Returns each forward quantity with the batch shape (...)."""
    i, t, w, b = (np.asarray(x, dtype=float) for x in (i, t, w, b))
    h1 = w[..., 0] * i[..., 0] + w[..., 1] * i[..., 1] + b[..., 0]
    h2 = w[..., 2] * i[..., 0] + w[..., 3] * i[..., 1] + b[..., 0]
    a_h1, a_h2 = sigmoid(h1), sigmoid(h2)
    o1 = w[..., 4] * a_h1 + w[..., 5] * a_h2 + b[..., 1]
    o2 = w[..., 6] * a_h1 + w[..., 7] * a_h2 + b[..., 1]
    a_o1, a_o2 = sigmoid(o1), sigmoid(o2)
    E1 = 0.5 * (t[..., 0] - a_o1) ** 2
    E2 = 0.5 * (t[..., 1] - a_o2) ** 2
    return {"h1": h1, "a_h1": a_h1, "h2": h2, "a_h2": a_h2, "o1": o1, "a_o1": a_o1, "o2": o2,
            "a_o2": a_o2, "E1": E1, "E2": E2, "E_total": E1 + E2}


def _deltas(i, t, w, b):
    """The forward pass and the error signals δ = ∂E_total/∂(net input) of the four units."""
    i, t, w = (np.asarray(x, dtype=float) for x in (i, t, w))
    f = forward(i, t, w, b)
    # Output units (blocks 2-3): ∂E/∂o = ∂E/∂a_o · ∂a_o/∂o.
    d_o1 = (f["a_o1"] - t[..., 0]) * f["a_o1"] * (1 - f["a_o1"])
    d_o2 = (f["a_o2"] - t[..., 1]) * f["a_o2"] * (1 - f["a_o2"])
    # Back through w5..w8 to the hidden activations (block 4), then through σ (block 5).
    d_h1 = (d_o1 * w[..., 4] + d_o2 * w[..., 6]) * f["a_h1"] * (1 - f["a_h1"])
    d_h2 = (d_o1 * w[..., 5] + d_o2 * w[..., 7]) * f["a_h2"] * (1 - f["a_h2"])
    return f, d_o1, d_o2, d_h1, d_h2


def gradients(i, t, w, b=NO_BIAS) -> np.ndarray:
    """∂E_total/∂w1..w8 in closed form. Returns (..., 8)."""
    i = np.asarray(i, dtype=float)
    f, d_o1, d_o2, d_h1, d_h2 = _deltas(i, t, w, b)
    return np.stack([
        d_h1 * i[..., 0], d_h1 * i[..., 1], d_h2 * i[..., 0], d_h2 * i[..., 1],
        d_o1 * f["a_h1"], d_o1 * f["a_h2"], d_o2 * f["a_h1"], d_o2 * f["a_h2"],
    ], axis=-1)


def bias_gradients(i, t, w, b=NO_BIAS) -> np.ndarray:
    """∂E_total/∂b1, ∂E_total/∂b2. Returns (..., 2): each bias feeds both units of its layer with
    weight 1, so its gradient is the sum of their error signals."""
    _, d_o1, d_o2, d_h1, d_h2 = _deltas(i, t, w, b)
    return np.stack([d_h1 + d_h2, d_o1 + d_o2], axis=-1)


def iterate(i, t, w, etas, steps: int, b=None, train_biases: bool = False) -> dict[str, np.ndarray]:
    """Gradient descent for several learning rates at once.

    i, t: (2,); w: (8,) the first row's weights; b: (2,) the biases, or None for none; etas: (k,).
    Returns every column of the iteration table by name, each of shape (k, steps): row n is
    iteration n+1. Biases stay as given unless `train_biases`, when they descend too.
    """
    etas = np.atleast_1d(np.asarray(etas, dtype=float))
    i, t = np.asarray(i, dtype=float), np.asarray(t, dtype=float)
    k = len(etas)
    weights = np.empty((k, steps, 8))
    biases = np.empty((k, steps, 2))
    weights[:, 0] = np.asarray(w, dtype=float)
    biases[:, 0] = np.asarray(NO_BIAS if b is None else b, dtype=float)
    for n in range(1, steps):
        before = (i, t, weights[:, n - 1], biases[:, n - 1])
        weights[:, n] = weights[:, n - 1] - etas[:, None] * gradients(*before)
        biases[:, n] = biases[:, n - 1] - (etas[:, None] * bias_gradients(*before)
                                           if train_biases else 0.0)
    table = {"t1": t[0], "t2": t[1], "i1": i[0], "i2": i[1]}
    table.update({f"w{j + 1}": weights[..., j] for j in range(8)})
    table.update(forward(i, t, weights, biases))
    table.update({f"dw{j + 1}": g for j, g in enumerate(np.moveaxis(gradients(i, t, weights, biases), -1, 0))})
    if b is not None:
        table.update({"b1": biases[..., 0], "b2": biases[..., 1]})
        if train_biases:
            db = bias_gradients(i, t, weights, biases)
            table.update({"db1": db[..., 0], "db2": db[..., 1]})
    return {name: np.broadcast_to(value, (k, steps)) for name, value in table.items()}
