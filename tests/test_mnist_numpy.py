"""The from-scratch NumPy models on MNIST: the data path (no torch), training from the command
line on the real 1,000-image sample, the workbook sheet, and the resumable grid search."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import MNIST_SAMPLE
from openpyxl import load_workbook

from mnist import cli, data, idx, search
from mnist import numpy_train as nt

REPO = Path(__file__).resolve().parents[1]


def test_flatten_is_the_cnn_normalisation():
    images = idx.load(MNIST_SAMPLE).test_images[:50]
    want = data.normalize(torch.from_numpy(images)).reshape(50, -1).numpy()
    np.testing.assert_allclose(nt.flatten(images), want, rtol=1e-5, atol=1e-5)


def test_shift_batch_moves_each_image_like_the_cnn_shift():
    """Each image's offset, read back by matching, is one of torch's whole-pixel moves."""
    x = nt.flatten(idx.load(MNIST_SAMPLE).test_images[:40])
    moved = nt.shift_batch(x, np.random.default_rng(0), pixels=2)
    seen = set()
    for k in range(len(x)):
        image = torch.from_numpy(x[k].reshape(1, 1, 28, 28))
        matches = [(dx, dy) for dx in range(-2, 3) for dy in range(-2, 3)
                   if np.array_equal(data.shift(image, dx, dy).numpy().ravel(), moved[k])]
        assert matches, f"image {k} is not a whole-pixel move of the original"
        seen.add(matches[0])
    assert len(seen) > 5            # offsets differ from image to image


def test_train_mlp_writes_log_and_sheet(capsys, tmp_path, built_default):
    log_path, book = tmp_path / "mlp.json", tmp_path / "book.xlsx"
    shutil.copy(built_default, book)
    sheets = load_workbook(book, read_only=True).sheetnames
    code = cli.main(["train", "--model", "mlp", "--epochs", "4", "--data-dir", str(MNIST_SAMPLE),
                     "--out", str(log_path), "--workbook", str(book), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    log = json.loads(log_path.read_text())
    assert [e["epoch"] for e in log["epochs"]] == [1, 2, 3, 4]
    assert log["parameters"] == 784 * 100 + 100 + 100 * 10 + 10
    assert log["final_acc"] > 80          # 1,000 training images, 4 epochs: about 85 %
    assert log["config"]["hidden"] == [100] and log["config"]["activation"] == "sigmoid"
    assert load_workbook(book, read_only=True).sheetnames == [*sheets, "MNIST"]  # others kept


@pytest.mark.parametrize("argv", [
    ["--model", "linear", "--lr", "0.05"],
    ["--model", "mlp", "--hidden", "32", "16", "--activation", "relu", "--dropout", "0.1",
     "--momentum", "0.5", "--batch-size", "32", "--schedule", "step", "--augment", "--lr", "0.1"],
])
def test_train_options_reach_the_model(capsys, tmp_path, argv):
    log_path = tmp_path / "log.json"
    assert cli.main(["train", *argv, "--epochs", "3", "--data-dir", str(MNIST_SAMPLE),
                     "--out", str(log_path), "--no-workbook", "--quiet"]) == 0
    log = json.loads(log_path.read_text())
    widths = [layer["output_shape"][0] for layer in log["layers"] if layer["layer"].startswith("Linear")]
    assert widths == ([10] if "linear" in argv else [32, 16, 10])
    assert log["final_acc"] > 50          # chance: 10 %; measured 60-85 %


@pytest.mark.parametrize("argv, message", [
    (["--model", "mlp", "--optimizer", "adam"], "--optimizer applies to the CNN models"),
    (["--model", "compact", "--hidden", "50"], "--hidden applies to the NumPy models"),
    (["--model", "mlp", "--dropout", "1.5"], "dropout must be in [0, 1)"),
    (["--model", "mlp", "--momentum", "-0.1"], "momentum must be in [0, 1)"),
    (["--model", "mlp", "--activation", "swish"], "invalid choice"),
    (["--model", "linear", "--hidden", "50"], "linear has no hidden layer"),
    (["--model", "mlp", "--data-dir", "/nonexistent/mnist"], "does not exist"),
])
def test_bad_numpy_options_are_one_line_exit_2(capsys, tmp_path, argv, message):
    log_path = tmp_path / "log.json"
    code = cli.main(["train", *argv, "--out", str(log_path), "--no-workbook", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not log_path.exists()


NO_TORCH = """
import sys
sys.modules["torch"] = None          # any `import torch` now raises ImportError
from mnist import export, numpy_train, search
log = numpy_train.run(numpy_train.Config(epochs=1, data_dir=sys.argv[1], out=sys.argv[2] + "/log.json",
                                         progress=False))
