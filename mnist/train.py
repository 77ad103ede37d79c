"""Train an MNIST model: configuration, train(), evaluate(), run().

The dataset lives in memory as tensors on the chosen device; an epoch is a `torch.randperm` of
the training indices cut into batches, each augmented as a whole batch. No DataLoader.
The command line is in `mnist/cli.py`; `run(config)` returns the log that it writes.
"""
from __future__ import annotations

import base64
import dataclasses
import math
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from mnist import data as mdata
from mnist import model as mmodel
from mnist import optim
from mnist.runlog import LOG_COLUMNS, format_row, write_log
from sheetgen.files import atomic_write, check_output_path

EVAL_BATCH = 250       # evaluation batch size (measured: 100-250 fastest on one thread, 1000 ×0.7)
MISCLASSIFIED_KEPT = 32
FULL_TRAINING_SET = 60_000  # images in MNIST's training file


@dataclass
class Config:
    """Everything that decides a run. `None` fields take the model's recipe (model.Recipe)."""

    model: str = "compact"
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    schedule: str | None = None        # onecycle | step | constant
    optimizer: str | None = None       # sgd | adam
    weight_decay: float | None = None
    ema: float | None = None           # evaluate a moving average of the weights; 0: off
    tta: int | None = None             # test-time views averaged (data.TTA_VIEWS); 1: off
    augment: bool | None = None
    seed: int = 1
    threads: int | None = 2            # torch.set_num_threads; None leaves torch's default
    device: str = "auto"               # auto | cpu | cuda
    limit: int | None = None           # train on the first N images only
    data_dir: str | None = None
    out: str | None = None             # JSON log path; default mnist_<model>_seed<seed>.json
    checkpoint: str | None = None      # best model; default beside the log, .pt
    channels_last: bool = True
    progress: bool = True              # tqdm bars on stderr, per-epoch lines on stdout

    def resolved(self) -> Config:
        """A copy with every `None` recipe field filled from the model's recipe."""
        r = mmodel.recipe(self.model)
        fill = {f: getattr(r, f) for f in ("epochs", "batch_size", "lr", "schedule",
                                           "optimizer", "weight_decay", "augment", "ema", "tta")
                if getattr(self, f) is None}
        cfg = dataclasses.replace(self, **fill)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Raise ConfigError (a ValueError) for the first option out of range."""
        def at_least_1(name):
            value = getattr(self, name)
            return value is None or value >= 1, f"{name} must be at least 1, not {value}"

        checks = [
            at_least_1("epochs"), at_least_1("batch_size"), at_least_1("threads"),
            at_least_1("limit"),
            (self.lr is None or (self.lr > 0 and math.isfinite(self.lr)),
             f"learning rate must be positive, not {self.lr}"),
            (self.schedule in (None, "onecycle", "step", "constant"),
             f"unknown schedule {self.schedule!r}; choose onecycle, step or constant"),
            (self.optimizer in (None, "sgd", "adam"),
             f"unknown optimizer {self.optimizer!r}; choose sgd or adam"),
            (self.weight_decay is None or 0 <= self.weight_decay < math.inf,
             f"weight decay must be zero or positive, not {self.weight_decay}"),
            (self.ema is None or 0 <= self.ema < 1, f"ema decay must be in [0, 1), not {self.ema}"),
            (self.tta is None or self.tta in mdata.TTA_VIEWS,
             f"test-time views must be one of {sorted(mdata.TTA_VIEWS)}, not {self.tta}"),
            (self.device in ("auto", "cpu", "cuda"),
             f"unknown device {self.device!r}; choose auto, cpu or cuda"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)
        mmodel.recipe(self.model)  # raises ModelError for an unknown name


class ConfigError(ValueError):
    """A training option out of range."""


def choose_device(name: str = "auto") -> torch.device:
    """cuda when asked or when `auto` finds one, else cpu."""
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda asked for, but no CUDA device is available")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def train(model, images, labels, opt, sched, cfg: Config, generator: torch.Generator,
          epoch: int, ema=None) -> dict:
    """One epoch over (images, labels), float (N, 1, 28, 28) already normalised, on the device."""
    model.train()
    n = len(images)
    order = torch.randperm(n, generator=generator).to(images.device)
    batches = range(0, n, cfg.batch_size)
    # Bars go to stderr: a log redirected from stdout keeps only the per-epoch lines.
    bar = tqdm(batches, disable=not cfg.progress, file=sys.stderr, leave=False,
               total=len(batches), dynamic_ncols=True, desc=f"epoch {epoch} train")
    loss_sum = torch.zeros((), device=images.device)
    correct = torch.zeros((), dtype=torch.long, device=images.device)
    lr = opt.param_groups[0]["lr"]
    for batch_id, start in enumerate(bar):
        idx = order[start:start + cfg.batch_size]
        x, y = images[idx], labels[idx]
        if cfg.augment:
            x = mdata.augment(x, generator=generator)
        if cfg.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        sched.step()
        if ema is not None:
            ema.update_parameters(model)
        loss_sum += loss.detach() * len(idx)
        correct += (logits.detach().argmax(1) == y).sum()
        if cfg.progress:
            seen = start + len(idx)
            bar.set_description(f"Train: Loss={loss.item():.4f} Batch_id={batch_id} "
                                f"Accuracy={100.0 * correct.item() / seen:.2f}", refresh=False)
    return {"lr": lr, "train_loss": loss_sum.item() / n, "train_acc": 100.0 * correct.item() / n}


@torch.inference_mode()
def evaluate(model, images, labels, channels_last: bool = True, views: int = 1,
             progress: str | None = None) -> dict:
    """Average loss, accuracy, the 10x10 confusion matrix (rows true, columns predicted) and
    the indices of misclassified images, over the whole (normalised) test set. With `views` > 1
    the logits are averaged over the image and its whole-pixel moves in `data.TTA_VIEWS`.
    `progress` names a bar drawn on stderr (none when None)."""
    model.eval()
    loss_sum, preds = 0.0, []
    batches = range(0, len(images), EVAL_BATCH)
    for start in tqdm(batches, disable=progress is None, file=sys.stderr, leave=False,
                      desc=progress, dynamic_ncols=True):
        logits = 0
        for dx, dy in mdata.TTA_VIEWS[views]:
            x = mdata.shift(images[start:start + EVAL_BATCH], dx, dy)
            if channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            logits = logits + model(x) / views
        loss_sum += F.cross_entropy(logits, labels[start:start + EVAL_BATCH], reduction="sum").item()
        preds.append(logits.argmax(1))
    pred = torch.cat(preds)
    wrong = (pred != labels).nonzero().flatten()
    confusion = torch.bincount(labels * 10 + pred, minlength=100).reshape(10, 10)
    correct = len(labels) - len(wrong)
    return {"test_loss": loss_sum / len(labels), "test_acc": 100.0 * correct / len(labels),
            "correct": correct, "total": len(labels), "confusion": confusion.cpu().tolist(),
            "wrong": wrong.cpu().tolist(), "pred": pred.cpu()}


def versions() -> dict:
    import numpy
    return {"python": platform.python_version(), "torch": torch.__version__,
            "numpy": numpy.__version__, "platform": platform.platform(),
            "cpu_threads": torch.get_num_threads()}


def default_log_path(cfg: Config) -> Path:
    return Path(f"mnist_{cfg.model}_seed{cfg.seed}.json")  # in the working folder, like build


def run(config: Config) -> dict:
    """Load the data, train for the configured epochs, keep the best model, write the log."""
    started = time.perf_counter()
    cfg = config.resolved()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    device = choose_device(cfg.device)
    log_path = Path(cfg.out) if cfg.out else default_log_path(cfg)
    ckpt_path = Path(cfg.checkpoint) if cfg.checkpoint else log_path.with_suffix(".pt")
    for path in (log_path, ckpt_path):  # before training, not after: OutputError, a ValueError
        check_output_path(path)  # a missing folder is made when the file is written

    ds = mdata.load(cfg.data_dir)
    train_x, train_y = ds.train_images, ds.train_labels
    if cfg.limit:
        train_x, train_y = train_x[:cfg.limit], train_y[:cfg.limit]
    train_x, train_y = mdata.normalize(train_x).to(device), train_y.to(device)
    test_x, test_y = mdata.normalize(ds.test_images).to(device), ds.test_labels.to(device)
    load_seconds = time.perf_counter() - started

    model = mmodel.create(cfg.model).to(device)
    if cfg.channels_last:
        model = model.to(memory_format=torch.channels_last)
    steps = math.ceil(len(train_x) / cfg.batch_size)
    r = mmodel.recipe(cfg.model)
    opt, sched = optim.make_optimizer(model, cfg, steps, r.nesterov, r.step_size, r.gamma)
    generator = torch.Generator().manual_seed(cfg.seed)
    ema = optim.WeightAverage(model, cfg.ema, cfg.epochs * steps) if cfg.ema else None
    evaluated = model if ema is None else ema.module

    epochs, timing, best = [], [], None
    for epoch in range(1, cfg.epochs + 1):
        t0 = time.perf_counter()
        row = {"epoch": epoch, **train(model, train_x, train_y, opt, sched, cfg, generator, epoch, ema)}
        t1 = time.perf_counter()
        result = evaluate(evaluated, test_x, test_y, cfg.channels_last, cfg.tta,
                          f"epoch {epoch} test" if cfg.progress else None)
        t2 = time.perf_counter()
        row.update(test_loss=result["test_loss"], test_acc=result["test_acc"], seconds=t2 - t0)
        epochs.append({c: row[c] for c in LOG_COLUMNS})
        timing.append({"train_seconds": t1 - t0, "eval_seconds": t2 - t1})
        if cfg.progress:
            print(f"Test set: Average loss: {result['test_loss']:.4f}, Accuracy: "
                  f"{result['correct']}/{result['total']} ({result['test_acc']:.2f}%)", flush=True)
            print(format_row(epochs[-1]), flush=True)
        if best is None or result["test_acc"] > best["test_acc"]:
            best = {**result, "epoch": epoch}
            _save_checkpoint(evaluated, cfg, epoch, result["test_acc"], ckpt_path)

    wrong = best["wrong"][:MISCLASSIFIED_KEPT]
    log = {
        "model": cfg.model,
        "parameters": mmodel.count_parameters(model),
        "layers": [{**r, "output_shape": list(r["output_shape"])} for r in mmodel.summary(model)],
        "config": {**dataclasses.asdict(cfg), "device": str(device)},
        "seed": cfg.seed,
        "versions": versions(),
        "columns": LOG_COLUMNS,
        "epochs": epochs,
        "best_epoch": best["epoch"],
        "best_acc": best["test_acc"],
        "final_acc": epochs[-1]["test_acc"],
        "train_images": len(train_x),
        "load_seconds": load_seconds,
        "wall_seconds": time.perf_counter() - started,
        "timing": timing,
        "train_images_per_s": len(train_x) * len(timing) / sum(t["train_seconds"] for t in timing),
        "eval_images_per_s": len(test_x) * len(timing) / sum(t["eval_seconds"] for t in timing),
        "confusion": best["confusion"],
        "misclassified": {"index": wrong, "true": test_y[wrong].cpu().tolist(),
                          "pred": best["pred"][wrong].tolist(), "count": len(best["wrong"]),
                          "pixels": [base64.b64encode(ds.test_images[i].numpy().tobytes()).decode()
                                     for i in wrong]},
        "checkpoint": str(ckpt_path),
        "data_dir": str(ds.root),
    }
    write_log(log, log_path)
    log["log_path"] = str(log_path)
    return log


def quick_try_note(log: dict) -> str | None:
    """A line for a run shorter than its recipe (fewer images or epochs), whose accuracy says
    little: what it was and what the full recipe is for. None for a full run."""
    try:
        r = mmodel.recipe(log["model"])
    except (mmodel.ModelError, KeyError):  # a model without a recipe here: nothing to compare
        return None
    images, epochs = log.get("train_images", FULL_TRAINING_SET), len(log["epochs"])
    if images >= FULL_TRAINING_SET and epochs >= r.epochs:
        return None
    return (f"this was a quick try ({images:,} of {FULL_TRAINING_SET:,} training images, "
            f"{epochs} of the recipe's {r.epochs} epochs): it shows that training runs, not what "
            f"the model reaches, so a low accuracy is expected. Without --limit and --epochs it "
            f"trains the full recipe (compact: about 99.5 %, 2-4 minutes on a 2-core CPU).")


def _save_checkpoint(model, cfg: Config, epoch: int, acc: float, path: Path) -> None:
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    with atomic_write(path) as f:
        torch.save({"model": cfg.model, "state_dict": state, "epoch": epoch, "test_acc": acc}, f)
