"""Train the from-scratch NumPy models on MNIST: 784 → 10 (linear) and 784 → hidden… → 10 (mlp).

The layers are `sheetgen.nn`, the same backprop as the spreadsheet's 2-2-2. The data come from
`mnist.idx` as NumPy arrays; nothing here imports torch. `run(config)` returns and writes a log of
the same shape as the CNN's (`mnist.train.run`), so `mnist.export` writes its sheet unchanged.
"""
from __future__ import annotations

import base64
import contextlib
import dataclasses
import math
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnist import idx
from mnist.runlog import LOG_COLUMNS, format_row, write_log
from sheetgen.files import check_output_path
from sheetgen.nn.layers import ACTIVATIONS, SoftmaxCrossEntropy
from sheetgen.nn.model import Sequential, mlp, summary
from sheetgen.nn.optim import SCHEDULES, SGD, learning_rate

MODELS = ("mlp", "linear")
MISCLASSIFIED_KEPT = 32


@dataclass(frozen=True)
class Recipe:
    """A model's defaults: what `python -m mnist train --model NAME` does with no other option."""

    hidden: tuple[int, ...]
    activation: str
    epochs: int
    batch_size: int
    lr: float
    momentum: float
    schedule: str
    dropout: float = 0.0
    weight_decay: float = 0.0
    augment: bool = False


RECIPES = {
    "mlp": Recipe(hidden=(100,), activation="sigmoid", epochs=20, batch_size=64, lr=0.2,
                  momentum=0.9, schedule="onecycle"),
    "linear": Recipe(hidden=(), activation="sigmoid", epochs=10, batch_size=64, lr=0.02,
                     momentum=0.9, schedule="onecycle"),
}


class ConfigError(ValueError):
    """A training option out of range."""


