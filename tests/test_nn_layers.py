"""sheetgen.nn against torch autograd and finite differences, and the 2-2-2 of the workbook.

Every layer runs in float64 on fixed random inputs; its backward must match torch's gradient to
1e-12 (same maths, rounding only) and a central difference (step 1e-6) to a relative 1e-6.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from sheetgen import network as net
from sheetgen import reference
from sheetgen.nn.layers import (
    Dropout,
    Linear,
    ReLU,
    Sigmoid,
    SoftmaxCrossEntropy,
    SquaredError,
    Tanh,
)
from sheetgen.nn.model import mlp
from sheetgen.nn.optim import SGD, learning_rate

N, D_IN, D_OUT = 5, 4, 3
TORCH_TOL = {"rtol": 1e-12, "atol": 1e-12}
FD_TOL = {"rtol": 1e-6, "atol": 1e-8}
H = 1e-6


def numeric_gradient(f, x: np.ndarray) -> np.ndarray:
    """∂f/∂x by central differences, one entry at a time (f returns a scalar)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + H
        up = f()
        x[i] = old - H
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * H)
    return grad


def inputs(seed=0, shape=(N, D_IN)):
    """x and an upstream gradient of `shape`, and the generator that drew them."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    x[np.abs(x) < 1e-3] = 0.5   # no ReLU kink within a difference step
    return x, rng.standard_normal(shape), rng


ELEMENTWISE = [(Sigmoid, torch.sigmoid), (Tanh, torch.tanh), (ReLU, torch.relu)]


@pytest.mark.parametrize("layer_type, torch_fn", ELEMENTWISE, ids=lambda v: getattr(v, "__name__", ""))
def test_activation_backward(layer_type, torch_fn):
    x, dout, _ = inputs()
    layer = layer_type()
    out = layer.forward(x)
    dx = layer.backward(dout)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt)
    yt.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, numeric_gradient(lambda: (layer.forward(x) * dout).sum(), x),
                               **FD_TOL)


@pytest.mark.parametrize("bias", [True, False])
def test_linear_backward(bias):
    x, _, rng = inputs(1)
    layer = Linear(D_IN, D_OUT, rng, bias=bias, dtype=np.float64)
    if bias:
        layer.params["b"][:] = rng.standard_normal(D_OUT)
    dout = rng.standard_normal((N, D_OUT))
    out = layer.forward(x)
    dx = layer.backward(dout)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(layer.params["W"], requires_grad=True)
    bt = torch.tensor(layer.params["b"] if bias else np.zeros(D_OUT), requires_grad=True)
    yt = torch.nn.functional.linear(xt, wt, bt)
    yt.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["W"], wt.grad.numpy(), **TORCH_TOL)
    if bias:
        np.testing.assert_allclose(layer.grads["b"], bt.grad.numpy(), **TORCH_TOL)
    loss = lambda: (layer.forward(x) * dout).sum()
    for name, p in layer.params.items():
        np.testing.assert_allclose(layer.grads[name], numeric_gradient(loss, p), **FD_TOL)
    np.testing.assert_allclose(dx, numeric_gradient(loss, x), **FD_TOL)


def test_dropout_backward_uses_the_forward_mask():
    x, dout, _ = inputs(2, (400, 50))
    layer = Dropout(0.25, np.random.default_rng(3))
    out = layer.forward(x)
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01                  # p of the units dropped
    np.testing.assert_allclose(out[kept], x[kept] / 0.75)   # the rest scaled by 1/(1−p)
    xt = torch.tensor(x, requires_grad=True)
    (xt * torch.tensor(kept / 0.75)).backward(torch.tensor(dout))
    np.testing.assert_allclose(layer.backward(dout), xt.grad.numpy(), **TORCH_TOL)
    assert layer.forward(x, train=False) is x                # evaluation: the identity


def test_softmax_cross_entropy_backward():
    z, _, rng = inputs(4, (N, 10))
    z *= 30                                                  # large logits: no overflow
    y = rng.integers(0, 10, N)
    loss_fn = SoftmaxCrossEntropy()
    loss = loss_fn.forward(z, y)
    dz = loss_fn.backward()
    zt = torch.tensor(z, requires_grad=True)
    lt = torch.nn.functional.cross_entropy(zt, torch.tensor(y))
    lt.backward()
    np.testing.assert_allclose(loss, lt.item(), **TORCH_TOL)
    np.testing.assert_allclose(dz, zt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dz, numeric_gradient(lambda: SoftmaxCrossEntropy().forward(z, y), z),
                               **FD_TOL)


def test_squared_error_backward():
    a, t, _ = inputs(5, (N, 2))
    loss_fn = SquaredError()
    loss = loss_fn.forward(a, t)
    da = loss_fn.backward()
    at = torch.tensor(a, requires_grad=True)
    lt = 0.5 * ((torch.tensor(t) - at) ** 2).sum() / N
    lt.backward()
    np.testing.assert_allclose(loss, lt.item(), **TORCH_TOL)
    np.testing.assert_allclose(da, at.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(da, numeric_gradient(lambda: SquaredError().forward(a, t), a), **FD_TOL)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_whole_mlp_gradients_match_torch(activation):
    """Backward through Linear-activation-Linear-activation-Linear with softmax cross-entropy."""
    x, _, rng = inputs(6, (N, 6))
    y = rng.integers(0, 3, N)
    model = mlp([6, 5, 4, 3], activation, seed=7, dtype=np.float64)
    loss_fn = SoftmaxCrossEntropy()
    loss_fn.forward(model.forward(x), y)
    model.backward(loss_fn.backward())
    weights = [torch.tensor(p, requires_grad=True) for p, _ in model.parameters()]
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    h = torch.tensor(x)
    for k in range(0, len(weights), 2):
        h = h @ weights[k].T + weights[k + 1]
        h = act(h) if k + 2 < len(weights) else h
    torch.nn.functional.cross_entropy(h, torch.tensor(y)).backward()
    for (_, grad), wt in zip(model.parameters(), weights):
        np.testing.assert_allclose(grad, wt.grad.numpy(), **TORCH_TOL)


def test_sgd_momentum_matches_torch():
    """v ← μv − ηg, w ← w + v is torch's SGD (v ← μv + g, w ← w − ηv) at a constant rate."""
    rng = np.random.default_rng(8)
    w, grads = rng.standard_normal(6), rng.standard_normal((4, 6))
    g = np.zeros(6)
    opt = SGD([(w, g)], lr=0.1, momentum=0.5)
    wt = torch.tensor(w.copy(), requires_grad=True)
    topt = torch.optim.SGD([wt], lr=0.1, momentum=0.5)
    for step in grads:
        g[:] = step
        opt.step()
        wt.grad = torch.tensor(step)
        topt.step()
    np.testing.assert_allclose(w, wt.detach().numpy(), **TORCH_TOL)


