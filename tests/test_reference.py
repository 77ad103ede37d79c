"""The general NumPy reference (matrix form) against torch autograd, for every activation, loss,
bias mode and batch reduction, on shapes from a single neuron to two hidden layers."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from sheetgen import reference as R
from sheetgen.network import Network

SHAPES = [(2, 1), (1, 1), (2, 2, 2), (2, 3, 2), (2, 2, 1), (3, 4, 2, 2), (4, 1, 3, 4)]
ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def autograd(net: Network, x, t, w, b):
    """E (summed over outputs and examples), ∂/∂w and ∂/∂b of the loss the network descends
    (the mean over examples with `mean`), from torch on the same network written anew."""
    x, t = torch.tensor(x), torch.tensor(t)
    w = torch.tensor(w, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    a, at, unit_at = x, 0, 0
    for layer, (fan_in, units) in enumerate(itertools.pairwise(net.layers)):
        W = w[at:at + units * fan_in].reshape(units, fan_in)  # row: the unit fed
        at += units * fan_in
        z = a @ W.T
        if net.biases == "layer":
            z = z + b[layer]
        elif net.biases == "unit":
            z = z + b[unit_at:unit_at + units]
        unit_at += units
        a = ACTIVATIONS[net.activation](z)
    per_output = (t - a) ** 2 * (0.5 if net.loss == "half_sse" else 1.0)
    loss = per_output.sum()
    (loss / len(x) if net.mean else loss).backward()
    return loss.item(), w.grad.numpy(), np.zeros(0) if b.grad is None else b.grad.numpy()


CASES = [dict(layers=s, activation=a, loss=lo, biases=bm, examples=e, mean=m)
         for s in SHAPES for a in ACTIVATIONS for lo in ("half_sse", "sse")
         for bm in (None, "layer", "unit") for e, m in ((1, False), (3, False), (4, True))]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c["layers"])) + "," + ",".join(
    str(v) for k, v in c.items() if k != "layers"))
def test_step_matches_autograd(case):
    net = Network(**case)
    rng = np.random.default_rng(len(str(case)))
    x = rng.uniform(-1, 1, (net.examples, net.layers[0]))
    t = rng.uniform(0, 1, (net.examples, net.layers[-1]))
    w = rng.uniform(-1.5, 1.5, len(net.edges))
    b = rng.uniform(-1, 1, len(net.bias_names))
    loss, dw, db = autograd(net, x, t, w, b)
    got = R.step(net, x, t, w, b if net.biases else None)
    assert got["E"].sum() == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(got["dw"], dw, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(got["db"], db, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("trained", [False, True])
@pytest.mark.parametrize("mean", [False, True])
def test_run_descends_by_autograd_gradients(trained, mean):
    """Every row of the table is the previous row's weights minus η times autograd's gradient."""
    net = Network(layers=(2, 3, 2), activation="tanh", loss="sse", biases="unit",
                  trained=trained, examples=3, mean=mean)
    rng = np.random.default_rng(3)
    x, t = rng.uniform(-1, 1, (3, 2)), rng.uniform(-0.5, 0.5, (3, 2))
    w, b = rng.uniform(-1, 1, 12), rng.uniform(-1, 1, 5)
    etas, steps = [0.05, 0.3], 12
    table = R.run(net, x, t, w, etas, steps, biases=b)
    for k, eta in enumerate(etas):
        wk, bk = w.copy(), b.copy()
        for n in range(steps):
            loss, dw, db = autograd(net, x, t, wk, bk)
            assert table["E_total"][k, n] == pytest.approx(loss, rel=1e-12)
            np.testing.assert_allclose([table[v][k, n] for v in net.weight_names], wk, rtol=1e-11)
            np.testing.assert_allclose([table[v][k, n] for v in net.bias_names], bk, rtol=1e-11)
            np.testing.assert_allclose([table[f"d{v}"][k, n] for v in net.weight_names], dw,
                                       rtol=1e-9, atol=1e-14)
            wk, bk = wk - eta * dw, (bk - eta * db) if trained else bk


def test_relu_gradient_is_zero_where_the_unit_is_off():
    """At z = 0 exactly, ReLU passes no gradient, as torch's relu."""
    net = Network(layers=(1, 1), activation="relu")
    loss, dw, _ = autograd(net, [[1.0]], [[1.0]], [0.0], [])
    got = R.step(net, [[1.0]], [[1.0]], [0.0])
    assert got["dw"][0] == dw[0] == 0.0 and got["E"].sum() == pytest.approx(loss)
