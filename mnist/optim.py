"""The optimizer, its per-step schedule, and the moving average of the weights.

`OneCycle` follows torch's `OneCycleLR` step for step (cosine from peak/div up to the peak over
the first quarter of the steps, then cosine down to peak/div/final_div, with momentum going the
other way between 0.95 and 0.85), but it is defined for any number of steps: `OneCycleLR`
divides by zero when a quarter of the steps is exactly one (4 steps: `--limit 500 --epochs 1`)
and starts at its lowest rate below that.
"""
from __future__ import annotations

import copy
import itertools
import math

import torch
from torch import nn


def _cosine(start: float, end: float, fraction: float) -> float:
    """From `start` (fraction 0) to `end` (fraction 1) along half a cosine."""
    return end + (start - end) / 2 * (math.cos(math.pi * fraction) + 1)


class OneCycle:
    """Sets the learning rate and momentum of every parameter group for each step; call
    `step()` after each optimizer step, as with torch's schedulers."""

    def __init__(self, optimizer: torch.optim.Optimizer, peak: float, total_steps: int,
                 warmup: float = 0.25, div: float = 10.0, final_div: float = 100.0,
                 momentum: tuple[float, float] = (0.85, 0.95)):
        self.optimizer, self.total = optimizer, max(1, total_steps)
        self.lrs = (peak / div, peak, peak / div / final_div)
        self.momentum = momentum
        self.top = max(0.0, warmup * self.total - 1)   # the step at the peak, as OneCycleLR
        self.step_count = 0
        self._apply()

    def lr_momentum(self, step: int) -> tuple[float, float]:
        """The learning rate and momentum at `step` (0-based)."""
        low, high = self.momentum
        start, peak, end = self.lrs
        if 0 < self.top and step <= self.top:
            fraction = step / self.top
            return _cosine(start, peak, fraction), _cosine(high, low, fraction)
        last = self.total - 1
        fraction = min(1.0, (step - self.top) / (last - self.top)) if last > self.top else 0.0
        return _cosine(peak, end, fraction), _cosine(low, high, fraction)

    def _apply(self) -> None:
        lr, momentum = self.lr_momentum(self.step_count)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
            if "momentum" in group:
                group["momentum"] = momentum
            elif "betas" in group:
                group["betas"] = (momentum, group["betas"][1])

    def step(self) -> None:
        self.step_count += 1
        self._apply()


def make_optimizer(model: nn.Module, cfg, steps_per_epoch: int, nesterov: bool = True,
                   step_size: int = 10, gamma: float = 0.1):
    """The optimizer and a per-batch learning-rate scheduler for `cfg` (a resolved train.Config)."""
    params = model.parameters()
    if cfg.optimizer == "adam":
        opt = torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    else:
        opt = torch.optim.SGD(params, lr=cfg.lr, momentum=0.9, weight_decay=cfg.weight_decay,
                              nesterov=nesterov)
    if cfg.schedule == "onecycle":
        sched = OneCycle(opt, cfg.lr, cfg.epochs * steps_per_epoch)
    elif cfg.schedule == "step":
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size * steps_per_epoch,
                                                gamma=gamma)
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0)
    return opt, sched


class WeightAverage:
    """An exponential moving average of a model's weights and batch-norm statistics, kept in
    `.module` (a copy of the model): avg <- d*avg + (1-d)*current at each `update_parameters`.

    d = min(decay, 1 - 1/(n+1), 1 - 10/total_steps) after n updates: the plain mean of all
    weights so far until that is longer than the average's horizon, and a horizon of at most a
    tenth of the run, so that a quick try of a few dozen steps does not average in its random
    start (the full recipe, 15 epochs of 469 steps, keeps `decay`). One fused lerp per update:
    torch's AveragedModel walks and regroups the tensors at every step, 1 ms of a 20 ms step.
    """

    def __init__(self, model: nn.Module, decay: float, total_steps: int):
        self.module = copy.deepcopy(model)
        self.decay = min(decay, max(0.0, 1.0 - 10.0 / total_steps))
        self.updates = 0

    @staticmethod
    def _tensors(model: nn.Module) -> list[torch.Tensor]:
        return [t.detach() for t in itertools.chain(model.parameters(), model.buffers())]

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        averaged, current = self._tensors(self.module), self._tensors(model)
        d = min(self.decay, 1.0 - 1.0 / (self.updates + 1.0))   # 0 at first: a copy
        floats = [i for i, t in enumerate(averaged) if t.is_floating_point()]
        torch._foreach_lerp_([averaged[i] for i in floats], [current[i] for i in floats], 1.0 - d)
        for a, c in zip(averaged, current):
            if not a.is_floating_point():   # the batch counters of batch norm
                a.copy_(c)
        self.updates += 1
