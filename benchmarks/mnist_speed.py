"""Images per second for training and evaluation, and what each speed setting is worth.

    python benchmarks/mnist_speed.py [--model compact] [--seconds 4]

Each setting is changed alone from the baseline (the training defaults: 2 threads, batch 128,
channels_last, augmentation on; evaluation in batches of 250 under torch.inference_mode, one
view: the recipe's test-time views multiply evaluation's time by their number),
and timed on real MNIST batches for about `--seconds` each. The 2 CPU cores may be shared with
other work, so read differences under ~10% as noise; run it twice to see the spread.
"""
from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from mnist import data as mdata
from mnist import model as mmodel


def train_rate(model_name, images, labels, batch_size=128, threads=2, channels_last=True,
               augment=True, seconds=4.0) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = mmodel.create(model_name)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=mmodel.recipe(model_name).lr, momentum=0.9, nesterov=True)
    g = torch.Generator().manual_seed(0)
    model.train()

    def step():
        idx = torch.randint(0, len(images), (batch_size,), generator=g)
        x, y = images[idx], labels[idx]
        if augment:
            x = mdata.augment(x, generator=g)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        n += batch_size
    return n / (time.perf_counter() - start)


def eval_rate(model_name, images, mode="inference_mode", batch_size=250, threads=2,
              channels_last=True, seconds=4.0) -> float:
    torch.set_num_threads(threads)
    model = mmodel.create(model_name).eval()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    context = {"inference_mode": torch.inference_mode, "no_grad": torch.no_grad,
               "grad": torch.enable_grad}[mode]

    def one_pass():
        with context():
            for start in range(0, len(images), batch_size):
                x = images[start:start + batch_size]
                if channels_last:
                    x = x.contiguous(memory_format=torch.channels_last)
                model(x).argmax(1)

    one_pass()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        one_pass()
        n += len(images)
    return n / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="compact", help="model name (default: compact)")
    p.add_argument("--seconds", type=float, default=4.0, help="time per measurement (default: 4)")
    p.add_argument("--data-dir", default=None, help="MNIST folder (default: $MNIST_DATA, ./data/MNIST/raw)")
    args = p.parse_args()

    ds = mdata.load(args.data_dir)
    train_x, train_y = mdata.normalize(ds.train_images), ds.train_labels
    test_x = mdata.normalize(ds.test_images)
    s = args.seconds
    print(f"model {args.model}: {mmodel.count_parameters(mmodel.create(args.model)):,} parameters; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads available by default")

    print("\ntraining (images/s), one change at a time from the baseline")
    base = train_rate(args.model, train_x, train_y, seconds=s)
    rows = [("baseline: 2 threads, batch 128, channels_last, augment", base)]
    for label, kw in [("1 thread", {"threads": 1}),
                      ("batch 64", {"batch_size": 64}),
                      ("batch 256", {"batch_size": 256}),
                      ("batch 512", {"batch_size": 512}),
                      ("NCHW (no channels_last)", {"channels_last": False}),
                      ("no augmentation", {"augment": False})]:
        rows.append((label, train_rate(args.model, train_x, train_y, seconds=s, **kw)))
    for label, rate in rows:
        print(f"  {label:<56} {rate:8.0f}   x{rate / base:.2f}   {60000 / rate:5.1f} s/epoch")

    print("\nevaluation (images/s), one change at a time from the baseline")
    base = eval_rate(args.model, test_x, seconds=s)
    rows = [("baseline: inference_mode, batch 250, channels_last, 2 threads", base)]
    for label, kw in [("torch.no_grad", {"mode": "no_grad"}),
                      ("gradients on (no context)", {"mode": "grad"}),
                      ("batch 100", {"batch_size": 100}),
                      ("batch 1000", {"batch_size": 1000}),
                      ("batch 10000", {"batch_size": 10000}),
                      ("NCHW (no channels_last)", {"channels_last": False}),
                      ("1 thread", {"threads": 1})]:
        rows.append((label, eval_rate(args.model, test_x, seconds=s, **kw)))
    for label, rate in rows:
        print(f"  {label:<56} {rate:8.0f}   x{rate / base:.2f}   {10000 / rate:5.2f} s/test set")


if __name__ == "__main__":
    main()
