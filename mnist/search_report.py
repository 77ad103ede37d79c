"""The grid search's outputs: a CSV and a markdown table, and a PNG of test accuracy per setting."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from mnist.search import GRID, REPORT_BEST, REPORT_TEST_ACC, TABLE_COLUMNS
from sheetgen.files import atomic_write


def is_report_best(result: dict) -> bool:
    return all(result[k] == v for k, v in REPORT_BEST.items())


def write_csv(results: list[dict], path: Path) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, TABLE_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(results)
    with atomic_write(path, "w") as f:
        f.write(buf.getvalue())


def markdown(results: list[dict]) -> str:
    """The settings ranked by final test accuracy; the report's best setting marked."""
    head = ["rank", *TABLE_COLUMNS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ranked = sorted(results, key=lambda r: -r["final_acc"])
    for rank, r in enumerate(ranked, start=1):
        cells = [f"{rank}{' (report best)' if is_report_best(r) else ''}",
                 r["dropout"], r["batch_size"], r["momentum"], f"{r['lr']:g}", r["epochs_run"],
                 f"{r['final_acc']:.2f}", f"{r['best_acc']:.2f}", r["best_epoch"],
                 f"{r['final_train_acc']:.2f}", f"{r['train_seconds']:.1f}",
                 f"{r['train_cpu_seconds']:.1f}"]
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    return "\n".join(lines) + "\n"


def plot(results: list[dict], path: Path) -> None:
    """Final test accuracy of every setting, one panel per learning rate, the report's 91.75 %
    as a line and its best setting ringed."""
    from sheetgen.plots import plt, png_bytes
    lrs = GRID["lr"]
    fig, axes = plt.subplots(1, len(lrs), figsize=(13, 4), dpi=100, sharey=True)
    for ax, lr in zip(axes, lrs):
        rows = [r for r in results if r["lr"] == lr]
        labels = [f"b{r['batch_size']} m{r['momentum']:g}" for r in rows if r["dropout"] == 0]
        for k, p in enumerate(GRID["dropout"]):
            ys = [r["final_acc"] for r in rows if r["dropout"] == p]
            ax.plot(range(len(ys)), ys, "o", label=f"dropout {p:g}", alpha=0.8)
        for x, r in enumerate([r for r in rows if r["dropout"] == REPORT_BEST["dropout"]]):
            if is_report_best(r):
                ax.plot([x], [r["final_acc"]], "o", ms=14, mfc="none", mec="k", label="report's best")
        ax.axhline(REPORT_TEST_ACC, color="grey", ls="--", lw=1, label="report: 91.75 %")
        ax.set_title(f"lr {lr:g}")
        ax.set_xticks(range(len(labels)), labels, rotation=60, fontsize=7)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test accuracy after training (%)")
    axes[-1].legend(fontsize=7, loc="lower right")
    fig.suptitle("784-100-10 sigmoid MLP (NumPy): the report's 96 settings")
    fig.tight_layout()
    with atomic_write(path) as f:
        f.write(png_bytes(fig))


def write_outputs(results: list[dict], out_dir: Path) -> dict[str, Path]:
    paths = {"csv": out_dir / "results.csv", "markdown": out_dir / "results.md",
             "plot": out_dir / "accuracy.png"}
    write_csv(results, paths["csv"])
    with atomic_write(paths["markdown"], "w") as f:
        f.write(markdown(results))
    plot(results, paths["plot"])
    return paths
