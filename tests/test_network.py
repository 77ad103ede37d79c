"""The hand-written NumPy reference against torch autograd, and the table of quantities."""
import math

import numpy as np
import pytest
import torch

from sheetgen import network as net


def autograd_gradients(i, t, w):
    """∂E_total/∂w from torch autograd on the same network, written independently of `net`."""
    i, t = torch.tensor(i, dtype=torch.float64), torch.tensor(t, dtype=torch.float64)
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    hidden = torch.sigmoid(w[:4].reshape(2, 2) @ i)
    out = torch.sigmoid(w[4:].reshape(2, 2) @ hidden)
    loss = 0.5 * ((t - out) ** 2).sum()
    loss.backward()
    return loss.item(), w.grad.numpy()


@pytest.mark.parametrize("seed", range(20))
def test_gradients_match_autograd(seed):
    rng = np.random.default_rng(seed)
    i, t, w = rng.uniform(-2, 2, 2), rng.uniform(0, 1, 2), rng.uniform(-3, 3, 8)
    loss, grad = autograd_gradients(i, t, w)
    assert net.forward(i, t, w)["E_total"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(net.gradients(i, t, w), grad, rtol=1e-10, atol=1e-15)


def test_batched_gradients_match_one_at_a_time():
    rng = np.random.default_rng(0)
    w = rng.uniform(-1, 1, (5, 3, 8))
    batched = net.gradients(net.INPUTS, net.TARGETS, w)
    for idx in np.ndindex(5, 3):
        np.testing.assert_allclose(batched[idx], autograd_gradients(net.INPUTS, net.TARGETS, w[idx])[1])


def test_iterate_follows_gradient_descent_per_learning_rate():
    table = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, net.LEARNING_RATES, 30)
    for k, eta in enumerate(net.LEARNING_RATES):
        w = np.array(net.WEIGHTS)
        for n in range(30):
            loss, grad = autograd_gradients(net.INPUTS, net.TARGETS, w)
            assert table["E_total"][k, n] == pytest.approx(loss, rel=1e-12)
            np.testing.assert_allclose([table[f"w{j}"][k, n] for j in range(1, 9)], w, rtol=1e-12)
            w = w - eta * grad
    # Loss falls for every course learning rate, and faster for larger ones.
    final = table["E_total"][:, -1]
    assert np.all(final < table["E_total"][:, 0]) and np.all(np.diff(final) < 0)


def test_classic_first_row():
    """The course sheet's first row, checked by hand: h1 = 0.15·0.05 + 0.2·0.1 = 0.0275."""
    row = {k: v[0, 0] for k, v in net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, [0.5], 1).items()}
    assert row["h1"] == pytest.approx(0.0275)
    assert row["a_h1"] == pytest.approx(1 / (1 + math.exp(-0.0275)))
    assert row["E_total"] == pytest.approx(row["E1"] + row["E2"])


