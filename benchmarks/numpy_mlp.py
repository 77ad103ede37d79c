"""The from-scratch NumPy models against the issue's targets, on the full MNIST.

    python benchmarks/numpy_mlp.py sigmoid [--seeds 1 2 3 4 5]   784-100-10 sigmoid: ≥ 97.5 %, ≤ 60 s
    python benchmarks/numpy_mlp.py best    [--seeds 1]           the best MLP: ≥ 98.3 %, ≤ 5 min
    python benchmarks/numpy_mlp.py linear  [--seeds 1]           784-10: ≥ 92.0 %
    python benchmarks/numpy_mlp.py relu                          ReLU beside sigmoid, and a PNG
    python benchmarks/numpy_mlp.py report                        the report's best setting, 50 epochs

Accuracy is the test accuracy after the last epoch (never the best epoch: no choosing on the
test set); time is the training time (`train_seconds`: the epochs' wall clock, without loading
the data or evaluating), with the process's CPU time beside it: at one thread the two agree on
a quiet machine, and the gap shows how busy the machine was. Each run is `mnist.numpy_train.fit`, as `python -m mnist train --model mlp` runs it,
at one BLAS thread. Logs go to output/bench_numpy_<case>_seed<seed>.json.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mnist import idx
from mnist import numpy_train as nt
from mnist.search import MODEL, REPORT_BEST, REPORT_TEST_ACC

# case: (configuration beyond the model's recipe, accuracy target %, time target s)
CASES = {
    "sigmoid": ({"model": "mlp"}, 97.5, 60),
    "best": ({"model": "mlp", "hidden": (512, 512), "activation": "relu", "dropout": 0.2,
              "augment": True, "lr": 0.1, "batch_size": 128, "epochs": 15}, 98.3, 300),
    "linear": ({"model": "linear"}, 92.0, None),
    "relu": ({"model": "mlp", "activation": "relu", "lr": 0.05}, None, None),
    "report": ({**MODEL, **REPORT_BEST, "epochs": 50}, None, None),   # beside the report's 91.75 %
}


def run(case: str, seed: int, data: idx.Arrays, threads: int) -> tuple[dict, bool]:
    """One timed run, its log written and its line printed; (log, target met)."""
    overrides, target, budget = CASES[case]
    cfg = nt.Config(**overrides, seed=seed, threads=threads, progress=False).resolved()
    t0 = time.perf_counter()
    with nt.limit_threads(threads):
        fit = nt.fit(cfg, data)
    log = nt.make_log(cfg, data, fit, 0.0, time.perf_counter() - t0)
    out = Path(f"output/bench_numpy_{case}_seed{seed}.json")
    out.write_text(json.dumps(log, indent=1))
    acc, seconds, cpu = log["final_acc"], log["train_seconds"], log["train_cpu_seconds"]
    met = (target is None or acc >= target) and (budget is None or seconds <= budget)
    print(f"{case} seed {seed}: {acc:.2f}% after {len(log['epochs'])} epochs, {seconds:.1f} s "
          f"training ({cpu:.1f} s CPU)"
          f"{'' if target is None else ', target met' if met else ', target NOT met'}", flush=True)
    return log, met


def relu_figure(logs: dict[str, dict], path: Path) -> None:
    """Test accuracy per epoch of the same 784-100-10 with sigmoid and with ReLU."""
    from sheetgen.plots import plt, png_bytes
    fig, ax = plt.subplots(figsize=(6.4, 4), dpi=100)
    for name, log in logs.items():
        ax.plot([e["epoch"] for e in log["epochs"]], [e["test_acc"] for e in log["epochs"]],
                "o-", ms=3, label=f"{name}: {log['final_acc']:.2f} %")
    ax.axhline(REPORT_TEST_ACC, color="grey", ls="--", lw=1, label="the report's best: 91.75 %")
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(90, 100)
    ax.set_title("784-100-10 in NumPy: ReLU beside sigmoid")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.write_bytes(png_bytes(fig))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case", choices=list(CASES))
    p.add_argument("--seeds", type=int, nargs="+", default=[1])
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default: 1)")
    p.add_argument("--data-dir", default=None, help="MNIST folder (default: $MNIST_DATA, ./data/MNIST/raw)")
    args = p.parse_args()
    data = idx.load(args.data_dir)
    Path("output").mkdir(exist_ok=True)
    if args.case == "relu":
        logs = {name: run(name, args.seeds[0], data, args.threads)[0] for name in ("sigmoid", "relu")}
        relu_figure(logs, Path("output/mnist_numpy_relu_vs_sigmoid.png"))
        print("wrote output/mnist_numpy_relu_vs_sigmoid.png")
        return
    runs = [run(args.case, seed, data, args.threads) for seed in args.seeds]
    accs = [log["final_acc"] for log, _ in runs]
    times = [log["train_seconds"] for log, _ in runs]
    print(f"{args.case}: {min(accs):.2f}-{max(accs):.2f}% (mean {sum(accs) / len(accs):.2f}), "
          f"{min(times):.0f}-{max(times):.0f} s training; target met on "
          f"{sum(met for _, met in runs)} of {len(runs)} seeds {args.seeds}")


if __name__ == "__main__":
    main()
