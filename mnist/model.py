"""The MNIST networks, a registry by name, and a layer table for printing and export.

All take a normalised (N, 1, 28, 28) batch and return (N, 10) logits. Each top-level child of
a model is one row of its layer table: a convolution with what follows it, a pooling, the head.

- `SeedNet`: the course's reference architecture, 10,690 parameters, trained with SGD and a
  step learning rate (0.01 for 10 epochs, then 0.001).
- `CompactNet`: this project's network, 7,826 parameters, built for speed on a 2-core CPU: the
  only full-resolution layer is one 8-channel convolution, max-pooled before its batch norm and
  ReLU; the rest work at 14x14 and 7x7, then global average pooling. Trained with SGD-Nesterov,
  OneCycle and an EMA of the weights; tested on the average of five shifted views.
- `SmallNet`: the same plan in 5,806 parameters, a try at issue 14's stretch goal (5 of 8 seeds).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


def conv_block(cin: int, cout: int, kernel: int = 3, padding: int = 0, dropout: float = 0.0,
               order: str = "conv-bn-relu") -> nn.Sequential:
    """A bias-free convolution followed by BatchNorm and ReLU (in `order`, which may put a 2x2
    max-pool between the convolution and the rest), then Dropout."""
    conv = nn.Conv2d(cin, cout, kernel, padding=padding, bias=False)
    layers = {"conv-bn-relu": [conv, nn.BatchNorm2d(cout), nn.ReLU(inplace=True)],
              "conv-relu-bn": [conv, nn.ReLU(inplace=True), nn.BatchNorm2d(cout)],
              "conv-pool-bn-relu": [conv, nn.MaxPool2d(2), nn.BatchNorm2d(cout),
                                    nn.ReLU(inplace=True)]}[order]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class SeedNet(nn.Sequential):
    """The course architecture (see the issue): 10,690 parameters."""

    def __init__(self, dropout: float = 0.05):
        block = {"dropout": dropout, "order": "conv-relu-bn"}
        super().__init__(
            conv_block(1, 16, **block),                        # 16x26x26   144 + 32
            conv_block(16, 24, **block),                       # 24x24x24   3,456 + 48
            nn.Conv2d(24, 10, 1, bias=False),                  # 10x24x24   240
            nn.MaxPool2d(2),                                   # 10x12x12
            conv_block(10, 14, **block),                       # 14x10x10   1,260 + 28
            conv_block(14, 16, **block),                       # 16x8x8     2,016 + 32
            conv_block(16, 16, **block),                       # 16x6x6     2,304 + 32
            nn.AvgPool2d(6),                                   # 16x1x1
            nn.Sequential(nn.Conv2d(16, 16, 1, bias=False),    # 256
                          nn.Conv2d(16, 32, 1, bias=False),    # 512
                          nn.Flatten(), nn.Linear(32, 10)),    # 330
        )


class CompactNet(nn.Sequential):
    """This project's network: 7,826 parameters (at most 8,000), built for a 2-core CPU.

    One 8-channel convolution at full resolution, max-pooled straight away: its batch norm and
    ReLU then work on a quarter of the pixels (they took a third of a training step at 28x28).
    ReLU commutes with max-pooling; batch norm almost does (exactly, in evaluation, for a positive
    scale), and the measured accuracy did not suffer. The 3x3 convolutions that hold the
    parameters work at 14x14 and 7x7 only. Padding keeps those maps whole, and the second pool
    brings the receptive field of the last layer to 30 pixels, the whole digit, before global
    average pooling.
    """

    def __init__(self):
        super().__init__(
            conv_block(1, 8, padding=1, order="conv-pool-bn-relu"),   # 8x14x14    72 + 16
            conv_block(8, 16, padding=1),     # 16x14x14   1,152 + 32
            conv_block(16, 16, padding=1),    # 16x14x14   2,304 + 32
            nn.MaxPool2d(2),                  # 16x7x7
            conv_block(16, 16, padding=1),    # 16x7x7     2,304 + 32
            conv_block(16, 12, padding=1),    # 12x7x7     1,728 + 24
            nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(12, 10)),  # 130
        )


class SmallNet(nn.Sequential):
    """A try at the stretch goal: 5,806 parameters (at most 6,000). CompactNet's plan, narrower
    (10, 12 and 14 channels), and the last convolution gives the ten logits straight to the
    global average, with no linear layer. With the compact recipe it meets the targets on 5 of
    seeds 1-8 at two threads (README): the stretch goal is not met, and it is not the default."""

    def __init__(self):
        super().__init__(
            conv_block(1, 10, padding=1, order="conv-pool-bn-relu"),  # 10x14x14   90 + 20
            conv_block(10, 12, padding=1),    # 12x14x14   1,080 + 24
            conv_block(12, 14, padding=1),    # 14x14x14   1,512 + 28
            nn.MaxPool2d(2),                  # 14x7x7
            conv_block(14, 14, padding=1),    # 14x7x7     1,764 + 28
            nn.Sequential(nn.Conv2d(14, 10, 3, padding=1, bias=False),   # 10x7x7   1,260
                          nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        )


@dataclass(frozen=True)
class Recipe:
    """Default training settings for a model; every one can be overridden on the command line."""

    epochs: int
    batch_size: int
    lr: float
    schedule: str          # "onecycle" (lr is the peak), "step" (lr, times gamma every step)
    optimizer: str         # "sgd" (momentum 0.9) or "adam"
    nesterov: bool = True  # Nesterov momentum for sgd
    weight_decay: float = 0.0
    step_size: int = 10
    gamma: float = 0.1
    augment: bool = True
    ema: float = 0.0       # decay of an exponential moving average of the weights; 0: none
    tta: int = 1           # test predictions averaged over this many shifted views (1: none)

    def describe(self) -> str:
        """One line for --help: '15 epochs, batch 128, SGD-Nesterov, OneCycle to 0.4, ...'."""
        optimizer = {"sgd": "SGD-Nesterov" if self.nesterov else "SGD", "adam": "Adam"}[self.optimizer]
        schedule = (f"OneCycle to {self.lr:g}" if self.schedule == "onecycle" else
                    f"LR {self.lr:g}, ×{self.gamma:g} every {self.step_size} epochs"
                    if self.schedule == "step" else f"LR {self.lr:g}")
        parts = [f"{self.epochs} epochs", f"batch {self.batch_size}", optimizer, schedule]
        if self.weight_decay:
            parts.append(f"weight decay {self.weight_decay:g}")
        if self.ema:
            parts.append(f"EMA {self.ema:g}")
        if self.tta > 1:
            parts.append(f"test-time average of {self.tta} shifted views")
        return ", ".join(parts)


MODELS: dict[str, tuple[type[nn.Module], Recipe]] = {
    "compact": (CompactNet, Recipe(epochs=15, batch_size=128, lr=0.4, schedule="onecycle",
                                   optimizer="sgd", weight_decay=1e-4, ema=0.998, tta=5)),
    "small": (SmallNet, Recipe(epochs=15, batch_size=128, lr=0.4, schedule="onecycle",
                               optimizer="sgd", weight_decay=1e-4, ema=0.998, tta=5)),
    "seednet": (SeedNet, Recipe(epochs=20, batch_size=64, lr=0.01, schedule="step",
                                optimizer="sgd", nesterov=False, step_size=10, gamma=0.1)),
}


class ModelError(ValueError):
    """Unknown model name."""


def create(name: str) -> nn.Module:
    """A fresh model by registry name."""
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    return MODELS[name][0]()


def recipe(name: str) -> Recipe:
    if name not in MODELS:
        raise ModelError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    return MODELS[name][1]


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _describe(module: nn.Module) -> str:
    """A short name for a block: 'Conv2d 1→16 3×3 s2, BatchNorm, ReLU', 'MaxPool 2', ..."""
    parts = []
    for m in (module.children() if len(list(module.children())) else [module]):
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0]
            text = f"Conv2d {m.in_channels}→{m.out_channels} {k}×{k}"
            if m.stride[0] != 1:
                text += f" s{m.stride[0]}"
            if m.padding[0]:
                text += f" p{m.padding[0]}"
            parts.append(text)
        elif isinstance(m, nn.BatchNorm2d):
            parts.append("BatchNorm")
        elif isinstance(m, nn.ReLU):
            parts.append("ReLU")
        elif isinstance(m, nn.Dropout):
            parts.append(f"Dropout {m.p:g}")
        elif isinstance(m, nn.MaxPool2d):
            parts.append(f"MaxPool {m.kernel_size}")
        elif isinstance(m, nn.AvgPool2d):
            parts.append(f"AvgPool {m.kernel_size}")
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            parts.append("GlobalAvgPool")
        elif isinstance(m, nn.Linear):
            parts.append(f"Linear {m.in_features}→{m.out_features}")
        elif isinstance(m, nn.Flatten):
            continue
        else:
            parts.append(type(m).__name__)
    return ", ".join(parts)


def summary(model: nn.Module, input_shape: tuple[int, ...] = (1, 1, 28, 28)) -> list[dict]:
    """One row per top-level child: {'layer', 'output_shape' (no batch dim), 'params'}."""
    rows = []
    was_training = model.training
    model.eval()
    x = torch.zeros(input_shape, device=next(model.parameters()).device)
    with torch.no_grad():
        for child in model.children():
            x = child(x)
            rows.append({"layer": _describe(child), "output_shape": tuple(x.shape[1:]),
                         "params": count_parameters(child)})
    model.train(was_training)
    return rows


def format_summary(rows: list[dict]) -> str:
    """The layer table as text, with a total line."""
    shape = lambda s: "×".join(map(str, s))
    width = max(len(r["layer"]) for r in rows)
    lines = [f"{'layer':<{width}}  {'output':>10}  {'params':>7}"]
    lines += [f"{r['layer']:<{width}}  {shape(r['output_shape']):>10}  {r['params']:>7,}" for r in rows]
    lines.append(f"{'total':<{width}}  {'':>10}  {sum(r['params'] for r in rows):>7,}")
    return "\n".join(lines)