@dataclass
class Config:
    """Everything that decides a run. `None` fields take the model's recipe."""

    model: str = "mlp"
    hidden: tuple[int, ...] | None = None
    activation: str | None = None
    dropout: float | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    momentum: float | None = None
    schedule: str | None = None
    weight_decay: float | None = None
    augment: bool | None = None
    patience: int | None = None        # stop when the best test accuracy has not risen by
    min_delta: float = 0.05            # min_delta points in `patience` epochs (the grid search)
    seed: int = 1
    threads: int | None = 1            # BLAS threads, through threadpoolctl when installed
    limit: int | None = None           # train on the first N images only
    data_dir: str | None = None
    out: str | None = None             # JSON log; default mnist_<model>_seed<seed>.json
    progress: bool = True

    def resolved(self) -> Config:
        if self.model not in RECIPES:
            raise ConfigError(f"unknown NumPy model {self.model!r}; choose {', '.join(MODELS)}")
        r = RECIPES[self.model]
        if self.model == "linear" and (self.hidden or self.activation or self.dropout):
            raise ConfigError("linear has no hidden layer: --hidden, --activation and --dropout "
                              "apply to mlp")
        fill = {f.name: getattr(r, f.name) for f in dataclasses.fields(Recipe)
                if getattr(self, f.name) is None}
        cfg = dataclasses.replace(self, **fill)
        cfg.hidden = tuple(cfg.hidden)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        checks = [
            (all(v is None or v >= 1 for v in (self.epochs, self.batch_size, self.threads, self.limit)),
             "epochs, batch size, threads and limit must be at least 1"),
            (all(h >= 1 for h in self.hidden), f"hidden sizes must be at least 1, not {self.hidden}"),
            (self.lr > 0 and math.isfinite(self.lr), f"learning rate must be positive, not {self.lr}"),
            (0 <= self.momentum < 1, f"momentum must be in [0, 1), not {self.momentum}"),
            (0 <= self.dropout < 1, f"dropout must be in [0, 1), not {self.dropout}"),
            (0 <= self.weight_decay < math.inf, f"weight decay must be ≥ 0, not {self.weight_decay}"),
            (self.activation in ACTIVATIONS,
             f"unknown activation {self.activation!r}; choose {', '.join(ACTIVATIONS)}"),
            (self.schedule in SCHEDULES,
             f"unknown schedule {self.schedule!r}; choose {', '.join(SCHEDULES)}"),
            (self.patience is None or self.patience >= 1, "patience must be at least 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)


def limit_threads(n: int | None):
    """A context that holds BLAS to `n` threads (threadpoolctl, when installed). Without it, set
    OMP_NUM_THREADS/OPENBLAS_NUM_THREADS before NumPy is imported (`mnist.search` does)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(n) if n else contextlib.nullcontext()


def flatten(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 (N, 784), standardised with the training mean and std."""
    scale = np.float32(1 / (255 * idx.STD))
    return images.reshape(len(images), -1).astype(np.float32) * scale - np.float32(idx.MEAN / idx.STD)


def shift_batch(x: np.ndarray, rng: np.random.Generator, pixels: int = 2) -> np.ndarray:
    """Each flattened image (N, 784) moved by its own whole-pixel offset in -pixels..pixels,
    background brought in at the edges: one gather for the whole batch."""
    n, side = len(x), 28
    framed = np.pad(x.reshape(n, side, side), ((0, 0), (pixels, pixels), (pixels, pixels)),
                    constant_values=np.float32(-idx.MEAN / idx.STD))
    dy, dx = rng.integers(0, 2 * pixels + 1, size=(2, n))
    rows = dy[:, None, None] + np.arange(side)[None, :, None]
    cols = dx[:, None, None] + np.arange(side)[None, None, :]
    return framed[np.arange(n)[:, None, None], rows, cols].reshape(n, -1)


def build(cfg: Config) -> Sequential:
    return mlp([784, *cfg.hidden, 10], cfg.activation, cfg.dropout, cfg.seed)


def train_epoch(net: Sequential, opt: SGD, x: np.ndarray, y: np.ndarray, cfg: Config,
                rng: np.random.Generator, first_step: int, total_steps: int) -> dict:
    """One pass over (x, y) in shuffled mini-batches; the rate follows the schedule per step."""
    loss_fn = SoftmaxCrossEntropy()
    order = rng.permutation(len(x))
    loss_sum, correct, lr = 0.0, 0, None
    bar = _bar(range(0, len(x), cfg.batch_size), cfg.progress)
    for k, start in enumerate(bar):
        batch = order[start:start + cfg.batch_size]
        xb, yb = x[batch], y[batch]
        if cfg.augment:
            xb = shift_batch(xb, rng)
        opt.lr = learning_rate(cfg.schedule, cfg.lr, (first_step + k) / total_steps)
        lr = opt.lr if lr is None else lr
        logits = net.forward(xb, train=True)
        loss = loss_fn.forward(logits, yb)
        net.backward(loss_fn.backward())
        opt.step()
        loss_sum += loss * len(batch)
        correct += int((logits.argmax(1) == yb).sum())
    return {"lr": lr, "train_loss": loss_sum / len(x), "train_acc": 100.0 * correct / len(x)}


def evaluate(net: Sequential, x: np.ndarray, y: np.ndarray) -> dict:
    """Loss, accuracy, confusion matrix (rows true, columns predicted) and misclassified indices."""
    logits = net.predict(x)
    loss = SoftmaxCrossEntropy().forward(logits, y)
    pred = logits.argmax(1)
    wrong = np.flatnonzero(pred != y)
    confusion = np.bincount(y * 10 + pred, minlength=100).reshape(10, 10)
    return {"test_loss": loss, "test_acc": 100.0 * (len(y) - len(wrong)) / len(y),
            "correct": len(y) - len(wrong), "total": len(y), "confusion": confusion.tolist(),
            "wrong": wrong.tolist(), "pred": pred}


def _bar(iterable, enabled: bool):
    if not enabled:
        return iterable
    from tqdm import tqdm
    return tqdm(iterable, file=sys.stderr, leave=False, dynamic_ncols=True)


def default_log_path(cfg: Config) -> Path:
    return Path(f"mnist_{cfg.model}_seed{cfg.seed}.json")  # in the working folder, like build


def fit(cfg: Config, data: idx.Arrays) -> dict:
    """Train on `data` as configured (cfg resolved); the per-epoch rows, the best epoch's
    evaluation, the network and the seconds spent training (wall clock, and CPU time of this
    process: on a busy machine the wall clock is longer). No files written."""
    train_x, train_y = flatten(data.train_images), data.train_labels
    if cfg.limit:
        train_x, train_y = train_x[:cfg.limit], train_y[:cfg.limit]
    test_x, test_y = flatten(data.test_images), data.test_labels
    net = build(cfg)
    opt = SGD(net.parameters(), cfg.lr, cfg.momentum, cfg.weight_decay)
    rng = np.random.default_rng(cfg.seed)
    steps = math.ceil(len(train_x) / cfg.batch_size)
    epochs, best, train_seconds, train_cpu = [], None, 0.0, 0.0
    for epoch in range(1, cfg.epochs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        row = {"epoch": epoch, **train_epoch(net, opt, train_x, train_y, cfg, rng,
                                             (epoch - 1) * steps, cfg.epochs * steps)}
        t1 = time.perf_counter()
        train_seconds, train_cpu = train_seconds + t1 - t0, train_cpu + time.process_time() - c0
        result = evaluate(net, test_x, test_y)
        row.update(test_loss=result["test_loss"], test_acc=result["test_acc"],
                   seconds=time.perf_counter() - t0)
        epochs.append({c: row[c] for c in LOG_COLUMNS})
        if cfg.progress:
            print(format_row(epochs[-1]), flush=True)
        if best is None or result["test_acc"] > best["test_acc"]:
            best = {**result, "epoch": epoch}
        if not math.isfinite(row["train_loss"]) or _flattened(epochs, cfg):
            break
    return {"epochs": epochs, "best": best, "net": net, "train_seconds": train_seconds,
            "train_cpu_seconds": train_cpu, "train_images": len(train_x)}


def _flattened(epochs: list[dict], cfg: Config) -> bool:
    """True when the best test accuracy of the last `patience` epochs beats the best before them
    by less than `min_delta` points (never without `patience`)."""
    if cfg.patience is None or len(epochs) <= cfg.patience:
        return False
    before = max(e["test_acc"] for e in epochs[:-cfg.patience])
    return max(e["test_acc"] for e in epochs[-cfg.patience:]) < before + cfg.min_delta


def run(config: Config) -> dict:
    """Load the data, train, write the JSON log (the CNN's format) and return it."""
    started = time.perf_counter()
    cfg = config.resolved()
    log_path = Path(cfg.out) if cfg.out else default_log_path(cfg)
    check_output_path(log_path)  # before training; a missing folder is made when written
    data = idx.load(cfg.data_dir)
    load_seconds = time.perf_counter() - started
    with limit_threads(cfg.threads):
        fit_ = fit(cfg, data)
    log = make_log(cfg, data, fit_, load_seconds, time.perf_counter() - started)
    write_log(log, log_path)
    log["log_path"] = str(log_path)
    return log


def make_log(cfg: Config, data: idx.Arrays, fit_: dict, load_seconds: float, wall: float) -> dict:
    best, epochs, net = fit_["best"], fit_["epochs"], fit_["net"]
    wrong = best["wrong"][:MISCLASSIFIED_KEPT]
    sizes = "-".join(map(str, [784, *cfg.hidden, 10]))
    return {
        "model": f"{cfg.model} {sizes} {cfg.activation if cfg.hidden else 'softmax'} (NumPy)",
        "parameters": net.count_parameters(),
        "layers": summary(net, 784),
        "config": {**dataclasses.asdict(cfg), "optimizer": f"sgd, momentum {cfg.momentum}",
                   "device": "cpu (NumPy)",
                   "augmentation": "shift −2…2 pixels" if cfg.augment else None},
        "seed": cfg.seed,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "platform": platform.platform()},
        "columns": LOG_COLUMNS,
        "epochs": epochs,
        "best_epoch": best["epoch"],
        "best_acc": best["test_acc"],
        "final_acc": epochs[-1]["test_acc"],
        "train_images": fit_["train_images"],
        "load_seconds": load_seconds,
        "train_seconds": fit_["train_seconds"],
        "train_cpu_seconds": fit_["train_cpu_seconds"],
        "wall_seconds": wall,
        "confusion": best["confusion"],
        "misclassified": {"index": wrong, "true": data.test_labels[wrong].tolist(),
                          "pred": best["pred"][wrong].tolist(), "count": len(best["wrong"]),
                          "pixels": [_b64(data.test_images[i]) for i in wrong]},
        "data_dir": str(data.root),
    }


def _b64(image: np.ndarray) -> str:
    return base64.b64encode(image.tobytes()).decode()
