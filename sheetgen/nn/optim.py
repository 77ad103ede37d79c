"""Stochastic gradient descent with momentum, and learning-rate schedules."""
from __future__ import annotations

import math

import numpy as np

SCHEDULES = ("constant", "step", "onecycle")


class SGD:
    """v ← μ·v − η·(g + λ·w);  w ← w + v.   μ = 0 is plain gradient descent, the sheet's
    w(next row) = w − η·∂E/∂w. Updates the arrays in place."""

    def __init__(self, parameters: list[tuple[np.ndarray, np.ndarray]], lr: float,
                 momentum: float = 0.0, weight_decay: float = 0.0):
        self.parameters, self.lr, self.momentum, self.weight_decay = parameters, lr, momentum, weight_decay
        self.velocity = [np.zeros_like(w) for w, _ in parameters]

    def step(self) -> None:
        """One update from the gradients the last backward pass left."""
        for (w, g), v in zip(self.parameters, self.velocity):
            if self.weight_decay and w.ndim > 1:       # decay weights, not biases
                g = g + self.weight_decay * w
            v *= self.momentum
            v -= self.lr * g
            w += v


def learning_rate(schedule: str, peak: float, progress: float) -> float:
    """The rate at `progress` ∈ [0, 1) of training.  constant: the peak throughout; step: ×0.1
    at 50 % and again at 75 %; onecycle: a linear rise from peak/10 over the first 15 %, then a
    cosine fall to peak/1000."""
    if schedule == "constant":
        return peak
    if schedule == "step":
        return peak * 0.1 ** ((progress >= 0.5) + (progress >= 0.75))
    if schedule == "onecycle":
        if progress < 0.15:
            return peak * (0.1 + 0.9 * progress / 0.15)
        fall = (progress - 0.15) / 0.85
        return peak * (1e-3 + (1 - 1e-3) * 0.5 * (1 + math.cos(math.pi * fall)))
    raise ValueError(f"unknown schedule {schedule!r}; choose {', '.join(SCHEDULES)}")
