"""Where an epoch's time goes: the phases of a training step, evaluation, and the layers by kind
and resolution.

    python benchmarks/mnist_profile.py [--model compact] [--threads 1] [--steps 150]

Phases (indexing the batch, augmentation, forward, loss, backward, optimizer step, weight average)
are timed with perf_counter over `--steps` real training steps, after a warm-up; the figure is
the fastest of three rounds, the closest to a quiet machine. Then torch.profiler groups 20 steps'
operators by kind (convolution, batch norm, ReLU, max-pool, ...) and by the size of the maps they
work on (28×28, 14×14, 7×7), forward and backward together. Profile on one thread with nothing
else running, or read the figures as inflated.

The same script runs on the code before issue 14 (`git archive b5aca1d mnist | tar -x -C old`,
then `PYTHONPATH=old python benchmarks/mnist_profile.py`): the two helpers below pick the weight
average and evaluation that the code in hand has.
"""
from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict

import torch
import torch.nn.functional as F

from mnist import data as mdata
from mnist import model as mmodel
from mnist import train

PHASES = ["index", "augment", "forward", "loss", "backward", "step", "average"]
KINDS = [("convolution", r"conv"), ("batch norm", r"batch_norm"), ("ReLU", r"relu|threshold|clamp"),
         ("max-pool", r"max_pool"), ("zero-fill", r"fill_|zero_")]


def weight_average(model, decay: float):
    try:
        from mnist.optim import WeightAverage
    except ImportError:  # before issue 14: AveragedModel with a per-tensor avg_fn
        return torch.optim.swa_utils.AveragedModel(model, avg_fn=train._ema_step(decay),
                                                   use_buffers=True)
    return WeightAverage(model, decay, 10**6)


def evaluate_seconds(model, images, labels, views: int) -> float:
    start = time.perf_counter()
    if views > 1:
        train.evaluate(model, images, labels, True, views)
    else:
        train.evaluate(model, images, labels, True)
    return time.perf_counter() - start


def phase_times(model, opt, ema, images, labels, batch: int, steps: int) -> dict[str, float]:
    """Seconds per step of each phase: the fastest of three rounds of `steps` steps."""
    g = torch.Generator().manual_seed(0)
    rounds = []
    for _ in range(4):                                   # round 0 is the warm-up
        total = dict.fromkeys(PHASES, 0.0)
        for _ in range(steps):
            marks = [time.perf_counter()]
            idx = torch.randint(0, len(images), (batch,), generator=g)
            x, y = images[idx], labels[idx]
            marks.append(time.perf_counter())
            x = mdata.augment(x, generator=g).contiguous(memory_format=torch.channels_last)
            marks.append(time.perf_counter())
            opt.zero_grad(set_to_none=True)
            logits = model(x)
            marks.append(time.perf_counter())
            loss = F.cross_entropy(logits, y)
            marks.append(time.perf_counter())
            loss.backward()
            marks.append(time.perf_counter())
            opt.step()
            marks.append(time.perf_counter())
            ema.update_parameters(model)
            marks.append(time.perf_counter())
            for name, a, b in zip(PHASES, marks, marks[1:]):
                total[name] += b - a
        rounds.append({k: v / steps for k, v in total.items()})
    return min(rounds[1:], key=lambda r: sum(r.values()))


def operator_table(model, opt, images, labels, batch: int) -> dict[tuple[str, str], float]:
    """Self CPU seconds per step by (kind, map size), from torch.profiler over 20 steps."""
    from torch.profiler import ProfilerActivity, profile
    g = torch.Generator().manual_seed(1)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        for _ in range(20):
            idx = torch.randint(0, len(images), (batch,), generator=g)
            x = mdata.augment(images[idx], generator=g).contiguous(memory_format=torch.channels_last)
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), labels[idx]).backward()
            opt.step()
    table: dict[tuple[str, str], float] = defaultdict(float)
    for event in prof.key_averages(group_by_input_shape=True):
        kind = next((k for k, pattern in KINDS if re.search(pattern, event.key)), "other")
        shapes = [s for s in event.input_shapes if len(s) == 4 and s[0] == batch]
        size = f"{shapes[0][2]}×{shapes[0][3]}" if shapes and shapes[0][2] in (28, 14, 7) else "-"
        table[kind, size] += event.self_cpu_time_total / 1e6 / 20
    return table


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="compact", help="model name (default: compact)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    p.add_argument("--steps", type=int, default=150, help="steps per timed round (default: 150)")
    p.add_argument("--data-dir", default=None, help="MNIST folder (default: $MNIST_DATA, ./data/MNIST/raw)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    recipe = mmodel.recipe(args.model)
    ds = mdata.load(args.data_dir)
    images, labels = mdata.normalize(ds.train_images), ds.train_labels
    test_x, test_y = mdata.normalize(ds.test_images), ds.test_labels
    model = mmodel.create(args.model).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=recipe.lr / 10, momentum=0.9, nesterov=True,
                          weight_decay=recipe.weight_decay)
    ema = weight_average(model, recipe.ema or 0.998)
    steps_per_epoch = -(-len(images) // recipe.batch_size)
    views = getattr(recipe, "tta", 1)

    step = phase_times(model, opt, ema, images, labels, recipe.batch_size, args.steps)
    evals = min(evaluate_seconds(ema.module, test_x, test_y, views) for _ in range(3))
    per_step = sum(step.values())
    epoch = per_step * steps_per_epoch + evals
    print(f"{args.model}: {mmodel.count_parameters(model):,} parameters, batch "
          f"{recipe.batch_size}, {args.threads} thread(s), torch {torch.__version__}")
    print(f"\nan epoch: {epoch:.1f} s = {steps_per_epoch} steps × {per_step * 1e3:.2f} ms "
          f"+ evaluation {evals:.2f} s ({views} view(s) of 10,000 test images)")
    for name in PHASES:
        share = step[name] * steps_per_epoch / epoch
        print(f"  {name:<10} {step[name] * 1e3:7.2f} ms/step  {share:6.1%}")
    print(f"  {'evaluation':<10} {evals:7.2f} s/epoch    {evals / epoch:6.1%}")

    table = operator_table(model, opt, images, labels, recipe.batch_size)
    total = sum(table.values())
    sizes = ["28×28", "14×14", "7×7", "-"]
    print("\noperators of a training step (augmentation, forward, backward, optimizer), share of "
          "their self CPU time under torch.profiler")
    print(f"  {'':<12}" + "".join(f"{s:>8}" for s in sizes) + f"{'all':>8}")
    for kind in [k for k, _ in KINDS] + ["other"]:
        row = [table.get((kind, s), 0.0) / total for s in sizes]
        print(f"  {kind:<12}" + "".join(f"{v:8.1%}" for v in row) + f"{sum(row):8.1%}")
    column = [sum(table.get((k, s), 0.0) for k, _ in [*KINDS, ("other", "")]) / total
              for s in sizes]
    print(f"  {'all':<12}" + "".join(f"{v:8.1%}" for v in column) + f"{sum(column):8.1%}")


if __name__ == "__main__":
    main()
