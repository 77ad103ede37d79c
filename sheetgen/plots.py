"""matplotlib pictures: the network diagram embedded in the workbook (drawn from the network's
description), and the loss curves PNG."""
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

LAYER_COLOURS = {"i": "#dae8fc", "h": "#d5e8d4", "g": "#d5e8d4", "o": "#ffe6cc"}
SPACING = 2.0  # diagram units between layers and between the units of a layer


def png_bytes(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=PNG_METADATA)
    plt.close(fig)
    return buf.getvalue()


def positions(network) -> dict[str, tuple[float, float]]:
    """Each unit's place: layer l at x = 2l, its units 2 apart from the top, each layer centred
    on the tallest (the 2-2-2: i1 (0, 2), i2 (0, 0), h1 (2, 2), ...)."""
    tallest = max(network.layers)
    out = {}
    for layer, size in enumerate(network.layers):
        for j, unit in enumerate(network.units(layer)):
            out[unit] = (SPACING * layer, (tallest - 1) + (size - 1) - SPACING * j)
    return out


def network_diagram(network=None) -> bytes:
    """The network with every weight labelled, as PNG bytes (the 2-2-2: about 640×300 px;
    640×380 with biases, drawn as square nodes feeding their units)."""
    network = network or net.CLASSIC
    nodes, biases = positions(network), network.biases is not None
    right = SPACING * network.depth
    height = (3.8 if biases else 3.0) + 1.875 * (max(network.layers) - 2)
    fig, ax = plt.subplots(figsize=(6.4 * (right + 2.9) / 6.9, height), dpi=100)
    ax.set_axis_off()
    ax.set_xlim(-0.6, right + 2.3)
    ax.set_ylim(-1.4 if biases else -0.6, SPACING * (max(network.layers) - 1) + 0.6)
    if biases:
        _bias_nodes(ax, network, nodes)
    for a, b, w in network.edges:
        (x0, y0), (x1, y1) = nodes[a], nodes[b]
        ax.annotate("", (x1 - 0.32, y1 + (y0 - y1) * 0.16), (x0 + 0.32, y0 - (y0 - y1) * 0.16),
                    arrowprops={"arrowstyle": "-|>", "color": "#555", "lw": 1.2})
        # Put the label a third of the way along so crossing edges keep their labels apart.
        t = 0.28 if y0 == y1 else 0.3
        ax.text(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t + 0.12, w, ha="center", fontsize=10,
                color="#1f4e79", fontweight="bold")
    for name, (x, y) in nodes.items():
        ax.add_patch(plt.Circle((x, y), 0.32, fc=LAYER_COLOURS[name[0]], ec="#333", lw=1.2,
                                zorder=3))
        label = name if name[0] == "i" else f"{name}\n→a_{name}"
        ax.text(x, y, label, ha="center", va="center", fontsize=8.5, zorder=4)
    _losses(ax, network, nodes, right)
    fig.tight_layout(pad=0.2)
    return png_bytes(fig)


def _losses(ax, network, nodes, right: float) -> None:
    """An arrow from each output to its loss, and E_total."""
    half = "½" if network.loss == "half_sse" else ""
    outputs = network.units(network.depth)
    for k, unit in enumerate(outputs, start=1):
        y = nodes[unit][1]
        ax.annotate("", (right + 1.05, y), (right + 0.35, y),
                    arrowprops={"arrowstyle": "-|>", "color": "#555"})
        ax.text(right + 1.1, y, f"E{k} = {half}(t{k}−a_o{k})²", va="center", fontsize=9)
    ys = [nodes[u][1] for u in outputs]
    y = sum(ys) / len(ys) if len(ys) % 2 == 0 else min(ys) - 0.8
    total = "E_total = " + " + ".join(f"E{k}" for k in range(1, len(outputs) + 1))
    if network.examples > 1:
        total = f"E_total = Σ over {network.examples} examples of {total[10:]}"
    ax.text(right + 1.1, y, total, va="center", fontsize=10, fontweight="bold")


def _bias_nodes(ax, network, nodes) -> None:
    """Each bias as a square node below-left of the units it feeds, an arrow to each."""
    for name in network.bias_names:
        units = network.bias_units(name)
        if network.biases == "layer":
            x, y = SPACING * network.layer_of(units[0]) - 1.0, -1.0
        else:
            x, y = nodes[units[0]][0] - 0.8, nodes[units[0]][1] - 0.8
        for unit in units:
            ux, uy = nodes[unit]
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
    from .workbook.values import compute

    table = compute(settings).table
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
    fig.suptitle(f"Gradient descent on the {settings.network.shape} network: E_total per iteration")
    fig.tight_layout()
    return fig


def plot_loss_curves(path: str | os.PathLike, settings) -> Path:
    """Write the loss-curves PNG to `path` atomically; return the path."""
    data = png_bytes(loss_curves_figure(settings))
    with atomic_write(path) as f:
        f.write(data)
    return Path(path)
