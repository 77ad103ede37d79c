"""The hand-written NumPy reference, in matrix form, from the maths:

    forward   a⁰ = x,   zˡ = Wˡ aˡ⁻¹ + bˡ,   aˡ = f(zˡ)            (l = 1..L)
    loss      E = ½ Σ (t − aᴸ)²   or   Σ (t − aᴸ)²,   summed over outputs and examples
    backward  δᴸ = ∂E/∂aᴸ ⊙ f'(zᴸ),   δˡ = (Wˡ⁺¹)ᵀ δˡ⁺¹ ⊙ f'(zˡ)
    gradient  ∂E/∂Wˡ = Σₑ δˡ (aˡ⁻¹)ᵀ,   ∂E/∂bˡ = Σₑ δˡ     (÷ examples for the mean)

It never reads the formula templates of `sheetgen.network`, so checking a workbook against it
proves something; it is itself checked against torch autograd (tests/test_reference.py). It
takes the network's description only for its sizes, activation, loss, bias mode and batch, and
for the names of the table it returns. Weights are flat in the classic numbering, which is each
Wˡ (rows: units fed, columns: sources) flattened row by row, layer after layer. Arrays may carry
a leading batch shape (several learning rates at once).

`forward`, `gradients`, `bias_gradients` and `iterate` keep the classic 2-2-2 signatures.
"""
from __future__ import annotations

import math

import numpy as np