def test_table_has_the_classic_31_columns_in_order():
    assert [q.label for q in net.COLUMNS] == (
        ["t1", "t2", "i1", "i2", "w1", "w2", "w3", "w4", "h1", "a_h1", "h2", "a_h2", "w5", "w6", "w7", "w8", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total"]
        + [f"∂E/∂w{k}" for k in range(1, 9)])
    assert len(net.COMPUTED) == 27


@pytest.mark.parametrize("q", net.COLUMNS, ids=lambda q: q.name)
def test_templates_agree_with_the_reference(q):
    """Each template, evaluated on reference values, gives the reference's next value."""
    table = net.iterate(net.INPUTS, net.TARGETS, net.WEIGHTS, [0.7], 3)
    values = {(n, off): table[n][0, 1 + off] for n in net.NAMES for off in (0, -1)}
    values[("eta", 0)] = 0.7
    assert net.evaluate(q.formula, values) == pytest.approx(table[q.name][0, 1], rel=1e-12)


def test_maths_reads_like_the_course():
    assert net.BY_NAME["h1"].maths() == "w1·i1 + w2·i2"
    assert net.BY_NAME["a_o1"].maths() == "σ(o1)"
    assert net.BY_NAME["E1"].maths() == "½·(t1−a_o1)²"
    assert net.BY_NAME["dw7"].maths() == "(a_o2−t2)·a_o2·(1−a_o2)·a_h1"


# --- biases: one constant bias per layer, as in the well-known worked example -------------------
def autograd_with_biases(i, t, w, b):
    """Loss and ∂E/∂w, ∂E/∂b from torch autograd, b1 added to both hidden units, b2 to both
    outputs; written independently of `net`."""
    i, t = torch.tensor(i, dtype=torch.float64), torch.tensor(t, dtype=torch.float64)
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    hidden = torch.sigmoid(w[:4].reshape(2, 2) @ i + b[0])
    out = torch.sigmoid(w[4:].reshape(2, 2) @ hidden + b[1])
    loss = 0.5 * ((t - out) ** 2).sum()
    loss.backward()
    return loss.item(), w.grad.numpy(), b.grad.numpy()


@pytest.mark.parametrize("seed", range(10))
def test_bias_gradients_match_autograd(seed):
    rng = np.random.default_rng(100 + seed)
    i, t, w, b = rng.uniform(-2, 2, 2), rng.uniform(0, 1, 2), rng.uniform(-3, 3, 8), rng.uniform(-1, 1, 2)
    loss, dw, db = autograd_with_biases(i, t, w, b)
    assert net.forward(i, t, w, b)["E_total"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(net.gradients(i, t, w, b), dw, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(net.bias_gradients(i, t, w, b), db, rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("trained", [False, True])
def test_iterate_with_biases_follows_autograd(trained):
    i, t, w, b, eta = (0.05, 0.1), (0.01, 0.99), np.array(net.WEIGHTS), np.array([0.35, 0.6]), 0.5
    table = net.iterate(i, t, w, [eta], 20, b=b, train_biases=trained)
    for n in range(20):
        loss, dw, db = autograd_with_biases(i, t, w, b)
        assert table["E_total"][0, n] == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose([table[f"b{k}"][0, n] for k in (1, 2)], b, rtol=1e-12)
        w, b = w - eta * dw, (b - eta * db if trained else b)


def test_the_worked_example_with_biases():
    """The published figures of the step-by-step example: inputs 0.05, 0.10, targets 0.01, 0.99,
    b1 = 0.35, b2 = 0.60, η = 0.5, biases not updated; to 9 decimals."""
    table = net.iterate((0.05, 0.1), (0.01, 0.99), net.WEIGHTS, [0.5], 2, b=(0.35, 0.6))
    first = {k: v[0, 0] for k, v in table.items()}
    second = {k: v[0, 1] for k, v in table.items()}
    assert round(first["E_total"], 9) == 0.298371109
    assert round(first["E1"], 9) == 0.274811083 and round(first["E2"], 9) == 0.023560026
    assert [round(second[f"w{k}"], 9) for k in (5, 6, 7, 8)] == [
        0.35891648, 0.408666186, 0.51130127, 0.561370121]
    assert round(second["w1"], 9) == 0.149780716


NETWORKS = [net.Network(), net.Network(biases=True), net.Network(biases=True, trained=True)]


@pytest.mark.parametrize("network", NETWORKS, ids=["classic", "biases", "trained-biases"])
def test_every_template_agrees_with_the_reference(network):
    """Each template, evaluated on reference values, gives the reference's next value."""
    b = (0.35, 0.6) if network.biases else None
    table = net.iterate((0.05, 0.1), (0.01, 0.99), net.WEIGHTS, [0.7], 3, b=b,
                        train_biases=network.trained)
    assert set(table) == set(network.names)
    values = {(n, off): table[n][0, 1 + off] for n in network.names for off in (0, -1)}
    values[("eta", 0)] = 0.7
    for q in network.columns:
        assert net.evaluate(q.formula, values) == pytest.approx(table[q.name][0, 1], rel=1e-12), q


def test_networks_have_their_columns():
    assert len(NETWORKS[0].names) == 31 and len(NETWORKS[1].names) == 33
    assert len(NETWORKS[2].names) == 35 and NETWORKS[2].updated[-2:] == ("w8", "b2")
    assert NETWORKS[1].by_name["b1"].is_input and not NETWORKS[2].by_name["b1"].is_input
    assert NETWORKS[1].by_name["o2"].maths() == "w7·a_h1 + w8·a_h2 + b2"