def test_schedules():
    assert learning_rate("constant", 0.1, 0.9) == 0.1
    assert learning_rate("step", 1.0, 0.8) == pytest.approx(0.01)
    assert learning_rate("onecycle", 1.0, 0.15) == pytest.approx(1.0)
    assert learning_rate("onecycle", 1.0, 0.0) == pytest.approx(0.1)
    assert learning_rate("onecycle", 1.0, 0.999999) == pytest.approx(1e-3, rel=1e-3)
    with pytest.raises(ValueError, match="unknown schedule"):
        learning_rate("cosine", 1.0, 0.5)


@pytest.mark.parametrize("eta", net.LEARNING_RATES)
def test_the_workbook_2_2_2_is_one_instance(eta):
    """The 2-2-2 built from these layers gives the reference's first row (E_total, ∂E/∂w1..w8)
    and, after one SGD step, its second row's weights."""
    sheet = reference.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, [eta], steps=2)
    model = mlp([2, 2, 2], "sigmoid", bias=False, output_activation=True, dtype=np.float64)
    w = np.array(net.WEIGHTS)
    model.layers[0].params["W"][:] = w[:4].reshape(2, 2)   # h1 = w1·i1 + w2·i2, h2 = w3·i1 + w4·i2
    model.layers[2].params["W"][:] = w[4:].reshape(2, 2)   # o1 = w5·a_h1 + w6·a_h2, ...
    loss_fn = SquaredError()
    e_total = loss_fn.forward(model.forward(np.array([net.INPUTS])), np.array([net.TARGETS]))
    model.backward(loss_fn.backward())
    grads = np.concatenate([g.ravel() for _, g in model.parameters()])
    np.testing.assert_allclose(e_total, sheet["E_total"][0, 0], rtol=1e-14)
    np.testing.assert_allclose(grads, [sheet[f"dw{j}"][0, 0] for j in range(1, 9)], rtol=1e-12)
    SGD(model.parameters(), lr=eta).step()
    after = np.concatenate([p.ravel() for p, _ in model.parameters()])
    np.testing.assert_allclose(after, [sheet[f"w{j}"][0, 1] for j in range(1, 9)], rtol=1e-14)