NO_BIAS = (0.0, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# tanh as the C library computes it, as spreadsheet programs do: numpy's own tanh differs from it
# in the last bit for about a third of arguments, and training at a large η can grow that into
# differences a reader sees. (numpy's exp differs from the C library's less often; the course's
# sigmoid keeps it, so its stored values stay what they have always been.)
_libm_tanh = np.frompyfunc(math.tanh, 1, 1)


def tanh(x):
    return np.asarray(_libm_tanh(x), dtype=float)


# Each activation, and the chain rule through it: ∂E/∂z = ∂E/∂a · f'(z), with f' written in the
# activation a = f(z), multiplied left to right as the workbook's formulas are.
ACTIVATION = {
    "sigmoid": (sigmoid, lambda g, a: g * a * (1 - a)),
    "tanh": (tanh, lambda g, a: g * (1 - a * a)),
    "relu": (lambda z: np.maximum(0.0, z), lambda g, a: g * (a > 0)),
}
# Each loss of one output beside its derivative ∂E/∂a.
LOSS = {
    "half_sse": (lambda t, a: 0.5 * (t - a) * (t - a), lambda t, a: a - t),
    "sse": (lambda t, a: (t - a) * (t - a), lambda t, a: 2 * (a - t)),
}


def total(terms):
    """Σ of `terms` taken left to right, as a spreadsheet adds `x+y+z` (numpy's own sums pair
    terms up differently, which changes the last bits the stored values must match)."""
    terms = iter(terms)
    out = next(terms)
    for term in terms:
        out = out + term
    return out


def matrices(sizes, w) -> list[np.ndarray]:
    """The flat weights (..., N) as the matrices W¹..Wᴸ, each (..., units fed, sources)."""
    w, out, at = np.asarray(w, dtype=float), [], 0
    for fan_in, units in zip(sizes[:-1], sizes[1:]):
        out.append(w[..., at:at + units * fan_in].reshape(*w.shape[:-1], units, fan_in))
        at += units * fan_in
    return out


def bias_vectors(sizes, mode, b) -> list[np.ndarray | None]:
    """The flat biases (..., B) as b¹..bᴸ, each (..., units): one per layer repeated over its
    units, or one per unit; None without biases."""
    if mode is None:
        return [None] * (len(sizes) - 1)
    b = np.asarray(b, dtype=float)
    if mode == "layer":
        return [np.repeat(b[..., l:l + 1], n, axis=-1) for l, n in enumerate(sizes[1:])]
    ends = np.cumsum(sizes[1:])
    return [b[..., end - n:end] for n, end in zip(sizes[1:], ends)]


def forward_pass(net, x, Ws, bs) -> tuple[list, list]:
    """z¹..zᴸ and a⁰..aᴸ for examples x (..., E, inputs): z = W a + b, a = f(z)."""
    f = ACTIVATION[net.activation][0]
    a, zs = [np.asarray(x, dtype=float)], []
    for W, b in zip(Ws, bs):
        # zᵢ = Σⱼ Wᵢⱼ aⱼ (+ bᵢ), per example e: W (..., i, j) against a (..., e, j).
        z = total(W[..., None, :, j] * a[-1][..., :, j, None] for j in range(W.shape[-1]))
        zs.append(z if b is None else z + b[..., None, :])
        a.append(f(zs[-1]))
    return zs, a


def backward(net, a, t, Ws) -> list[np.ndarray]:
    """δ¹..δᴸ = ∂E/∂z of every layer, per example (..., E, units)."""
    through = ACTIVATION[net.activation][1]
    deltas = [through(LOSS[net.loss][1](t, a[-1]), a[-1])]
    for W, a_l in zip(Ws[:0:-1], a[-2:0:-1]):
        # ∂E/∂aⱼ = Σᵢ δᵢ Wᵢⱼ over the units i that unit j feeds: (Wᵀ δ)ⱼ.
        back = total(deltas[0][..., :, i, None] * W[..., None, i, :] for i in range(W.shape[-2]))
        deltas.insert(0, through(back, a_l))
    return deltas


def step(net, x, t, w, b=None) -> dict[str, np.ndarray]:
    """One step's forward pass and gradients. x (..., E, inputs), t (..., E, outputs), w (..., N),
    b (..., B) or None. Returns z, a (lists), E (..., E, outputs), dw (..., N), db (..., B)."""
    sizes, x, t = net.layers, np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    Ws, bs = matrices(sizes, w), bias_vectors(sizes, net.biases, b)
    zs, a = forward_pass(net, x, Ws, bs)
    deltas = backward(net, a, t, Ws)
    examples = range(x.shape[-2])

    def over_examples(per_example):  # Σₑ, or its mean
        s = total(per_example(e) for e in examples)
        return s / len(examples) if net.mean and len(examples) > 1 else s

    # ∂E/∂Wˡ = Σₑ δˡ (aˡ⁻¹)ᵀ, flattened row by row: the classic numbering.
    dW = [over_examples(lambda e: d[..., e, :, None] * a_l[..., e, None, :])
          for d, a_l in zip(deltas, a)]
    dw = np.concatenate([g.reshape(*g.shape[:-2], -1) for g in dW], axis=-1)
    if net.biases == "layer":  # ∂E/∂bˡ = Σₑ Σᵢ δᵢˡ
        db = np.stack([over_examples(lambda e: total(d[..., e, i] for i in range(d.shape[-1])))
                       for d in deltas], axis=-1)
    elif net.biases == "unit":  # ∂E/∂bᵢˡ = Σₑ δᵢˡ
        db = np.concatenate([over_examples(lambda e: d[..., e, :]) for d in deltas], axis=-1)
    else:
        db = np.zeros((*dw.shape[:-1], 0))
    return {"z": zs, "a": a, "E": LOSS[net.loss][0](t, a[-1]), "dw": dw, "db": db}


def run(net, inputs, targets, weights, etas, steps: int, biases=None) -> dict[str, np.ndarray]:
    """Gradient descent for several learning rates at once on network `net`.

    inputs (E, inputs) and targets (E, outputs) the step's examples (or one example flat);
    weights (N,) the first row's; biases (B,) or None; etas (k,). Returns every column of the
    iteration table by name, each of shape (k, steps): row n is iteration n+1. Biases stay as
    given unless `net.trained`."""
    etas = np.atleast_1d(np.asarray(etas, dtype=float))
    x = np.asarray(inputs, dtype=float).reshape(net.examples, net.layers[0])
    t = np.asarray(targets, dtype=float).reshape(net.examples, net.layers[-1])
    k, names = len(etas), len(net.bias_names)
    w = np.empty((k, steps, len(net.edges)))
    b = np.empty((k, steps, names))
    w[:, 0] = np.asarray(weights, dtype=float)
    b[:, 0] = np.asarray(biases if names else (), dtype=float)
    for n in range(1, steps):
        g = step(net, x, t, w[:, n - 1], b[:, n - 1])
        w[:, n] = w[:, n - 1] - etas[:, None] * g["dw"]
        b[:, n] = b[:, n - 1] - (etas[:, None] * g["db"] if net.trained else 0.0)
    return {name: np.broadcast_to(v, (k, steps)) for name, v in _table(net, x, t, w, b).items()}


def _table(net, x, t, w, b) -> dict[str, np.ndarray]:
    """Every quantity of the table by name, from the weights and biases of every row."""
    g = step(net, x, t, w, b if len(net.bias_names) else None)
    table = {}
    for e in range(net.examples):
        table |= {net.example(f"t{j + 1}", e + 1): t[e, j] for j in range(net.layers[-1])}
        table |= {net.example(f"i{j + 1}", e + 1): x[e, j] for j in range(net.layers[0])}
        for layer in range(1, net.depth + 1):
            for j, unit in enumerate(net.units(layer)):
                table[net.example(unit, e + 1)] = g["z"][layer - 1][..., e, j]
                table[net.example(f"a_{unit}", e + 1)] = g["a"][layer][..., e, j]
        table |= {net.example(f"E{j + 1}", e + 1): g["E"][..., e, j]
                  for j in range(net.layers[-1])}
    table["E_total"] = total(g["E"][..., e, j] for e in range(net.examples)
                             for j in range(net.layers[-1]))
    table |= {name: w[..., j] for j, name in enumerate(net.weight_names)}
    table |= {f"d{name}": g["dw"][..., j] for j, name in enumerate(net.weight_names)}
    table |= {name: b[..., j] for j, name in enumerate(net.bias_names)}
    if net.trained:
        table |= {f"d{name}": g["db"][..., j] for j, name in enumerate(net.bias_names)}
    return table


# --- the classic 2-2-2 signatures ---------------------------------------------------------------
def _classic(b):
    from .network.description import Network

    return Network(biases=b is not None)


def forward(i, t, w, b=NO_BIAS) -> dict[str, np.ndarray]:
    """The 2-2-2 forward pass, i, t (..., 2), w (..., 8), b (..., 2) as b1, b2. Returns each
    forward quantity with the batch shape (...)."""
    net = _classic(b)
    x, t = np.asarray(i, dtype=float)[..., None, :], np.asarray(t, dtype=float)[..., None, :]
    g = step(net, x, t, w, b)
    out = {}
    for layer, letter in ((1, "h"), (2, "o")):
        for j in range(2):
            out[f"{letter}{j + 1}"] = g["z"][layer - 1][..., 0, j]
            out[f"a_{letter}{j + 1}"] = g["a"][layer][..., 0, j]
    out |= {"E1": g["E"][..., 0, 0], "E2": g["E"][..., 0, 1]}
    return out | {"E_total": out["E1"] + out["E2"]}


def gradients(i, t, w, b=NO_BIAS) -> np.ndarray:
    """∂E_total/∂w1..w8 of the 2-2-2. Returns (..., 8)."""
    x, t = np.asarray(i, dtype=float)[..., None, :], np.asarray(t, dtype=float)[..., None, :]
    return step(_classic(b), x, t, w, b)["dw"]


def bias_gradients(i, t, w, b=NO_BIAS) -> np.ndarray:
    """∂E_total/∂b1, ∂E_total/∂b2 of the 2-2-2 (one bias per layer). Returns (..., 2)."""
    x, t = np.asarray(i, dtype=float)[..., None, :], np.asarray(t, dtype=float)[..., None, :]
    return step(_classic(b), x, t, w, b)["db"]


def iterate(i, t, w, etas, steps: int, b=None, train_biases: bool = False) -> dict[str, np.ndarray]:
    """Gradient descent on the 2-2-2 for several learning rates at once: i, t (2,), w (8,),
    b (2,) or None, etas (k,). Returns every column by name, each (k, steps)."""
    from .network.description import Network

    net = Network(biases=b is not None, trained=train_biases)
    return run(net, i, t, w, etas, steps, biases=b)
