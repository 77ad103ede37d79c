"""The one-cycle schedule against torch's OneCycleLR, and the weight average against its formula."""
from __future__ import annotations

import pytest
import torch

from mnist import optim


def _sgd(lr=0.1):
    return torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=lr, momentum=0.9, nesterov=True)


def _trace(opt, sched, steps):
    """lr, momentum, lr, momentum, ... before each of `steps` optimizer steps."""
    out = []
    for _ in range(steps):
        group = opt.param_groups[0]
        out += [group["lr"], group["momentum"]]
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize("total", [5, 8, 37, 469 * 15])
def test_one_cycle_follows_torch(total):
    opt, ref_opt = _sgd(), _sgd()
    ours = _trace(opt, optim.OneCycle(opt, 0.4, total), total)
    ref = torch.optim.lr_scheduler.OneCycleLR(ref_opt, max_lr=0.4, total_steps=total,
                                              pct_start=0.25, div_factor=10, final_div_factor=100)
    theirs = _trace(ref_opt, ref, total)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("total", [1, 2, 3, 4])
def test_one_cycle_short_runs(total):
    """Where OneCycleLR divides by zero (4 steps) or starts at its lowest rate (1 to 3)."""
    opt = _sgd()
    trace = _trace(opt, optim.OneCycle(opt, 0.4, total), total)
    lrs = trace[::2]
    assert lrs[0] == pytest.approx(0.4 if total < 5 else 0.04)
    assert all(0.4 / 1000 - 1e-12 <= lr <= 0.4 for lr in lrs)
    assert lrs == sorted(lrs, reverse=True)  # no room for a warm-up: straight down


def test_one_cycle_sets_adam_beta1():
    opt = torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), lr=0.01)
    optim.OneCycle(opt, 0.01, 100)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)


def test_weight_average_is_the_formula():
    """The first update copies; the k-th takes d = min(decay, 1 - 1/k): by hand."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    decay, total = 0.9, 1000
    ema = optim.WeightAverage(model, decay, total)
    expected: list[torch.Tensor] = []
    for k in range(1, 30):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p))
        ema.update_parameters(model)
        current = [p.detach().clone() for p in model.parameters()]
        d = min(decay, 1 - 1 / k)
        expected = [d * e + (1 - d) * c for e, c in zip(expected, current)] if expected else current
    for e, p in zip(expected, ema.module.parameters()):
        torch.testing.assert_close(p, e)


def test_weight_average_horizon_is_at_most_a_tenth_of_a_short_run():
    model = torch.nn.Linear(1, 1, bias=False)
    ema = optim.WeightAverage(model, 0.998, total_steps=20)   # d <= 1 - 10/20 = 0.5
    with torch.no_grad():
        model.weight.fill_(0.0)
    ema.update_parameters(model)          # first update copies
    for _ in range(10):
        with torch.no_grad():
            model.weight.fill_(1.0)
        ema.update_parameters(model)
    assert ema.module.weight.item() == pytest.approx(1 - 0.5 ** 10)
