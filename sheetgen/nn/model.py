"""A network as a list of layers: forward runs them in order, backward in reverse."""
from __future__ import annotations

import itertools

import numpy as np

from .layers import ACTIVATIONS, GAINS, Dropout, Layer, Linear


class Sequential:
    """Layers applied in order. `parameters()` yields (array, gradient) pairs for the optimiser."""

    def __init__(self, layers: list[Layer]):
        self.layers = layers

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """The chain rule: each layer turns ∂L/∂(its output) into ∂L/∂(its input). Returns
        ∂L/∂x, or None when the first layer was built with `input_grad=False`."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
            if dout is None:
                break
        return dout

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(layer.params[k], layer.grads[k]) for layer in self.layers for k in layer.params]

    def count_parameters(self) -> int:
        return sum(p.size for layer in self.layers for p in layer.params.values())

    def predict(self, x: np.ndarray, batch: int = 2000) -> np.ndarray:
        """Outputs in evaluation mode (no dropout), `batch` rows at a time."""
        return np.concatenate([self.forward(x[s:s + batch], train=False)
                               for s in range(0, len(x), batch)])


def mlp(sizes: list[int], activation: str = "sigmoid", dropout: float = 0.0, seed: int = 0,
        bias: bool = True, output_activation: bool = False, dtype=np.float32) -> Sequential:
    """Linear layers between `sizes` (e.g. [784, 100, 10]), the activation after each hidden one
    (and after the last too when `output_activation`, as in the 2-2-2), dropout after each
    hidden activation when `dropout` > 0. `[784, 10]` is the linear (softmax regression) model."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose {', '.join(ACTIVATIONS)}")
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    for k, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        last = k == len(sizes) - 2
        layers.append(Linear(n_in, n_out, rng, GAINS[activation], bias, dtype, input_grad=k > 0))
        if not last or output_activation:
            layers.append(ACTIVATIONS[activation]())
        if not last and dropout > 0:
            layers.append(Dropout(dropout, rng))
    return Sequential(layers)


def summary(net: Sequential, n_in: int) -> list[dict]:
    """One row per layer: {'layer', 'output_shape' (no batch dim), 'params'}, as the CNN's."""
    rows, width = [], n_in
    for layer in net.layers:
        if isinstance(layer, Linear):
            width = layer.params["W"].shape[0]
            name = f"Linear({layer.params['W'].shape[1]}→{width}{', bias' if 'b' in layer.params else ''})"
        elif isinstance(layer, Dropout):
            name = f"Dropout(p={layer.p})"
        else:
            name = type(layer).__name__
        rows.append({"layer": name, "output_shape": [width],
                     "params": sum(p.size for p in layer.params.values())})
    return rows
