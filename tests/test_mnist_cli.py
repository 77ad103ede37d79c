"""`python -m mnist`: help, summary, and bad input as one line on stderr with exit code 2."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mnist import cli


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, message", [
    (["train", "--model", "resnet"], "unknown model 'resnet'"),
    (["train", "--epochs", "-3"], "--epochs: must be at least 1"),
    (["train", "--batch-size", "0"], "--batch-size: must be at least 1"),
    (["train", "--lr", "nan"], "--lr: must be positive"),
    (["train", "--data-dir", "/nonexistent/mnist"], "does not exist"),
    (["summary", "--model", "nope"], "unknown model 'nope'"),
    (["export", "/nonexistent/log.json"], "not found"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, argv, message):
    extra = ["--out", str(tmp_path / "x.json")] if argv[0] == "train" else []
    code, _, err = run_cli(capsys, *argv, *extra)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_export_rejects_a_log_that_is_not_json(capsys, tmp_path):
    bad = tmp_path / "log.json"
    bad.write_text("{oops")
    code, _, err = run_cli(capsys, "export", str(bad), "--workbook", str(tmp_path / "b.xlsx"))
    assert code == 2 and "not JSON" in err
    bad.write_text(json.dumps({"model": "compact"}))
    code, _, err = run_cli(capsys, "export", str(bad), "--workbook", str(tmp_path / "b.xlsx"))
    assert code == 2 and "lacks" in err


def test_summary_prints_the_layer_table(capsys):
    code, out, _ = run_cli(capsys, "summary", "--model", "seednet")
    assert code == 0
    assert out.splitlines()[-1].split()[-1] == "10,690"
    assert "MaxPool 2" in out


def test_help_lists_defaults(capsys):
    code, out, _ = run_cli(capsys, "train", "--help")
    assert code == 0
    assert "(default: backprop.xlsx)" in out and "--limit" in out


def test_module_entry_point_exit_code():
    """The real `python -m mnist` process: exit code 2 and no traceback."""
    run = subprocess.run([sys.executable, "-m", "mnist", "train", "--epochs", "-1"],
                         capture_output=True, text=True, timeout=120, check=False,
                         cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 2
    assert run.stderr.strip().startswith("error:") and "Traceback" not in run.stderr


@pytest.mark.parametrize("case, message", [
    ("32x32 test images", "images are 32×32 pixels; MNIST images are 28×28"),
    ("gzip bomb", "has trailing bytes"),
])
def test_bad_data_folder_is_one_line_and_no_log(capsys, tmp_path, case, message):
    """Refused at load, before any training: one line, exit 2, no log or checkpoint written."""
    import struct

    import torch
    from test_mnist_data import _bomb, idx_images, write_set

    root = tmp_path / "data"
    if case == "gzip bomb":
        write_set(root)
        header = struct.pack(">IIII", 0x803, 6, 28, 28)
        _bomb(root / "train-images-idx3-ubyte.gz", header, 4 * 2**30)
    else:
        write_set(root, test_images=idx_images(torch.zeros(4, 32, 32, dtype=torch.uint8)))
    log = tmp_path / "log.json"
    code, _, err = run_cli(capsys, "train", "--data-dir", str(root), "--out", str(log),
                           "--no-workbook", "--threads", "1")
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not log.exists() and not log.with_suffix(".pt").exists()
