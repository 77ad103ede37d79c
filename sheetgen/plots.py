"""matplotlib pictures: the network diagram embedded in the workbook, and the loss curves PNG."""
from __future__ import annotations

import io
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from . import network as net
from .files import atomic_write

# No software version or date in the PNG, so the same picture gives the same bytes.
PNG_METADATA = {"Software": None}

# Node positions of the 2-2-2 network, in diagram units.
NODES = {"i1": (0, 2), "i2": (0, 0), "h1": (2, 2), "h2": (2, 0), "o1": (4, 2), "o2": (4, 0)}
# With biases: a bias node under each layer's inputs, feeding both of its units.
BIAS_NODES = {"b1": ((1.0, -1.0), ("h1", "h2")), "b2": ((3.0, -1.0), ("o1", "o2"))}


def png_bytes(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=PNG_METADATA)
    plt.close(fig)
    return buf.getvalue()


def network_diagram(biases: bool = False) -> bytes:
    """The 2-2-2 network with every weight labelled, as PNG bytes (about 640×300 px; 640×380
    with `biases`, which draws b1 and b2 as nodes feeding their layer)."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8 if biases else 3.0), dpi=100)
    ax.set_axis_off()
    ax.set_xlim(-0.6, 6.3)
    ax.set_ylim(-1.4 if biases else -0.6, 2.6)
    if biases:
        _bias_nodes(ax)
    for a, b, w in net.EDGES:
        (x0, y0), (x1, y1) = NODES[a], NODES[b]
        ax.annotate("", (x1 - 0.32, y1 + (y0 - y1) * 0.16), (x0 + 0.32, y0 - (y0 - y1) * 0.16),
                    arrowprops={"arrowstyle": "-|>", "color": "#555", "lw": 1.2})
        # Put the label a third of the way along so crossing edges keep their labels apart.
        t = 0.28 if y0 == y1 else 0.3
        ax.text(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + 0.12, w, ha="center", fontsize=10,
                color="#1f4e79", fontweight="bold")
    for name, (x, y) in NODES.items():
        layer = {"i": "#dae8fc", "h": "#d5e8d4", "o": "#ffe6cc"}[name[0]]
        ax.add_patch(plt.Circle((x, y), 0.32, fc=layer, ec="#333", lw=1.2, zorder=3))
        label = name if name[0] == "i" else f"{name}\n→a_{name}"
        ax.text(x, y, label, ha="center", va="center", fontsize=8.5, zorder=4)
    for k, y in ((1, 2), (2, 0)):
        ax.annotate("", (5.05, y), (4.35, y), arrowprops={"arrowstyle": "-|>", "color": "#555"})
        ax.text(5.1, y, f"E{k} = ½(t{k}−a_o{k})²", va="center", fontsize=9)
    ax.text(5.1, 1.0, "E_total = E1 + E2", va="center", fontsize=10, fontweight="bold")
    fig.tight_layout(pad=0.2)
    return png_bytes(fig)


def _bias_nodes(ax) -> None:
    """b1 and b2 as square nodes below the layer they feed, an arrow to each unit."""
    for name, ((x, y), units) in BIAS_NODES.items():
        for unit in units:
            ux, uy = NODES[unit]
            dx, dy = ux - x, uy - y
            length = (dx * dx + dy * dy) ** 0.5
            ax.annotate("", (ux - 0.34 * dx / length, uy - 0.34 * dy / length),
                        (x + 0.22 * dx / length, y + 0.22 * dy / length),
                        arrowprops={"arrowstyle": "-|>", "color": "#999", "lw": 1.0, "ls": "--"})
        ax.add_patch(plt.Rectangle((x - 0.22, y - 0.22), 0.44, 0.44, fc="#fff2cc", ec="#333",
                                   lw=1.2, zorder=3))
        ax.text(x, y, name, ha="center", va="center", fontsize=9, fontweight="bold", zorder=4)


def loss_curves_figure(settings):
    """Two panels of E_total per iteration, one line per η: linear and log scale."""
    table = net.iterate(settings.inputs, settings.targets, settings.weights,
                        settings.learning_rates, settings.iterations,
                        b=settings.biases, train_biases=settings.train_biases)
    steps = range(1, settings.iterations + 1)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), dpi=100)
    for ax, scale in zip(axes, ("linear", "log")):
        for eta, curve in zip(settings.learning_rates, table["E_total"]):
            ax.plot(steps, curve, label=f"η = {eta:g}", lw=1.8)
        ax.set_yscale(scale)
        ax.set_xlabel("iteration")
        ax.set_ylabel("E_total" + (" (log scale)" if scale == "log" else ""))
        ax.grid(alpha=0.3, which="both" if scale == "log" else "major")
    axes[0].legend(title="learning rate")
    fig.suptitle("Gradient descent on the 2-2-2 network: E_total per iteration")
    fig.tight_layout()
    return fig


def plot_loss_curves(path: str | os.PathLike, settings) -> Path:
    """Write the loss-curves PNG to `path` atomically; return the path."""
    data = png_bytes(loss_curves_figure(settings))
    with atomic_write(path) as f:
        f.write(data)
    return Path(path)
