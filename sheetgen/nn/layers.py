"""Layers as forward/backward pairs (the cs231n shape), each gradient written from the maths.

Shapes: a batch of N rows. `forward(x)` keeps what `backward` needs; `backward(dout)` takes
∂L/∂out, stores ∂L/∂parameter in `grads` and returns ∂L/∂x. Works in the dtype it is given
(float32 for MNIST, float64 for the 2-2-2 and the gradient tests).
"""
from __future__ import annotations

import numpy as np


class Layer:
    """A step of the network. `params` and `grads` map the same names to arrays of one shape;
    `backward` overwrites the `grads` arrays in place."""

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Linear(Layer):
    """out = x·Wᵀ + b.   x (N, n_in), W (n_out, n_in), b (n_out,), out (N, n_out).

    W[j, k] connects input k to unit j: the 2-2-2's w1..w4 are W₁ read row by row
    (h1 = w1·i1 + w2·i2). Backward: ∂L/∂W = doutᵀ·x, ∂L/∂b = Σ_rows dout, ∂L/∂x = dout·W.
    """

    def __init__(self, n_in: int, n_out: int, rng: np.random.Generator | None = None,
                 gain: float = 1.0, bias: bool = True, dtype=np.float32, input_grad: bool = True):
        super().__init__()
        self.input_grad = input_grad    # False on a first layer: nothing needs ∂L/∂(the data)
        rng = rng if rng is not None else np.random.default_rng(0)
        # Variance gain²/n_in keeps the size of the signal through the layer (He/LeCun init).
        self.params["W"] = (rng.standard_normal((n_out, n_in)) * gain / np.sqrt(n_in)).astype(dtype)
        if bias:
            self.params["b"] = np.zeros(n_out, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x, train=True):
        self.x = x
        out = x @ self.params["W"].T
        return out + self.params["b"] if "b" in self.params else out

    def backward(self, dout):
        np.matmul(dout.T, self.x, out=self.grads["W"])     # written in place: the optimiser
        if "b" in self.params:                              # holds these arrays
            self.grads["b"][...] = dout.sum(axis=0)
        return dout @ self.params["W"] if self.input_grad else None


class Sigmoid(Layer):
    """a = σ(x) = 1/(1+e⁻ˣ), computed as ½(1 + tanh(x/2)) so no exp overflows.
    Backward: ∂a/∂x = a(1−a), the sheet's a_h1(1−a_h1)."""

    def forward(self, x, train=True):
        self.a = 0.5 * (1.0 + np.tanh(0.5 * x))
        return self.a

    def backward(self, dout):
        return dout * self.a * (1.0 - self.a)


class Tanh(Layer):
    """a = tanh(x).  Backward: ∂a/∂x = 1 − a²."""

    def forward(self, x, train=True):
        self.a = np.tanh(x)
        return self.a

    def backward(self, dout):
        return dout * (1.0 - self.a * self.a)


class ReLU(Layer):
    """a = max(x, 0).  Backward: ∂a/∂x = 1 where x > 0, else 0."""

    def forward(self, x, train=True):
        self.positive = x > 0
        return x * self.positive

    def backward(self, dout):
        return dout * self.positive


class Dropout(Layer):
    """Inverted dropout: in training each unit is zeroed with probability p and the rest scaled
    by 1/(1−p), so evaluation (train=False) is the identity. Backward: the same mask."""

    def __init__(self, p: float, rng: np.random.Generator | None = None):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), not {p}")
        self.p, self.rng = p, rng if rng is not None else np.random.default_rng(0)

    def forward(self, x, train=True):
        if not train or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.p
        self.mask = keep.astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self.mask

    def backward(self, dout):
        return dout if self.mask is None else dout * self.mask


class SoftmaxCrossEntropy:
    """L = −(1/N) Σ_n log softmax(z_n)[y_n].   z (N, C) logits, y (N,) class indices.
    Backward: ∂L/∂z = (softmax(z) − onehot(y)) / N."""

    def forward(self, z: np.ndarray, y: np.ndarray) -> float:
        shifted = z - z.max(axis=1, keepdims=True)          # same softmax, no overflow
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.p, self.y = np.exp(log_p), y
        return float(-log_p[np.arange(len(y)), y].mean())

    def backward(self) -> np.ndarray:
        dz = self.p.copy()
        dz[np.arange(len(self.y)), self.y] -= 1.0
        return dz / len(self.y)


class SquaredError:
    """The spreadsheet's loss: E = ½ Σ_units (t − a)², averaged over the N rows
    (one row: the sheet's E_total = E1 + E2).  a, t (N, C).  Backward: ∂E/∂a = (a − t) / N."""

    def forward(self, a: np.ndarray, t: np.ndarray) -> float:
        self.a, self.t = a, t
        return float(0.5 * ((t - a) ** 2).sum() / len(a))

    def backward(self) -> np.ndarray:
        return (self.a - self.t) / len(self.a)


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
# Init gain per activation: √2 for ReLU (half the units are off), 1 for the squashing ones.
GAINS = {"sigmoid": 1.0, "tanh": 1.0, "relu": np.sqrt(2.0)}