export.export(log, sys.argv[3])
search.trial({"dropout": 0.1, "batch_size": 256, "momentum": 0.25, "lr": 0.01}, epochs=1,
             data_dir=sys.argv[1], limit=200)
assert "torch" not in {m.split(".")[0] for m, v in sys.modules.items() if v is not None}
print("ok")
"""


def test_numpy_models_never_import_torch(tmp_path, built_default):
    book = shutil.copy(built_default, tmp_path / "book.xlsx")
    run = subprocess.run([sys.executable, "-c", NO_TORCH, str(MNIST_SAMPLE), str(tmp_path), str(book)],
                         capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]


SMALL_GRID = {"dropout": (0.0, 0.2), "batch_size": (128,), "momentum": (0.5,), "lr": (0.01,)}


def test_search_is_resumable(tmp_path, monkeypatch):
    options = {"epochs": 2, "patience": None, "data_dir": str(MNIST_SAMPLE), "limit": 300}
    first = search.search(tmp_path, jobs=2, grid=SMALL_GRID, **options)
    assert [(r["dropout"], r["epochs_run"]) for r in first] == [(0.0, 2), (0.2, 2)]
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == 2
    # An interrupted write leaves half a line: it is dropped and only that setting runs again.
    # Two workers finish in either order: the second setting's line is the one cut short.
    whole, cut = sorted(lines, key=lambda line: json.loads(line)["dropout"])
    (tmp_path / "results.jsonl").write_text(whole + "\n" + cut[:30])
    ran = []

    def fake_trial(setting, epochs, patience, seed, data_dir, limit):
        ran.append(setting)
        return {**first[1], **setting, **search.run_params(epochs, patience, seed, limit)}

    monkeypatch.setattr(search, "trial", fake_trial)
    again = search.search(tmp_path, jobs=1, grid=SMALL_GRID, **options)
    assert ran == [search.settings(SMALL_GRID)[1]] and again == first
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 2
    # Other run parameters are another search: nothing is reused.
    ran.clear()
    search.search(tmp_path, jobs=1, grid=SMALL_GRID, **{**options, "epochs": 3})
    assert len(ran) == 2


def test_search_command_writes_table_and_plot(capsys, tmp_path):
    out = tmp_path / "grid"
    argv = ["search", "--epochs", "1", "--limit", "100", "-j", "2", "--data-dir",
            str(MNIST_SAMPLE), "--out", str(out), "--quiet"]
    assert cli.main(argv) == 0
    with open(out / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 96 and len({(r["dropout"], r["batch_size"], r["momentum"], r["lr"])
                                     for r in rows}) == 96
    assert "(report best)" in (out / "results.md").read_text()
    assert (out / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli.main(argv) == 0                     # rerun: all 96 kept, nothing retrained
    assert len((out / "results.jsonl").read_text().splitlines()) == 96


def test_optuna_objective_uses_only_the_trial_interface(monkeypatch):
    class FakeTrial:
        def __init__(self):
            self.attrs = {}

        def suggest_categorical(self, name, choices):
            return choices[-1]

        def set_user_attr(self, name, value):
            self.attrs[name] = value

    monkeypatch.setattr(search, "trial", lambda s, **kw: {**s, "final_acc": 12.5})
    t = FakeTrial()
    assert search.optuna_objective(t, epochs=1) == 12.5
    assert t.attrs["result"]["lr"] == 1e-5 and t.attrs["result"]["dropout"] == 0.4
