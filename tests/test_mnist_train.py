"""A short real training run on the 1,000-image sample of real MNIST digits: the loss falls,
accuracy is far above chance, the log and checkpoint are written, the same seed gives the same
numbers, and quick tries of any size train."""
from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F
from conftest import MNIST_SAMPLE

from mnist import train


def quick_config(tmp_path, **kw) -> train.Config:
    base = {"model": "compact", "epochs": 2, "limit": None, "batch_size": 32, "lr": 0.1,
            "ema": 0.0, "seed": 0, "threads": 1, "data_dir": str(MNIST_SAMPLE),
            "out": str(tmp_path / "log.json"), "progress": False}
    return train.Config(**{**base, **kw})


def test_short_training_learns(tmp_path):
    log = train.run(quick_config(tmp_path, epochs=3))
    first, _, last = log["epochs"]
    assert last["train_loss"] < first["train_loss"]
    assert last["test_acc"] > 70.0            # chance is 10%
    assert log["parameters"] <= 8000 and log["train_images"] == 1000
    saved = json.loads((tmp_path / "log.json").read_text())
    assert [list(r) for r in saved["epochs"]] == [train.LOG_COLUMNS] * 3
    assert sum(map(sum, saved["confusion"])) == 1000
    assert len(saved["misclassified"]["pixels"]) == len(saved["misclassified"]["index"]) > 0
    ckpt = torch.load(tmp_path / "log.pt", weights_only=True)
    assert ckpt["model"] == "compact" and ckpt["epoch"] == log["best_epoch"]


def test_same_seed_same_run(tmp_path):
    runs = [train.run(quick_config(tmp_path, epochs=1, limit=500, ema=0.99,
                                   out=str(tmp_path / f"{name}.json"))) for name in "ab"]
    a, b = runs
    keys = ["train_loss", "train_acc", "test_loss", "test_acc"]
    assert [a["epochs"][0][k] for k in keys] == [b["epochs"][0][k] for k in keys]


@pytest.mark.parametrize("change, message", [
    ({"epochs": 0}, "epochs"),
    ({"model": "resnet"}, "unknown model"),
    ({"schedule": "cosine"}, "schedule"),
    ({"lr": -1.0}, "learning rate"),
])
def test_bad_config(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        quick_config(tmp_path, **change).resolved()


def test_format_row_follows_log_columns():
    row = {"epoch": 3, "lr": 0.05, "train_loss": 0.1, "train_acc": 97.5, "test_loss": 0.05,
           "test_acc": 98.9, "seconds": 12.3}
    words = train.format_row(row).split()
    assert words[::2] == train.LOG_COLUMNS


@pytest.mark.parametrize("argv", [
    ["--limit", "500", "--epochs", "1"],                       # 4 steps: OneCycleLR divided by 0
    ["--limit", "1", "--epochs", "1"],                         # one image, one step
    ["--limit", "3", "--epochs", "2", "--batch-size", "2"],    # a last batch of one
    ["--limit", "100", "--epochs", "1", "--batch-size", "5000"],  # a batch larger than the set
    ["--limit", "200", "--epochs", "2", "--model", "seednet"],
    ["--limit", "200", "--epochs", "1", "--optimizer", "adam", "--schedule", "step"],
])
def test_quick_tries_train(tmp_path, capsys, argv):
    from mnist import cli
    out = tmp_path / "log.json"
    code = cli.main(["train", *argv, "--data-dir", str(MNIST_SAMPLE), "--out", str(out),
                     "--threads", "1", "--quiet", "--no-workbook"])
    assert code == 0, capsys.readouterr().err
    log = json.loads(out.read_text())
    assert len(log["epochs"]) == int(argv[argv.index("--epochs") + 1])
    assert log["train_images"] == int(argv[argv.index("--limit") + 1])
    assert all(0 < row["lr"] <= 0.4 for row in log["epochs"])


def test_evaluate_averages_the_views(tmp_path):
    """With 5 views the loss is the cross-entropy of the mean of the five shifted logits."""
    from mnist import data
    torch.manual_seed(0)
    model = train.mmodel.create("compact").eval()
    ds = data.load(MNIST_SAMPLE)
    x, y = data.normalize(ds.test_images[:300]), ds.test_labels[:300]
    result = train.evaluate(model, x, y, channels_last=False, views=5)
    with torch.no_grad():
        moves = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]
        logits = torch.stack([model(torch.roll(x, (dy, dx), (2, 3))) for dx, dy in moves]).mean(0)
    # torch.roll wraps a border row round instead of filling it; MNIST's borders are background.
    assert result["test_loss"] == pytest.approx(F.cross_entropy(logits, y).item(), rel=1e-5)
    assert result["test_acc"] == pytest.approx(100.0 * (logits.argmax(1) == y).float().mean().item())
    assert train.evaluate(model, x, y, False, 1)["test_loss"] != result["test_loss"]
